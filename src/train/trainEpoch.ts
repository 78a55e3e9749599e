import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { BatchResult } from '../engine/model';
import { argmaxRows, accuracy, meanNegativeLogLikelihood } from '../metrics/classification';
import type { ArmSpec } from './arms';
import { batchOrder, sharedBatchAt, type BatchSource } from './batches';
import { TrainingInterrupted, type DivergenceInfo, type EpochRecord, type PairedRun } from './pairedRun';

/** What an epoch's training leaves for its evaluation, per arm (indexed like the run's arms). */
export interface EpochTraining {
  epoch: number;
  /** The arms that trained this epoch: those that had not diverged before it. */
  active: number[];
  /** Σ batch size × loss, and the same for the unsmoothed NLL, over the batches before any divergence. */
  lossSums: number[];
  /** Σ batch size over those batches. */
  samples: number[];
  nllSums: number[];
  lastFiniteLoss: (number | null)[];
  /** Set when the arm's loss turned non-finite in this epoch; it skipped the epoch's remaining batches. */
  diverged: (DivergenceInfo | null)[];
  /** Wall seconds of the arm's training: its own steps, or the shared ones when the arms ran together, plus the shared batch building. */
  seconds: number[];
}

/**
 * One epoch over the training set, batch by batch, every active arm on each batch (on threads when the
 * engine can). An arm whose loss turns non-finite drops out of the epoch's remaining batches.
 */
export async function trainEpoch(run: PairedRun, epoch: number): Promise<EpochTraining> {
  const { config, dataset, arms } = run.options;
  const zeros = () => arms.map(() => 0);
  const training: EpochTraining = {
    epoch,
    active: arms.map((_, a) => a).filter((a) => !run.diverged[a]),
    lossSums: zeros(),
    samples: zeros(),
    nllSums: zeros(),
    lastFiniteLoss: arms.map(() => null),
    diverged: arms.map(() => null),
    seconds: zeros(),
  };
  const source: BatchSource = { dataset, spec: run.spec, seed: config.seed, batchSize: config.batchSize, epoch, order: batchOrder(config.seed, epoch, dataset.train.count) };
  let going = training.active;
  for (let b = 0; b < run.batchesPerEpoch && going.length > 0; b++) going = await stepBatch(run, training, source, b, going);
  return training;
}

/** Batch b for the arms still going; returns those that go on (their loss stayed finite). */
async function stepBatch(run: PairedRun, training: EpochTraining, source: BatchSource, b: number, going: number[]): Promise<number[]> {
  const started = performance.now();
  const { signal } = run.options;
  // Let signal handlers run (they are macrotasks): Ctrl-C then stops training within one batch.
  if (signal) await yieldToEventLoop();
  if (signal?.aborted) throw new TrainingInterrupted(training.epoch - 1);
  const { batch, labels } = sharedBatchAt(source, b, going.map((a) => run.options.arms[a]!));
  const shared = (performance.now() - started) / 1000;
  const step = run.options.engine.trainArms(going.map((a) => run.models[a]!), batch, { threads: run.threads });
  run.parallelArms = Math.max(run.parallelArms, step.threads);
  return going.filter((a, i) => {
    training.seconds[a]! += shared + step.seconds[i]!;
    return account(run, training, a, b, labels, step.results[i]!);
  });
}

/**
 * A batch's unsmoothed NLL above this is divergence even when finite: a uniform guess scores ln K, so 100 ×
 * ln K (230 nats for 10 classes) is far beyond any model that is still learning.
 */
export function absurdNllBound(numClasses: number): number {
  return 100 * Math.log(numClasses);
}

