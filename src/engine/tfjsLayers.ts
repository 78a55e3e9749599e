import type { Activation } from '../config/modelSchema';
import type { LayerSpec, ModelSpec } from './modelSpec';
import { tf, type Tensor, type Variable } from './tf';

/**
 * The forward pass of a layer list with TensorFlow.js ops, the same math as the native backend's C
 * (native/network.c), so that a run matches across backends within float32 rounding. TF.js differentiates
 * it; the few places where a TF.js backend lacks a gradient kernel, or where TF.js's own gradient would
 * disagree with its forward pass, are written out below.
 */

/** One layer's weights as the model holds them (dense and conv: kernel, bias; batch norm: γ, β and running statistics). */
export interface LayerWeights {
  kernel?: Variable;
  bias?: Variable;
  gamma?: Variable;
  beta?: Variable;
  movingMean?: Variable;
  movingVariance?: Variable;
}

/** A batch norm's statistics of one training batch, for the running statistics' update after the step. */
export interface BatchStatistics {
  layer: number;
  mean: Tensor;
  variance: Tensor;
  /** How many values each channel's statistics were taken over (batch × height × width). */
  count: number;
}

export interface ForwardPass {
  logits: Tensor;
  /** The input of the output layer. */
  penultimate: Tensor;
  batchStatistics: BatchStatistics[];
}

export function activate(h: Tensor, activation: Activation): Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(h);
    case 'tanh':
      return tf.tanh(h);
    case 'sigmoid':
      return tf.sigmoid(h);
    case 'elu':
      return tf.elu(h);
    case 'gelu':
      // exact GELU, ½x(1 + erf(x/√2)) (PyTorch's default), as the native backend computes it
      return tf.mul(tf.mul(h, 0.5), tf.add(1, tf.erf(tf.mul(h, Math.SQRT1_2))));
  }
}

