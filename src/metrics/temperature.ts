/**
 * Temperature scaling (Guo et al., 2017): one T > 0 per model, fitted on held-out data, that divides the
 * logits before the softmax. It changes confidence, never the predicted class, so it is the baseline any
 * claim about calibration has to beat. Pure functions of log-probabilities: log softmax(z/T) equals the
 * log-softmax of (log softmax(z))/T, so stored log-probabilities are enough.
 */

/** The search range of T: beyond it the fit says so (`atBound`) instead of running off to 0 or ∞. */
export const TEMPERATURE_RANGE = { min: 0.01, max: 100 } as const;

export interface TemperatureFit {
  temperature: number;
  /** Mean NLL on the fitting set at that temperature. */
  nll: number;
  /** Mean NLL on the fitting set at T = 1. */
  unscaledNll: number;
  /** Set when the optimum lies at or beyond an end of TEMPERATURE_RANGE (e.g. separable data pushes T → 0). */
  atBound: 'min' | 'max' | null;
}

/** log softmax(logProbs / T) row by row: the log-probabilities of the temperature-scaled model. */
export function scaleLogProbs(logProbs: ArrayLike<number>, numClasses: number, temperature: number): Float64Array {
  if (!(temperature > 0)) throw new RangeError(`temperature must be > 0, got ${temperature}`);
  const out = new Float64Array(logProbs.length);
  const beta = 1 / temperature;
  for (let i = 0; i < logProbs.length; i += numClasses) {
    let max = -Infinity;
    for (let k = 0; k < numClasses; k++) max = Math.max(max, beta * logProbs[i + k]!);
    let sum = 0;
    for (let k = 0; k < numClasses; k++) sum += Math.exp(beta * logProbs[i + k]! - max);
    const logZ = max + Math.log(sum);
    for (let k = 0; k < numClasses; k++) out[i + k] = beta * logProbs[i + k]! - logZ;
  }
  return out;
}

/** Mean NLL of the true labels under log softmax(β · logProbs), and its derivative in β. */
export function scaledNll(logProbs: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number, beta: number): { nll: number; slope: number } {
  let nll = 0;
  let slope = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = i * numClasses;
    let max = -Infinity;
    for (let k = 0; k < numClasses; k++) max = Math.max(max, beta * logProbs[row + k]!);
    let sum = 0;
    let weighted = 0;
    for (let k = 0; k < numClasses; k++) {
      const w = Math.exp(beta * logProbs[row + k]! - max);
      sum += w;
      weighted += w * logProbs[row + k]!;
    }
    const own = logProbs[row + labels[i]!]!;
    nll += max + Math.log(sum) - beta * own;
    slope += weighted / sum - own;
  }
  return { nll: nll / labels.length, slope: slope / labels.length };
}

/**
 * The T that minimises the mean NLL of `labels`. The NLL is convex in β = 1/T (its second derivative is
 * a variance), so its slope in β is monotone: bisection on the slope over TEMPERATURE_RANGE finds the
 * optimum to machine precision (far better than the 1e-4 in T asked of it), with no step size to tune.
 */
export function fitTemperature(logProbs: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): TemperatureFit {
  if (labels.length === 0) throw new RangeError('fitTemperature: no samples');
  if (logProbs.length !== labels.length * numClasses) throw new RangeError(`log-probabilities have ${logProbs.length} values, expected ${labels.length}×${numClasses}`);
  const unscaledNll = scaledNll(logProbs, labels, numClasses, 1).nll;
  let low = 1 / TEMPERATURE_RANGE.max;
  let high = 1 / TEMPERATURE_RANGE.min;
  const finish = (beta: number, atBound: TemperatureFit['atBound']): TemperatureFit => ({
    temperature: 1 / beta,
    nll: scaledNll(logProbs, labels, numClasses, beta).nll,
    unscaledNll,
    atBound,
  });
  if (scaledNll(logProbs, labels, numClasses, low).slope >= 0) return finish(low, 'max');
  if (scaledNll(logProbs, labels, numClasses, high).slope <= 0) return finish(high, 'min');
  for (let i = 0; i < 200 && high - low > 1e-13 * high; i++) {
    const middle = (low + high) / 2;
    if (scaledNll(logProbs, labels, numClasses, middle).slope < 0) low = middle;
    else high = middle;
  }
  return finish((low + high) / 2, null);
}
