import type { Model, OptimizerSpec } from './createModel';
import { weightsDigest, type InitialWeights, type MlpSpec, layerSizes } from './initialWeights';
import { ACTIVATION_CODES, OPTIMIZER_CODES, type NativeAddon } from './nativeAddon';

const PREDICT_CHUNK = 4096;

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
  const live = () => {
    if (!handle) throw new Error('native model used after dispose()');
    return handle;
  };

  return {
    trainBatch(batch) {
      const logProbs = new Float32Array(batch.size * spec.numClasses);
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

    dispose() {
      if (handle) addon.disposeMlp(handle);
      handle = undefined;
    },
  };
}
