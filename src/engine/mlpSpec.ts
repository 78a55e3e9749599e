import type { TrainConfig } from '../config/schema';
import { MAX_MODEL_PARAMETERS } from '../config/schema';
import type { Dataset } from '../data/Dataset';
import { CliError } from '../errors';
import { layerSizes, type MlpSpec } from './initialWeights';
import type { RunMemoryInputs } from './memoryEstimate';

/** Rows the engines evaluate at once (their predictLogProbs chunks). */
export const PREDICT_CHUNK_ROWS = 4096;

/** The MLP a config asks for on a data set: hidden sizes from the config, input and output widths from the data. */
export function mlpSpec(config: Pick<TrainConfig, 'hidden' | 'activation' | 'dropout'>, dataset: Pick<Dataset, 'numFeatures' | 'numClasses'>): MlpSpec {
  return {
    numFeatures: dataset.numFeatures,
    hidden: config.hidden,
    numClasses: dataset.numClasses,
    activation: config.activation,
    dropout: config.dropout,
  };
}

export function parameterCount(spec: MlpSpec): number {
  const sizes = layerSizes(spec);
  let parameters = 0;
  for (let l = 0; l < sizes.length - 1; l++) parameters += sizes[l]! * sizes[l + 1]! + sizes[l + 1]!;
  return parameters;
}

/** The model must fit: refused (exit 2) before any weights are allocated or a run directory exists. */
export function checkModelSize(config: Pick<TrainConfig, 'hidden' | 'activation' | 'dropout'>, dataset: Pick<Dataset, 'name' | 'numFeatures' | 'numClasses'>): void {
  const parameters = parameterCount(mlpSpec(config, dataset));
  if (parameters > MAX_MODEL_PARAMETERS) {
    throw new CliError(`--hidden ${config.hidden.join(',')}: the model would have ${parameters.toLocaleString('en-US')} parameters on ${dataset.name}; expected at most ${MAX_MODEL_PARAMETERS.toLocaleString('en-US')}`);
  }
}

/** What the memory estimate needs to know of a data set: its size, not its values (known before loading for IDX files). */
export interface DataShape {
  numFeatures: number;
  numClasses: number;
  trainRows: number;
  testRows: number;
}

export function dataShapeOf(dataset: Pick<Dataset, 'numFeatures' | 'numClasses' | 'train' | 'test'>): DataShape {
  return { numFeatures: dataset.numFeatures, numClasses: dataset.numClasses, trainRows: dataset.train.count, testRows: dataset.test.count };
}

/** Float32 features and int32 labels of both splits: what a data set of this shape holds. */
export function dataBytes(shape: DataShape): number {
  return (shape.trainRows + shape.testRows) * (shape.numFeatures + 1) * 4;
}

/**
 * The memory-estimate inputs of training `config` on data of `shape` (memoryEstimate.ts): the MLP's
 * parameters and layer widths, one model per arm (the hard arm and one per ε).
 */
export function runMemoryInputs(config: Pick<TrainConfig, 'hidden' | 'activation' | 'dropout' | 'epsilon' | 'batchSize'>, shape: DataShape): RunMemoryInputs {
  const spec = mlpSpec(config, shape);
  return {
    arms: 1 + config.epsilon.length,
    parameters: parameterCount(spec),
    // Adam's m and v; the native engine keeps both for SGD as well.
    optimizerSlots: 2,
    dataBytes: dataBytes(shape),
    activationsPerRow: layerSizes(spec).reduce((a, b) => a + b, 0),
    batchSize: Math.min(config.batchSize, shape.trainRows),
    evaluationRows: Math.min(PREDICT_CHUNK_ROWS, shape.testRows),
    testRows: shape.testRows,
    classes: shape.numClasses,
  };
}

export function describeModel(spec: MlpSpec): string {
  const dropout = spec.dropout > 0 ? `, dropout ${spec.dropout}` : '';
  return `MLP ${layerSizes(spec).join('-')}, ${spec.hidden.length > 0 ? spec.activation : 'linear'}${dropout}`;
}

export function describeOptimizer(config: TrainConfig): string {
  return config.optimizer === 'adam' ? `Adam, learning rate ${config.learningRate}` : `SGD, learning rate ${config.learningRate}, momentum ${config.momentum}`;
}
