import { z } from 'zod';
import type { ArmComparison } from '../train/compareArms';
import { SMOOTHING_VARIANTS } from '../smoothing/labelSmoothing';
import { checkHistogramsShape, checkSummaryShape } from './runFileShapes';

export type { ArmComparison };

/**
 * The on-disk format of a run directory, version 1: its files, the types ls-bench writes and the schemas
 * it reads them back with. RunWriter writes a run, readRunDirectory reads one.
 *
 *   run.json          identity: id, name, tags, created, command line, sweep cell (written once)
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
 *   run.lock          held by the process that trains the run              (created at start, removed at the end)
 *   confusion.json    above CLASS_DETAIL_LIMIT classes: the sparse confusion matrices (written once, at the end)
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
  /** Every arm's test log-probabilities, float32 (written once, at the end; probabilitiesFile.ts). */
  probabilities: 'probabilities.bin',
  checkpoint: 'checkpoint.bin',
  labelNoise: 'label-noise.json',
  /** Held by the process training the run (processLock.ts); absent when no process is. */
  lock: 'run.lock',
  /** The confusion matrices, sparse, of a run with more classes than summary.json keeps them for. */
  confusion: 'confusion.json',
} as const;

/** A JSON value that may also be null (a union, so a wrong value reads "expected string or null"). */
const orNull = <T extends z.ZodType>(schema: T) => z.union([schema, z.null()]);

/**
 * The schemas below check the fields ls-bench relies on when it reads a run. They are not strict: a
 * field they do not name is allowed and kept as it is (the reader returns the file's own value once it
 * passes), so a later ls-bench may add fields without making older runs unreadable or newer ones corrupt.
 * schemaVersion is checked before the schema (a newer version is "unsupported", not "corrupt").
 */

/** A run that is one cell of a sweep: which sweep (its id and directory) and which cell (run.json's `sweep`). */
export const SweepCellRefSchema = z.object({ id: z.string(), cell: z.string(), dir: z.string() });
export type SweepCellRef = z.infer<typeof SweepCellRefSchema>;
/** run.json */
export const RunMetaSchema = z.object({
  schemaVersion: z.number(),
  id: z.string(),
  name: orNull(z.string()),
  tags: z.array(z.string()),
  createdAt: z.string(),
  command: z.array(z.string()),
  sweep: SweepCellRefSchema.optional(), // set when `ls-bench sweep` trained the run as one of its cells
});
export type RunMeta = z.infer<typeof RunMetaSchema>;

/** status.json */
export const RunStatusFileSchema = z.object({
  schemaVersion: z.number(),
  status: z.enum(RUN_STATUSES),
  startedAt: z.string(),
  updatedAt: z.string(),
  endedAt: orNull(z.string()),
  completedEpochs: z.number(),
  /** Why a run failed or was interrupted. */
  message: orNull(z.string()),
  /** The process that owns a running run, to tell a live run from one whose process died. */
  pid: z.number(),
  /** The host of that process (absent in runs written before it was recorded: taken as this host). */
  host: z.string().optional(),
  /** The process's start time and boot (processIdentity.ts), so that a reused pid is not taken for it; absent in older runs. */
  startTime: orNull(z.string()).optional(),
  bootId: orNull(z.string()).optional(),
});
export type RunStatusFile = z.infer<typeof RunStatusFileSchema>;

/** environment.json */
export const EnvironmentInfoSchema = z.object({
  lsBenchVersion: z.string(),
  node: z.string(),
  platform: z.string(),
  arch: z.string(),
  cpu: z.string(),
  cpuCount: z.number(),
  backend: z.string(),
  backendLabel: z.string(),
  backendFallbackReason: orNull(z.string()),
  gitCommit: orNull(z.string()),
  /** The BLAS threads of the native backend (null on the others); absent in runs written before it was recorded. */
  blasThreads: orNull(z.number()).optional(),
});
export type EnvironmentInfo = z.infer<typeof EnvironmentInfoSchema>;

const EpochRecordSchema = z.object({
  epoch: z.number(),
  trainLoss: z.number(),
  trainNll: z.number(),
  testNll: z.number(),
  testAccuracy: z.number(),
  seconds: z.number(),
});

/** One line of metrics.jsonl. */
export const MetricsRowSchema = EpochRecordSchema.extend({ arm: z.string(), epsilon: z.number() });

const ConfusionEntrySchema = z.object({ trueClass: z.number().int().nonnegative(), predicted: z.number().int().nonnegative(), count: z.number() });

const ArmTestSchema = z.object({
  accuracy: z.number(),
  nll: z.number(),
  ece: z.number(),
  meanConfidence: z.number(),
  // absent in runs written before these were measured
  brier: z.number().optional(),
  mce: z.number().optional(),
  adaptiveEce: z.number().optional(),
  classwiseEce: z.number().optional(),
  calibrationGap: z.number().optional(),
  /** Absent above CLASS_DETAIL_LIMIT classes (the matrix is in confusion.json). */
  confusionMatrix: z.array(z.array(z.number())).optional(),
  /** Absent in runs written before it was recorded. */
  topConfusions: z.array(ConfusionEntrySchema).optional(),
  perClass: z.array(z.object({ precision: orNull(z.number()), recall: orNull(z.number()), f1: orNull(z.number()), support: z.number() })),
  macro: z.object({ precision: orNull(z.number()), recall: orNull(z.number()), f1: orNull(z.number()) }),
});

