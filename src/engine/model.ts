/**
 * What the paired trainer needs of a model, whatever the backend: one training step on a batch, predictions,
 * its weights and its full state for checkpoints.
 */

export interface OptimizerSpec {
  optimizer: 'adam' | 'sgd';
  learningRate: number;
  momentum: number;
}

/** One batch: rows of features, their smoothed targets, and the dropout keep-masks of each hidden layer. */
export interface Batch {
  x: Float32Array;
  /** [size × numClasses] target distributions. */
  targets: Float32Array;
  size: number;
  /** One [size × hidden_l] 0/1 mask per hidden layer, or undefined without dropout. */
  dropoutMasks?: Float32Array[];
}

export interface BatchResult {
  /** The arm's own objective (smoothed cross-entropy) on this batch, before the update. */
  loss: number;
  /** Log-probabilities on this batch before the update, [size × numClasses]. */
  logProbs: Float32Array;
}

/**
 * Everything needed to continue training exactly where it stopped: weights, optimizer slots and step
 * count, and Adam's running β powers (restored as saved, not recomputed, so a resumed run is bit-identical).
 */
export interface ModelState {
  weights: Float32Array[];
  optimizerSlots: { name: string; shape: number[]; values: Float32Array }[];
  iterations: number;
  betaPowers: number[];
}

/** An MLP and its optimizer, behind the small interface the paired trainer needs. */
export interface Model {
  trainBatch(batch: Batch): BatchResult;
  /** log-softmax of the logits for `count` rows of `x`, row-major; no dropout. */
  predictLogProbs(x: Float32Array, count: number): Float32Array;
  /** The current weights, copied out (kernels and biases in layer order). */
  readWeights(): Float32Array[];
  /** sha256 of the current weights. */
  weightsDigest(): string;
  /** True when every weight is finite. */
  weightsFinite(): boolean;
  snapshot(): Promise<ModelState>;
  restore(state: ModelState): Promise<void>;
  dispose(): void;
}
