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

function binIndex(value: number, numBins: number, closed: 'upper-closed' | 'lower-closed'): number {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`confidence ${value} is outside [0, 1]`);
  const b = closed === 'upper-closed' ? Math.ceil(value * numBins) - 1 : Math.floor(value * numBins);
  return Math.min(numBins - 1, Math.max(0, b));
}
