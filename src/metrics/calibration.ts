/** Confidence and calibration metrics as pure functions. */

export interface ReliabilityBin {
  /** Lower and upper edge; a bin holds confidences in (lower, upper], the first one also holds 0. */
  lower: number;
  upper: number;
  count: number;
  /** Mean confidence and accuracy of the samples in the bin; null for an empty bin. */
  meanConfidence: number | null;
  accuracy: number | null;
}

/** Equal-width reliability bins over [0, 1] (Guo et al., 2017). */
export function reliabilityBins(confidence: ArrayLike<number>, correct: ArrayLike<boolean | number>, numBins = 15): ReliabilityBin[] {
  if (confidence.length !== correct.length) {
    throw new RangeError(`length mismatch: ${confidence.length} confidences, ${correct.length} outcomes`);
  }
  const count = new Array<number>(numBins).fill(0);
  const confSum = new Array<number>(numBins).fill(0);
  const hits = new Array<number>(numBins).fill(0);
  for (let i = 0; i < confidence.length; i++) {
    const c = confidence[i]!;
    const b = binIndex(c, numBins, 'upper-closed');
    count[b]!++;
    confSum[b]! += c;
    if (correct[i]) hits[b]!++;
  }
  return count.map((n, b) => ({
    lower: b / numBins,
    upper: (b + 1) / numBins,
    count: n,
    meanConfidence: n === 0 ? null : confSum[b]! / n,
    accuracy: n === 0 ? null : hits[b]! / n,
  }));
}

/** ECE = Σ_b (n_b / N) · |accuracy_b − confidence_b| over equal-width bins (15 by default). */
export function expectedCalibrationError(confidence: ArrayLike<number>, correct: ArrayLike<boolean | number>, numBins = 15): number {
  return eceFromBins(reliabilityBins(confidence, correct, numBins));
}

export function eceFromBins(bins: ReliabilityBin[]): number {
  const total = bins.reduce((a, b) => a + b.count, 0);
  if (total === 0) return NaN;
  let ece = 0;
  for (const b of bins) {
    if (b.count > 0) ece += (b.count / total) * Math.abs(b.accuracy! - b.meanConfidence!);
  }
  return ece;
}

/** MCE: the largest |accuracy − confidence| over the occupied bins (the worst bin of the ECE). */
export function mceFromBins(bins: ReliabilityBin[]): number {
  let worst = NaN;
  for (const b of bins) {
    if (b.count > 0) {
      const gap = Math.abs(b.accuracy! - b.meanConfidence!);
      worst = Number.isNaN(worst) ? gap : Math.max(worst, gap);
    }
  }
  return worst;
}

/**
 * Adaptive ECE (Nixon et al., 2019): the ECE over equal-mass bins. The samples sorted by confidence are
 * cut into `numBins` bins of ⌊N/B⌋ or ⌈N/B⌉ samples (bin b holds sorted positions ⌊bN/B⌋ … ⌊(b+1)N/B⌋−1),
 * so no bin is empty when N ≥ B and the crowded top bins of a confident model are resolved.
 */
export function adaptiveCalibrationError(confidence: ArrayLike<number>, correct: ArrayLike<boolean | number>, numBins = 15): number {
  const n = confidence.length;
  if (n !== correct.length) throw new RangeError(`length mismatch: ${n} confidences, ${correct.length} outcomes`);
  if (n === 0) return NaN;
  // ties broken by index, so the bins do not depend on the sort's stability
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => confidence[a]! - confidence[b]! || a - b);
  let ece = 0;
  for (let b = 0; b < numBins; b++) {
    const start = Math.floor((b * n) / numBins);
    const end = Math.floor(((b + 1) * n) / numBins);
    if (end <= start) continue;
    let conf = 0;
    let hits = 0;
    for (let j = start; j < end; j++) {
      conf += confidence[order[j]!]!;
      if (correct[order[j]!]) hits++;
    }
    ece += Math.abs(hits - conf) / n;
  }
  return ece;
}

/**
 * Classwise ECE (Kull et al., 2019): for each class k, the ECE of the predicted probability of k against
 * the indicator "the true class is k" over equal-width bins, averaged over the classes. It sees the
 * probabilities of the classes that were not predicted, which the top-label ECE ignores.
 */
export function classwiseCalibrationError(logProbs: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number, numBins = 15): number {
  const n = labels.length;
  if (logProbs.length !== n * numClasses) throw new RangeError(`log-probabilities have ${logProbs.length} values, expected ${n}×${numClasses}`);
  if (n === 0) return NaN;
  const probability = new Float64Array(n);
  const isClass = new Uint8Array(n);
  let total = 0;
  for (let k = 0; k < numClasses; k++) {
    for (let i = 0; i < n; i++) {
      probability[i] = Math.min(1, Math.exp(logProbs[i * numClasses + k]!));
      isClass[i] = labels[i] === k ? 1 : 0;
    }
    total += expectedCalibrationError(probability, isClass, numBins);
  }
  return total / numClasses;
}

/**
 * Multi-class Brier score: the mean over samples of Σ_k (p_k − onehot_k)², from log-probabilities (0 for a
 * perfect prediction, 2 for a certain wrong one).
 */
export function brierScore(logProbs: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number {
  const n = labels.length;
  if (logProbs.length !== n * numClasses) throw new RangeError(`log-probabilities have ${logProbs.length} values, expected ${n}×${numClasses}`);
  if (n === 0) return NaN;
  let total = 0;
  for (let i = 0; i < n; i++) total += sampleBrier(logProbs, i, labels[i]!, numClasses);
  return total / n;
}

/** Σ_k (p_k − onehot_k)² of sample i. */
export function sampleBrier(logProbs: ArrayLike<number>, i: number, label: number, numClasses: number): number {
  let s = 0;
  for (let k = 0; k < numClasses; k++) {
    const p = Math.exp(logProbs[i * numClasses + k]!);
    const d = k === label ? p - 1 : p;
    s += d * d;
  }
  return s;
}

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}

/** Counts of confidences in equal-width bins over [0, 1]: [0, 0.1), [0.1, 0.2), …, [0.9, 1.0]. */
export function confidenceHistogram(confidence: ArrayLike<number>, numBins = 10): number[] {
  const counts = new Array<number>(numBins).fill(0);
  for (let i = 0; i < confidence.length; i++) counts[binIndex(confidence[i]!, numBins, 'lower-closed')]!++;
  return counts;
}

/** The equal-width bin of a confidence: (lower, upper] bins for the ECE ('upper-closed'), [lower, upper) for histograms. */
export function binIndex(value: number, numBins: number, closed: 'upper-closed' | 'lower-closed'): number {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`confidence ${value} is outside [0, 1]`);
  const b = closed === 'upper-closed' ? Math.ceil(value * numBins) - 1 : Math.floor(value * numBins);
  return Math.min(numBins - 1, Math.max(0, b));
}
