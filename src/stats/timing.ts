/**
 * Statistics of repeated timings (pure), as a benchmark reports them: mean ± sd, min…max, the median, and
 * the runs that stand out. Used by `npm run bench` and bench/startup.ts.
 */

export interface TimingStats {
  runs: number;
  mean: number;
  /** Sample standard deviation; null for a single run. */
  sd: number | null;
  min: number;
  max: number;
  median: number;
  /** Runs far from the others (see outliers). */
  outliers: number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs that stand out: a modified z-score (0.6745 · |x − median| / MAD, Iglewicz and Hoaglin) above 10 —
 * generous, as hyperfine's is, because three runs on a shared machine always differ a little — and at
 * least 25% away from the median, so that runs of almost identical times do not make a hair an outlier.
 * With a MAD of zero (most runs identical), any run 25% away stands out.
 */
export function outliers(values: readonly number[]): number[] {
  if (values.length < 3) return [];
  const m = median(values);
  const mad = median(values.map((v) => Math.abs(v - m)));
  return values.filter((v) => {
    const far = Math.abs(v - m) > 0.25 * Math.abs(m);
    return far && (mad === 0 || (0.6745 * Math.abs(v - m)) / mad > 10);
  });
}

export function timingStats(values: readonly number[]): TimingStats {
  if (values.length === 0) throw new Error('timingStats: no values');
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1)) : null;
  return { runs: values.length, mean, sd, min: Math.min(...values), max: Math.max(...values), median: median(values), outliers: outliers(values) };
}

/** Seconds with the precision that matters: 0.142 s, 3.27 s, 795 s. */
export function formatSeconds(s: number): string {
  if (s < 1) return `${(s * 1000).toFixed(s < 0.1 ? 1 : 0)} ms`;
  return `${s.toFixed(s < 10 ? 2 : s < 100 ? 1 : 0)} s`;
}

/** As hyperfine prints a timing: "1.17 s ± 0.12 s (1.01 s … 1.39 s, 10 runs)". */
export function formatTiming(t: TimingStats): string {
  const spread = t.sd === null ? 'one run, no spread' : `± ${formatSeconds(t.sd)}`;
  return `${formatSeconds(t.mean)} ${spread} (${formatSeconds(t.min)} … ${formatSeconds(t.max)}, ${t.runs} run${t.runs === 1 ? '' : 's'})`;
}

/**
 * A warning when the machine was busy while measuring: a 1-minute load average above half its cores,
 * before or after. Timings on a busy machine are noisy (and usually too slow).
 */
export function busyMachineWarning(load: { before: number; after: number }, cores: number): string | null {
  const worst = Math.max(load.before, load.after);
  if (worst <= cores / 2) return null;
  return `the machine was busy: load average ${load.before.toFixed(2)} before and ${load.after.toFixed(2)} after, on ${cores} cores; these times are noisy (and likely too slow): measure again when it is quiet`;
}
