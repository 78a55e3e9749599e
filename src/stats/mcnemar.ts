/**
 * McNemar's exact test on paired predictions: of the samples where exactly one of two classifiers is
 * right (b: only A right, c: only B right), is the split consistent with p = 1/2?
 */
export interface McNemarResult {
  /** Samples only the first classifier got right. */
  onlyFirstCorrect: number;
  /** Samples only the second classifier got right. */
  onlySecondCorrect: number;
  /** Two-sided exact binomial p-value; 1 when the classifiers never disagree on correctness. */
  pValue: number;
}

export function mcnemarExact(firstPredictions: ArrayLike<number>, secondPredictions: ArrayLike<number>, labels: ArrayLike<number>): McNemarResult {
  if (firstPredictions.length !== labels.length || secondPredictions.length !== labels.length) {
    throw new RangeError('mcnemarExact: predictions and labels must have the same length');
  }
  let b = 0;
  let c = 0;
  for (let i = 0; i < labels.length; i++) {
    const first = firstPredictions[i] === labels[i];
    const second = secondPredictions[i] === labels[i];
    if (first && !second) b++;
    else if (second && !first) c++;
  }
  return { onlyFirstCorrect: b, onlySecondCorrect: c, pValue: mcnemarExactPValue(b, c) };
}

/** Two-sided exact p-value: 2·P(X ≤ min(b, c)) for X ~ Binomial(b + c, 1/2), capped at 1. */
export function mcnemarExactPValue(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  // Sum in log space: n can be in the thousands.
  let logTerm = -n * Math.LN2; // log C(n,0) / 2^n
  let cdf = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log((n - i + 1) / i);
    cdf += Math.exp(logTerm);
  }
  return Math.min(1, 2 * cdf);
}
