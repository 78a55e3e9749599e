import os from 'node:os';
import type { TrainConfig } from '../config/schema';
import type { Dataset } from '../data/Dataset';
import { createModel, type Model } from '../engine/createModel';
import { glorotInitialWeights, type MlpSpec } from '../engine/initialWeights';
import { nativeParallelStep } from '../engine/nativeModel';
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
}

export interface PairedResult {
  arms: ArmResult[];
  initialWeightsDigest: string;
  seconds: number;
  /** How many arms trained at the same time (1: one after the other). */
  parallelArms: number;
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

/** Rows `start … start+size` of this epoch's order: the batch's features (copied out) and labels. */
function gatherBatch(train: Dataset['train'], order: Int32Array, start: number, size: number, f: number) {
  const x = new Float32Array(size * f);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const row = order[start + i]!;
    x.set(train.x.subarray(row * f, (row + 1) * f), i * f);
    labels[i] = train.y[row]!;
  }
  return { x, labels };
}

/**
 * Trains every arm from one set of seeded initial weights on the same batches in the same order.
 * Within an epoch the arms run one after the other on that epoch's permutation — or, on the native
 * backend with cores to spare (`parallelArms: auto`), at the same time, one thread per arm, batch by
 * batch: same batches, same masks, bit-identical results. They differ only in their targets. The data
 * set is read, never copied per arm (in parallel, each batch is gathered once for all arms).
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
    const threads = config.parallelArms === 'auto' ? Math.min(arms.length, os.availableParallelism()) : 1;
    const stepAll = threads >= 2 ? nativeParallelStep(models, threads) : undefined;

    const evaluateEpoch = (a: number, epoch: number, lossSum: number, nllSum: number, trainSeconds: number): EpochRecord => {
      const evalStarted = performance.now();
      const logProbs = models[a]!.predictLogProbs(test.x, test.count);
      return {
        epoch,
        trainLoss: lossSum / train.count,
        trainNll: nllSum / train.count,
        testNll: meanNegativeLogLikelihood(logProbs, test.y, k),
        testAccuracy: accuracy(argmaxRows(logProbs, k), test.y),
        seconds: trainSeconds + (performance.now() - evalStarted) / 1000,
      };
    };

    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const order = batchOrder(config.seed, epoch, train.count);
      const records: { arm: ArmSpec; record: EpochRecord }[] = [];
      if (stepAll) {
        // All arms at once: an arm's seconds are the shared training time plus its own evaluation.
        const trainStarted = performance.now();
        const lossSums = arms.map(() => 0);
        const nllSums = arms.map(() => 0);
        for (let b = 0; b < batches; b++) {
          if (signal?.aborted) throw new TrainingInterrupted(epoch - 1);
          const start = b * config.batchSize;
          const size = Math.min(config.batchSize, train.count - start);
          const { x, labels } = gatherBatch(train, order, start, size, f);
          const targets = arms.map((arm) => smoothTargets(labels, k, arm, new Float32Array(size * k)));
          const masks = dropoutMasks(config.seed, epoch, b, size, spec);
          const results = stepAll({ x, size, targets, ...(masks ? { dropoutMasks: masks } : {}) });
          results.forEach((result, a) => {
            lossSums[a] += result.loss * size;
            nllSums[a] += meanNegativeLogLikelihood(result.logProbs, labels, k) * size;
            events?.onBatch?.({ epoch, epochs: config.epochs, arm: arms[a]!, batch: b + 1, batches });
          });
        }
        const trainSeconds = (performance.now() - trainStarted) / 1000;
        arms.forEach((arm, a) => {
          const record = evaluateEpoch(a, epoch, lossSums[a]!, nllSums[a]!, trainSeconds);
          histories[a]!.push(record);
          records.push({ arm, record });
        });
        events?.onEpoch?.(epoch, records);
        continue;
      }
      arms.forEach((arm, a) => {
        const armStarted = performance.now();
        const model = models[a]!;
        let lossSum = 0;
        let nllSum = 0;
        for (let b = 0; b < batches; b++) {
          if (signal?.aborted) throw new TrainingInterrupted(epoch - 1);
          const start = b * config.batchSize;
          const size = Math.min(config.batchSize, train.count - start);
          const { x, labels } = gatherBatch(train, order, start, size, f);
          const targets = smoothTargets(labels, k, arm, new Float32Array(size * k));
          const masks = dropoutMasks(config.seed, epoch, b, size, spec);
          const result = model.trainBatch({ x, targets, size, ...(masks ? { dropoutMasks: masks } : {}) });
          lossSum += result.loss * size;
          nllSum += meanNegativeLogLikelihood(result.logProbs, labels, k) * size;
          events?.onBatch?.({ epoch, epochs: config.epochs, arm, batch: b + 1, batches });
        }
        const record = evaluateEpoch(a, epoch, lossSum, nllSum, (performance.now() - armStarted) / 1000);
        histories[a]!.push(record);
        records.push({ arm, record });
      });
      events?.onEpoch?.(epoch, records);
    }

    const results: ArmResult[] = arms.map((arm, a) => {
      const model = models[a]!;
      const logProbs = model.predictLogProbs(test.x, test.count);
      return {
        ...arm,
        initialWeightsDigest: initialDigests[a]!,
        finalWeightsDigest: model.weightsDigest(),
        history: histories[a]!,
        test: evaluatePredictions(logProbs, test.y, k),
        testPredictions: Array.from(argmaxRows(logProbs, k)),
      };
    });
    return { arms: results, initialWeightsDigest: initial.digest, seconds: (performance.now() - started) / 1000, parallelArms: stepAll ? threads : 1 };
  } finally {
    for (const m of models) m.dispose();
  }
}
