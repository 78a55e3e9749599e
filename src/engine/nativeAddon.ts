import fs from 'node:fs';
import path from 'node:path';

/**
 * ls-bench's native CPU backend: native/ls_bench_native.c, built at install time by
 * scripts/build-native.js into build/Release/. Each function works in place on Float32Arrays
 * (row-major) and mirrors the TensorFlow.js op it replaces.
 */
export interface NativeAddon {
  /** c[m×n] = op(a)·op(b); op transposes when the flag is 1. */
  matmul(transA: number, transB: number, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array): void;
  /** z = x·w + b (b broadcast over rows); h = act(z) ⊙ (mask·keepScale) when h is given. */
  denseForward(
    n: number, inWidth: number, outWidth: number, x: Float32Array, w: Float32Array, b: Float32Array,
    activation: number, mask: Float32Array | null, keepScale: number, z: Float32Array, h: Float32Array | null,
  ): void;
  /** h = act(z). */
  activationForward(activation: number, z: Float32Array, h: Float32Array): void;
  /** dz = dh ⊙ act'(z). */
  activationBackward(activation: number, z: Float32Array, dh: Float32Array, dz: Float32Array): void;
  /** −mean_i Σ_k t·logSoftmax(z); fills logProbs and, when given, ∂loss/∂z. */
  smoothedCrossEntropy(n: number, k: number, logits: Float32Array, targets: Float32Array, logProbs: Float32Array, grad: Float32Array | null): number;
  columnSums(rows: number, cols: number, x: Float32Array, out: Float32Array): void;
  adamUpdate(params: Float32Array, grads: Float32Array, m: Float32Array, v: Float32Array, lr: number, beta1: number, beta2: number, eps: number, accBeta1: number, accBeta2: number): void;
  momentumUpdate(params: Float32Array, grads: Float32Array, accum: Float32Array, lr: number, momentum: number): void;
  /** z = conv2d(x, kernel) + bias, NHWC, square kernel, TensorFlow's same/valid padding (same = 1). */
  conv2dForward(
    n: number, height: number, width: number, channels: number, filters: number, kernel: number, stride: number, same: number,
    x: Float32Array, kernelWeights: Float32Array, bias: Float32Array, z: Float32Array,
  ): void;
  /** ∂loss/∂kernel, ∂loss/∂bias and, when dx is given, ∂loss/∂x, from ∂loss/∂z. */
  conv2dBackward(
    n: number, height: number, width: number, channels: number, filters: number, kernel: number, stride: number, same: number,
    x: Float32Array, kernelWeights: Float32Array, dz: Float32Array, dx: Float32Array | null, dKernel: Float32Array, dBias: Float32Array,
  ): void;
  /** Max (max = 1) or average pooling over size × size windows, NHWC. */
  poolForward(max: number, n: number, height: number, width: number, channels: number, size: number, stride: number, same: number, x: Float32Array, y: Float32Array): void;
  poolBackward(max: number, n: number, height: number, width: number, channels: number, size: number, stride: number, same: number, x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** Batch normalisation of rows × channels with the batch's statistics; with dy, also the backward pass. */
  batchNorm(
    rows: number, channels: number, x: Float32Array, gamma: Float32Array, beta: Float32Array, epsilon: number, y: Float32Array,
    dy: Float32Array | null, dx: Float32Array | null, dGamma: Float32Array | null, dBeta: Float32Array | null,
  ): void;
  /**
   * A network with its optimizer state, owned by C. `layers` holds NETWORK_RECORD numbers per layer
   * (nativeModel.ts writes them), the output layer last; `optimizer` is [kind, learning rate, momentum,
   * weight decay, decay mode, decoupled decay factor]; params (trainable, in layer order) and stats (batch
   * norms' running mean and variance) are copied in.
   */
  createNetwork(input: Int32Array, layers: Float64Array, optimizer: Float64Array, params: Float32Array, stats: Float32Array): NativeNetworkHandle;
  /** One optimizer step on n rows; returns the loss before the update and fills logProbs (before the update). */
  trainStep(handle: NativeNetworkHandle, n: number, x: Float32Array, targets: Float32Array, masks: Float32Array[] | null, logProbs: Float32Array): number;
  /**
   * One step of every model on the same x and dropout masks, each with its own targets, up to `threads`
   * models at a time on their own threads; returns each model's loss before its update.
   */
  trainSteps(
    handles: NativeNetworkHandle[], n: number, x: Float32Array, targets: Float32Array[], masks: Float32Array[] | null, logProbs: Float32Array[], threads: number,
  ): number[];
  /** Inference: log-probabilities and, when given, the output layer's input (the penultimate activations). */
  predict(handle: NativeNetworkHandle, n: number, x: Float32Array, logProbs: Float32Array, penultimate: Float32Array | null): void;
  /** Copies out weights, batch-norm statistics and, when m is given, optimizer slots (m is the momentum accumulator for SGD); returns Adam's [β1^t, β2^t]. */
  readState(handle: NativeNetworkHandle, params: Float32Array, stats: Float32Array, m: Float32Array | null, v: Float32Array | null): [number, number];
  writeState(handle: NativeNetworkHandle, params: Float32Array, stats: Float32Array, m: Float32Array, v: Float32Array, accBeta1: number, accBeta2: number): void;
  /** Seconds per layer (forward, backward) and of the update, summed over the steps since the last call. */
  layerSeconds(handle: NativeNetworkHandle): Float64Array;
  /** Frees the network's memory now; the handle is unusable afterwards. */
  disposeNetwork(handle: NativeNetworkHandle): void;
  setThreads(threads: number): void;
  /** The threads OpenBLAS uses in this process: they change the order of its sums, so the last bits of results. */
  blasThreads(): number;
  blasConfig(): string;
}

declare const handleBrand: unique symbol;
export type NativeNetworkHandle = { readonly [handleBrand]: true };

/** native/kernels/kernels.h's activation codes (−1: none). */
export const ACTIVATION_CODES = { relu: 0, tanh: 1, sigmoid: 2, elu: 3, gelu: 4 } as const;
export const NO_ACTIVATION = -1;
export const OPTIMIZER_CODES = { adam: 0, sgd: 1 } as const;
export const WEIGHT_DECAY_CODES = { l2: 0, decoupled: 1 } as const;
/** native/network.h's layer types and record length. */
export const LAYER_CODES = { dense: 0, conv: 1, maxPool: 2, avgPool: 3, flatten: 4, dropout: 5, batchNorm: 6, activation: 7 } as const;
export const NETWORK_RECORD = 8;

export const NATIVE_ADDON_PATH = path.resolve(__dirname, '..', '..', '..', 'build', 'Release', 'ls_bench_native.node');
export const NATIVE_BUILD_HINT =
  'the native backend is not built; to enable it: apt-get install build-essential python3 libopenblas-dev, then `npm run build:native`';

let loaded: { addon?: NativeAddon; problem?: string } | undefined;

/** The addon, or why it is not available (one line, with how to enable it). Loaded once per process. */
export function loadNativeAddon(): { addon?: NativeAddon; problem?: string } {
  if (loaded) return loaded;
  if (!fs.existsSync(NATIVE_ADDON_PATH)) {
    loaded = { problem: NATIVE_BUILD_HINT };
    return loaded;
  }
  try {
    const addon = require(NATIVE_ADDON_PATH) as NativeAddon;
    if (typeof addon.blasThreads !== 'function') {
      loaded = { problem: 'the native backend was built from an older ls-bench (it lacks blasThreads); rebuild it with `npm run build:native`' };
      return loaded;
    }
    // One BLAS thread per process unless the user says otherwise: at batch 128 the products are too
    // small for a second thread to pay off, and parallel arms would oversubscribe the cores.
    if (!process.env.OPENBLAS_NUM_THREADS) addon.setThreads(1);
    loaded = { addon };
  } catch (error) {
    loaded = { problem: `the native backend failed to load (${(error as Error).message.split('\n')[0]}); rebuild it with \`npm run build:native\`` };
  }
  return loaded;
}
