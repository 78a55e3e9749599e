import { CliError } from '../cli/CliError';
import { MAX_MODEL_PARAMETERS, type TrainConfig } from '../config/schema';
import { SeededRandom } from '../random/SeededRandom';
import { BUNDLED_CSV_OPTIONS, BUNDLED_DATASETS, bundledFile, isBundledName } from './bundled';
import { classCounts, selectRows, type Dataset } from './Dataset';
import { csvDataset } from './csv';
import { fashionMnistDataset } from './fashionMnist';
import { idxDataset } from './idxDataset';
import { imbalancedSubset } from './imbalance';
import { flipLabels } from './labelNoise';
import { stratifiedSubset } from './stratified';
import { syntheticDataset } from './synthetic';

export const DATASET_NAMES = ['synthetic', 'fashion-mnist', ...Object.keys(BUNDLED_DATASETS), 'csv:FILE', 'idx:IMAGES,LABELS[,TEST-IMAGES,TEST-LABELS]'] as const;

/**
 * The data set the config names, then --limit, --imbalance and --label-noise applied to it (in that
 * order, each seeded), then checked. Async because CSV files are streamed.
 */
export async function loadDataset(config: TrainConfig): Promise<Dataset> {
  let dataset = await readDataset(config);
  if (config.limit !== undefined) dataset = limitDataset(dataset, config.limit, config.seed);
  if (config.imbalance !== undefined) dataset = imbalanceDataset(dataset, config.imbalance, config.seed);
  checkDataset(dataset);
  checkModelSize(config, dataset);
  if (config.labelNoise > 0) dataset = noisyDataset(dataset, config.labelNoise, config.noiseKind, config.seed);
  return dataset;
}

async function readDataset(config: TrainConfig): Promise<Dataset> {
  const name = config.dataset;
  if (name === 'synthetic') return syntheticDataset(config);
  if (name === 'fashion-mnist') return fashionMnistDataset(config.dataDir);
  if (isBundledName(name)) {
    return csvDataset({ ...BUNDLED_CSV_OPTIONS, file: bundledFile(name), name, testFraction: config.testFraction, seed: config.seed });
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
    });
  }
  if (name.startsWith('idx:')) return idxDataset(name, config);
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

/** The model must fit: hidden sizes come from the config, input and output widths from the data. */
export function checkModelSize(config: TrainConfig, dataset: Dataset): void {
  const sizes = [dataset.numFeatures, ...config.hidden, dataset.numClasses];
  let parameters = 0;
  for (let l = 0; l < sizes.length - 1; l++) parameters += sizes[l]! * sizes[l + 1]! + sizes[l + 1]!;
  if (parameters > MAX_MODEL_PARAMETERS) {
    throw new CliError(`--hidden ${config.hidden.join(',')}: the model would have ${parameters.toLocaleString('en-US')} parameters on ${dataset.name}; expected at most ${MAX_MODEL_PARAMETERS.toLocaleString('en-US')}`);
  }
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
