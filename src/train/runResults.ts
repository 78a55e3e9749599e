import type { TrainConfig } from '../config/schema';
import { classCounts, datasetDigest, type Dataset } from '../data/Dataset';
import { HISTOGRAM_BINS } from '../metrics/evaluate';
import { mcnemarExact } from '../stats/mcnemar';
import { RUN_FILES, SCHEMA_VERSION, type ArmComparison, type DatasetInfo, type HistogramsFile, type LabelNoiseFile, type PredictionsFile, type RunSummary } from '../store/runFiles';
import { layerSizes, type MlpSpec } from '../engine/initialWeights';
import type { PairedResult } from './pairedTrainer';

/** The training labels before --label-noise flipped any (the class counts the data really has). */
export function cleanTrainLabels(dataset: Dataset): Int32Array {
  const labels = dataset.train.y.slice();
  const noise = dataset.labelNoise;
  if (noise) noise.flipped.forEach((row, i) => (labels[row] = noise.cleanLabels[i]!));
  return labels;
}

export function describeDataset(dataset: Dataset): DatasetInfo {
  return {
    name: dataset.name,
    description: dataset.description,
    trainSamples: dataset.train.count,
    testSamples: dataset.test.count,
    features: dataset.numFeatures,
    classes: dataset.numClasses,
    classNames: dataset.classNames,
    digest: datasetDigest(dataset),
    trainClassCounts: classCounts(cleanTrainLabels(dataset), dataset.numClasses),
    testClassCounts: classCounts(dataset.test.y, dataset.numClasses),
  };
}

/** What the reader must know about a run's setup; printed on stderr at the start and kept in the summary. */
export function setupWarnings(dataset: Dataset, arms: { epsilon: number }[]): string[] {
  const warnings: string[] = [];
  if (dataset.numClasses === 2 && arms.some((a) => a.epsilon > 0)) {
    warnings.push('with two classes, label smoothing only caps the gap between the two logits; calibration effects differ from the many-class case');
  }
  return warnings;
}

export function describeModel(spec: MlpSpec): string {
  const dropout = spec.dropout > 0 ? `, dropout ${spec.dropout}` : '';
  return `MLP ${layerSizes(spec).join('-')}, ${spec.hidden.length > 0 ? spec.activation : 'linear'}${dropout}`;
}

export function describeOptimizer(config: TrainConfig): string {
  return config.optimizer === 'adam' ? `Adam, learning rate ${config.learningRate}` : `SGD, learning rate ${config.learningRate}, momentum ${config.momentum}`;
}

/** Every smoothed arm against the hard arm (the first), on the same test samples. */
export function compareArms(result: PairedResult, testLabels: ArrayLike<number>): ArmComparison[] {
  const [hard, ...smoothed] = result.arms;
  return smoothed.map((arm) => {
    const m = mcnemarExact(hard!.testPredictions, arm.testPredictions, testLabels);
    return {
      arm: arm.label,
      baseline: hard!.label,
      deltaAccuracy: arm.test.accuracy - hard!.test.accuracy,
      deltaNll: arm.test.nll - hard!.test.nll,
      deltaEce: arm.test.ece - hard!.test.ece,
      deltaMeanConfidence: arm.test.meanConfidence - hard!.test.meanConfidence,
      mcnemar: { onlyBaselineCorrect: m.onlyFirstCorrect, onlyArmCorrect: m.onlySecondCorrect, pValue: m.pValue },
    };
  });
}

/** label-noise.json of a run whose training labels were flipped. */
export function labelNoiseFile(dataset: Dataset, seed: number): LabelNoiseFile | undefined {
  const noise = dataset.labelNoise;
  if (!noise) return undefined;
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: noise.kind,
    fraction: noise.fraction,
    seed,
    indices: Array.from(noise.flipped),
    cleanLabels: Array.from(noise.cleanLabels),
    noisyLabels: Array.from(noise.noisyLabels),
  };
}

/** The three result files of a completed run. */
export function runResults(options: { runId: string; config: TrainConfig; dataset: Dataset; spec: MlpSpec; backend: string; result: PairedResult }): {
  summary: RunSummary;
  histograms: HistogramsFile;
  predictions: PredictionsFile;
} {
  const { runId, config, dataset, spec, backend, result } = options;
  const summary: RunSummary = {
    schemaVersion: SCHEMA_VERSION,
    runId,
    dataset: describeDataset(dataset),
    backend,
    model: describeModel(spec),
    optimizer: describeOptimizer(config),
    config,
    arms: result.arms.map((a) => {
      const { reliability: _r, confidenceHistogram: _h, ...test } = a.test;
      return {
        label: a.label,
        epsilon: a.epsilon,
        smoothing: a.smoothing,
        initialWeightsDigest: a.initialWeightsDigest,
        finalWeightsDigest: a.finalWeightsDigest,
        history: a.history,
        test,
        diverged: a.diverged,
        ...(a.flippedTrainLabels ? { flippedTrainLabels: a.flippedTrainLabels } : {}),
      };
    }),
    comparisons: compareArms(result, dataset.test.y),
    warnings: setupWarnings(dataset, result.arms),
    ...(dataset.labelNoise
      ? { labelNoise: { kind: dataset.labelNoise.kind, fraction: dataset.labelNoise.fraction, flipped: dataset.labelNoise.flipped.length, file: RUN_FILES.labelNoise } }
      : {}),
    ...(dataset.imbalance !== undefined ? { imbalance: { ratio: dataset.imbalance } } : {}),
    seconds: result.seconds,
    completedAt: new Date().toISOString(),
    determinism: null,
    resumedAfterEpoch: null,
  };
  const histograms: HistogramsFile = {
    schemaVersion: SCHEMA_VERSION,
    confidenceBins: Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => i / HISTOGRAM_BINS),
    arms: result.arms.map((a) => ({ label: a.label, confidenceHistogram: a.test.confidenceHistogram, reliability: a.test.reliability })),
  };
  const predictions: PredictionsFile = {
    schemaVersion: SCHEMA_VERSION,
    labels: Array.from(dataset.test.y),
    arms: result.arms.map((a) => ({ label: a.label, predictions: a.testPredictions })),
  };
  return { summary, histograms, predictions };
}
