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

/** Which way is better for each difference a verdict reports (mean confidence has none). */
export const VERDICT_KEY = 'better: higher accuracy, lower NLL, ECE and Brier; mean confidence has no better direction';
