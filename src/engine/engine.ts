import type { InitialWeights } from './initialWeights';
import type { ModelSpec } from './modelSpec';
import type { Batch, BatchResult, Model, OptimizerSpec } from './model';

export interface BackendChoice {
  /** The backend actually in use: a TensorFlow.js backend as tf.getBackend() names it (tensorflow, wasm, cpu), or ls-bench's own `native`. */
  name: string;
  /** Human-readable: what it is. */
  label: string;
  /** Set when auto did not get the backend the user asked for: why, and how to get it. */
  fallbackReason?: string;
  /** The same in a few words, for the run's header (the full reason is for --verbose). */
  fallbackNote?: string;
}

/** One batch shared by every arm: the same rows and dropout masks, each arm's own targets. */
export interface SharedBatch {
  x: Float32Array;
  size: number;
  /** One [size × numClasses] target array per model, in the models' order. */
  targets: Float32Array[];
  dropoutMasks?: Float32Array[];
}

/** What one training step of several models gave. */
export interface TrainedArms {
  /** Each model's result, in the models' order. */
  results: BatchResult[];
  /**
   * Wall seconds spent on each model: its own step when the models were stepped one after the other,
   * the whole step when they ran at the same time.
   */
  seconds: number[];
  /** How many models ran at the same time (1: one after the other). */
  threads: number;
}

/**
 * The backend a run trains on, as an object the trainer is handed (never a module-level setting): it
 * builds the models and steps them. Two engines can live in one process side by side.
 */
export interface Engine extends BackendChoice {
  /** A model on this engine, from a copy of `initial`: a paired run is one call per arm from one set of initial weights. */
  createModel(spec: ModelSpec, initial: InitialWeights, optimizer: OptimizerSpec): Model;
  /**
   * One training step of every model on the same batch, model i on batch.targets[i]. The models are
   * independent: stepping them together or one by one gives each the same arithmetic, bit for bit.
   * `threads` is how many may run at the same time; an engine that cannot steps them one by one.
   */
  trainArms(models: Model[], batch: SharedBatch, options: { threads: number }): TrainedArms;
  /** The BLAS threads of an engine built on a BLAS library (native): recorded with each run, since they change results. */
  blasThreads?(): number;
}

/** Model i's own view of a shared batch. */
export function armBatch(batch: SharedBatch, i: number): Batch {
  const { x, size, dropoutMasks } = batch;
  return { x, size, targets: batch.targets[i]!, ...(dropoutMasks ? { dropoutMasks } : {}) };
}

/** Steps the models one after the other, each timed on its own. */
export function trainOneByOne(models: Model[], batch: SharedBatch): TrainedArms {
  const seconds: number[] = [];
  const results = models.map((model, i) => {
    const started = performance.now();
    const result = model.trainBatch(armBatch(batch, i));
    seconds.push((performance.now() - started) / 1000);
    return result;
  });
  return { results, seconds, threads: 1 };
}
