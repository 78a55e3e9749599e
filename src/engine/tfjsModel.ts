import type { InitialWeights } from './initialWeights';
import { weightsDigest } from './initialWeights';
import { trainOneByOne, type BackendChoice, type Engine } from './engine';
import { smoothedCrossEntropy } from './loss';
import type { Batch, BatchResult, Model, ModelState, OptimizerSpec, Prediction } from './model';
import { predictionChunk } from './modelSize';
import { dropoutLayers, elementCount, weightTensors, type ModelSpec, type WeightTensor } from './modelSpec';
import { tf, type Tensor, type Variable } from './tf';
import { forwardPass, type BatchStatistics, type LayerWeights } from './tfjsLayers';

/** Adam keeps β1^t and β2^t as private variables; they are part of its state. */
interface AdamInternals {
  accBeta1?: Variable;
  accBeta2?: Variable;
}

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

/** A model and its optimizer as TensorFlow.js variables; the initial weights are copied in, so arms never share a buffer. */
export class TfjsModel implements Model {
  /** Every weight tensor in weightTensors' order, batch norms' running statistics included. */
  private readonly variables: Variable[];
  private readonly tensors: WeightTensor[];
  private readonly trainable: Variable[];
  private readonly layerWeights: LayerWeights[];
  private readonly optimizer: tf.Optimizer;
  private readonly dropoutShapes: number[][];

  constructor(
    private readonly spec: ModelSpec,
    initial: InitialWeights,
    private readonly optimizerSpec: OptimizerSpec,
  ) {
    this.tensors = weightTensors(spec);
    this.variables = initial.values.map((values, i) =>
      // slice(): the variable owns its own buffer, never shared with another arm; tidy disposes the
      // initial tensor (the variable keeps its data alive).
      tf.tidy(() => tf.variable(tf.tensor(values.slice(), initial.shapes[i]!, 'float32'), this.tensors[i]!.trainable)),
    );
    this.trainable = this.variables.filter((_, i) => this.tensors[i]!.trainable);
    this.layerWeights = spec.layers.map(() => ({}));
    this.tensors.forEach((t, i) => (this.layerWeights[t.layer]![t.kind] = this.variables[i]!));
    this.optimizer =
      optimizerSpec.optimizer === 'adam' ? tf.train.adam(optimizerSpec.learningRate) : tf.train.momentum(optimizerSpec.learningRate, optimizerSpec.momentum);
    this.dropoutShapes = dropoutLayers(spec).map((d) => d.inShape);
  }

  trainBatch(batch: Batch): BatchResult {
    const { spec } = this;
    const { size: n } = batch;
    const x = tf.tensor(batch.x, [n, ...spec.input], 'float32');
    const targets = tf.tensor2d(batch.targets, [n, spec.numClasses]);
    const masks = batch.dropoutMasks?.map((m, l) => tf.tensor(m, [n, ...this.dropoutShapes[l]!], 'float32'));
    let logProbs: Tensor | undefined;
    let stats: BatchStatistics[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const pass = forwardPass(spec, this.layerWeights, x, { training: true, ...(masks ? { masks } : {}) });
      logProbs = tf.keep(tf.logSoftmax(pass.logits));
      stats = pass.batchStatistics.map((s) => ({ ...s, mean: tf.keep(s.mean), variance: tf.keep(s.variance) }));
      return smoothedCrossEntropy(pass.logits, targets) as tf.Scalar;
    }, this.trainable);
    this.decayWeights(grads);
    this.optimizer.applyGradients(grads);
    this.updateRunningStatistics(stats);
    const loss = value.dataSync()[0]!;
    const lp = logProbs!.dataSync() as Float32Array;
    tf.dispose([x, targets, value, logProbs!, ...Object.values(grads), ...(masks ?? []), ...stats.flatMap((s) => [s.mean, s.variance])]);
    return { loss, logProbs: lp };
  }

  /** Weight decay of the kernels, as the native backend applies it: a gradient term (l2) or a shrink before the update (decoupled). */
  private decayWeights(grads: tf.NamedTensorMap): void {
    const { weightDecay, weightDecayMode, learningRate } = this.optimizerSpec;
    if (!(weightDecay > 0)) return;
    this.tensors.forEach((t, i) => {
      if (t.kind !== 'kernel') return;
      const v = this.variables[i]!;
      if (weightDecayMode === 'l2') {
        const old = grads[v.name]!;
        grads[v.name] = tf.tidy(() => tf.add(old, tf.mul(v, weightDecay)));
        old.dispose();
      } else {
        tf.tidy(() => v.assign(tf.mul(v, 1 - learningRate * weightDecay)));
      }
    });
  }

  /** running ← momentum·running + (1 − momentum)·batch, the variance unbiased, with the native backend's float32 constants. */
  private updateRunningStatistics(stats: BatchStatistics[]): void {
    for (const s of stats) {
      const layer = this.spec.layers[s.layer]!.layer;
      if (layer.kind !== 'batchNorm') continue;
      const { movingMean, movingVariance } = this.layerWeights[s.layer]!;
      const momentum = Math.fround(layer.momentum);
      const rest = Math.fround(1 - momentum);
      const unbias = s.count > 1 ? Math.fround(s.count / (s.count - 1)) : 1;
      tf.tidy(() => {
        movingMean!.assign(tf.add(tf.mul(movingMean!, momentum), tf.mul(s.mean, rest)));
        movingVariance!.assign(tf.add(tf.mul(movingVariance!, momentum), tf.mul(tf.mul(s.variance, unbias), rest)));
      });
    }
  }

  predict(xAll: Float32Array, count: number, options: { penultimate?: boolean } = {}): Prediction {
    const { spec } = this;
    const features = spec.numFeatures;
    const k = spec.numClasses;
    const width = elementCount(spec.layers[spec.layers.length - 1]!.inShape);
    const logProbs = new Float32Array(count * k);
    const penultimate = options.penultimate ? new Float32Array(count * width) : undefined;
    const chunk = predictionChunk(spec);
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      const [lp, pen] = tf.tidy(() => {
        const x = tf.tensor(xAll.subarray(start * features, (start + n) * features), [n, ...spec.input], 'float32');
        const pass = forwardPass(spec, this.layerWeights, x, { training: false });
        return [tf.logSoftmax(pass.logits), penultimate ? tf.reshape(pass.penultimate, [n, width]) : undefined];
      });
      logProbs.set(lp!.dataSync(), start * k);
      if (penultimate && pen) penultimate.set(pen.dataSync(), start * width);
      tf.dispose([lp!, ...(pen ? [pen] : [])]);
    }
    return { logProbs, ...(penultimate ? { penultimate } : {}) };
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
}

function adamBetaPower(variable: Variable | undefined): number {
  if (!variable) throw new Error('this TensorFlow.js Adam optimizer keeps no accBeta1/accBeta2: its state cannot be checkpointed');
  return variable.dataSync()[0]!;
}
