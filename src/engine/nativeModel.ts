import type { BatchResult, Model, OptimizerSpec } from './model';
import { weightsDigest, type InitialWeights, type MlpSpec, layerSizes } from './initialWeights';
import { ACTIVATION_CODES, OPTIMIZER_CODES, type NativeAddon, type NativeMlpHandle } from './nativeAddon';

const PREDICT_CHUNK = 4096;

/** The C handle behind each native model, for stepping several of them at once. */
const nativeHandles = new WeakMap<Model, { addon: NativeAddon; handle: () => NativeMlpHandle; countStep: () => void }>();

/** One batch shared by every arm: the same rows and dropout masks, each arm's own targets. */
export interface SharedBatch {
  x: Float32Array;
  size: number;
  /** One [size × numClasses] target array per model, in the models' order. */
  targets: Float32Array[];
  dropoutMasks?: Float32Array[];
}

/**
 * When every model is a native one: a function that steps them all on one batch, up to `threads` of
 * them at the same time on their own threads (results identical to stepping them one by one).
 * Otherwise undefined.
 */
export function nativeParallelStep(models: Model[], threads: number): ((batch: SharedBatch) => BatchResult[]) | undefined {
  const entries = models.map((m) => nativeHandles.get(m));
  if (entries.length === 0 || entries.some((e) => !e)) return undefined;
  const { addon } = entries[0]!;
  return (batch) => {
    const numClasses = batch.targets[0]!.length / batch.size;
    const logProbs = models.map(() => new Float32Array(batch.size * numClasses));
    for (const e of entries) e!.countStep();
    const losses = addon.trainSteps(
      entries.map((e) => e!.handle()),
      batch.size,
      batch.x,
      batch.targets,
      batch.dropoutMasks ?? null,
      logProbs,
      threads,
    );
    return losses.map((loss, a) => ({ loss, logProbs: logProbs[a]! }));
  };
}

/**
 * The Model of createModel.ts on the native backend: the MLP, its gradients and its optimizer state
 * live in C (one contiguous parameter buffer), and a training step is one call. The initial weights are
 * copied in, so arms never share a buffer.
 */
export function createNativeModel(addon: NativeAddon, spec: MlpSpec, initial: InitialWeights, optimizerSpec: OptimizerSpec): Model {
  const sizes = Int32Array.from(layerSizes(spec));
  const total = initial.values.reduce((n, v) => n + v.length, 0);
  const packed = new Float32Array(total);
  let offset = 0;
  for (const v of initial.values) {
    packed.set(v, offset);
    offset += v.length;
  }
  const keepScale = spec.dropout > 0 ? 1 / (1 - spec.dropout) : 1;
  let handle: ReturnType<NativeAddon['createMlp']> | undefined = addon.createMlp(
    sizes,
    ACTIVATION_CODES[spec.activation],
    OPTIMIZER_CODES[optimizerSpec.optimizer],
    optimizerSpec.learningRate,
    optimizerSpec.momentum,
    keepScale,
    packed,
  );
  // Optimizer steps taken (the C side keeps β powers, not a count): recorded in checkpoints for the record.
  let steps = 0;
  const live = () => {
    if (!handle) throw new Error('native model used after dispose()');
    return handle;
  };

  const model: Model = {
    trainBatch(batch) {
      const logProbs = new Float32Array(batch.size * spec.numClasses);
      steps++;
      const loss = addon.trainStep(live(), batch.size, batch.x, batch.targets, batch.dropoutMasks ?? null, logProbs);
      return { loss, logProbs };
    },

    predictLogProbs(x, count) {
      const out = new Float32Array(count * spec.numClasses);
      for (let start = 0; start < count; start += PREDICT_CHUNK) {
        const n = Math.min(PREDICT_CHUNK, count - start);
        addon.predictLogProbs(
          live(),
          n,
          x.subarray(start * spec.numFeatures, (start + n) * spec.numFeatures),
          out.subarray(start * spec.numClasses, (start + n) * spec.numClasses),
        );
      }
      return out;
    },

    readWeights() {
      const all = new Float32Array(total);
      addon.readParams(live(), all);
      let at = 0;
      return initial.values.map((v) => {
        const part = all.slice(at, at + v.length);
        at += v.length;
        return part;
      });
    },

    weightsDigest() {
      return weightsDigest(this.readWeights());
    },

    weightsFinite() {
      const all = new Float32Array(total);
      addon.readParams(live(), all);
      return all.every(Number.isFinite);
    },

    async snapshot() {
      const params = new Float32Array(total);
      const m = new Float32Array(total);
      const v = new Float32Array(total);
      const betaPowers = addon.readState(live(), params, m, v);
      let at = 0;
      const weights = initial.values.map((w) => params.slice(at, (at += w.length)));
      return { weights, optimizerSlots: [{ name: 'native/m', shape: [total], values: m }, { name: 'native/v', shape: [total], values: v }], iterations: steps, betaPowers };
    },

    async restore(state) {
      const [m, v] = state.optimizerSlots;
      if (state.weights.length !== initial.values.length || !m || !v || m.name !== 'native/m' || m.values.length !== total || v.values.length !== total) {
        throw new Error('checkpoint was not written by the native backend for this model: its state cannot be restored here');
      }
      const params = new Float32Array(total);
      let at = 0;
      state.weights.forEach((w) => {
        params.set(w, at);
        at += w.length;
      });
      if (at !== total) throw new Error(`checkpoint has ${at} weights, the model ${total}`);
      addon.writeState(live(), params, m.values, v.values, state.betaPowers[0]!, state.betaPowers[1]!);
      steps = state.iterations;
    },

    dispose() {
      if (handle) addon.disposeMlp(handle);
      handle = undefined;
    },
  };
  nativeHandles.set(model, { addon, handle: live, countStep: () => steps++ });
  return model;
}
