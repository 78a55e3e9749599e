import type { Dataset, LabelledSplit } from './Dataset';

/** One image: [height × width × channels] values in [0, 1] (0 black, 1 white), row-major, channels last. */
export interface Image {
  height: number;
  width: number;
  channels: number;
  values: Float32Array;
}

/** The samples of a split as images, for showing them (thumbnails, a report's gallery). */
export interface SampleImages {
  height: number;
  width: number;
  channels: number;
  /** Sample `index` of the split as an image. */
  image(index: number): Image;
}

/**
 * A split of image data (a data set with a sample shape of [height, width, channels]) as images: each
 * value as it was read (CSV standardisation undone, so digits show their 0–16 grey levels), mapped to
 * [0, 1] by the split's range — values already in [0, 1] (Fashion-MNIST, IDX files) stay as they are.
 * Null for data whose samples are not images.
 */
export function sampleImages(dataset: Pick<Dataset, 'sampleShape' | 'numFeatures' | 'standardization'>, split: LabelledSplit): SampleImages | null {
  const shape = dataset.sampleShape;
  if (!shape || shape.length !== 3) return null;
  const [height, width, channels] = shape as [number, number, number];
  const f = dataset.numFeatures;
  const stats = dataset.standardization;
  const raw = (i: number) => (stats ? split.x[i]! * (stats.std[i % f]! > 0 ? stats.std[i % f]! : 1) + stats.mean[i % f]! : split.x[i]!);
  let low = 0;
  let high = 1;
  for (let i = 0; i < split.x.length; i++) {
    const v = raw(i);
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return {
    height,
    width,
    channels,
    image(index: number): Image {
      const values = new Float32Array(f);
      for (let j = 0; j < f; j++) values[j] = (raw(index * f + j) - low) / (high - low);
      return { height, width, channels, values };
    },
  };
}

/**
 * Whether the data set a config names can be images, before loading it: Fashion-MNIST, the bundled
 * digits, and IDX files (images when their samples have 2 or 3 dimensions, known once read).
 */
export function mayHoldImages(datasetName: string): boolean {
  return datasetName === 'fashion-mnist' || datasetName === 'digits' || datasetName.startsWith('idx:');
}
