import { createHash } from 'node:crypto';
import type { LabelNoise } from './labelNoise';
import type { FeatureStats } from './standardize';

/** A labelled split, held once as typed arrays (row-major features) and shared by every arm. */
export interface LabelledSplit {
  /** [count × numFeatures] features. */
  x: Float32Array;
  /** [count] class indices in [0, numClasses). */
  y: Int32Array;
  count: number;
}

export interface Dataset {
  /** Short name as given on the command line, e.g. "synthetic" or "fashion-mnist". */
  name: string;
  /** One line for the header: where the data came from. */
  description: string;
  numFeatures: number;
  /**
   * The shape of one sample, whose product is numFeatures: [height, width, channels] for images
   * (Fashion-MNIST, digits, IDX files of 2-D samples), which convolutional layers need; absent for
   * tabular data, whose samples are flat.
   */
  sampleShape?: number[];
  numClasses: number;
  classNames: string[];
  train: LabelledSplit;
  test: LabelledSplit;
  /** Held out of the training set (--val-fraction): never trained on, used to fit each arm's temperature. */
  validation?: LabelledSplit;
  /** Set when --label-noise flipped training labels: train.y holds the noisy labels. */
  labelNoise?: LabelNoise;
  /** Set when --imbalance subsampled the training set: the ratio asked for. */
  imbalance?: number;
  /**
   * Set when the features were standardised (CSV data) with these training statistics: x · std + mean
   * gives back the values as read, which is how a sample is shown as an image (digits' 0–16 grey levels).
   */
  standardization?: FeatureStats;
}

export function makeSplit(x: Float32Array, y: Int32Array, numFeatures: number): LabelledSplit {
  if (x.length !== y.length * numFeatures) {
    throw new RangeError(`features have ${x.length} values, expected ${y.length}×${numFeatures}`);
  }
  return { x, y, count: y.length };
}

/** Rows `indices` of a split, copied into new typed arrays. */
export function selectRows(split: LabelledSplit, indices: ArrayLike<number>, numFeatures: number): LabelledSplit {
  const x = new Float32Array(indices.length * numFeatures);
  const y = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    x.set(split.x.subarray(r * numFeatures, (r + 1) * numFeatures), i * numFeatures);
    y[i] = split.y[r]!;
  }
  return { x, y, count: indices.length };
}

export function classCounts(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  return counts;
}

/** sha256 of the exact bytes of the splits (train, test, then validation if any), so two runs can be shown to have trained on the same data. */
export function datasetDigest(dataset: Dataset): string {
  const h = createHash('sha256');
  for (const split of [dataset.train, dataset.test, ...(dataset.validation ? [dataset.validation] : [])]) {
    h.update(new Uint8Array(split.x.buffer, split.x.byteOffset, split.x.byteLength));
    h.update(new Uint8Array(split.y.buffer, split.y.byteOffset, split.y.byteLength));
  }
  return h.digest('hex');
}
