import { existsSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors';
import { makeSplit, type Dataset, type LabelledSplit } from './Dataset';
import { readIdxFile } from './idx';
import { IDX_MEMORY_PER_BYTE } from './idxDataset';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** The folders searched, in order: the one the user named, else data/fashion-mnist (here, then in the project), else Debian's. */
export function fashionMnistSearchPath(dataDir?: string): string[] {
  if (dataDir) return [path.resolve(dataDir)];
  const candidates = [path.resolve('data', 'fashion-mnist'), path.join(PROJECT_ROOT, 'data', 'fashion-mnist'), DEBIAN_FASHION_MNIST_DIR];
  return [...new Set(candidates)];
}

function findFile(dir: string, base: string): string | undefined {
  for (const name of [`${base}.gz`, base]) {
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export function locateFashionMnist(dataDir?: string): Record<keyof typeof FILES, string> {
  const searched = fashionMnistSearchPath(dataDir);
  for (const dir of searched) {
    const found = Object.fromEntries(Object.entries(FILES).map(([k, base]) => [k, findFile(dir, base)]));
    if (Object.values(found).every((v) => v !== undefined)) return found as Record<keyof typeof FILES, string>;
    if (dataDir) {
      const missing = Object.entries(found).filter(([, v]) => !v).map(([k]) => `${FILES[k as keyof typeof FILES]}.gz`);
      throw new CliError(`fashion-mnist: ${dir} lacks ${missing.join(', ')}; expected the four IDX files (${Object.values(FILES).map((f) => `${f}.gz`).join(', ')})`);
    }
  }
  throw new CliError(
    `fashion-mnist: IDX files not found in ${searched.join(', ')}; put ${Object.values(FILES).map((f) => `${f}.gz`).join(', ')} in data/fashion-mnist/ (or pass --data-dir), or on Debian run: apt-get install dataset-fashion-mnist`,
  );
}

function readPair(imagesFile: string, labelsFile: string, numClasses: number, memoryLimit: number): LabelledSplit {
  const images = readIdxFile(imagesFile, 3, Math.floor(memoryLimit / IDX_MEMORY_PER_BYTE));
  const labels = readIdxFile(labelsFile, 1, Math.floor(memoryLimit / IDX_MEMORY_PER_BYTE));
  const count = images.dims[0]!;
  if (labels.dims[0] !== count) {
    throw new CliError(`${labelsFile}: ${labels.dims[0]} labels but ${imagesFile} has ${count} images; expected the same count`);
  }
  const numFeatures = images.dims[1]! * images.dims[2]!;
  // Straight into a typed array, scaled to [0, 1].
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i]! / 255;
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = labels.data[i]!;
    if (label >= numClasses) throw new CliError(`${labelsFile}: label ${label} at index ${i}, expected 0 to ${numClasses - 1}`);
    y[i] = label;
  }
  return makeSplit(x, y, numFeatures);
}

export function fashionMnistDataset(dataDir?: string, memoryLimit = Number.POSITIVE_INFINITY): Dataset {
  const files = locateFashionMnist(dataDir);
  const numClasses = FASHION_MNIST_CLASSES.length;
  const train = readPair(files.trainImages, files.trainLabels, numClasses, memoryLimit);
  const test = readPair(files.testImages, files.testLabels, numClasses, memoryLimit);
  return {
    name: 'fashion-mnist',
    description: `Fashion-MNIST IDX files in ${path.dirname(files.trainImages)}`,
    numFeatures: train.x.length / train.count,
    sampleShape: [28, 28, 1],
    numClasses,
    classNames: FASHION_MNIST_CLASSES,
    train,
    test,
  };
}
