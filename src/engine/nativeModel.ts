import { PREDICT_CHUNK_ROWS } from './mlpSpec';
import { trainOneByOne, type BackendChoice, type Engine, type SharedBatch, type TrainedArms } from './engine';
import type { Batch, BatchResult, Model, ModelState, OptimizerSpec } from './model';
import { weightsDigest, type InitialWeights, type MlpSpec, layerSizes } from './initialWeights';
import { ACTIVATION_CODES, OPTIMIZER_CODES, type NativeAddon, type NativeMlpHandle } from './nativeAddon';

const PREDICT_CHUNK = PREDICT_CHUNK_ROWS;

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

/**
 * The native engine's Model: the MLP, its gradients and its optimizer state live in C (one contiguous
 * parameter buffer) behind the handle this object carries, and a training step is one call. The
 * initial weights are copied in, so arms never share a buffer.
 */
export class NativeModel implements Model {
  private handle: NativeMlpHandle | undefined;
  /** Parameters in all layers: the length of the C side's parameter and optimizer-slot buffers. */
  private readonly total: number;
  /** Optimizer steps taken (the C side keeps β powers, not a count): recorded in checkpoints for the record. */
  private steps = 0;

  constructor(
    private readonly addon: NativeAddon,
    private readonly spec: MlpSpec,
    private readonly initial: InitialWeights,
    optimizerSpec: OptimizerSpec,
  ) {
    this.total = initial.values.reduce((n, v) => n + v.length, 0);
    this.handle = addon.createMlp(
      Int32Array.from(layerSizes(spec)),
      ACTIVATION_CODES[spec.activation],
      OPTIMIZER_CODES[optimizerSpec.optimizer],
      optimizerSpec.learningRate,
      optimizerSpec.momentum,
      spec.dropout > 0 ? 1 / (1 - spec.dropout) : 1,
      this.joined(initial.values),
    );
  }

  /** The C handle for one step taken outside trainBatch (several models in one call), counted as a step. */
  handleForStep(): NativeMlpHandle {
    const handle = this.live();
    this.steps++;
    return handle;
  }

  trainBatch(batch: Batch): BatchResult {
    const logProbs = new Float32Array(batch.size * this.spec.numClasses);
    const loss = this.addon.trainStep(this.handleForStep(), batch.size, batch.x, batch.targets, batch.dropoutMasks ?? null, logProbs);
    return { loss, logProbs };
  }

  predictLogProbs(x: Float32Array, count: number): Float32Array {
    const { numFeatures, numClasses } = this.spec;
    const out = new Float32Array(count * numClasses);
    for (let start = 0; start < count; start += PREDICT_CHUNK) {
      const n = Math.min(PREDICT_CHUNK, count - start);
      this.addon.predictLogProbs(
        this.live(),
        n,
        x.subarray(start * numFeatures, (start + n) * numFeatures),
        out.subarray(start * numClasses, (start + n) * numClasses),
      );
    }
    return out;
  }

  readWeights(): Float32Array[] {
    const all = new Float32Array(this.total);
    this.addon.readParams(this.live(), all);
    return this.split(all);
  }

  weightsDigest(): string {
    return weightsDigest(this.readWeights());
  }

  weightsFinite(): boolean {
    const all = new Float32Array(this.total);
    this.addon.readParams(this.live(), all);
    return all.every(Number.isFinite);
  }

  async snapshot(): Promise<ModelState> {
    const { total } = this;
    const params = new Float32Array(total);
    const m = new Float32Array(total);
    const v = new Float32Array(total);
    const betaPowers = this.addon.readState(this.live(), params, m, v);
    return {
      weights: this.split(params),
      optimizerSlots: [{ name: 'native/m', shape: [total], values: m }, { name: 'native/v', shape: [total], values: v }],
      iterations: this.steps,
      betaPowers,
    };
  }

  async restore(state: ModelState): Promise<void> {
    const { total } = this;
    const [m, v] = state.optimizerSlots;
    if (state.weights.length !== this.initial.values.length || !m || !v || m.name !== 'native/m' || m.values.length !== total || v.values.length !== total) {
      throw new Error('checkpoint was not written by the native backend for this model: its state cannot be restored here');
    }
    const count = state.weights.reduce((n, w) => n + w.length, 0);
    if (count !== total) throw new Error(`checkpoint has ${count} weights, the model ${total}`);
    this.addon.writeState(this.live(), this.joined(state.weights), m.values, v.values, state.betaPowers[0]!, state.betaPowers[1]!);
    this.steps = state.iterations;
  }

  dispose(): void {
    if (this.handle) this.addon.disposeMlp(this.handle);
    this.handle = undefined;
  }

  private live(): NativeMlpHandle {
    if (!this.handle) throw new Error('native model used after dispose()');
    return this.handle;
  }

  /** Per-layer arrays as the one contiguous buffer the C side keeps. */
  private joined(values: Float32Array[]): Float32Array {
    const all = new Float32Array(values.reduce((n, v) => n + v.length, 0));
    let at = 0;
    for (const v of values) {
      all.set(v, at);
      at += v.length;
    }
    return all;
  }

  /** The contiguous buffer cut back into the layers' arrays (copies). */
  private split(all: Float32Array): Float32Array[] {
    let at = 0;
    return this.initial.values.map((v) => all.slice(at, (at += v.length)));
  }
}
