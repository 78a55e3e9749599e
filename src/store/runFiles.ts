import type { TrainConfig } from '../config/schema';
import type { EvaluationMetrics } from '../metrics/evaluate';
import type { ArmComparison } from '../train/compareArms';
import type { DivergenceInfo, EpochRecord } from '../train/pairedTrainer';
import type { SmoothingVariant } from '../smoothing/labelSmoothing';

export type { ArmComparison };

/**
 * The on-disk format of a run directory, version 1. One module (RunStore) reads and writes it.
 *
 *   run.json          identity: id, name, tags, created, command line      (written once)
 *   config.json       the resolved config                                  (written once, before training)
 *   environment.json  ls-bench and Node versions, CPU, backend, git commit (written once)
 *   status.json       running | completed | failed | interrupted           (rewritten atomically)
 *   metrics.jsonl     one line per epoch and arm                           (appended)
 *   metrics.csv       the same rows as CSV                                 (appended)
 *   summary.json      final metrics of every arm and the comparisons       (written once, at the end)
 *   histograms.json   confidence histograms and reliability bins per arm   (written once, at the end)
 *   predictions.json  predicted test class of every arm                    (written once, at the end)
 *   checkpoint.bin    weights and optimizer state after the last epoch     (rewritten atomically, each epoch)
 *   label-noise.json  with --label-noise: the flipped training samples     (written once, before training)
 */
export const SCHEMA_VERSION = 1;

export const RUN_STATUSES = ['running', 'completed', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RUN_FILES = {
  meta: 'run.json',
  config: 'config.json',
  environment: 'environment.json',
  status: 'status.json',
  metricsJsonl: 'metrics.jsonl',
  metricsCsv: 'metrics.csv',
  summary: 'summary.json',
  histograms: 'histograms.json',
  predictions: 'predictions.json',
  checkpoint: 'checkpoint.bin',
  labelNoise: 'label-noise.json',
} as const;

export interface RunMeta {
  schemaVersion: number;
  id: string;
  name: string | null;
  tags: string[];
  createdAt: string;
  command: string[];
}

export interface RunStatusFile {
  schemaVersion: number;
  status: RunStatus;
  startedAt: string;
  updatedAt: string;
  endedAt: string | null;
  completedEpochs: number;
  /** Why a run failed or was interrupted. */
  message: string | null;
  /** The process that owns a running run, to tell a live run from one whose process died. */
  pid: number;
  /** The host of that process (absent in runs written before it was recorded: taken as this host). */
  host?: string;
}

export interface EnvironmentInfo {
  lsBenchVersion: string;
  node: string;
  platform: string;
  arch: string;
  cpu: string;
  cpuCount: number;
  backend: string;
  backendLabel: string;
  backendFallbackReason: string | null;
  gitCommit: string | null;
}

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
}

export interface MetricsRow extends EpochRecord {
  arm: string;
  epsilon: number;
}

export const METRICS_CSV_COLUMNS = ['epoch', 'arm', 'epsilon', 'trainLoss', 'trainNll', 'testNll', 'testAccuracy', 'seconds'] as const;

/** The test metrics stored per arm: everything but the bulky reliability bins and histogram (histograms.json). */
export type ArmTestMetrics = Omit<EvaluationMetrics, 'reliability' | 'confidenceHistogram'>;

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
  comparisons: ArmComparison[];
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
  arms: { label: string; confidenceHistogram: number[]; reliability: EvaluationMetrics['reliability'] }[];
}

export interface PredictionsFile {
  schemaVersion: number;
  labels: number[];
  arms: { label: string; predictions: number[] }[];
}
