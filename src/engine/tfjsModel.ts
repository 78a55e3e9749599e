import { PREDICT_CHUNK_ROWS } from './mlpSpec';
import type { MlpSpec, InitialWeights } from './initialWeights';
import { weightsDigest } from './initialWeights';
import { trainOneByOne, type BackendChoice, type Engine } from './engine';
import { smoothedCrossEntropy } from './loss';
import type { Batch, BatchResult, Model, ModelState, OptimizerSpec } from './model';
import { tf, type Tensor, type Variable } from './tf';

/** Adam keeps β1^t and β2^t as private variables; they are part of its state. */
interface AdamInternals {
  accBeta1?: Variable;
  accBeta2?: Variable;
}

const PREDICT_CHUNK = PREDICT_CHUNK_ROWS;

/**
 * The engine of a TensorFlow.js backend (tensorflow, wasm or cpu). TensorFlow.js has one active backend
 * per process, so its models are built on the backend that is active when createModel runs: that must be
 * this engine's, or the variables would silently live on another one.
 */
export function tfjsEngine(choice: BackendChoice): Engine {
  return {
    ...choice,
    createModel(spec, initial, optimizer) {
      const active = tf.getBackend();
      if (active !== choice.name) {
        throw new Error(`the ${choice.name} engine cannot build a model: TensorFlow.js has since been switched to its ${active} backend (select ${choice.name} again)`);
      }
      return new TfjsModel(spec, initial, optimizer);
    },
    // TensorFlow.js runs one op at a time on its backend: the arms take turns.
    trainArms: (models, batch) => trainOneByOne(models, batch),
  };
}

/** An MLP and its optimizer as TensorFlow.js variables; the initial weights are copied in, so arms never share a buffer. */
export class TfjsModel implements Model {
  private readonly variables: Variable[];
  private readonly optimizer: tf.Optimizer;
  private readonly keepScale: number;

  constructor(
    private readonly spec: MlpSpec,
    initial: InitialWeights,
    private readonly optimizerSpec: OptimizerSpec,
  ) {
    this.variables = initial.values.map((values, i) =>
      // slice(): the variable owns its own buffer, never shared with another arm; tidy disposes the
      // initial tensor (the variable keeps its data alive).
      tf.tidy(() => tf.variable(tf.tensor(values.slice(), initial.shapes[i]!, 'float32'), true)),
    );
    this.optimizer =
      optimizerSpec.optimizer === 'adam' ? tf.train.adam(optimizerSpec.learningRate) : tf.train.momentum(optimizerSpec.learningRate, optimizerSpec.momentum);
    this.keepScale = spec.dropout > 0 ? 1 / (1 - spec.dropout) : 1;
  }

  trainBatch(batch: Batch): BatchResult {
    const { spec } = this;
    const { size } = batch;
    const x = tf.tensor2d(batch.x, [size, spec.numFeatures]);
    const targets = tf.tensor2d(batch.targets, [size, spec.numClasses]);
    const masks = batch.dropoutMasks?.map((m, l) => tf.tensor2d(m, [size, spec.hidden[l]!]));
    let logProbs: Tensor | undefined;
    const cost = this.optimizer.minimize(
      () => {
        const logits = this.forward(x, masks);
        logProbs = tf.keep(tf.logSoftmax(logits));
        return smoothedCrossEntropy(logits, targets) as tf.Scalar;
      },
      true,
      this.variables,
    );
    const loss = cost!.dataSync()[0]!;
    const lp = logProbs!.dataSync() as Float32Array;
    tf.dispose([x, targets, cost!, logProbs!, ...(masks ?? [])]);
    return { loss, logProbs: lp };
  }

  predictLogProbs(xAll: Float32Array, count: number): Float32Array {
    const { numFeatures, numClasses } = this.spec;
    const out = new Float32Array(count * numClasses);
    for (let start = 0; start < count; start += PREDICT_CHUNK) {
      const n = Math.min(PREDICT_CHUNK, count - start);
      const values = tf.tidy(() => {
        const x = tf.tensor2d(xAll.subarray(start * numFeatures, (start + n) * numFeatures), [n, numFeatures]);
        return tf.logSoftmax(this.forward(x));
      });
      out.set(values.dataSync(), start * numClasses);
      values.dispose();
    }
    return out;
  }

  readWeights(): Float32Array[] {
    return this.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  }

  weightsDigest(): string {
    return weightsDigest(this.readWeights());
  }

  weightsFinite(): boolean {
    return this.variables.every((v) => (v.dataSync() as Float32Array).every(Number.isFinite));
  }

  async snapshot(): Promise<ModelState> {
    const [iterationsTensor, ...slots] = await this.optimizer.getWeights();
    const iterations = iterationsTensor!.tensor.dataSync()[0]!;
    iterationsTensor!.tensor.dispose();
    const internals = this.optimizer as unknown as AdamInternals;
    const betaPowers = this.optimizerSpec.optimizer === 'adam' ? [adamBetaPower(internals.accBeta1), adamBetaPower(internals.accBeta2)] : [];
    return {
      weights: this.readWeights(),
      optimizerSlots: slots.map((s) => ({ name: s.name, shape: s.tensor.shape.slice(), values: Float32Array.from(s.tensor.dataSync() as Float32Array) })),
      iterations,
      betaPowers,
    };
  }

  async restore(state: ModelState): Promise<void> {
    const { variables, optimizer } = this;
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
    if (this.optimizerSpec.optimizer === 'adam') {
      const internals = optimizer as unknown as AdamInternals;
      tf.tidy(() => {
        internals.accBeta1!.assign(tf.scalar(state.betaPowers[0]!));
        internals.accBeta2!.assign(tf.scalar(state.betaPowers[1]!));
      });
    }
  }

  dispose(): void {
    this.optimizer.dispose();
    tf.dispose(this.variables);
  }

  private forward(x: Tensor, masks?: Tensor[]): Tensor {
    const { variables, keepScale } = this;
    const numLayers = variables.length / 2;
    let h = x;
    for (let l = 0; l < numLayers; l++) {
      h = tf.add(tf.matMul(h, variables[2 * l]!), variables[2 * l + 1]!);
      if (l < numLayers - 1) {
        h = activate(h, this.spec.activation);
        // Inverted dropout with masks drawn by the trainer, identical for every arm.
        if (masks) h = tf.mul(h, tf.mul(masks[l]!, keepScale));
      }
    }
    return h;
  }
}

function activate(h: Tensor, activation: MlpSpec['activation']): Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(h);
    case 'tanh':
      return tf.tanh(h);
    case 'sigmoid':
      return tf.sigmoid(h);
    case 'elu':
      return tf.elu(h);
  }
}

function adamBetaPower(variable: Variable | undefined): number {
  if (!variable) throw new Error('this TensorFlow.js Adam optimizer keeps no accBeta1/accBeta2: its state cannot be checkpointed');
  return variable.dataSync()[0]!;
}
