import type { Activation, LayerConfig } from '../config/modelSchema';
import { layerKind } from '../config/modelSchema';
import type { TrainConfig } from '../config/schema';
import type { Dataset } from '../data/Dataset';
import { CliError } from '../errors';

/**
 * The model a run trains, resolved against its data: every layer with the shape it reads and writes
 * (per sample: [features] for flat data, [height, width, channels] for images), the output layer last.
 * Both engines build exactly this list, and everything that needs the model's size (the parameter cap,
 * memory estimates, the benchmark's FLOP counts) reads it from here.
 */
export type LayerSpec =
  | { kind: 'dense'; units: number; activation: Activation | null }
  | { kind: 'conv'; filters: number; kernel: number; stride: number; padding: 'valid' | 'same'; activation: Activation | null }
  | { kind: 'maxPool' | 'avgPool'; size: number; stride: number; padding: 'valid' | 'same' }
  | { kind: 'flatten' }
  | { kind: 'dropout'; rate: number }
  | { kind: 'batchNorm'; momentum: number; epsilon: number }
  | { kind: 'activation'; activation: Activation };

export interface ResolvedLayer {
  layer: LayerSpec;
  inShape: number[];
  outShape: number[];
}

export type Initialisation = TrainConfig['init'];

export interface ModelSpec {
  /** One sample's shape: [features] or [height, width, channels]. */
  input: number[];
  numFeatures: number;
  numClasses: number;
  /** Every layer in order, the output layer (dense, one unit per class, no activation) last. */
  layers: ResolvedLayer[];
  init: Initialisation;
  /** Set when the config used the MLP short form (hidden, activation, dropout): how the model is described. */
  mlp?: { hidden: number[]; activation: Activation; dropout: number };
}

/** What a model needs of a config: its layers (or the MLP short form) and its initialisation. */
export type ModelConfigKeys = Pick<TrainConfig, 'hidden' | 'activation' | 'dropout' | 'model' | 'init'>;

/** How many values a tensor of this shape holds. */
export const elementCount = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
const isImage = (shape: number[]) => shape.length === 3;
const showShape = (shape: number[]) => shape.join('×');

/** The MLP short form as a layer list: each hidden layer dense with the activation, then dropout when asked for. */
export function mlpLayers(config: Pick<TrainConfig, 'hidden' | 'activation' | 'dropout'>): LayerSpec[] {
  return config.hidden.flatMap((units): LayerSpec[] => [
    { kind: 'dense', units, activation: config.activation },
    ...(config.dropout > 0 ? [{ kind: 'dropout' as const, rate: config.dropout }] : []),
  ]);
}

/** A layer as written in the config, with the defaults filled in. */
export function layerSpecOf(layer: LayerConfig): LayerSpec {
  const kind = layerKind(layer);
  switch (kind) {
    case 'dense':
      return { kind, units: layer.dense!, activation: layer.activation ?? null };
    case 'conv':
      return { kind, filters: layer.conv!, kernel: layer.kernel!, stride: layer.stride ?? 1, padding: layer.padding ?? 'valid', activation: layer.activation ?? null };
    case 'maxPool':
    case 'avgPool': {
      const poolSize = layer[kind]!;
      return { kind, size: poolSize, stride: layer.stride ?? poolSize, padding: layer.padding ?? 'valid' };
    }
    case 'flatten':
      return { kind };
    case 'dropout':
      return { kind, rate: layer.dropout! };
    case 'batchNorm':
      return { kind, momentum: layer.momentum ?? 0.9, epsilon: layer.epsilon ?? 1e-5 };
    case 'activation':
      return { kind, activation: layer.activation! };
  }
}

/** TensorFlow's output length of a window sliding over `length` values. */
export function windowOutput(length: number, window: number, stride: number, padding: 'valid' | 'same'): number {
  return padding === 'same' ? Math.ceil(length / stride) : length >= window ? Math.floor((length - window) / stride) + 1 : 0;
}

/** The shape a layer writes for `inShape`, or what is wrong (the caller names the layer). */
function outShapeOf(layer: LayerSpec, inShape: number[]): { shape: number[] } | { key: string; problem: string } {
  switch (layer.kind) {
    case 'dense':
      if (isImage(inShape)) return { key: 'dense', problem: `its input is ${showShape(inShape)}; add { flatten: true } before a dense layer that follows images or conv layers` };
      return { shape: [layer.units] };
    case 'conv':
    case 'maxPool':
    case 'avgPool': {
      const key = layer.kind;
      if (!isImage(inShape)) {
        return { key, problem: `its input is flat (${inShape[0]} values per sample); a ${key} layer needs images [height, width, channels]: image data (fashion-mnist, digits, idx:) or model.input, and no flatten or dense layer before it` };
      }
      const [h, w, c] = inShape as [number, number, number];
      const window = layer.kind === 'conv' ? layer.kernel : layer.size;
      const oh = windowOutput(h, window, layer.stride, layer.padding);
      const ow = windowOutput(w, window, layer.stride, layer.padding);
      if (oh < 1 || ow < 1) {
        return { key: layer.kind === 'conv' ? 'kernel' : key, problem: `a ${window}×${window} window does not fit its ${showShape(inShape)} input with padding ${layer.padding} (use padding: same or a smaller window)` };
      }
      return { shape: [oh, ow, layer.kind === 'conv' ? layer.filters : c] };
    }
    case 'flatten':
      return { shape: [elementCount(inShape)] };
    default:
      return { shape: inShape.slice() };
  }
}

