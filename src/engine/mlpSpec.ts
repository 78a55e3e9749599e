import type { TrainConfig } from '../config/schema';
import { MAX_MODEL_PARAMETERS } from '../config/schema';
import type { Dataset } from '../data/Dataset';
import { CliError } from '../errors';
import { layerSizes, type MlpSpec } from './initialWeights';

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

export function describeModel(spec: MlpSpec): string {
  const dropout = spec.dropout > 0 ? `, dropout ${spec.dropout}` : '';
  return `MLP ${layerSizes(spec).join('-')}, ${spec.hidden.length > 0 ? spec.activation : 'linear'}${dropout}`;
}

export function describeOptimizer(config: TrainConfig): string {
  return config.optimizer === 'adam' ? `Adam, learning rate ${config.learningRate}` : `SGD, learning rate ${config.learningRate}, momentum ${config.momentum}`;
}
