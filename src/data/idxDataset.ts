import path from 'node:path';
import { CliError } from '../errors';
import { SeededRandom } from '../random/SeededRandom';
import { makeSplit, selectRows, type Dataset, type LabelledSplit } from './Dataset';
import { readIdxFile } from './idx';
import { stratifiedSplit } from './stratified';

/** The files of an `idx:` data set: a training pair and an optional test pair. */
export interface IdxFiles {
  images: string;
  labels: string;
  testImages?: string;
  testLabels?: string;
}

/** Parses "idx:images,labels[,test-images,test-labels]". */
export function parseIdxSpec(spec: string): IdxFiles {
  const parts = spec.slice('idx:'.length).split(',').map((p) => p.trim());
  if ((parts.length !== 2 && parts.length !== 4) || parts.some((p) => p === '')) {
    throw new CliError(`--dataset ${spec}: expected idx:IMAGES,LABELS or idx:IMAGES,LABELS,TEST-IMAGES,TEST-LABELS (IDX files, gzip or not)`);
  }
  const [images, labels, testImages, testLabels] = parts as [string, string, string?, string?];
  return { images, labels, ...(testImages && testLabels ? { testImages, testLabels } : {}) };
}

/**
 * Memory per byte of an IDX body while it is loaded: the file, its inflated bytes, the float32 features
 * (4 bytes each) and the split's copy of them (4 more).
 */
export const IDX_MEMORY_PER_BYTE = 10;

/** An images file and its labels: counts must match; each sample's features are its bytes scaled to [0, 1]. */
function readIdxPair(imagesFile: string, labelsFile: string, memoryLimit: number): { split: LabelledSplit; shape: number[]; maxLabel: number } {
  const images = readIdxFile(imagesFile, undefined, Math.floor(memoryLimit / IDX_MEMORY_PER_BYTE));
  if (images.dims.length < 2) throw new CliError(`${imagesFile}: IDX file has 1 dimension, expected 2 or more (samples × features...)`);
  const labels = readIdxFile(labelsFile, 1, Math.floor(memoryLimit / IDX_MEMORY_PER_BYTE));
  const count = images.dims[0]!;
  if (labels.dims[0] !== count) {
    throw new CliError(`${labelsFile}: ${labels.dims[0]} labels but ${imagesFile} has ${count} samples; expected the same count`);
  }
  const shape = images.dims.slice(1);
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i]! / 255;
  const y = Int32Array.from(labels.data);
  let maxLabel = 0;
  for (const label of y) maxLabel = Math.max(maxLabel, label);
  return { split: makeSplit(x, y, x.length / count), shape, maxLabel };
}

/** Samples of 2 dimensions are one-channel images [h, w, 1], of 3 dimensions images [h, w, c]; others are flat. */
export function imageShape(dims: number[]): number[] | undefined {
  if (dims.length === 2) return [dims[0]!, dims[1]!, 1];
  if (dims.length === 3) return dims.slice();
  return undefined;
}

/** Any IDX pair (MNIST, Fashion-MNIST, KMNIST, EMNIST...): classes 0..max label, a test pair or a stratified seeded split. */
export function idxDataset(spec: string, options: { testFraction: number; seed: number; memoryLimit?: number }): Dataset {
  const files = parseIdxSpec(spec);
  const memoryLimit = options.memoryLimit ?? Number.POSITIVE_INFINITY;
  const trainPair = readIdxPair(files.images, files.labels, memoryLimit);
  let train = trainPair.split;
  let test: LabelledSplit;
  let maxLabel = trainPair.maxLabel;
  const numFeatures = trainPair.split.x.length / trainPair.split.count;
  if (files.testImages && files.testLabels) {
    const testPair = readIdxPair(files.testImages, files.testLabels, memoryLimit);
    if (testPair.shape.join('×') !== trainPair.shape.join('×')) {
      throw new CliError(`${files.testImages}: samples are ${testPair.shape.join('×')}, but ${trainPair.shape.join('×')} in ${files.images}; expected the same shape`);
    }
    test = testPair.split;
    maxLabel = Math.max(maxLabel, testPair.maxLabel);
  } else {
    const all = trainPair.split;
    const split = stratifiedSplit(all.y, maxLabel + 1, options.testFraction, new SeededRandom(options.seed, 'idx-split'));
    train = selectRows(all, split.train, numFeatures);
    test = selectRows(all, split.test, numFeatures);
  }
  const numClasses = maxLabel + 1;
  const sampleShape = imageShape(trainPair.shape);
  const splitText = files.testImages ? `test pair ${path.basename(files.testImages)}` : `stratified ${options.testFraction} test split (seed ${options.seed})`;
  return {
    name: spec,
    description: `IDX ${path.basename(files.images)} (${trainPair.shape.join('×')} per sample, scaled to [0, 1]), ${splitText}`,
    numFeatures,
    ...(sampleShape ? { sampleShape } : {}),
    numClasses,
    classNames: Array.from({ length: numClasses }, (_, c) => String(c)),
    train,
    test,
  };
}
