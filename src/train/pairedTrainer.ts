import type { TrainConfig } from '../config/schema';
import { selectRows, type Dataset } from '../data/Dataset';
import { createModel, type Model } from '../engine/createModel';
import { glorotInitialWeights, type MlpSpec } from '../engine/initialWeights';
import { argmaxRows, accuracy, meanNegativeLogLikelihood } from '../metrics/classification';
import { evaluatePredictions, type EvaluationMetrics } from '../metrics/evaluate';
import { SeededRandom } from '../random/SeededRandom';
import { smoothTargets } from '../smoothing/labelSmoothing';
import type { ArmSpec } from './arms';

/** One arm's numbers after one epoch. */
export interface EpochRecord {
  epoch: number;
  /** Mean over the epoch's batches of the arm's own objective (smoothed CE), weighted by batch size. */
  trainLoss: number;
  /** The same batches' unsmoothed cross-entropy: comparable across arms. */
  trainNll: number;
  testNll: number;
  testAccuracy: number;
  /** Wall time of this arm's epoch (training and test evaluation). */
  seconds: number;
}

export interface ArmResult extends ArmSpec {
  initialWeightsDigest: string;
  finalWeightsDigest: string;
  history: EpochRecord[];
  test: EvaluationMetrics;
  /** The predicted class of every test sample (for paired tests such as McNemar's). */
  testPredictions: number[];
  /** With label noise: how this arm fits the training samples whose labels were flipped. */
  flippedTrainLabels?: FlippedLabelFit;
}

/** How a model fits the flipped training samples after training. */
export interface FlippedLabelFit {
  count: number;
  /** Fraction predicted as their noisy (training) label: memorisation of the noise. */
  memorised: number;
  /** Fraction predicted as their true label, which the model never saw for them. */
  predictedClean: number;
}

/** Memorisation and clean-label recovery from the predicted classes of the flipped samples. */
export function flippedLabelFit(predicted: ArrayLike<number>, noisyLabels: ArrayLike<number>, cleanLabels: ArrayLike<number>): FlippedLabelFit {
  return { count: predicted.length, memorised: accuracy(predicted, noisyLabels), predictedClean: accuracy(predicted, cleanLabels) };
}

export interface PairedResult {
  arms: ArmResult[];
  initialWeightsDigest: string;
  seconds: number;
}

export interface TrainerEvents {
  onBatch?(info: { epoch: number; epochs: number; arm: ArmSpec; batch: number; batches: number }): void;
  onEpoch?(epoch: number, records: { arm: ArmSpec; record: EpochRecord }[]): void;
}

export class TrainingInterrupted extends Error {
  constructor(readonly completedEpochs: number) {
    super(`training interrupted after ${completedEpochs} completed epoch(s)`);
    this.name = 'TrainingInterrupted';
  }
}

export function mlpSpec(config: TrainConfig, dataset: Dataset): MlpSpec {
  return {
    numFeatures: dataset.numFeatures,
    hidden: config.hidden,
    numClasses: dataset.numClasses,
    activation: config.activation,
    dropout: config.dropout,
  };
}

/** The training set's order in epoch `epoch` (1-based): one permutation per epoch, the same for every arm. */
export function batchOrder(seed: number, epoch: number, count: number): Int32Array {
  return new SeededRandom(seed, 'batch-order', epoch).permutation(count);
}

/** Keep-masks (1 = kept) for each hidden layer of one batch, the same for every arm. */
export function dropoutMasks(seed: number, epoch: number, batch: number, size: number, spec: MlpSpec): Float32Array[] | undefined {
  if (spec.dropout === 0 || spec.hidden.length === 0) return undefined;
  const rng = new SeededRandom(seed, 'dropout', epoch, batch);
  return spec.hidden.map((width) => {
    const mask = new Float32Array(size * width);
    for (let i = 0; i < mask.length; i++) mask[i] = rng.nextFloat() >= spec.dropout ? 1 : 0;
    return mask;
  });
}

