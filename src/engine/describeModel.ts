import type { ModelConfig } from '../config/modelSchema';
import type { TrainConfig } from '../config/schema';
import { layerSpecOf, type LayerSpec, type ModelConfigKeys, type ModelSpec } from './modelSpec';
import { modelFootprint } from './modelSize';

/** One layer in a line of text: "conv 32 3×3 same relu", "maxPool 2", "dense 128 relu". */
export function describeLayer(layer: LayerSpec): string {
  const act = (a: string | null) => (a ? ` ${a}` : '');
  switch (layer.kind) {
    case 'dense':
      return `dense ${layer.units}${act(layer.activation)}`;
    case 'conv':
      return `conv ${layer.filters} ${layer.kernel}×${layer.kernel}${layer.stride > 1 ? ` stride ${layer.stride}` : ''} ${layer.padding}${act(layer.activation)}`;
    case 'maxPool':
    case 'avgPool':
      return `${layer.kind} ${layer.size}${layer.stride !== layer.size ? ` stride ${layer.stride}` : ''}${layer.padding === 'same' ? ' same' : ''}`;
    case 'flatten':
      return 'flatten';
    case 'dropout':
      return `dropout ${layer.rate}`;
    case 'batchNorm':
      return 'batchNorm';
    case 'activation':
      return layer.activation;
  }
}

/**
 * The model for a run's header and summary: the MLP short form as before ("MLP 784-256-128-10, relu,
 * dropout 0.2"), a layer list layer by layer with its input and parameter count.
 */
export function describeModel(spec: ModelSpec): string {
  const init = spec.init === 'glorot' ? '' : `, ${spec.init} init`;
  if (spec.mlp) {
    const { hidden, activation, dropout } = spec.mlp;
    return `MLP ${[spec.numFeatures, ...hidden, spec.numClasses].join('-')}, ${hidden.length > 0 ? activation : 'linear'}${dropout > 0 ? `, dropout ${dropout}` : ''}${init}`;
  }
  const layers = spec.layers.map(({ layer }) => describeLayer(layer)).join(' → ');
  const { parameters } = modelFootprint(spec);
  return `${spec.input.join('×')} → ${layers} (${parameters.toLocaleString('en-US')} parameters${init})`;
}

/**
 * The model from a config alone, without its data (a sweep's report): "MLP, hidden 256→128, relu" or the
 * layer list. A key a sweep's grid sets is not in its base config: it reads "by grid point".
 */
export function describeModelConfig(config: Partial<ModelConfigKeys>): string {
  const init = config.init === undefined ? ', init by grid point' : config.init === 'glorot' ? '' : `, ${config.init} init`;
  if (!config.model) {
    const hidden = config.hidden === undefined ? 'by grid point' : config.hidden.length ? config.hidden.join('→') : 'none (linear)';
    return `MLP, hidden ${hidden}, ${config.activation ?? 'activation by grid point'}${config.dropout ? `, dropout ${config.dropout}` : ''}${init}`;
  }
  return `${describeLayerList(config.model)}${init}`;
}

/** A `model:` layer list as written in a config, in a line: "conv 32 3×3 same relu → maxPool 2 → … → output". */
export function describeLayerList(model: ModelConfig): string {
  const input = model.input ? `${model.input.join('×')} → ` : '';
  return `${input}${model.layers.map((l) => describeLayer(layerSpecOf(l))).join(' → ')} → output`;
}

export function describeOptimizer(config: Pick<TrainConfig, 'optimizer' | 'learningRate' | 'momentum' | 'weightDecay' | 'weightDecayMode'>): string {
  const base = config.optimizer === 'adam' ? `Adam, learning rate ${config.learningRate}` : `SGD, learning rate ${config.learningRate}, momentum ${config.momentum}`;
  if (!(config.weightDecay > 0)) return base;
  return `${base}, weight decay ${config.weightDecay} (${config.weightDecayMode === 'l2' ? 'L2' : 'decoupled, AdamW-style'})`;
}

