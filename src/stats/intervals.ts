import { SeededRandom } from '../random/SeededRandom';

type Quantile = (p: number, degreesOfFreedom: number) => number;
let quantileOfT: Quantile | undefined;

/** Student t quantile, from @stdlib, loaded on first use: it takes longer to load than every other module of `sweep show` together. */
function tQuantile(p: number, degreesOfFreedom: number): number {
  quantileOfT ??= require('@stdlib/stats-base-dists-t-quantile') as Quantile;
  return quantileOfT(p, degreesOfFreedom);
}

/** Arithmetic mean; NaN for an empty list. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample standard deviation (n − 1 in the denominator); null below two values. */
export function sampleSd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) ** 2;
  return Math.sqrt(ss / (values.length - 1));
}

export interface Interval {
  low: number;
  high: number;
}

/**
 * Student's t confidence interval for the mean: mean ± t(1−α/2, n−1)·sd/√n. Null below two values (no
 * spread to estimate). On paired differences it is the paired t-interval.
 */
export function tInterval(values: readonly number[], level = 0.95): Interval | null {
  const sd = sampleSd(values);
  if (sd === null) return null;
  const n = values.length;
  const half = tQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  const m = mean(values);
  return { low: m - half, high: m + half };
}

/**
 * Percentile bootstrap interval for the mean: resample the values with replacement `resamples` times
 * (seeded, so the same values give the same interval), take the α/2 and 1−α/2 quantiles of the resampled
 * means (linear interpolation between order statistics). With few values it is narrower than the
 * t-interval (it cannot see tails it has not sampled), which is why the verdict asks both to agree.
 */
export function bootstrapInterval(values: readonly number[], options: { level?: number; resamples?: number; seed?: number } = {}): Interval | null {
  const n = values.length;
  if (n < 2) return null;
  const level = options.level ?? 0.95;
  const resamples = options.resamples ?? 10_000;
  const rng = new SeededRandom(options.seed ?? 0, 'bootstrap');
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[rng.nextInt(n)]!;
    means[r] = sum / n;
  }
  means.sort();
  return { low: quantileSorted(means, (1 - level) / 2), high: quantileSorted(means, 1 - (1 - level) / 2) };
}

/** The p-quantile of sorted values, interpolating linearly between order statistics (R's type 7). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export type Direction = 'higher-is-better' | 'lower-is-better';
export type Verdict = 'helps' | 'hurts' | 'no detectable difference' | 'too few seeds';

/**
 * The verdict on a paired difference (smoothed − hard): "helps" or "hurts" only when both 95% intervals
 * lie entirely on one side of zero, otherwise "no detectable difference". Asking both to agree keeps the
 * bootstrap's optimism with few seeds from calling a difference the t-interval does not support.
 */
export function verdictOf(t: Interval | null, bootstrap: Interval | null, direction: Direction): Verdict {
  if (t === null || bootstrap === null) return 'too few seeds';
  const above = t.low > 0 && bootstrap.low > 0;
  const below = t.high < 0 && bootstrap.high < 0;
  if (!above && !below) return 'no detectable difference';
  return above === (direction === 'higher-is-better') ? 'helps' : 'hurts';
}
