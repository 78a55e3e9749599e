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
  /** dz = dh ⊙ act'(z). */
  activationBackward(activation: number, z: Float32Array, dh: Float32Array, dz: Float32Array): void;
  /** −mean_i Σ_k t·logSoftmax(z); fills logProbs and, when given, ∂loss/∂z. */
  smoothedCrossEntropy(n: number, k: number, logits: Float32Array, targets: Float32Array, logProbs: Float32Array, grad: Float32Array | null): number;
  columnSums(rows: number, cols: number, x: Float32Array, out: Float32Array): void;
  adamUpdate(params: Float32Array, grads: Float32Array, m: Float32Array, v: Float32Array, lr: number, beta1: number, beta2: number, eps: number, accBeta1: number, accBeta2: number): void;
  momentumUpdate(params: Float32Array, grads: Float32Array, accum: Float32Array, lr: number, momentum: number): void;
  /** A whole MLP with its optimizer state, owned by C; `params` is copied in. */
  createMlp(sizes: Int32Array, activation: number, optimizer: number, learningRate: number, momentum: number, keepScale: number, params: Float32Array): NativeMlpHandle;
  /** One optimizer step on n rows; returns the loss before the update and fills logProbs (before the update). */
  trainStep(handle: NativeMlpHandle, n: number, x: Float32Array, targets: Float32Array, masks: Float32Array[] | null, logProbs: Float32Array): number;
  /**
   * One step of every model on the same x and dropout masks, each with its own targets, up to `threads`
   * models at a time on their own threads; returns each model's loss before its update.
   */
  trainSteps(
    handles: NativeMlpHandle[], n: number, x: Float32Array, targets: Float32Array[], masks: Float32Array[] | null, logProbs: Float32Array[], threads: number,
  ): number[];
  predictLogProbs(handle: NativeMlpHandle, n: number, x: Float32Array, out: Float32Array): void;
  readParams(handle: NativeMlpHandle, out: Float32Array): void;
  /** Copies out weights and optimizer slots (m, v; m is the momentum accumulator for SGD); returns Adam's [β1^t, β2^t]. */
  readState(handle: NativeMlpHandle, params: Float32Array, m: Float32Array, v: Float32Array): [number, number];
  writeState(handle: NativeMlpHandle, params: Float32Array, m: Float32Array, v: Float32Array, accBeta1: number, accBeta2: number): void;
  /** Frees the model's memory now; the handle is unusable afterwards. */
  disposeMlp(handle: NativeMlpHandle): void;
  setThreads(threads: number): void;
  /** The threads OpenBLAS uses in this process: they change the order of its sums, so the last bits of results. */
  blasThreads(): number;
  blasConfig(): string;
}

declare const handleBrand: unique symbol;
export type NativeMlpHandle = { readonly [handleBrand]: true };

export const ACTIVATION_CODES = { relu: 0, tanh: 1, sigmoid: 2, elu: 3 } as const;
export const OPTIMIZER_CODES = { adam: 0, sgd: 1 } as const;

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
