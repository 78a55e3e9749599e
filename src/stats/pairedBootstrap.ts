import { binIndex, sampleBrier } from '../metrics/calibration';
import { ECE_BINS, topLabel } from '../metrics/evaluate';
import { SeededRandom } from '../random/SeededRandom';
import { quantileSorted } from './intervals';

/**
 * A paired bootstrap over the test samples of one run: resample the test set with replacement, compute
 * each metric for both models on the same resampled samples, keep the difference. Its percentile interval
 * is the uncertainty of a single run's Δ that comes from the finite test set (not from the seed: one
 * seed is still one seed). Pure: a function of log-probabilities and labels, so it can be recomputed from
 * stored predictions.
 */

export const PAIRED_METRICS = ['accuracy', 'nll', 'ece', 'brier', 'meanConfidence'] as const;
export type PairedMetric = (typeof PAIRED_METRICS)[number];
export type MetricIntervals = Record<PairedMetric, [number, number]>;

export const TEST_BOOTSTRAP_RESAMPLES = 2000;
export const TEST_BOOTSTRAP_LEVEL = 0.95;

/** What each metric needs per test sample: the metrics are means (or binned means) of these. */
export interface SampleScores {
  correct: Uint8Array;
  confidence: Float64Array;
  nll: Float64Array;
  brier: Float64Array;
  /** The sample's bin of the 15-bin ECE. */
  bin: Uint8Array;
}

export function sampleScores(logProbs: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): SampleScores {
  const { confidence, correct } = topLabel(logProbs, labels, numClasses);
  const n = labels.length;
  const nll = new Float64Array(n);
  const brier = new Float64Array(n);
  const bin = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    nll[i] = -logProbs[i * numClasses + labels[i]!]!;
    brier[i] = sampleBrier(logProbs, i, labels[i]!, numClasses);
    bin[i] = binIndex(confidence[i]!, ECE_BINS, 'upper-closed');
  }
  return { correct, confidence, nll, brier, bin };
}

/** Accumulates one model's metrics over a list of sample indices (with repeats). */
class MetricSums {
  private readonly binCount = new Float64Array(ECE_BINS);
  private readonly binConfidence = new Float64Array(ECE_BINS);
  private readonly binHits = new Float64Array(ECE_BINS);
  private hits = 0;
  private confidence = 0;
  private nll = 0;
  private brier = 0;
  private n = 0;

  constructor(private readonly scores: SampleScores) {}

  reset(): void {
    this.binCount.fill(0);
    this.binConfidence.fill(0);
    this.binHits.fill(0);
    this.hits = this.confidence = this.nll = this.brier = this.n = 0;
  }

  add(i: number): void {
    const s = this.scores;
    const b = s.bin[i]!;
    this.binCount[b]!++;
    this.binConfidence[b]! += s.confidence[i]!;
    this.binHits[b]! += s.correct[i]!;
    this.hits += s.correct[i]!;
    this.confidence += s.confidence[i]!;
    this.nll += s.nll[i]!;
    this.brier += s.brier[i]!;
    this.n++;
  }

  values(): Record<PairedMetric, number> {
    let ece = 0;
    for (let b = 0; b < ECE_BINS; b++) ece += Math.abs(this.binHits[b]! - this.binConfidence[b]!);
    return { accuracy: this.hits / this.n, nll: this.nll / this.n, ece: ece / this.n, brier: this.brier / this.n, meanConfidence: this.confidence / this.n };
  }
}

/** The metrics of one model on all its samples: the point estimates the intervals go with. */
export function metricsOfScores(scores: SampleScores): Record<PairedMetric, number> {
  const sums = new MetricSums(scores);
  for (let i = 0; i < scores.correct.length; i++) sums.add(i);
  return sums.values();
}

/**
 * Percentile intervals of (arm − baseline) for each metric, from `resamples` resamples of the test samples
 * (seeded; the same resampled indices for both models, so the pairing is kept).
 */
export function pairedBootstrapIntervals(
  baseline: SampleScores,
  arm: SampleScores,
  options: { resamples?: number; level?: number; seed?: number } = {},
): MetricIntervals {
  const n = baseline.correct.length;
  if (n !== arm.correct.length) throw new RangeError(`pairedBootstrapIntervals: ${n} vs ${arm.correct.length} samples`);
  if (n === 0) throw new RangeError('pairedBootstrapIntervals: no samples');
  const resamples = options.resamples ?? TEST_BOOTSTRAP_RESAMPLES;
  const level = options.level ?? TEST_BOOTSTRAP_LEVEL;
  const rng = new SeededRandom(options.seed ?? 0, 'paired-test-bootstrap');
  const differences = Object.fromEntries(PAIRED_METRICS.map((m) => [m, new Float64Array(resamples)])) as Record<PairedMetric, Float64Array>;
  const a = new MetricSums(baseline);
  const b = new MetricSums(arm);
  for (let r = 0; r < resamples; r++) {
    a.reset();
    b.reset();
    for (let j = 0; j < n; j++) {
      const i = rng.nextInt(n);
      a.add(i);
      b.add(i);
    }
    const va = a.values();
    const vb = b.values();
    for (const m of PAIRED_METRICS) differences[m][r] = vb[m] - va[m];
  }
  const alpha = (1 - level) / 2;
  return Object.fromEntries(
    PAIRED_METRICS.map((m) => {
      const sorted = differences[m].sort();
      return [m, [quantileSorted(sorted, alpha), quantileSorted(sorted, 1 - alpha)]];
    }),
  ) as MetricIntervals;
}