/** TensorFlow's padding of a window: same splits the padding with the extra row at the end. */
export function samePadding(length: number, window: number, stride: number): [number, number] {
  const out = Math.ceil(length / stride);
  const total = Math.max((out - 1) * stride + window - length, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * ∂loss/∂kernel of a convolution as one product of im2col rows with ∂loss/∂output, built from slices.
 * The wasm backend has no Conv2DBackpropFilter kernel, and the cpu backend's is a plain nested loop
 * (33 s for one batch of 32 of the small Fashion-MNIST CNN on this machine, against well under a second
 * this way), so every backend but tfjs-node's libtensorflow takes this path.
 */
export function convKernelGradient(x: tf.Tensor4D, dy: tf.Tensor4D, kernel: number, stride: number, padding: 'valid' | 'same'): Tensor {
  const [n, h, w, c] = x.shape;
  const [, oh, ow, filters] = dy.shape;
  const [top, bottom] = padding === 'same' ? samePadding(h, kernel, stride) : [0, 0];
  const [left, right] = padding === 'same' ? samePadding(w, kernel, stride) : [0, 0];
  const padded = top + bottom + left + right > 0 ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
  const patches: Tensor[] = [];
  for (let i = 0; i < kernel; i++) {
    for (let j = 0; j < kernel; j++) {
      patches.push(
        stride === 1
          ? tf.slice(padded, [0, i, j, 0], [n, oh, ow, c])
          : tf.stridedSlice(padded, [0, i, j, 0], [n, i + (oh - 1) * stride + 1, j + (ow - 1) * stride + 1, c], [1, stride, stride, 1]),
      );
    }
  }
  const cols = tf.reshape(tf.concat(patches, 3), [n * oh * ow, kernel * kernel * c]);
  return tf.reshape(tf.matMul(cols, tf.reshape(dy, [n * oh * ow, filters]), true, false), [kernel, kernel, c, filters]);
}

export function conv2d(x: tf.Tensor4D, kernel: Tensor, layer: Extract<LayerSpec, { kind: 'conv' }>): tf.Tensor4D {
  const { stride, padding } = layer;
  if (tf.getBackend() === 'tensorflow') return tf.conv2d(x, kernel as tf.Tensor4D, stride, padding);
  const op = tf.customGrad(((input: Tensor, k: Tensor, save: tf.GradSaveFunc) => {
    save([input, k]);
    return {
      value: tf.conv2d(input as tf.Tensor4D, k as tf.Tensor4D, stride, padding),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xs, ks] = saved as [tf.Tensor4D, tf.Tensor4D];
        return [
          tf.conv2dTranspose(dy as tf.Tensor4D, ks, xs.shape, stride, padding),
          convKernelGradient(xs, dy as tf.Tensor4D, layer.kernel, stride, padding),
        ];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, kernel) as tf.Tensor4D;
}

/**
 * Average pooling that divides by the pixels inside the image: TF.js's cpu backend does so going forward
 * but its gradient divides by the whole window, so a same-padded average is computed as a valid one over
 * explicitly zero-padded input, rescaled by window / pixels-inside (a constant), whose gradient is exact.
 */
export function avgPool(h: tf.Tensor4D, layer: Extract<LayerSpec, { kind: 'maxPool' | 'avgPool' }>): Tensor {
  const { size, stride } = layer;
  if (layer.padding === 'valid') return tf.avgPool(h, size, stride, 'valid');
  const [, height, width] = h.shape;
  const [top, bottom] = samePadding(height, size, stride);
  const [left, right] = samePadding(width, size, stride);
  const oh = Math.ceil(height / stride);
  const ow = Math.ceil(width / stride);
  const scale = new Float32Array(oh * ow);
  const inside = (start: number, length: number) => Math.min(start + size, length) - Math.max(start, 0);
  for (let r = 0; r < oh; r++) for (let c = 0; c < ow; c++) scale[r * ow + c] = (size * size) / (inside(r * stride - top, height) * inside(c * stride - left, width));
  const pooled = tf.avgPool(tf.pad(h, [[0, 0], [top, bottom], [left, right], [0, 0]]), size, stride, 'valid');
  return tf.mul(pooled, tf.tensor4d(scale, [1, oh, ow, 1]));
}

function batchNorm(h: Tensor, weights: LayerWeights, layer: Extract<LayerSpec, { kind: 'batchNorm' }>, index: number, training: boolean, stats: BatchStatistics[]): Tensor {
  const { gamma, beta, movingMean, movingVariance } = weights as Required<LayerWeights>;
  if (!training) return tf.add(tf.mul(tf.mul(tf.sub(h, movingMean), tf.rsqrt(tf.add(movingVariance, layer.epsilon))), gamma), beta);
  const axes = h.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(h, axes);
  stats.push({ layer: index, mean, variance, count: h.size / h.shape[h.shape.length - 1]! });
  return tf.add(tf.mul(tf.mul(tf.sub(h, mean), tf.rsqrt(tf.add(variance, layer.epsilon))), gamma), beta);
}

interface LayerContext {
  weights: LayerWeights;
  index: number;
  training: boolean;
  /** This layer's dropout mask when training with dropout. */
  mask: Tensor | undefined;
  keepScale: number;
  stats: BatchStatistics[];
}

function layerOp(layer: LayerSpec, h: Tensor, ctx: LayerContext): Tensor {
  const { weights } = ctx;
  switch (layer.kind) {
    case 'dense': {
      const z = tf.add(tf.matMul(h as tf.Tensor2D, weights.kernel! as tf.Tensor2D), weights.bias!);
      return layer.activation ? activate(z, layer.activation) : z;
    }
    case 'conv': {
      const z = tf.add(conv2d(h as tf.Tensor4D, weights.kernel!, layer), weights.bias!);
      return layer.activation ? activate(z, layer.activation) : z;
    }
    case 'maxPool':
      return tf.maxPool(h as tf.Tensor4D, layer.size, layer.stride, layer.padding);
    case 'avgPool':
      return avgPool(h as tf.Tensor4D, layer);
    case 'flatten':
      return tf.reshape(h, [h.shape[0]!, -1]);
    case 'dropout':
      // inverted dropout with the trainer's masks, identical for every arm; the identity at inference
      return ctx.mask ? tf.mul(h, tf.mul(ctx.mask, ctx.keepScale)) : h;
    case 'batchNorm':
      return batchNorm(h, weights, layer, ctx.index, ctx.training, ctx.stats);
    case 'activation':
      return activate(h, layer.activation);
  }
}

/**
 * The forward pass of `x` ([n, ...spec.input]). Training: batch norms use the batch's statistics (and
 * report them) and dropout layers apply `masks` (one per dropout layer, shaped like its input).
 */
export function forwardPass(spec: ModelSpec, weights: LayerWeights[], x: Tensor, options: { training: boolean; masks?: Tensor[] }): ForwardPass {
  const stats: BatchStatistics[] = [];
  let h = x;
  let penultimate = x;
  let dropout = 0;
  spec.layers.forEach(({ layer }, index) => {
    if (index === spec.layers.length - 1) penultimate = h;
    const mask = layer.kind === 'dropout' && options.training ? options.masks?.[dropout++] : undefined;
    const keepScale = layer.kind === 'dropout' ? 1 / (1 - layer.rate) : 1;
    h = layerOp(layer, h, { weights: weights[index]!, index, training: options.training, mask, keepScale, stats });
  });
  return { logits: h, penultimate, batchStatistics: stats };
}