/** One sample's shape: model.input, else the data set's (images keep theirs), checked against the data. */
function inputShape(config: ModelConfigKeys, dataset: Pick<Dataset, 'name' | 'numFeatures' | 'sampleShape'>): number[] {
  const given = config.model?.input;
  if (!config.model) return [dataset.numFeatures];
  if (!given) return dataset.sampleShape?.slice() ?? [dataset.numFeatures];
  const shape = given.length === 2 ? [...given, 1] : given.slice();
  if (elementCount(shape) !== dataset.numFeatures) {
    throw new CliError(`model.input: [${given.join(', ')}] is ${elementCount(shape)} values per sample, but ${dataset.name} has ${dataset.numFeatures} features per sample; expected a shape whose product is ${dataset.numFeatures}`);
  }
  return shape;
}

/**
 * The model a config asks for on a data set: the layer list of `model.layers` (or the MLP of the short
 * form), each layer's shapes, and the output layer. A layer that does not fit its input is a CliError
 * naming it: "model.layers[2].conv: its input is flat ...".
 */
export function resolveModelSpec(config: ModelConfigKeys, dataset: Pick<Dataset, 'name' | 'numFeatures' | 'numClasses' | 'sampleShape'>): ModelSpec {
  const input = inputShape(config, dataset);
  const hidden = config.model ? config.model.layers.map(layerSpecOf) : mlpLayers(config);
  const layers: ResolvedLayer[] = [];
  let shape = input;
  hidden.forEach((layer, i) => {
    const out = outShapeOf(layer, shape);
    if ('problem' in out) throw new CliError(`model.layers[${i}].${out.key}: ${out.problem}`);
    layers.push({ layer, inShape: shape, outShape: out.shape });
    shape = out.shape;
  });
  if (isImage(shape)) {
    throw new CliError(`model.layers[${hidden.length - 1}]: the last layer writes ${showShape(shape)} images; add { flatten: true } (and dense layers) so the output layer gets one flat vector per sample`);
  }
  layers.push({ layer: { kind: 'dense', units: dataset.numClasses, activation: null }, inShape: shape, outShape: [dataset.numClasses] });
  return {
    input,
    numFeatures: dataset.numFeatures,
    numClasses: dataset.numClasses,
    layers,
    init: config.init,
    ...(config.model ? {} : { mlp: { hidden: config.hidden, activation: config.activation, dropout: config.dropout } }),
  };
}

/** What a weight tensor is: kernels and biases of dense and conv layers, and a batch norm's scale, shift and running statistics. */
export type WeightKind = 'kernel' | 'bias' | 'gamma' | 'beta' | 'movingMean' | 'movingVariance';

export interface WeightTensor {
  /** Index into spec.layers. */
  layer: number;
  kind: WeightKind;
  shape: number[];
  /** False for a batch norm's running statistics, which are updated from the batches, not by the optimizer. */
  trainable: boolean;
}

/**
 * Every weight tensor of the model in order (Keras' order: dense and conv kernel then bias; batch norm
 * γ, β, running mean, running variance). Dense kernels are [in × out], conv kernels
 * [kernel × kernel × in channels × filters], as TensorFlow.js stores them.
 */
export function weightTensors(spec: ModelSpec): WeightTensor[] {
  return spec.layers.flatMap(({ layer, inShape }, index): WeightTensor[] => {
    const t = (kind: WeightKind, shape: number[]): WeightTensor => ({ layer: index, kind, shape, trainable: kind !== 'movingMean' && kind !== 'movingVariance' });
    switch (layer.kind) {
      case 'dense':
        return [t('kernel', [elementCount(inShape), layer.units]), t('bias', [layer.units])];
      case 'conv':
        return [t('kernel', [layer.kernel, layer.kernel, inShape[2]!, layer.filters]), t('bias', [layer.filters])];
      case 'batchNorm': {
        const channels = inShape[inShape.length - 1]!;
        return [t('gamma', [channels]), t('beta', [channels]), t('movingMean', [channels]), t('movingVariance', [channels])];
      }
      default:
        return [];
    }
  });
}

/** The dropout layers' input shapes, in order: one keep-mask of [batch × size] per dropout layer and batch. */
export function dropoutLayers(spec: ModelSpec): { rate: number; inShape: number[] }[] {
  return spec.layers.flatMap(({ layer, inShape }) => (layer.kind === 'dropout' ? [{ rate: layer.rate, inShape }] : []));
}
