import type { SeededRandom } from '../random/SeededRandom';

/**
 * Per-class sample counts for a geometric imbalance profile: class c keeps n_max · ratio^(c/(K−1)),
 * so class 0 is the most common and class K−1 has `ratio` times as many. n_max is the largest value
 * that every class can supply from `available`; every class keeps at least one sample.
 */
export function imbalanceTargets(available: number[], ratio: number): number[] {
  const k = available.length;
  const profile = available.map((_, c) => (k === 1 ? 1 : ratio ** (c / (k - 1))));
  // A tiny tolerance so that 100 / 1 is not floored to 99 by rounding in ratio ** x.
  const nMax = Math.floor(Math.min(...available.map((n, c) => n / profile[c]!)) + 1e-9);
  return profile.map((p, c) => Math.min(available[c]!, Math.max(1, Math.round(nMax * p))));
}

/** Training-split indices (ascending) that realise imbalanceTargets: each class's members drawn from `rng`. */
export function imbalancedSubset(labels: ArrayLike<number>, numClasses: number, ratio: number, rng: SeededRandom): { indices: Int32Array; counts: number[] } {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]!]!.push(i);
  const counts = imbalanceTargets(byClass.map((m) => m.length), ratio);
  const chosen: number[] = [];
  byClass.forEach((members, c) => {
    for (const i of rng.shuffle(members.slice()).slice(0, counts[c])) chosen.push(i);
  });
  return { indices: Int32Array.from(chosen).sort(), counts };
}
