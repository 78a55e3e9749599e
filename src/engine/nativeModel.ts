import { trainOneByOne, type BackendChoice, type Engine, type SharedBatch, type TrainedArms } from './engine';
import { weightsDigest, type InitialWeights } from './initialWeights';
import type { Batch, BatchResult, Model, ModelState, OptimizerSpec, Prediction } from './model';
import { predictionChunk } from './modelSize';
import { elementCount, weightTensors, type LayerSpec, type ModelSpec, type WeightTensor } from './modelSpec';
import {
  ACTIVATION_CODES,
  LAYER_CODES,
  NO_ACTIVATION,
  OPTIMIZER_CODES,
  WEIGHT_DECAY_CODES,
  type NativeAddon,
  type NativeNetworkHandle,
} from './nativeAddon';

/**
 * ls-bench's native engine: its models live in C, and with threads to spare it steps several of them at
 * the same time, one thread each (results identical to stepping them one by one).
 */
export function nativeEngine(addon: NativeAddon, choice: BackendChoice): Engine {
  return {
    ...choice,
    createModel: (spec, initial, optimizer) => new NativeModel(addon, spec, initial, optimizer),
    trainArms(models, batch, { threads }) {
      if (threads < 2 || models.length < 2) return trainOneByOne(models, batch);
      return trainTogether(addon, models, batch, Math.min(threads, models.length));
    },
    blasThreads: () => addon.blasThreads(),
  };
}

/** One step of every model in one addon call, up to `threads` of them at the same time on their own threads. */
function trainTogether(addon: NativeAddon, models: Model[], batch: SharedBatch, threads: number): TrainedArms {
  const handles = models.map((model) => {
    if (!(model instanceof NativeModel)) throw new Error('the native engine steps only its own models together: this one was not built by it');
    return model.handleForStep();
  });
  const logProbs = models.map((_, i) => new Float32Array(batch.targets[i]!.length));
  const started = performance.now();
  const losses = addon.trainSteps(handles, batch.size, batch.x, batch.targets, batch.dropoutMasks ?? null, logProbs, threads);
  const seconds = (performance.now() - started) / 1000;
  return { results: losses.map((loss, i) => ({ loss, logProbs: logProbs[i]! })), seconds: models.map(() => seconds), threads };
}

/** A layer as native/network.h's record: [type, units|filters|size, kernel, stride, same, activation, rate|momentum, epsilon]. */
export function layerRecord(layer: LayerSpec): number[] {
  const act = (a: keyof typeof ACTIVATION_CODES | null) => (a ? ACTIVATION_CODES[a] : NO_ACTIVATION);
  const type = LAYER_CODES[layer.kind];
  switch (layer.kind) {
    case 'dense':
      return [type, layer.units, 0, 0, 0, act(layer.activation), 0, 0];
    case 'conv':
      return [type, layer.filters, layer.kernel, layer.stride, layer.padding === 'same' ? 1 : 0, act(layer.activation), 0, 0];
    case 'maxPool':
    case 'avgPool':
      return [type, layer.size, 0, layer.stride, layer.padding === 'same' ? 1 : 0, NO_ACTIVATION, 0, 0];
    case 'dropout':
      return [type, 0, 0, 0, 0, NO_ACTIVATION, layer.rate, 0];
    case 'batchNorm':
      return [type, 0, 0, 0, 0, NO_ACTIVATION, layer.momentum, layer.epsilon];
    case 'activation':
      return [type, 0, 0, 0, 0, act(layer.activation), 0, 0];
    case 'flatten':
      return [type, 0, 0, 0, 0, NO_ACTIVATION, 0, 0];
  }
}

/**
 * The native engine's Model: the network, its gradients and its optimizer state live in C (one
 * contiguous buffer of trainable parameters, one of batch-norm statistics) behind the handle this object
 * carries, and a training step is one call. The initial weights are copied in, so arms never share a buffer.
 */
export class NativeModel implements Model {
  private handle: NativeNetworkHandle | undefined;
  private readonly tensors: WeightTensor[];
  /** Values in the C side's parameter buffer (and each optimizer slot), and in its statistics buffer. */
  private readonly paramCount: number;
  private readonly statCount: number;
  /** Optimizer steps taken (the C side keeps β powers, not a count): recorded in checkpoints for the record. */
  private steps = 0;

  constructor(
    private readonly addon: NativeAddon,
    private readonly spec: ModelSpec,
    initial: InitialWeights,
    optimizerSpec: OptimizerSpec,
  ) {
    this.tensors = weightTensors(spec);
    this.paramCount = this.tensors.filter((t) => t.trainable).reduce((n, t) => n + elementCount(t.shape), 0);
    this.statCount = this.tensors.filter((t) => !t.trainable).reduce((n, t) => n + elementCount(t.shape), 0);
    const { params, stats } = this.joined(initial.values);
    const { optimizer, learningRate, momentum, weightDecay, weightDecayMode } = optimizerSpec;
    this.handle = addon.createNetwork(
      Int32Array.from(spec.input.length === 3 ? spec.input : [1, 1, spec.numFeatures]),
      Float64Array.from(spec.layers.flatMap(({ layer }) => layerRecord(layer))),
      Float64Array.from([OPTIMIZER_CODES[optimizer], learningRate, momentum, weightDecay, WEIGHT_DECAY_CODES[weightDecayMode], 1 - learningRate * weightDecay]),
      params,
      stats,
    );
  }

