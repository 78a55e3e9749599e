import { CliError } from '../errors';
import { SeededRandom } from '../random/SeededRandom';
import { BUNDLED_CSV_OPTIONS, BUNDLED_DATASETS, bundledFile, bundledSampleShape, isBundledName } from './bundled';
import { classCounts, selectRows, type Dataset } from './Dataset';
import { csvDataset } from './csv';
import { fashionMnistDataset } from './fashionMnist';
import { idxDataset } from './idxDataset';
import { imbalancedSubset } from './imbalance';
import { flipLabels, type NoiseKind } from './labelNoise';
import { stratifiedSplit, stratifiedSubset } from './stratified';
import { syntheticDataset, type SyntheticOptions } from './synthetic';

export const DATASET_NAMES = ['synthetic', 'fashion-mnist', ...Object.keys(BUNDLED_DATASETS), 'csv:FILE', 'idx:IMAGES,LABELS[,TEST-IMAGES,TEST-LABELS]'] as const;

/**
 * What loading a data set reads from the config (the training schema's keys of the same names): the data
 * layer sits below the config, so it names what it needs instead of importing the schema.
 */
export interface DataOptions extends SyntheticOptions {
  dataset: string;
  dataDir?: string | undefined;
  limit?: number | undefined;
  labelColumn?: string | undefined;
  delimiter: string;
  header: boolean;
  ignoreColumns: string[];
  testFile?: string | undefined;
  labelNoise: number;
  noiseKind: NoiseKind;
  imbalance?: number | undefined;
  valFraction: number;
}

/**
 * The data set the config names, then --limit, --imbalance, the validation split (--val-fraction) and
 * --label-noise applied to it (in that order, each seeded), then checked. The validation set is carved
 * from the training set as --limit and --imbalance left it (so it has the training set's class profile)
 * and keeps its clean labels, like the test set: --label-noise flips only what is trained on. Async
 * because CSV files are streamed. `memoryLimit` (bytes) bounds what reading the files may allocate: an
 * IDX header or a CSV that would need more is refused before (or while) it is read.
 */
export async function loadDataset(config: DataOptions, memoryLimit = Number.POSITIVE_INFINITY): Promise<Dataset> {
  let dataset = await readDataset(config, memoryLimit);
  if (config.limit !== undefined) dataset = limitDataset(dataset, config.limit, config.seed);
  if (config.imbalance !== undefined) dataset = imbalanceDataset(dataset, config.imbalance, config.seed);
  if (config.valFraction > 0) dataset = holdOutValidation(dataset, config.valFraction, config.seed);
  checkDataset(dataset);
  if (config.labelNoise > 0) dataset = noisyDataset(dataset, config.labelNoise, config.noiseKind, config.seed);
  return dataset;
}

async function readDataset(config: DataOptions, memoryLimit: number): Promise<Dataset> {
  const name = config.dataset;
  if (name === 'synthetic') return syntheticDataset(config);
  if (name === 'fashion-mnist') return fashionMnistDataset(config.dataDir, memoryLimit);
  if (isBundledName(name)) {
    const dataset = await csvDataset({ ...BUNDLED_CSV_OPTIONS, file: bundledFile(name), name, testFraction: config.testFraction, seed: config.seed });
    const sampleShape = bundledSampleShape(name);
    return sampleShape ? { ...dataset, sampleShape } : dataset;
  }
  if (name.startsWith('csv:')) {
    const file = name.slice('csv:'.length);
    if (file === '') throw new CliError('--dataset csv:: expected a file name after "csv:"');
    return csvDataset({
      file,
      testFile: config.testFile,
      labelColumn: config.labelColumn,
      delimiter: config.delimiter,
      header: config.header,
      ignoreColumns: config.ignoreColumns,
      testFraction: config.testFraction,
      seed: config.seed,
      memoryLimit,
    });
  }
  if (name.startsWith('idx:')) return idxDataset(name, { ...config, memoryLimit });
  throw new CliError(`--dataset: unknown data set "${name}", expected one of: ${DATASET_NAMES.join(', ')}`);
}

/** Stratified subsets: `limit` training samples, and the test set shrunk in the same proportion. */
export function limitDataset(dataset: Dataset, limit: number, seed: number): Dataset {
  if (limit >= dataset.train.count) return dataset;
  const k = dataset.numClasses;
  const testSize = Math.max(k, Math.round((dataset.test.count * limit) / dataset.train.count));
  const trainIdx = stratifiedSubset(dataset.train.y, k, limit, new SeededRandom(seed, 'limit-train'));
  const testIdx = stratifiedSubset(dataset.test.y, k, testSize, new SeededRandom(seed, 'limit-test'));
  return {
    ...dataset,
    description: `${dataset.description}, stratified subset`,
    train: selectRows(dataset.train, trainIdx, dataset.numFeatures),
    test: selectRows(dataset.test, testIdx, dataset.numFeatures),
  };
}

/** The training split subsampled to a geometric class profile (test split untouched, so every class is still measured). */
export function imbalanceDataset(dataset: Dataset, ratio: number, seed: number): Dataset {
  const { indices, counts } = imbalancedSubset(dataset.train.y, dataset.numClasses, ratio, new SeededRandom(seed, 'imbalance'));
  return {
    ...dataset,
    description: `${dataset.description}, training set imbalanced ${ratio} (${counts.join('/')} per class)`,
    train: selectRows(dataset.train, indices, dataset.numFeatures),
    imbalance: ratio,
  };
}

/**
 * Moves a stratified, seeded `fraction` of the training set into `validation` (at least one training sample
 * of every class stays). Every arm trains on the rest and never sees these samples.
 */
export function holdOutValidation(dataset: Dataset, fraction: number, seed: number): Dataset {
  const split = stratifiedSplit(dataset.train.y, dataset.numClasses, fraction, new SeededRandom(seed, 'validation-split'), { keepOne: true });
  // Too small to hold anything out (a few rows per class): train on all of it and say so, rather than refuse the default.
  if (split.test.length === 0) return { ...dataset, description: `${dataset.description}, too small for a validation split (no temperature scaling)` };
  return {
    ...dataset,
    train: selectRows(dataset.train, split.train, dataset.numFeatures),
    validation: selectRows(dataset.train, split.test, dataset.numFeatures),
  };
}

/** Flips training labels; the features are shared, the labels copied, the test split untouched. */
export function noisyDataset(dataset: Dataset, fraction: number, kind: 'symmetric' | 'pairwise', seed: number): Dataset {
  const { labels, noise } = flipLabels(dataset.train.y, dataset.numClasses, fraction, kind, new SeededRandom(seed, 'label-noise'));
  return {
    ...dataset,
    description: `${dataset.description}, ${noise.flipped.length} training labels flipped (${kind} ${fraction})`,
    train: { ...dataset.train, y: labels },
    labelNoise: noise,
  };
}

export function checkDataset(dataset: Dataset): void {
  if (dataset.numClasses < 2) throw new CliError(`${dataset.name}: ${dataset.numClasses} class(es), expected at least 2`);
  const missing = classCounts(dataset.train.y, dataset.numClasses)
    .map((n, c) => (n === 0 ? dataset.classNames[c] : undefined))
    .filter((c) => c !== undefined);
  if (missing.length > 0) {
    throw new CliError(
      `${dataset.name}: no training samples for class ${missing.map((c) => JSON.stringify(c)).join(', ')} after the split; expected every class in the training split (more samples of it, a smaller --test-fraction, or a larger --limit)`,
    );
  }
  if (dataset.test.count === 0) throw new CliError(`${dataset.name}: the test split is empty`);

}
