import os from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { TrainConfig } from '../config/schema';
import { datasetDigest, selectRows, type Dataset } from '../data/Dataset';
import { createModel } from '../engine/createModel';
import type { BatchResult, Model, ModelState } from '../engine/model';
import { glorotInitialWeights, type MlpSpec } from '../engine/initialWeights';
import { mlpSpec } from '../engine/mlpSpec';
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

/** Why and where an arm stopped: its metrics are those of its last finite weights (end of the previous epoch). */
export interface DivergenceInfo {
  epoch: number;
  /** 1-based batch within the epoch; null when non-finite weights were found at the end of the epoch. */
  batch: number | null;
  lastFiniteLoss: number | null;
  message: string;
}

export interface ArmResult extends ArmSpec {
  initialWeightsDigest: string;
  finalWeightsDigest: string;
  history: EpochRecord[];
  test: EvaluationMetrics;
  /** The predicted class of every test sample (for paired tests such as McNemar's). */
  testPredictions: number[];
  diverged: DivergenceInfo | null;
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
  /** How many arms trained at the same time (1: one after the other). */
  parallelArms: number;
}

export interface TrainerEvents {
  onBatch?(info: { epoch: number; epochs: number; arm: ArmSpec; batch: number; batches: number }): void;
  onEpoch?(epoch: number, records: { arm: ArmSpec; record: EpochRecord }[]): void;
  onDiverged?(arm: ArmSpec, info: DivergenceInfo): void;
  /** After each completed epoch, with every arm's full state: where a run store writes its checkpoint. */
  onCheckpoint?(checkpoint: TrainingCheckpoint): Promise<void> | void;
}

/** The state after `epoch` completed epochs, enough to continue bit-identically. */
export interface TrainingCheckpoint {
  epoch: number;
  initialWeightsDigest: string;
  /** datasetDigest of the data trained on, so a resume can refuse changed data; null in checkpoints written before it was recorded. */
  dataDigest: string | null;
  arms: { label: string; state: ModelState; diverged: DivergenceInfo | null; initialWeightsDigest: string }[];
}

