import type { TrainConfig } from '../config/schema';
import { classCounts, datasetDigest, type Dataset } from '../data/Dataset';
import { describeModel, describeOptimizer } from '../engine/describeModel';
import type { ModelSpec } from '../engine/modelSpec';
import { HISTOGRAM_BINS } from '../metrics/evaluate';
import { setupWarnings } from '../train/arms';
import { compareArms } from '../train/compareArms';
import type { PairedResult, TemperatureScaledArm } from '../train/pairedTrainer';
import { encodeProbabilities } from './probabilitiesFile';
import { RUN_FILES, SCHEMA_VERSION, type ConfusionFile, type DatasetInfo, type HistogramsFile, type LabelNoiseFile, type PredictionsFile, type RunSummary, type StoredTemperatureScaling } from './runFiles';
import { CLASS_DETAIL_LIMIT } from '../metrics/classification';

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
    ...(dataset.validation
      ? { validationSamples: dataset.validation.count, validationClassCounts: classCounts(dataset.validation.y, dataset.numClasses) }
      : {}),
  };
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

function storedScaling(scaled: TemperatureScaledArm | null): StoredTemperatureScaling | null {
  if (!scaled) return null;
  const { test } = scaled;
  return {
    temperature: scaled.temperature,
    validationNll: scaled.validationNll,
    validationNllUnscaled: scaled.validationNllUnscaled,
    validationSamples: scaled.validationSamples,
    atBound: scaled.atBound,
    test: { accuracy: test.accuracy, nll: test.nll, ece: test.ece, brier: test.brier, meanConfidence: test.meanConfidence, calibrationGap: test.calibrationGap },
  };
}

/** The result files of a completed run (probabilities.bin as its bytes; confusion.json only when summary.json leaves the dense matrices out). */
export function runResults(options: { runId: string; config: TrainConfig; dataset: Dataset; spec: ModelSpec; backend: string; result: PairedResult }): {
  summary: RunSummary;
  histograms: HistogramsFile;
  predictions: PredictionsFile;
  probabilities: Uint8Array;
  confusion?: ConfusionFile;
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
      const { reliability: _r, confidenceHistogram: _h, confusionEntries: _c, ...test } = a.test;
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
        temperatureScaled: storedScaling(a.temperatureScaled),
      };
    }),
    comparisons: compareArms(result, dataset.test.y, dataset.numClasses, config.seed),
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
    arms: result.arms.map((a) => ({
      label: a.label,
      confidenceHistogram: a.test.confidenceHistogram,
      reliability: a.test.reliability,
      ...(a.temperatureScaled ? { temperatureScaledReliability: a.temperatureScaled.test.reliability } : {}),
    })),
  };
  const predictions: PredictionsFile = {
    schemaVersion: SCHEMA_VERSION,
    labels: Array.from(dataset.test.y),
    arms: result.arms.map((a) => ({ label: a.label, predictions: a.testPredictions })),
  };
  const probabilities = encodeProbabilities({
    samples: dataset.test.count,
    classes: dataset.numClasses,
    classNames: dataset.classNames,
    labels: dataset.test.y,
    arms: result.arms.map((a) => ({ label: a.label, epsilon: a.epsilon, smoothing: a.smoothing, logProbs: a.testLogProbs })),
  });
  const confusion: ConfusionFile | undefined =
    dataset.numClasses > CLASS_DETAIL_LIMIT
      ? {
          schemaVersion: SCHEMA_VERSION,
          classes: dataset.numClasses,
          arms: result.arms.map((a) => ({ label: a.label, cells: a.test.confusionEntries.map((e): [number, number, number] => [e.trueClass, e.predicted, e.count]) })),
        }
      : undefined;
  return { summary, histograms, predictions, probabilities, ...(confusion ? { confusion } : {}) };
}
