import os from 'node:os';
import type { TrainConfig } from '../config/schema';
import { datasetDigest, type Dataset } from '../data/Dataset';
import type { Engine } from '../engine/engine';
import { initialWeights, type InitialWeights } from '../engine/initialWeights';
import { resolveModelSpec, type ModelSpec } from '../engine/modelSpec';
import type { Model, ModelState } from '../engine/model';
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

export interface TrainerEvents {
  /**
   * After each arm's step on a batch: `samples` is how many training samples the arm has trained on this
   * epoch so far, `loss` its mean training loss over them (the running loss a progress display shows).
   */
  onBatch?(info: { epoch: number; epochs: number; arm: ArmSpec; batch: number; batches: number; samples: number; loss: number }): void;
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

export interface TrainPairedOptions {
  config: TrainConfig;
  dataset: Dataset;
  arms: ArmSpec[];
  /** What builds and steps the models: the engine selectBackend returned (tests may wrap one). */
  engine: Engine;
  events?: TrainerEvents;
  /** Checked between batches: when it is aborted, training stops and throws TrainingInterrupted. */
  signal?: AbortSignal;
  resume?: { checkpoint: TrainingCheckpoint; histories: EpochRecord[][] };
}

/** A paired run between epochs: its models and what each arm has kept so far, arm by arm in the arms' order. */
export interface PairedRun {
  options: TrainPairedOptions;
  spec: ModelSpec;
  initial: InitialWeights;
  models: Model[];
  /** The digest of each arm's starting weights (as recorded in the checkpoint when resumed). */
  initialDigests: string[];
  histories: EpochRecord[][];
  diverged: (DivergenceInfo | null)[];
  /** The state at the end of each arm's last complete epoch: a checkpoint, and where a diverged arm goes back to. */
  lastGood: ModelState[];
  /** The test log-probabilities of those same weights, evaluated at that epoch's end: the final metrics reuse them. */
  lastGoodLogProbs: (Float32Array | undefined)[];
  firstEpoch: number;
  batchesPerEpoch: number;
  /** How many arms may train at the same time (`parallelArms: auto`: one per core, at most one per arm). */
  threads: number;
  /** How many arms did train at the same time, at most (1: one after the other). */
  parallelArms: number;
  /** datasetDigest of the training data, hashed at the first checkpoint only: the data does not change while training. */
  dataDigest?: string;
}

/**
 * A new run: the initial weights drawn from the seed and, with `resume`, the checkpoint checked against
 * them; no models yet (openModels builds them).
 */
export function newRun(options: TrainPairedOptions): PairedRun {
  const { config, dataset, arms, resume } = options;
  const spec = resolveModelSpec(config, dataset);
  const initial = initialWeights(spec, config.seed);
  if (resume) checkCheckpointFits(resume.checkpoint, initial, arms);
  return {
    options,
    spec,
    initial,
    models: [],
    initialDigests: [],
    histories: arms.map((_, a) => resume?.histories[a]?.slice() ?? []),
    diverged: arms.map((_, a) => resume?.checkpoint.arms[a]!.diverged ?? null),
    lastGood: [],
    lastGoodLogProbs: arms.map(() => undefined),
    firstEpoch: resume ? resume.checkpoint.epoch + 1 : 1,
    batchesPerEpoch: Math.ceil(dataset.train.count / config.batchSize),
    threads: config.parallelArms === 'auto' ? Math.min(arms.length, os.availableParallelism()) : 1,
    parallelArms: 1,
  };
}

function checkCheckpointFits(checkpoint: TrainingCheckpoint, initial: InitialWeights, arms: ArmSpec[]): void {
  if (checkpoint.initialWeightsDigest !== initial.digest) {
    throw new Error(`checkpoint was trained from other initial weights (${checkpoint.initialWeightsDigest.slice(0, 12)}… vs ${initial.digest.slice(0, 12)}…)`);
  }
  if (checkpoint.arms.map((a) => a.label).join() !== arms.map((a) => a.label).join()) throw new Error("checkpoint arms differ from the config's arms");
}

/**
 * One model per arm from the same initial weights, on the run's engine, at the checkpoint's state when
 * resumed. The models go into `run.models` as they are built, so the caller disposes them whatever fails.
 */
export async function openModels(run: PairedRun): Promise<void> {
  const { engine, config, arms, resume } = run.options;
  for (const _ of arms) run.models.push(engine.createModel(run.spec, run.initial, config));
  if (resume) {
    const { checkpoint } = resume;
    for (const [a, model] of run.models.entries()) await model.restore(checkpoint.arms[a]!.state);
    run.initialDigests = checkpoint.arms.map((a) => a.initialWeightsDigest);
  } else {
    run.initialDigests = run.models.map((m) => m.weightsDigest());
  }
  for (const model of run.models) run.lastGood.push(await model.snapshot());
}

/** The one place a checkpoint is built: after `epoch`, each arm's last good state. */
export function checkpointOf(run: PairedRun, epoch: number): TrainingCheckpoint {
  return {
    epoch,
    initialWeightsDigest: run.initial.digest,
    dataDigest: (run.dataDigest ??= datasetDigest(run.options.dataset)),
    arms: run.options.arms.map((arm, a) => ({ label: arm.label, state: run.lastGood[a]!, diverged: run.diverged[a]!, initialWeightsDigest: run.initialDigests[a]! })),
  };
}

/**
 * Why `checkpoint` cannot be restored into this engine's model of `spec`, or null: checked by restoring
 * every arm's state into one model before a resume writes anything, so that a damaged or foreign
 * checkpoint is refused with the run as it was, instead of failing the run once training starts.
 */
export async function checkpointRestoreProblem(engine: Engine, spec: ModelSpec, initial: InitialWeights, config: TrainConfig, checkpoint: TrainingCheckpoint): Promise<string | null> {
  const model = engine.createModel(spec, initial, config);
  try {
    for (const arm of checkpoint.arms) {
      try {
        await model.restore(arm.state);
      } catch (error) {
        return `arm ${arm.label}: ${(error as Error).message}`;
      }
    }
    return null;
  } finally {
    model.dispose();
  }
}
