import type { SeededRandom } from '../random/SeededRandom';

export const NOISE_KINDS = ['symmetric', 'pairwise'] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

/** What was done to the training labels: which samples were flipped, from what, to what. */
export interface LabelNoise {
  kind: NoiseKind;
  fraction: number;
  /** Indices into the training split, ascending. */
  flipped: Int32Array;
  /** The true label of each flipped sample (same order as `flipped`). */
  cleanLabels: Int32Array;
  /** The label it was given instead. */
  noisyLabels: Int32Array;
}

/**
 * Flips exactly round(fraction · n) labels, chosen uniformly without replacement from `rng`.
 * symmetric: the new label is uniform over the K−1 other classes; pairwise: c → (c+1) mod K, a fixed
 * confusable class. Returns new labels; the input is not changed.
 */
export function flipLabels(labels: Int32Array, numClasses: number, fraction: number, kind: NoiseKind, rng: SeededRandom): { labels: Int32Array; noise: LabelNoise } {
  if (numClasses < 2) throw new RangeError(`label noise needs at least 2 classes, got ${numClasses}`);
  const count = Math.round(fraction * labels.length);
  const flipped = rng.permutation(labels.length).slice(0, count).sort();
  const noisy = labels.slice();
  const cleanLabels = new Int32Array(count);
  const noisyLabels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const row = flipped[i]!;
    const clean = labels[row]!;
    const offset = kind === 'pairwise' ? 1 : 1 + rng.nextInt(numClasses - 1);
    noisy[row] = (clean + offset) % numClasses;
    cleanLabels[i] = clean;
    noisyLabels[i] = noisy[row]!;
  }
  return { labels: noisy, noise: { kind, fraction, flipped, cleanLabels, noisyLabels } };
}