/**
 * Trains every arm from one set of seeded initial weights on the same batches in the same order.
 * Within an epoch the arms run one after the other on that epoch's permutation; they differ only in
 * their targets. The data set is read, never copied per arm.
 */
export function trainPaired(options: {
  config: TrainConfig;
  dataset: Dataset;
  arms: ArmSpec[];
  events?: TrainerEvents;
  /** Checked between batches: when it is aborted, training stops and throws TrainingInterrupted. */
  signal?: AbortSignal;
}): PairedResult {
  const { config, dataset, arms, events, signal } = options;
  const started = performance.now();
  const spec = mlpSpec(config, dataset);
  const initial = glorotInitialWeights(spec, config.seed);
  const { train, test, numFeatures: f, numClasses: k } = dataset;
  const models: Model[] = [];
  try {
    for (const _ of arms) models.push(createModel(spec, initial, config));
    const histories: EpochRecord[][] = arms.map(() => []);
    const initialDigests = models.map((m) => m.weightsDigest());
    const batches = Math.ceil(train.count / config.batchSize);

    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const order = batchOrder(config.seed, epoch, train.count);
      const records: { arm: ArmSpec; record: EpochRecord }[] = [];
      arms.forEach((arm, a) => {
        const armStarted = performance.now();
        const model = models[a]!;
        let lossSum = 0;
        let nllSum = 0;
        for (let b = 0; b < batches; b++) {
          if (signal?.aborted) throw new TrainingInterrupted(epoch - 1);
          const start = b * config.batchSize;
          const size = Math.min(config.batchSize, train.count - start);
          const x = new Float32Array(size * f);
          const labels = new Int32Array(size);
          for (let i = 0; i < size; i++) {
            const row = order[start + i]!;
            x.set(train.x.subarray(row * f, (row + 1) * f), i * f);
            labels[i] = train.y[row]!;
          }
          const targets = smoothTargets(labels, k, arm, new Float32Array(size * k));
          const masks = dropoutMasks(config.seed, epoch, b, size, spec);
          const result = model.trainBatch({ x, targets, size, ...(masks ? { dropoutMasks: masks } : {}) });
          lossSum += result.loss * size;
          nllSum += meanNegativeLogLikelihood(result.logProbs, labels, k) * size;
          events?.onBatch?.({ epoch, epochs: config.epochs, arm, batch: b + 1, batches });
        }
        const logProbs = model.predictLogProbs(test.x, test.count);
        const record: EpochRecord = {
          epoch,
          trainLoss: lossSum / train.count,
          trainNll: nllSum / train.count,
          testNll: meanNegativeLogLikelihood(logProbs, test.y, k),
          testAccuracy: accuracy(argmaxRows(logProbs, k), test.y),
          seconds: (performance.now() - armStarted) / 1000,
        };
        histories[a]!.push(record);
        records.push({ arm, record });
      });
      events?.onEpoch?.(epoch, records);
    }

    const noise = dataset.labelNoise;
    const flippedRows = noise && noise.flipped.length > 0 ? selectRows(train, noise.flipped, f) : undefined;
    const results: ArmResult[] = arms.map((arm, a) => {
      const model = models[a]!;
      const logProbs = model.predictLogProbs(test.x, test.count);
      const flippedFit =
        noise && flippedRows ? flippedLabelFit(argmaxRows(model.predictLogProbs(flippedRows.x, flippedRows.count), k), noise.noisyLabels, noise.cleanLabels) : undefined;
      return {
        ...(flippedFit ? { flippedTrainLabels: flippedFit } : {}),
        ...arm,
        initialWeightsDigest: initialDigests[a]!,
        finalWeightsDigest: model.weightsDigest(),
        history: histories[a]!,
        test: evaluatePredictions(logProbs, test.y, k),
        testPredictions: Array.from(argmaxRows(logProbs, k)),
      };
    });
    return { arms: results, initialWeightsDigest: initial.digest, seconds: (performance.now() - started) / 1000 };
  } finally {
    for (const m of models) m.dispose();
  }
}
