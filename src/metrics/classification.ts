/** Classification metrics as pure functions of predictions and labels. */

export interface ClassScores {
  /** tp / predicted; 0 when the class was never predicted (0/0, reported as 0 like scikit-learn's zero_division=0). */
  precision: number | null;
  /** tp / support; 0 when the class has no test samples but was predicted (0/0, as above). */
  recall: number | null;
  /** Harmonic mean of precision and recall; 0 when both are 0 (a class never predicted has F1 = 0). */
  f1: number | null;
  /** Number of test samples whose true class this is. */
  support: number;
}

/** Index of the largest value in each row of a row-major [n × k] matrix (first one on ties). */
export function argmaxRows(values: ArrayLike<number>, numClasses: number): Int32Array {
  const n = values.length / numClasses;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestValue = values[i * numClasses]!;
    for (let k = 1; k < numClasses; k++) {
      const v = values[i * numClasses + k]!;
      if (v > bestValue) {
        bestValue = v;
        best = k;
      }
    }
    out[i] = best;
  }
  return out;
}

export function accuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkSameLength(predicted, labels);
  if (labels.length === 0) return NaN;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct / labels.length;
}

/** Mean negative log-likelihood of the true class, from row-major log-probabilities. */
export function meanNegativeLogLikelihood(logProbs: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number {
  if (logProbs.length !== labels.length * numClasses) {
    throw new RangeError(`log-probabilities have ${logProbs.length} values, expected ${labels.length}×${numClasses}`);
  }
  let total = 0;
  for (let i = 0; i < labels.length; i++) total -= logProbs[i * numClasses + labels[i]!]!;
  return total / labels.length;
}

/** confusion[true][predicted] = count. */
export function confusionMatrix(predicted: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number[][] {
  checkSameLength(predicted, labels);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i]!;
    const p = predicted[i]!;
    if (t < 0 || t >= numClasses || p < 0 || p >= numClasses) {
      throw new RangeError(`sample ${i}: label ${t} or prediction ${p} is outside [0, ${numClasses - 1}]`);
    }
    m[t]![p]!++;
  }
  return m;
}

/**
 * Above this many classes a confusion matrix (K² counts per arm) is not kept in summary.json nor drawn:
 * it is stored sparse in confusion.json, and the views show the most confused pairs and the worst classes.
 */
export const CLASS_DETAIL_LIMIT = 32;

/** One cell of a confusion matrix: test samples of class `trueClass` predicted as `predicted`. */
export interface ConfusionEntry {
  trueClass: number;
  predicted: number;
  count: number;
}

/**
 * The non-zero cells of the confusion matrix, in O(samples) time and memory whatever the number of
 * classes (a dense 3000-class matrix is 9 M counts per arm), ordered by true then predicted class.
 */
export function confusionEntries(predicted: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): ConfusionEntry[] {
  checkSameLength(predicted, labels);
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i]!;
    const p = predicted[i]!;
    if (t < 0 || t >= numClasses || p < 0 || p >= numClasses) {
      throw new RangeError(`sample ${i}: label ${t} or prediction ${p} is outside [0, ${numClasses - 1}]`);
    }
    const key = t * numClasses + p;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([key, count]) => ({ trueClass: Math.floor(key / numClasses), predicted: key % numClasses, count }));
}

/** The `limit` largest off-diagonal cells: the pairs of classes most often confused, largest first. */
export function topConfusions(entries: ConfusionEntry[], limit: number): ConfusionEntry[] {
  return entries
    .filter((e) => e.trueClass !== e.predicted)
    .sort((a, b) => b.count - a.count || a.trueClass - b.trueClass || a.predicted - b.predicted)
    .slice(0, limit);
}

/**
 * Per-class precision, recall and F1 from a confusion matrix (rows true, columns predicted), as scikit-learn
 * computes them with zero_division=0: a 0/0 score is 0, so a class with test samples that is never
 * predicted has precision 0 and F1 0. A class with neither test samples nor predictions has no scores
 * (null): scikit-learn leaves such a class out of its labels too.
 */
export function perClassScores(confusion: number[][]): ClassScores[] {
  const entries: ConfusionEntry[] = [];
  confusion.forEach((row, t) => row.forEach((count, p) => count > 0 && entries.push({ trueClass: t, predicted: p, count })));
  return perClassScoresOf(entries, confusion.length);
}

/** Per-class scores from the non-zero confusion cells, in O(cells + classes). */
export function perClassScoresOf(entries: ConfusionEntry[], numClasses: number): ClassScores[] {
  const tp = new Float64Array(numClasses);
  const support = new Float64Array(numClasses);
  const predicted = new Float64Array(numClasses);
  for (const e of entries) {
    support[e.trueClass]! += e.count;
    predicted[e.predicted]! += e.count;
    if (e.trueClass === e.predicted) tp[e.trueClass] = e.count;
  }
  return Array.from({ length: numClasses }, (_, c) => {
    if (support[c] === 0 && predicted[c] === 0) return { precision: null, recall: null, f1: null, support: 0 };
    const precision = predicted[c] === 0 ? 0 : tp[c]! / predicted[c]!;
    const recall = support[c] === 0 ? 0 : tp[c]! / support[c]!;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support: support[c]! };
  });
}

/** The classes with test samples that an arm never predicted (their precision is 0/0, reported as 0). */
export function neverPredictedClasses(confusion: number[][]): number[] {
  const k = confusion.length;
  const out: number[] = [];
  for (let c = 0; c < k; c++) {
    let predicted = 0;
    let support = 0;
    for (let r = 0; r < k; r++) predicted += confusion[r]![c]!;
    for (const n of confusion[c]!) support += n;
    if (predicted === 0 && support > 0) out.push(c);
  }
  return out;
}

/**
 * Unweighted mean over the classes that have scores: every class with test samples or predictions (a
 * never-predicted class counts with its F1 of 0), as scikit-learn's average="macro".
 */
export function macroAverage(scores: ClassScores[]): { precision: number | null; recall: number | null; f1: number | null } {
  const mean = (values: (number | null)[]): number | null => {
    const defined = values.filter((v): v is number => v !== null);
    return defined.length === 0 ? null : defined.reduce((a, b) => a + b, 0) / defined.length;
  };
  return {
    precision: mean(scores.map((s) => s.precision)),
    recall: mean(scores.map((s) => s.recall)),
    f1: mean(scores.map((s) => s.f1)),
  };
}

function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new RangeError(`length mismatch: ${a.length} predictions, ${b.length} labels`);
}