const ArmSummarySchema = z.object({
  label: z.string(),
  /** ε in [0, 1], as training accepts it: the views compute the smoothed targets' entropy from it. */
  epsilon: z.number().min(0).max(1),
  /** The views compute from it (the entropy floor of the smoothed loss): a variant ls-bench knows. */
  smoothing: z.enum(SMOOTHING_VARIANTS),
  initialWeightsDigest: z.string(),
  finalWeightsDigest: z.string(),
  history: z.array(EpochRecordSchema),
  test: ArmTestSchema,
  diverged: orNull(z.object({ epoch: z.number(), batch: orNull(z.number()), lastFiniteLoss: orNull(z.number()), message: z.string() })).optional(),
  flippedTrainLabels: z.object({ count: z.number(), memorised: z.number(), predictedClean: z.number() }).optional(),
  temperatureScaled: orNull(
    z.object({
      temperature: z.number(),
      validationNll: z.number(),
      validationNllUnscaled: z.number(),
      validationSamples: z.number(),
      atBound: orNull(z.enum(['min', 'max'])),
      test: z.object({ accuracy: z.number(), nll: z.number(), ece: z.number(), brier: z.number(), meanConfidence: z.number(), calibrationGap: z.number() }),
    }),
  ).optional(),
});

const IntervalSchema = z.tuple([z.number(), z.number()]);
const MetricIntervalsSchema = z.object({ accuracy: IntervalSchema, nll: IntervalSchema, ece: IntervalSchema, brier: IntervalSchema, meanConfidence: IntervalSchema });
const PairedDeltaSchema = z.object({
  delta: z.object({ accuracy: z.number(), nll: z.number(), ece: z.number(), brier: z.number(), meanConfidence: z.number() }),
  intervals: MetricIntervalsSchema,
});

const ArmComparisonSchema = z.object({
  arm: z.string(),
  baseline: z.string(),
  deltaAccuracy: z.number(),
  deltaNll: z.number(),
  deltaEce: z.number(),
  deltaMeanConfidence: z.number(),
  mcnemar: z.object({ onlyBaselineCorrect: z.number(), onlyArmCorrect: z.number(), pValue: z.number() }),
  // absent in runs written before single-run intervals and temperature scaling
  deltaBrier: z.number().optional(),
  intervals: MetricIntervalsSchema.optional(),
  bootstrap: z.object({ resamples: z.number(), level: z.number(), seed: z.number() }).optional(),
  temperatureScaled: orNull(z.object({ armVsScaledBaseline: PairedDeltaSchema, scaledArmVsScaledBaseline: PairedDeltaSchema })).optional(),
});

const DatasetInfoSchema = z.object({
  name: z.string(),
  description: z.string(),
  trainSamples: z.number(),
  testSamples: z.number(),
  features: z.number(),
  classes: z.number(),
  classNames: z.array(z.string()),
  digest: z.string(),
  trainClassCounts: z.array(z.number()).optional(),
  testClassCounts: z.array(z.number()).optional(),
  validationSamples: z.number().optional(),
  validationClassCounts: z.array(z.number()).optional(),
});

/** summary.json. The config is the run's (config.json is the copy that is validated against the config schema). */
export const RunSummarySchema = z.object({
  schemaVersion: z.number(),
  runId: z.string(),
  dataset: DatasetInfoSchema,
  backend: z.string(),
  model: z.string(),
  optimizer: z.string(),
  config: z.looseObject({}),
  arms: z.array(ArmSummarySchema).min(1),
  comparisons: z.array(ArmComparisonSchema),
  warnings: z.array(z.string()).optional(),
  labelNoise: z.object({ kind: z.string(), fraction: z.number(), flipped: z.number(), file: z.string() }).optional(),
  imbalance: z.object({ ratio: z.number() }).optional(),
  seconds: z.number(),
  completedAt: z.string(),
  determinism: orNull(z.object({ identical: z.boolean(), firstDifference: orNull(z.string()) })).optional(),
  resumedAfterEpoch: orNull(z.number()).optional(),
}).superRefine(checkSummaryShape);

const ReliabilitySchema = z.array(z.object({ lower: z.number(), upper: z.number(), count: z.number(), meanConfidence: orNull(z.number()), accuracy: orNull(z.number()) }));

/** histograms.json */
export const HistogramsFileSchema = z.object({
  schemaVersion: z.number(),
  confidenceBins: z.array(z.number()),
  arms: z.array(
    z.object({
      label: z.string(),
      confidenceHistogram: z.array(z.number()),
      reliability: ReliabilitySchema,
      /** After temperature scaling (absent without a validation set, and in older runs). */
      temperatureScaledReliability: ReliabilitySchema.optional(),
    }),
  ),
}).superRefine(checkHistogramsShape);

export const METRICS_CSV_COLUMNS = ['epoch', 'arm', 'epsilon', 'trainLoss', 'trainNll', 'testNll', 'testAccuracy', 'seconds'] as const;

export type { DatasetInfo, MetricsRow, ArmTestMetrics, ConfusionFile, StoredTemperatureScaling, StoredArmComparison, ArmSummary, RunSummary, DeterminismCheck, LabelNoiseFile, HistogramsFile, PredictionsFile } from './runFileTypes';
import type { MetricsRow, RunSummary, HistogramsFile } from './runFileTypes';

/**
 * What ls-bench writes passes what it reads: each written type must fit its schema's input, checked by the
 * compiler (a field added to a writer's type but refused by the reader's schema fails the build).
 */
type Fits<Written extends Schema, Schema> = Written;
export type WrittenFilesFitTheirSchemas = [
  Fits<MetricsRow, z.input<typeof MetricsRowSchema>>,
  Fits<RunSummary, z.input<typeof RunSummarySchema>>,
  Fits<HistogramsFile, z.input<typeof HistogramsFileSchema>>,
  Fits<EnvironmentInfo, z.input<typeof EnvironmentInfoSchema>>,
];
