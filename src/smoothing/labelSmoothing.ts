/**
 * Label smoothing, the project's own math. Pure functions over plain arrays; the training loss
 * (src/engine/loss.ts) builds its targets with `smoothTargets` and the same log-softmax formula.
 */

export const SMOOTHING_VARIANTS = ['uniform', 'others'] as const;
export type SmoothingVariant = (typeof SMOOTHING_VARIANTS)[number];

export interface SmoothingOptions {
  epsilon: number;
  /**
   * `uniform` (default): q = (1-ε)·onehot + ε/K, as PyTorch's CrossEntropyLoss(label_smoothing=ε) and Keras.
   * `others`: the true class keeps exactly 1-ε and ε is spread over the K-1 wrong classes.
   */
  smoothing?: SmoothingVariant;
}

export function checkSmoothingOptions(options: SmoothingOptions, numClasses: number): void {
  const { epsilon, smoothing = 'uniform' } = options;
  if (!Number.isFinite(epsilon) || epsilon < 0 || epsilon > 1) {
    throw new RangeError(`epsilon must be a number in [0, 1], got ${epsilon}`);
  }
  if (!SMOOTHING_VARIANTS.includes(smoothing)) {
    throw new RangeError(`smoothing must be one of ${SMOOTHING_VARIANTS.join(', ')}, got ${String(smoothing)}`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new RangeError(`label smoothing needs at least 2 classes, got ${numClasses}`);
  }
}

/**
 * The smallest ε that no longer trains towards the true class: `uniform` keeps the true class on top for
 * every ε < 1; `others` gives a wrong class ε/(K−1) against the true class's 1−ε, which reaches it at
 * ε = (K−1)/K (for K = 3 and ε = 0.8 the target of class 1 is [0.4, 0.2, 0.4]).
 */
export function epsilonBound(smoothing: SmoothingVariant, numClasses: number): number {
  return smoothing === 'others' ? (numClasses - 1) / numClasses : 1;
}

/** Entropy H(q) in nats of a smoothed target: the floor of the smoothed arm's training loss (0.50 for K = 10, ε = 0.1, uniform). */
export function smoothedTargetEntropy(options: SmoothingOptions, numClasses: number): number {
  const { onValue, offValue } = smoothedTargetValues(options, numClasses);
  const term = (p: number) => (p > 0 ? -p * Math.log(p) : 0);
  return term(onValue) + (numClasses - 1) * term(offValue);
}

/** The (true-class, wrong-class) target probabilities for K classes. */
export function smoothedTargetValues(options: SmoothingOptions, numClasses: number): { onValue: number; offValue: number } {
  checkSmoothingOptions(options, numClasses);
  const { epsilon, smoothing = 'uniform' } = options;
  if (smoothing === 'uniform') {
    return { onValue: 1 - epsilon + epsilon / numClasses, offValue: epsilon / numClasses };
  }
  return { onValue: 1 - epsilon, offValue: epsilon / (numClasses - 1) };
}

/**
 * Smoothed target distributions, row-major [targets.length × numClasses].
 * smoothTargets([1], 3, { epsilon: 0.1, smoothing: 'others' }) → [0.05, 0.9, 0.05].
 */
export function smoothTargets(targets: ArrayLike<number>, numClasses: number, options: SmoothingOptions): Float64Array;
export function smoothTargets<T extends Float32Array | Float64Array>(targets: ArrayLike<number>, numClasses: number, options: SmoothingOptions, out: T): T;
export function smoothTargets(
  targets: ArrayLike<number>,
  numClasses: number,
  options: SmoothingOptions,
  out: Float32Array | Float64Array = new Float64Array(targets.length * numClasses),
): Float32Array | Float64Array {
  const { onValue, offValue } = smoothedTargetValues(options, numClasses);
  if (out.length !== targets.length * numClasses) {
    throw new RangeError(`output has length ${out.length}, expected ${targets.length * numClasses}`);
  }
  out.fill(offValue);
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    if (!Number.isInteger(t) || t < 0 || t >= numClasses) {
      throw new RangeError(`target ${i} is ${t}, expected an integer class in [0, ${numClasses - 1}]`);
    }
    out[i * numClasses + t] = onValue;
  }
  return out;
}

/** log-softmax of one row, stable for large logits (subtracts the row maximum first). */
export function logSoftmax(row: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < row.length; k++) max = Math.max(max, row[k]!);
  let sum = 0;
  for (let k = 0; k < row.length; k++) sum += Math.exp(row[k]! - max);
  const logZ = max + Math.log(sum);
  const out = new Float64Array(row.length);
  for (let k = 0; k < row.length; k++) out[k] = row[k]! - logZ;
  return out;
}

/**
 * Mean over the batch of −Σ_k q_k · log softmax(logits)_k, with q the smoothed targets.
 * With epsilon 0 this is plain cross-entropy (the unsmoothed NLL).
 */
export function labelSmoothingCrossEntropy(
  logits: number[][],
  targets: number[],
  options: SmoothingOptions,
): number {
  if (logits.length === 0) throw new RangeError('logits is empty');
  if (logits.length !== targets.length) {
    throw new RangeError(`logits has ${logits.length} rows but targets has ${targets.length}`);
  }
  const numClasses = logits[0]!.length;
  const q = smoothTargets(targets, numClasses, options);
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    const row = logits[i]!;
    if (row.length !== numClasses) {
      throw new RangeError(`logits row ${i} has ${row.length} classes, expected ${numClasses}`);
    }
    const lp = logSoftmax(row);
    let rowLoss = 0;
    for (let k = 0; k < numClasses; k++) {
      const qk = q[i * numClasses + k]!;
      if (qk !== 0) rowLoss -= qk * lp[k]!;
    }
    total += rowLoss;
  }
  return total / logits.length;
}
