import type { MlpSpec, InitialWeights } from './initialWeights';
import { weightsDigest } from './initialWeights';
import { selectedNativeAddon } from './backend';
import { smoothedCrossEntropy } from './loss';
import { createNativeModel } from './nativeModel';
import type { Model, OptimizerSpec } from './model';
import { tf, type Tensor, type Variable } from './tf';

/** Adam keeps β1^t and β2^t as private variables; they are part of its state. */
interface AdamInternals {
  accBeta1?: Variable;
  accBeta2?: Variable;
}

const PREDICT_CHUNK = 4096;

/**
 * Builds a model from a copy of `initial`, on the selected backend (TensorFlow.js, or ls-bench's native one). Nothing is built at import: a paired run is two (or more)
 * calls from one set of initial weights.
 */
export function createModel(spec: MlpSpec, initial: InitialWeights, optimizerSpec: OptimizerSpec): Model {
  const native = selectedNativeAddon();
  if (native) return createNativeModel(native, spec, initial, optimizerSpec);
  const variables: Variable[] = initial.values.map((values, i) =>
    // slice(): the variable owns its own buffer, never shared with another arm; tidy disposes the
    // initial tensor (the variable keeps its data alive).
    tf.tidy(() => tf.variable(tf.tensor(values.slice(), initial.shapes[i]!, 'float32'), true)),
  );
  const optimizer =
    optimizerSpec.optimizer === 'adam'
      ? tf.train.adam(optimizerSpec.learningRate)
      : tf.train.momentum(optimizerSpec.learningRate, optimizerSpec.momentum);
  const numLayers = variables.length / 2;
  const keepScale = spec.dropout > 0 ? 1 / (1 - spec.dropout) : 1;

  const activate = (h: Tensor): Tensor => {
    switch (spec.activation) {
      case 'relu':
        return tf.relu(h);
      case 'tanh':
        return tf.tanh(h);
      case 'sigmoid':
        return tf.sigmoid(h);
      case 'elu':
        return tf.elu(h);
    }
  };

  const forward = (x: Tensor, masks?: Tensor[]): Tensor => {
    let h = x;
    for (let l = 0; l < numLayers; l++) {
      h = tf.add(tf.matMul(h, variables[2 * l]!), variables[2 * l + 1]!);
      if (l < numLayers - 1) {
        h = activate(h);
        // Inverted dropout with masks drawn by the trainer, identical for every arm.
        if (masks) h = tf.mul(h, tf.mul(masks[l]!, keepScale));
      }
    }
    return h;
  };

  return {
    trainBatch(batch) {
      const { size } = batch;
      const x = tf.tensor2d(batch.x, [size, spec.numFeatures]);
      const targets = tf.tensor2d(batch.targets, [size, spec.numClasses]);
      const masks = batch.dropoutMasks?.map((m, l) => tf.tensor2d(m, [size, spec.hidden[l]!]));
      let logProbs: Tensor | undefined;
      const cost = optimizer.minimize(
        () => {
          const logits = forward(x, masks);
          logProbs = tf.keep(tf.logSoftmax(logits));
          return smoothedCrossEntropy(logits, targets) as tf.Scalar;
        },
        true,
        variables,
      );
      const loss = cost!.dataSync()[0]!;
      const lp = logProbs!.dataSync() as Float32Array;
      tf.dispose([x, targets, cost!, logProbs!, ...(masks ?? [])]);
      return { loss, logProbs: lp };
    },

    predictLogProbs(xAll, count) {
      const out = new Float32Array(count * spec.numClasses);
      for (let start = 0; start < count; start += PREDICT_CHUNK) {
        const n = Math.min(PREDICT_CHUNK, count - start);
        const values = tf.tidy(() => {
          const x = tf.tensor2d(xAll.subarray(start * spec.numFeatures, (start + n) * spec.numFeatures), [n, spec.numFeatures]);
          return tf.logSoftmax(forward(x));
        });
        out.set(values.dataSync(), start * spec.numClasses);
        values.dispose();
      }
      return out;
    },

    readWeights() {
      return variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
    },

    weightsDigest() {
      return weightsDigest(this.readWeights());
    },

    weightsFinite() {
      return variables.every((v) => (v.dataSync() as Float32Array).every(Number.isFinite));
    },

    async snapshot() {
      const named = await optimizer.getWeights();
      const [iterationsTensor, ...slots] = named;
      const iterations = iterationsTensor!.tensor.dataSync()[0]!;
      iterationsTensor!.tensor.dispose();
      const internals = optimizer as unknown as AdamInternals;
      const betaPowers = optimizerSpec.optimizer === 'adam' ? [adamBetaPower(internals.accBeta1), adamBetaPower(internals.accBeta2)] : [];
      return {
        weights: this.readWeights(),
        optimizerSlots: slots.map((s) => ({ name: s.name, shape: s.tensor.shape.slice(), values: Float32Array.from(s.tensor.dataSync() as Float32Array) })),
        iterations,
        betaPowers,
      };
    },

    async restore(state) {
      if (state.weights.length !== variables.length) throw new Error(`checkpoint has ${state.weights.length} weight tensors, the model ${variables.length}`);
      variables.forEach((v, i) => {
        if (state.weights[i]!.length !== v.size) throw new Error(`checkpoint weight ${i} has ${state.weights[i]!.length} values, expected ${v.size}`);
        tf.tidy(() => v.assign(tf.tensor(state.weights[i]!.slice(), v.shape, 'float32')));
      });
      const tensors = [
        { name: 'iter', tensor: tf.scalar(state.iterations, 'int32') },
        ...state.optimizerSlots.map((s) => ({ name: s.name, tensor: tf.tensor(s.values.slice(), s.shape, 'float32') })),
      ];
      // setWeights replaces the slot variables without disposing the old ones (none in a fresh optimizer)
      const previous = await optimizer.getWeights();
      tf.dispose(previous.map((w) => w.tensor));
      await optimizer.setWeights(tensors);
      tf.dispose(tensors.map((t) => t.tensor));
      if (optimizerSpec.optimizer === 'adam') {
        const internals = optimizer as unknown as AdamInternals;
        tf.tidy(() => {
          internals.accBeta1!.assign(tf.scalar(state.betaPowers[0]!));
          internals.accBeta2!.assign(tf.scalar(state.betaPowers[1]!));
        });
      }
    },

    dispose() {
      optimizer.dispose();
      tf.dispose(variables);
    },
  };
}

function adamBetaPower(variable: Variable | undefined): number {
  if (!variable) throw new Error('this TensorFlow.js Adam optimizer keeps no accBeta1/accBeta2: its state cannot be checkpointed');
  return variable.dataSync()[0]!;
}
