/**
 * What the paired trainer needs of a model, whatever the backend: one training step on a batch, predictions,
 * its weights and its full state for checkpoints.
 */

export interface OptimizerSpec {
  optimizer: 'adam' | 'sgd';
  learningRate: number;
  momentum: number;
  /** Decay of the dense and conv kernels (0: none); see weightDecayMode. */
  weightDecay: number;
  /** l2: weightDecay·w added to the gradient; decoupled: w ← w·(1 − learningRate·weightDecay) before the update (AdamW). */
  weightDecayMode: 'l2' | 'decoupled';
}

/** One batch: rows of features, their smoothed targets, and the dropout keep-masks of each dropout layer. */
export interface Batch {
  x: Float32Array;
  /** [size × numClasses] target distributions. */
  targets: Float32Array;
  size: number;
  /** One [size × the layer's input size] 0/1 mask per dropout layer, or undefined without dropout. */
  dropoutMasks?: Float32Array[];
}

export interface BatchResult {
  /** The arm's own objective (smoothed cross-entropy) on this batch, before the update. */
  loss: number;
  /** Log-probabilities on this batch before the update, [size × numClasses]. */
  logProbs: Float32Array;
}

/** A model's inference on some rows: no dropout, batch norms on their running statistics. */
export interface Prediction {
  /** log-softmax of the logits, [count × numClasses] row-major. */
  logProbs: Float32Array;
  /**
   * The activations of the last hidden layer (the input of the output layer), [count × its width], when
   * asked for: what a penultimate-layer projection plots.
   */
  penultimate?: Float32Array;
}

/**
 * Everything needed to continue training exactly where it stopped: weights (batch norms' running
 * statistics included), optimizer slots and step count, and Adam's running β powers (restored as saved,
 * not recomputed, so a resumed run is bit-identical).
 */
export interface ModelState {
  weights: Float32Array[];
  optimizerSlots: { name: string; shape: number[]; values: Float32Array }[];
  iterations: number;
  betaPowers: number[];
}

/** A model and its optimizer, behind the small interface the paired trainer needs. */
export interface Model {
  trainBatch(batch: Batch): BatchResult;
  /** Inference on `count` rows of `x` (row-major samples). */
  predict(x: Float32Array, count: number, options?: { penultimate?: boolean }): Prediction;
  /** The current weights, copied out, in weightTensors' order. */
  readWeights(): Float32Array[];
  /** sha256 of the current weights. */
  weightsDigest(): string;
  /** True when every weight is finite. */
  weightsFinite(): boolean;
  snapshot(): Promise<ModelState>;
  restore(state: ModelState): Promise<void>;
  dispose(): void;
}
