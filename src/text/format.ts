/** Number formatting shared by every terminal view. */

export function fixed(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return '—';
  if (!Number.isFinite(value)) return String(value);
  return value.toFixed(digits);
}

export function percent(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined) return '—';
  if (!Number.isFinite(value)) return String(value);
  return `${(value * 100).toFixed(digits)}%`;
}

/** A signed difference: +0.0123, −0.0045 (a real minus sign, so columns of deltas line up and read well). */
export function signed(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  const s = Math.abs(value).toFixed(digits);
  if (Number(s) === 0) return `±${s}`;
  return value > 0 ? `+${s}` : `−${s}`;
}

/** A signed difference of proportions in percentage points. */
export function signedPoints(value: number, digits = 2): string {
  return `${signed(value * 100, digits)} pts`;
}

export function seconds(value: number): string {
  return value < 60 ? `${value.toFixed(1)} s` : `${Math.floor(value / 60)} min ${(value % 60).toFixed(0)} s`;
}

export function epsilonLabel(epsilon: number): string {
  return `ε=${epsilon}`;
}

/** How an arm is named in every view (terminal, markdown, HTML legends and titles): "hard (ε=0)", "smoothed (ε=0.1)". */
export function armHeading(arm: { label: string; epsilon: number }): string {
  return `${arm.label} (${epsilonLabel(arm.epsilon)})`;
}

export type DeltaMetric = 'accuracy' | 'nll' | 'ece' | 'meanConfidence';

/** Which way is better for each metric a verdict reports; mean confidence has no better direction. */
export const BETTER: Record<DeltaMetric, 'higher' | 'lower' | null> = { accuracy: 'higher', nll: 'lower', ece: 'lower', meanConfidence: null };

/**
 * How to read a difference (smoothed − hard) of a metric: "better", "worse", or "same" when it rounds to
 * zero at `digits` decimals; for mean confidence, "more confident" or "less confident".
 */
export function deltaReading(metric: DeltaMetric, delta: number, digits = 4): string {
  if (!Number.isFinite(delta) || Number(Math.abs(delta).toFixed(digits)) === 0) return 'same';
  const better = BETTER[metric];
  if (better === null) return delta > 0 ? 'more confident' : 'less confident';
  return (delta > 0) === (better === 'higher') ? 'better' : 'worse';
}

/** The verdict's deltas, each with how to read it: "Δaccuracy +0.50 pts (better), ΔNLL −0.0123 (better), …". */
export function verdictDeltas(c: { deltaAccuracy: number; deltaNll: number; deltaEce: number; deltaMeanConfidence: number }): string {
  return [
    `Δaccuracy ${signedPoints(c.deltaAccuracy)} (${deltaReading('accuracy', c.deltaAccuracy * 100, 2)})`,
    `ΔNLL ${signed(c.deltaNll)} (${deltaReading('nll', c.deltaNll)})`,
    `ΔECE ${signed(c.deltaEce)} (${deltaReading('ece', c.deltaEce)})`,
    `Δmean confidence ${signed(c.deltaMeanConfidence)} (${deltaReading('meanConfidence', c.deltaMeanConfidence)})`,
  ].join(', ');
}

/** The key to verdictDeltas. */
export const VERDICT_KEY = 'better: higher accuracy, lower NLL, lower ECE; mean confidence has no better direction';
