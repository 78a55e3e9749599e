import { selectRows } from '../data/Dataset';
import { argmaxRows, accuracy } from '../metrics/classification';
import { evaluatePredictions, type EvaluationMetrics } from '../metrics/evaluate';
import type { ArmSpec } from './arms';
import { checkpointOf, newRun, openModels, type DivergenceInfo, type EpochRecord, type PairedRun, type TrainPairedOptions } from './pairedRun';
import { temperatureScaleArm, type TemperatureScaledArm } from './temperatureScaling';
import { evaluateEpoch, trainEpoch } from './trainEpoch';

export { TrainingInterrupted } from './pairedRun';
export type { TemperatureScaledArm } from './temperatureScaling';
export type { DivergenceInfo, EpochRecord, TrainerEvents, TrainingCheckpoint, TrainPairedOptions } from './pairedRun';

export interface ArmResult extends ArmSpec {
  initialWeightsDigest: string;
  finalWeightsDigest: string;
  history: EpochRecord[];
  test: EvaluationMetrics;
  /** The predicted class of every test sample (for paired tests such as McNemar's). */
  testPredictions: number[];
  /** The test log-probabilities the metrics come from (for the paired bootstrap). */
  testLogProbs: Float32Array;
  /** After temperature scaling on the validation set; null without one (--val-fraction 0). */
  temperatureScaled: TemperatureScaledArm | null;
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

/**
 * Trains every arm from one set of seeded initial weights on the same batches in the same order, batch
 * by batch: on each batch the engine steps every arm, one after the other or — on the native engine with
 * cores to spare (`parallelArms: auto`) — at the same time, one thread per arm, with bit-identical
 * results. The arms differ only in their targets.
 *
 * An arm whose loss, weights or predictions become non-finite stops there (the others go on); its
 * weights go back to the end of its last complete epoch, and its result says where and why it diverged.
 * With `resume`, training continues after the checkpoint's epoch with the histories so far.
 */
export async function trainPaired(options: TrainPairedOptions): Promise<PairedResult> {
  const started = performance.now();
  const run = newRun(options);
  const { config, events } = options;
  try {
    await openModels(run);
    for (let epoch = run.firstEpoch; epoch <= config.epochs; epoch++) {
      const training = await trainEpoch(run, epoch);
      const records = await evaluateEpoch(run, training);
      events?.onEpoch?.(epoch, records);
      if (events?.onCheckpoint) await events.onCheckpoint(checkpointOf(run, epoch));
    }
    return { arms: armResults(run), initialWeightsDigest: run.initial.digest, seconds: (performance.now() - started) / 1000, parallelArms: run.parallelArms };
  } finally {
    for (const model of run.models) model.dispose();
  }
}

/** Each arm's final result, from its last good weights (where a diverged arm went back to). */
function armResults(run: PairedRun): ArmResult[] {
  const { dataset, arms } = run.options;
  const { train, test, numClasses: k } = dataset;
  const noise = dataset.labelNoise;
  const flippedRows = noise && noise.flipped.length > 0 ? selectRows(train, noise.flipped, dataset.numFeatures) : undefined;
  return arms.map((arm, a) => {
    const model = run.models[a]!;
    // The test predictions of the last good weights, from that epoch's evaluation (none when no epoch completed).
    const logProbs = run.lastGoodLogProbs[a] ?? model.predict(test.x, test.count).logProbs;
    const validation = dataset.validation;
    const validationLogProbs = validation ? model.predict(validation.x, validation.count).logProbs : undefined;
    const flippedFit =
      noise && flippedRows ? flippedLabelFit(argmaxRows(model.predict(flippedRows.x, flippedRows.count).logProbs, k), noise.noisyLabels, noise.cleanLabels) : undefined;
    return {
      ...(flippedFit ? { flippedTrainLabels: flippedFit } : {}),
      ...arm,
      initialWeightsDigest: run.initialDigests[a]!,
      finalWeightsDigest: model.weightsDigest(),
      history: run.histories[a]!,
      test: evaluatePredictions(logProbs, test.y, k),
      testPredictions: Array.from(argmaxRows(logProbs, k)),
      testLogProbs: logProbs,
      temperatureScaled: temperatureScaleArm(validationLogProbs, validation, logProbs, test, k),
      diverged: run.diverged[a]!,
    };
  });
}