/** Adds arm a's step on batch b to its epoch sums; false when its loss is non-finite or its NLL absurd (it stops here). */
function account(run: PairedRun, training: EpochTraining, a: number, b: number, labels: Int32Array, result: BatchResult): boolean {
  const { config, dataset, arms, events } = run.options;
  const { epoch } = training;
  if (!Number.isFinite(result.loss)) {
    const last = training.lastFiniteLoss[a] ?? null;
    training.diverged[a] = {
      epoch,
      batch: b + 1,
      lastFiniteLoss: last,
      message: `${arms[a]!.label} diverged: non-finite loss (${result.loss}) at epoch ${epoch}, batch ${b + 1}${last === null ? '' : ` (last finite loss ${last.toPrecision(6)})`}`,
    };
    return false;
  }
  const nll = meanNegativeLogLikelihood(result.logProbs, labels, dataset.numClasses);
  const bound = absurdNllBound(dataset.numClasses);
  if (!(nll <= bound)) {
    // Finite but absurd: no model that is learning gets here; its deltas would be numbers without meaning.
    training.diverged[a] = {
      epoch,
      batch: b + 1,
      lastFiniteLoss: result.loss,
      message: `${arms[a]!.label} diverged: training NLL ${nll.toPrecision(3)} at epoch ${epoch}, batch ${b + 1}, above 100 × ln K = ${bound.toFixed(1)} (a uniform guess scores ln K = ${Math.log(dataset.numClasses).toFixed(2)})`,
    };
    return false;
  }
  training.lastFiniteLoss[a] = result.loss;
  training.lossSums[a]! += result.loss * labels.length;
  training.samples[a]! += labels.length;
  training.nllSums[a]! += nll * labels.length;
  const samples = training.samples[a]!;
  events?.onBatch?.({ epoch, epochs: config.epochs, arm: arms[a]!, batch: b + 1, batches: run.batchesPerEpoch, samples, loss: training.lossSums[a]! / samples });
  return true;
}

/**
 * The end of an epoch, arm by arm: each arm that trained is checked for divergence and evaluated on the
 * test set; its record joins its history and its state becomes its last good one. A diverged arm goes
 * back to its last good state and stops.
 */
export async function evaluateEpoch(run: PairedRun, training: EpochTraining): Promise<{ arm: ArmSpec; record: EpochRecord }[]> {
  const records: { arm: ArmSpec; record: EpochRecord }[] = [];
  for (const a of training.active) {
    const arm = run.options.arms[a]!;
    const record = await evaluateArm(run, training, a);
    if (record) records.push({ arm, record });
  }
  return records;
}

async function evaluateArm(run: PairedRun, training: EpochTraining, a: number): Promise<EpochRecord | null> {
  const started = performance.now();
  const { dataset, arms, events } = run.options;
  const { test, numClasses: k } = dataset;
  const model = run.models[a]!;
  const atEnd = (what: string): DivergenceInfo => ({
    epoch: training.epoch,
    batch: null,
    lastFiniteLoss: training.lastFiniteLoss[a] ?? null,
    message: `${arms[a]!.label} diverged: ${what} at the end of epoch ${training.epoch}`,
  });
  let divergence = training.diverged[a] ?? (model.weightsFinite() ? null : atEnd('non-finite weights'));
  const logProbs = divergence ? undefined : model.predict(test.x, test.count).logProbs;
  // Finite but huge weights can still overflow the logits: non-finite predictions are divergence too.
  if (logProbs && !logProbs.every(Number.isFinite)) divergence = atEnd('non-finite predictions on the test set');
  if (divergence || !logProbs) {
    run.diverged[a] = divergence;
    await model.restore(run.lastGood[a]!);
    events?.onDiverged?.(arms[a]!, divergence!);
    return null;
  }
  const record: EpochRecord = {
    epoch: training.epoch,
    trainLoss: training.lossSums[a]! / dataset.train.count,
    trainNll: training.nllSums[a]! / dataset.train.count,
    testNll: meanNegativeLogLikelihood(logProbs, test.y, k),
    testAccuracy: accuracy(argmaxRows(logProbs, k), test.y),
    seconds: training.seconds[a]! + (performance.now() - started) / 1000,
  };
  run.histories[a]!.push(record);
  run.lastGood[a] = await model.snapshot();
  run.lastGoodLogProbs[a] = logProbs;
  return record;
}