  /** The C handle for one step taken outside trainBatch (several models in one call), counted as a step. */
  handleForStep(): NativeNetworkHandle {
    const handle = this.live();
    this.steps++;
    return handle;
  }

  trainBatch(batch: Batch): BatchResult {
    const logProbs = new Float32Array(batch.size * this.spec.numClasses);
    const loss = this.addon.trainStep(this.handleForStep(), batch.size, batch.x, batch.targets, batch.dropoutMasks ?? null, logProbs);
    return { loss, logProbs };
  }

  predict(x: Float32Array, count: number, options: { penultimate?: boolean } = {}): Prediction {
    const { numFeatures, numClasses } = this.spec;
    const width = elementCount(this.spec.layers[this.spec.layers.length - 1]!.inShape);
    const logProbs = new Float32Array(count * numClasses);
    const penultimate = options.penultimate ? new Float32Array(count * width) : undefined;
    const chunk = predictionChunk(this.spec);
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      this.addon.predict(
        this.live(),
        n,
        x.subarray(start * numFeatures, (start + n) * numFeatures),
        logProbs.subarray(start * numClasses, (start + n) * numClasses),
        penultimate ? penultimate.subarray(start * width, (start + n) * width) : null,
      );
    }
    return { logProbs, ...(penultimate ? { penultimate } : {}) };
  }

  readWeights(): Float32Array[] {
    const params = new Float32Array(this.paramCount);
    const stats = new Float32Array(this.statCount);
    this.addon.readState(this.live(), params, stats, null, null);
    return this.split(params, stats);
  }

  weightsDigest(): string {
    return weightsDigest(this.readWeights());
  }

  weightsFinite(): boolean {
    return this.readWeights().every((w) => w.every(Number.isFinite));
  }

  /** Seconds per layer (forward, backward) and of the update since the last call: where a step's time goes (npm run bench). */
  layerSeconds(): Float64Array {
    return this.addon.layerSeconds(this.live());
  }

  async snapshot(): Promise<ModelState> {
    const { paramCount } = this;
    const params = new Float32Array(paramCount);
    const stats = new Float32Array(this.statCount);
    const m = new Float32Array(paramCount);
    const v = new Float32Array(paramCount);
    const betaPowers = this.addon.readState(this.live(), params, stats, m, v);
    return {
      weights: this.split(params, stats),
      optimizerSlots: [{ name: 'native/m', shape: [paramCount], values: m }, { name: 'native/v', shape: [paramCount], values: v }],
      iterations: this.steps,
      betaPowers,
    };
  }

  async restore(state: ModelState): Promise<void> {
    const { paramCount } = this;
    const [m, v] = state.optimizerSlots;
    if (state.weights.length !== this.tensors.length || !m || !v || m.name !== 'native/m' || m.values.length !== paramCount || v.values.length !== paramCount) {
      throw new Error('checkpoint was not written by the native backend for this model: its state cannot be restored here');
    }
    state.weights.forEach((w, i) => {
      if (w.length !== elementCount(this.tensors[i]!.shape)) throw new Error(`checkpoint weight ${i} has ${w.length} values, expected ${elementCount(this.tensors[i]!.shape)}`);
    });
    const { params, stats } = this.joined(state.weights);
    this.addon.writeState(this.live(), params, stats, m.values, v.values, state.betaPowers[0] ?? 0.9, state.betaPowers[1] ?? 0.999);
    this.steps = state.iterations;
  }

  dispose(): void {
    if (this.handle) this.addon.disposeNetwork(this.handle);
    this.handle = undefined;
  }

  private live(): NativeNetworkHandle {
    if (!this.handle) throw new Error('native model used after dispose()');
    return this.handle;
  }

  /** Per-tensor arrays as the C side keeps them: trainable ones in one buffer, batch-norm statistics in another. */
  private joined(values: Float32Array[]): { params: Float32Array; stats: Float32Array } {
    const params = new Float32Array(this.paramCount);
    const stats = new Float32Array(this.statCount);
    let p = 0;
    let s = 0;
    values.forEach((v, i) => {
      if (this.tensors[i]!.trainable) (params.set(v, p), (p += v.length));
      else (stats.set(v, s), (s += v.length));
    });
    return { params, stats };
  }

  /** The two buffers cut back into the tensors' arrays (copies). */
  private split(params: Float32Array, stats: Float32Array): Float32Array[] {
    let p = 0;
    let s = 0;
    return this.tensors.map((t) => {
      const n = elementCount(t.shape);
      return t.trainable ? params.slice(p, (p += n)) : stats.slice(s, (s += n));
    });
  }
}
