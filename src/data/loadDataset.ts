import { CliError } from '../cli/CliError';
import { MAX_MODEL_PARAMETERS, type TrainConfig } from '../config/schema';
import { SeededRandom } from '../random/SeededRandom';
import { classCounts, selectRows, type Dataset } from './Dataset';
import { fashionMnistDataset } from './fashionMnist';
import { stratifiedSubset } from './stratified';
import { syntheticDataset } from './synthetic';

export const DATASET_NAMES = ['synthetic', 'fashion-mnist'] as const;

/** The data set the config names, with --limit applied; every error names the data set and what was expected. */
export function loadDataset(config: TrainConfig): Dataset {
  let dataset: Dataset;
  switch (config.dataset) {
    case 'synthetic':
      dataset = syntheticDataset(config);
      break;
    case 'fashion-mnist':
      dataset = fashionMnistDataset(config.dataDir);
      break;
    default:
      throw new CliError(`--dataset: unknown data set "${config.dataset}", expected one of: ${DATASET_NAMES.join(', ')}`);
  }
  if (config.limit !== undefined) dataset = limitDataset(dataset, config.limit, config.seed);
  checkDataset(dataset);
  checkModelSize(config, dataset);
  return dataset;
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

export function checkDataset(dataset: Dataset): void {
  if (dataset.numClasses < 2) throw new CliError(`${dataset.name}: ${dataset.numClasses} class(es), expected at least 2`);
  const missing = classCounts(dataset.train.y, dataset.numClasses)
    .map((n, c) => (n === 0 ? dataset.classNames[c] : undefined))
    .filter((c) => c !== undefined);
  if (missing.length > 0) {
    throw new CliError(`${dataset.name}: no training samples for class ${missing.join(', ')}; expected every class in the training split (raise --limit?)`);
  }
  if (dataset.test.count === 0) throw new CliError(`${dataset.name}: the test split is empty`);
}
