import type { TrainConfig } from '../config/schema';
import type { EvaluationMetrics } from '../metrics/evaluate';
import type { SmoothingVariant } from '../smoothing/labelSmoothing';
import type { ArmComparison } from '../train/compareArms';
import type { DivergenceInfo, EpochRecord } from '../train/pairedTrainer';

/**
 * The types of the run files ls-bench writes (runWriter.ts, runResults.ts); their schemas, which read them
 * back, are in runFiles.ts, and a compile-time check there keeps each type within its schema.
 */

export interface DatasetInfo {
  name: string;
  description: string;
  trainSamples: number;
  testSamples: number;
  features: number;
  classes: number;
  classNames: string[];
  digest: string;
  /** Training samples per true class (after --limit and --imbalance, before --label-noise). */
  trainClassCounts?: number[];
  /** Test samples per class. */
  testClassCounts?: number[];
  /** The validation set held out of the training set (--val-fraction); absent in older runs. */
  validationSamples?: number;
  validationClassCounts?: number[];
}

export interface MetricsRow extends EpochRecord {
  arm: string;
  epsilon: number;
}

/** Metrics added after the first runs were written: a stored run may lack them. */
type LaterTestMetrics = 'brier' | 'mce' | 'adaptiveEce' | 'classwiseEce' | 'calibrationGap' | 'topConfusions';

/**
 * The test metrics stored per arm: everything but the bulky reliability bins and histogram (histograms.json)
 * and the sparse confusion cells (confusion.json, when the dense matrix is not kept).
 */
export type ArmTestMetrics = Omit<EvaluationMetrics, 'reliability' | 'confidenceHistogram' | 'confusionEntries' | LaterTestMetrics> & Partial<Pick<EvaluationMetrics, LaterTestMetrics>>;

/** confusion.json: every non-zero cell of every arm's confusion matrix, for runs with many classes. */
export interface ConfusionFile {
  schemaVersion: number;
  classes: number;
  /** Cells as [true class, predicted class, count], ordered by true then predicted class. */
  arms: { label: string; cells: [number, number, number][] }[];
}

/** An arm after temperature scaling, as stored: T, the validation NLL at T and at 1, and the test metrics at T. */
export interface StoredTemperatureScaling {
  temperature: number;
  validationNll: number;
  validationNllUnscaled: number;
  validationSamples: number;
  atBound: 'min' | 'max' | null;
  test: Pick<EvaluationMetrics, 'accuracy' | 'nll' | 'ece' | 'brier' | 'meanConfidence' | 'calibrationGap'>;
}

/** A comparison as stored: runs written before intervals and temperature scaling lack those fields. */
export type StoredArmComparison = Omit<ArmComparison, 'deltaBrier' | 'intervals' | 'bootstrap' | 'temperatureScaled'> &
  Partial<Pick<ArmComparison, 'deltaBrier' | 'intervals' | 'bootstrap' | 'temperatureScaled'>>;

export interface ArmSummary {
  label: string;
  epsilon: number;
  smoothing: SmoothingVariant;
  initialWeightsDigest: string;
  finalWeightsDigest: string;
  history: EpochRecord[];
  test: ArmTestMetrics;
  /** Set when the arm's loss or weights became non-finite: it stopped there, metrics are from its last finite weights. */
  diverged?: DivergenceInfo | null;
  /** With label noise: fractions of the flipped training samples predicted as their noisy label (memorised) and as their true label. */
  flippedTrainLabels?: { count: number; memorised: number; predictedClean: number };
  /** After temperature scaling on the validation set: null with --val-fraction 0; absent in older runs. */
  temperatureScaled?: StoredTemperatureScaling | null;
}

export interface RunSummary {
  schemaVersion: number;
  runId: string;
  dataset: DatasetInfo;
  backend: string;
  model: string;
  optimizer: string;
  config: TrainConfig;
  arms: ArmSummary[];
  comparisons: StoredArmComparison[];
  /** Things the reader should know about this run's setup, e.g. the two-class caveat. */
  warnings?: string[];
  /** With --label-noise: what was flipped (the indices are in label-noise.json). */
  labelNoise?: { kind: string; fraction: number; flipped: number; file: string };
  /** With --imbalance: the ratio asked for (the realised counts are dataset.trainClassCounts). */
  imbalance?: { ratio: number };
  seconds: number;
  completedAt: string;
  /** With --check-determinism: whether a second training gave identical results, and the first difference. */
  determinism?: DeterminismCheck | null;
  /** Set when the run was continued with --resume: the epoch it continued after. */
  resumedAfterEpoch?: number | null;
}

export interface DeterminismCheck {
  identical: boolean;
  firstDifference: string | null;
}

/** label-noise.json: the training samples whose labels were flipped, and to what. */
export interface LabelNoiseFile {
  schemaVersion: number;
  kind: string;
  fraction: number;
  seed: number;
  /** Indices into the training split as trained on (after --limit and --imbalance), ascending. */
  indices: number[];
  cleanLabels: number[];
  noisyLabels: number[];
}

export interface HistogramsFile {
  schemaVersion: number;
  confidenceBins: number[];
  arms: { label: string; confidenceHistogram: number[]; reliability: EvaluationMetrics['reliability']; temperatureScaledReliability?: EvaluationMetrics['reliability'] }[];
}

export interface PredictionsFile {
  schemaVersion: number;
  labels: number[];
  arms: { label: string; predictions: number[] }[];
}
