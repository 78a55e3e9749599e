import { MAX_MODEL_PARAMETERS } from '../config/schema';
import type { Dataset } from '../data/Dataset';
import { CliError } from '../errors';
import { resolveModelSpec, elementCount, weightTensors, type ModelConfigKeys, type ModelSpec } from './modelSpec';

/** How big a model is and how much work a sample costs: for the parameter cap, memory estimates and GFLOP/s. */
export interface ModelFootprint {
  /** Every weight value: trainable ones and batch norms' running statistics. */
  parameters: number;
  trainableParameters: number;
  /**
   * float32 values a training step keeps per sample of the batch on the native backend: each layer's
   * output and, where it needs them for the backward pass, its pre-activations (not for relu, whose
   * output has the sign the gradient needs), im2col rows, max-pool
   * positions and normalised inputs, plus the gradient buffers. TensorFlow.js keeps about as much.
   * Memory per arm ≈ 4 bytes × (parameters × (2 + optimizer slots) + batch size × this).
   */
  activationsPerSample: number;
  /** Floating-point operations (2 per multiply-add) of the matrix products of one forward pass of one sample. */
  forwardFlopsPerSample: number;
  /** The same for one training step per sample: the forward pass, the weight gradients, and the input gradients of every layer but the first. */
  trainingFlopsPerSample: number;
}

/**
 * Floating-point operations (2 per multiply-add) of each layer's matrix products for one sample: forward,
 * and backward (the weight gradient, and the input gradient except for the first layer, which needs none).
 * Pooling, activations and the optimizer are not counted: they are memory-bound, not arithmetic.
 */
export function layerFlops(spec: ModelSpec): { forward: number; backward: number }[] {
  return spec.layers.map(({ layer, inShape, outShape }, i) => {
    let products = 0;
    if (layer.kind === 'dense') products = elementCount(inShape) * layer.units;
    if (layer.kind === 'conv') products = outShape[0]! * outShape[1]! * layer.kernel * layer.kernel * inShape[2]! * layer.filters;
    return { forward: 2 * products, backward: 2 * products * (i > 0 ? 2 : 1) };
  });
}

/** The footprint of a resolved model: see ModelFootprint. */
export function modelFootprint(spec: ModelSpec): ModelFootprint {
  const tensors = weightTensors(spec);
  let activations = 0;
  let widest = spec.numFeatures;
  let im2col = 0;
  for (const { layer, inShape, outShape } of spec.layers) {
    const out = elementCount(outShape);
    widest = Math.max(widest, out);
    switch (layer.kind) {
      case 'dense':
        activations += out * (layer.activation && layer.activation !== 'relu' ? 2 : 1);
        break;
      case 'conv': {
        const cols = outShape[0]! * outShape[1]! * layer.kernel * layer.kernel * inShape[2]!;
        const readsInputAsCols = layer.kernel === 1 && layer.stride === 1;
        activations += out * (layer.activation && layer.activation !== 'relu' ? 2 : 1) + (readsInputAsCols ? 0 : cols);
        im2col = Math.max(im2col, readsInputAsCols ? 0 : cols);
        break;
      }
      case 'maxPool':
      case 'batchNorm':
        activations += 2 * out; // outputs and winning positions / normalised inputs
        break;
      case 'flatten':
        break;
      default:
        activations += out;
    }
  }
  const flops = layerFlops(spec);
  const forward = flops.reduce((n, f) => n + f.forward, 0);
  return {
    parameters: tensors.reduce((n, t) => n + elementCount(t.shape), 0),
    trainableParameters: tensors.filter((t) => t.trainable).reduce((n, t) => n + elementCount(t.shape), 0),
    activationsPerSample: activations + 2 * widest + im2col + spec.numClasses,
    forwardFlopsPerSample: forward,
    trainingFlopsPerSample: forward + flops.reduce((n, f) => n + f.backward, 0),
  };
}

/** Rows predicted per call: as many as fit in about 64 MB of activations, between 64 and 4096. */
export function predictionChunk(spec: ModelSpec): number {
  return Math.max(64, Math.min(4096, Math.floor((16 * 2 ** 20) / modelFootprint(spec).activationsPerSample)));
}

/** The model must fit: refused (exit 2) before any weights are allocated or a run directory exists. */
export function checkModelSize(config: ModelConfigKeys, dataset: Pick<Dataset, 'name' | 'numFeatures' | 'numClasses' | 'sampleShape'>): ModelSpec {
  const spec = resolveModelSpec(config, dataset);
  const { parameters } = modelFootprint(spec);
  if (parameters > MAX_MODEL_PARAMETERS) {
    const what = config.model ? 'model.layers' : `--hidden ${config.hidden.join(',')}`;
    throw new CliError(`${what}: the model would have ${parameters.toLocaleString('en-US')} parameters on ${dataset.name}; expected at most ${MAX_MODEL_PARAMETERS.toLocaleString('en-US')}`);
  }
  return spec;
}