export class TrainingInterrupted extends Error {
  constructor(readonly completedEpochs: number) {
    super(`training interrupted after ${completedEpochs} completed epoch(s)`);
    this.name = 'TrainingInterrupted';
  }
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
 *
 * An arm whose loss, weights or predictions become non-finite stops there (the others go on); its
 * weights go back to the end of its last complete epoch, and its result says where and why it diverged.
 * With `resume`, training continues after the checkpoint's epoch with the histories so far.
 */
export async function trainPaired(options: {
  config: TrainConfig;
  dataset: Dataset;
  arms: ArmSpec[];
  events?: TrainerEvents;
  /** Checked between batches: when it is aborted, training stops and throws TrainingInterrupted. */
  signal?: AbortSignal;
  resume?: { checkpoint: TrainingCheckpoint; histories: EpochRecord[][] };
  /** For tests: how models are built (defaults to createModel). */
  modelFactory?: typeof createModel;
}): Promise<PairedResult> {
  const { config, dataset, arms, events, signal, resume } = options;
  const started = performance.now();
  const spec = mlpSpec(config, dataset);
  const initial = glorotInitialWeights(spec, config.seed);
  const { train, test, numFeatures: f, numClasses: k } = dataset;
  const models: Model[] = [];
  try {
    for (const _ of arms) models.push((options.modelFactory ?? createModel)(spec, initial, config));
    let initialDigests = models.map((m) => m.weightsDigest());
    const histories: EpochRecord[][] = arms.map((_, a) => resume?.histories[a]?.slice() ?? []);
    const diverged: (DivergenceInfo | null)[] = arms.map(() => null);
    // The state at the end of each arm's last complete epoch: a checkpoint, and where a diverged arm goes back to.
    const lastGood: ModelState[] = [];
    // The test log-probabilities of those same weights, evaluated at that epoch's end: the final metrics reuse them.
    const lastGoodLogProbs: (Float32Array | undefined)[] = arms.map(() => undefined);
    let firstEpoch = 1;
    let dataDigest: string | undefined;
    if (resume) {
      const cp = resume.checkpoint;
      if (cp.initialWeightsDigest !== initial.digest) {
        throw new Error(`checkpoint was trained from other initial weights (${cp.initialWeightsDigest.slice(0, 12)}… vs ${initial.digest.slice(0, 12)}…)`);
      }
      if (cp.arms.map((a) => a.label).join() !== arms.map((a) => a.label).join()) throw new Error("checkpoint arms differ from the config's arms");
      for (let a = 0; a < arms.length; a++) {
        await models[a]!.restore(cp.arms[a]!.state);
        diverged[a] = cp.arms[a]!.diverged;
      }
      initialDigests = cp.arms.map((a) => a.initialWeightsDigest);
      firstEpoch = cp.epoch + 1;
    }
    for (const m of models) lastGood.push(await m.snapshot());
    const batches = Math.ceil(train.count / config.batchSize);
    const threads = config.parallelArms === 'auto' ? Math.min(arms.length, os.availableParallelism()) : 1;
    let usedParallel = false;

    for (let epoch = firstEpoch; epoch <= config.epochs; epoch++) {
      const order = batchOrder(config.seed, epoch, train.count);
      const active = arms.map((_, a) => a).filter((a) => !diverged[a]);
      const lossSums = arms.map(() => 0);
      const nllSums = arms.map(() => 0);
      const lastFinite: (number | null)[] = arms.map(() => null);
      const found: (DivergenceInfo | null)[] = arms.map(() => null);
      const seconds = arms.map(() => 0);
      // One training step of arm `a` on batch b: bookkeeping shared by the sequential and parallel paths.
      const account = (a: number, b: number, labels: Int32Array, size: number, result: BatchResult) => {
        if (found[a]) return;
        if (!Number.isFinite(result.loss)) {
          const last = lastFinite[a]!;
          found[a] = {
            epoch,
            batch: b + 1,
            lastFiniteLoss: last,
            message: `${arms[a]!.label} diverged: non-finite loss (${result.loss}) at epoch ${epoch}, batch ${b + 1}${last === null ? '' : ` (last finite loss ${last.toPrecision(6)})`}`,
          };
          return;
        }
        lastFinite[a] = result.loss;
        lossSums[a] += result.loss * size;
        nllSums[a] += meanNegativeLogLikelihood(result.logProbs, labels, k) * size;
        events?.onBatch?.({ epoch, epochs: config.epochs, arm: arms[a]!, batch: b + 1, batches });
      };
      // Batch b of this epoch, the same for every arm: rows, labels and dropout masks.
      const batchAt = async (b: number) => {
        // Let signal handlers run (they are macrotasks): Ctrl-C then stops training within one batch.
        if (signal) await yieldToEventLoop();
        if (signal?.aborted) throw new TrainingInterrupted(epoch - 1);
        const start = b * config.batchSize;
        const size = Math.min(config.batchSize, train.count - start);
        const masks = dropoutMasks(config.seed, epoch, b, size, spec);
        return { ...gatherBatch(train, order, start, size, f), size, ...(masks ? { dropoutMasks: masks } : {}) };
      };
      const stepAll = threads >= 2 && active.length >= 2 ? nativeParallelStep(active.map((a) => models[a]!), Math.min(threads, active.length)) : undefined;
      if (stepAll) {
        // All arms at once: an arm's seconds are the shared training time plus its own evaluation.
        usedParallel = true;
        const trainStarted = performance.now();
        for (let b = 0; b < batches; b++) {
          const { labels, ...batch } = await batchAt(b);
          const targets = active.map((a) => smoothTargets(labels, k, arms[a]!, new Float32Array(batch.size * k)));
          const results = stepAll({ ...batch, targets });
          results.forEach((result, i) => account(active[i]!, b, labels, batch.size, result));
        }
        for (const a of active) seconds[a] = (performance.now() - trainStarted) / 1000;
      } else {
        for (const a of active) {
          const armStarted = performance.now();
          for (let b = 0; b < batches && !found[a]; b++) {
            const { labels, ...batch } = await batchAt(b);
            const targets = smoothTargets(labels, k, arms[a]!, new Float32Array(batch.size * k));
            account(a, b, labels, batch.size, models[a]!.trainBatch({ ...batch, targets }));
          }
          seconds[a] = (performance.now() - armStarted) / 1000;
        }
      }

      const records: { arm: ArmSpec; record: EpochRecord }[] = [];
      for (const a of active) {
        const arm = arms[a]!;
        const model = models[a]!;
        const evalStarted = performance.now();
        let divergence = found[a];
        if (!divergence && !model.weightsFinite()) {
          divergence = { epoch, batch: null, lastFiniteLoss: lastFinite[a]!, message: `${arm.label} diverged: non-finite weights at the end of epoch ${epoch}` };
        }
        // Finite but huge weights can still overflow the logits: non-finite predictions are divergence too.
        const logProbs = divergence ? undefined : model.predictLogProbs(test.x, test.count);
        if (logProbs && !logProbs.every(Number.isFinite)) {
          divergence = { epoch, batch: null, lastFiniteLoss: lastFinite[a]!, message: `${arm.label} diverged: non-finite predictions on the test set at the end of epoch ${epoch}` };
        }
        if (divergence || !logProbs) {
          diverged[a] = divergence;
          await model.restore(lastGood[a]!);
          events?.onDiverged?.(arm, divergence!);
          continue;
        }
        const record: EpochRecord = {
          epoch,
          trainLoss: lossSums[a]! / train.count,
          trainNll: nllSums[a]! / train.count,
          testNll: meanNegativeLogLikelihood(logProbs, test.y, k),
          testAccuracy: accuracy(argmaxRows(logProbs, k), test.y),
          seconds: seconds[a]! + (performance.now() - evalStarted) / 1000,
        };
        histories[a]!.push(record);
        records.push({ arm, record });
        lastGood[a] = await model.snapshot();
        lastGoodLogProbs[a] = logProbs;
      }
      events?.onEpoch?.(epoch, records);
      if (events?.onCheckpoint) {
        await events.onCheckpoint({
          epoch,
          initialWeightsDigest: initial.digest,
          // hashed at the first checkpoint only: the data does not change while training
          dataDigest: (dataDigest ??= datasetDigest(dataset)),
          arms: arms.map((arm, a) => ({ label: arm.label, state: lastGood[a]!, diverged: diverged[a]!, initialWeightsDigest: initialDigests[a]! })),
        });
      }
    }

    const noise = dataset.labelNoise;
    const flippedRows = noise && noise.flipped.length > 0 ? selectRows(train, noise.flipped, f) : undefined;
    const results: ArmResult[] = arms.map((arm, a) => {
      const model = models[a]!;
      // A diverged arm went back to exactly the weights these were computed from.
      const logProbs = lastGoodLogProbs[a] ?? model.predictLogProbs(test.x, test.count);
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
        diverged: diverged[a]!,
      };
    });
    return { arms: results, initialWeightsDigest: initial.digest, seconds: (performance.now() - started) / 1000, parallelArms: usedParallel ? Math.min(threads, arms.length) : 1 };
  } finally {
    for (const m of models) m.dispose();
  }
}
