import { bootstrapInterval, mean, sampleSd, tInterval, verdictOf, type Interval, type Verdict } from '../stats/intervals';
import { expandGrid, gridPoints, pointLabel, smoothedEpsilons, type GridValue, type SweepGrid } from './grid';
import type { CellArmResult, CellResult } from './sweepFiles';

/**
 * The sweep's aggregate, per grid point: per smoothing variant and ε, the mean ± sd over seeds of each test
 * metric, and for each smoothed ε the paired difference to the hard arm of the same seed (and grid point)
 * with 95% intervals and a verdict. A sweep without axes has one grid point.
 */

/**
 * The metrics aggregated per arm. The ts* metrics (and the temperature) are the arm's after temperature
 * scaling on its run's validation set: the gate language calls them hardTs.ece, smoothedTs-0.1.nll, …
 */
export const AGGREGATE_METRICS = ['accuracy', 'nll', 'ece', 'brier', 'meanConfidence', 'temperature', 'tsAccuracy', 'tsNll', 'tsEce', 'tsBrier', 'tsMeanConfidence'] as const;
export type AggregateMetric = (typeof AGGREGATE_METRICS)[number];
/** The metrics of an arm as trained, and their temperature-scaled counterparts. */
export const BASE_METRICS = ['accuracy', 'nll', 'ece', 'brier', 'meanConfidence'] as const satisfies readonly AggregateMetric[];
export type BaseMetric = (typeof BASE_METRICS)[number];
export const SCALED_METRIC: Record<BaseMetric, AggregateMetric> = { accuracy: 'tsAccuracy', nll: 'tsNll', ece: 'tsEce', brier: 'tsBrier', meanConfidence: 'tsMeanConfidence' };
/** Does smoothing beat temperature scaling? The smoothed arm as trained against the hard arm after temperature scaling. */
export const VS_SCALED_HARD_METRICS = ['nll', 'ece', 'brier'] as const satisfies readonly BaseMetric[];

/** What "helps" means per metric; mean confidence and the temperature have no better direction, so they get higher/lower. */
export const METRIC_DIRECTION: Record<AggregateMetric, 'higher-is-better' | 'lower-is-better' | 'none'> = {
  accuracy: 'higher-is-better',
  nll: 'lower-is-better',
  ece: 'lower-is-better',
  brier: 'lower-is-better',
  meanConfidence: 'none',
  temperature: 'none',
  tsAccuracy: 'higher-is-better',
  tsNll: 'lower-is-better',
  tsEce: 'lower-is-better',
  tsBrier: 'lower-is-better',
  tsMeanConfidence: 'none',
};

/** A metric of one arm of one cell; undefined where the cell lacks it (no validation set, or a cell written before it was measured). */
export function cellMetric(arm: CellArmResult, metric: AggregateMetric): number | undefined {
  const ts = arm.temperatureScaled;
  switch (metric) {
    case 'temperature':
      return ts?.temperature;
    case 'tsAccuracy':
      return ts?.accuracy;
    case 'tsNll':
      return ts?.nll;
    case 'tsEce':
      return ts?.ece;
    case 'tsBrier':
      return ts?.brier;
    case 'tsMeanConfidence':
      return ts?.meanConfidence;
    default:
      return arm[metric];
  }
}

export const BOOTSTRAP_RESAMPLES = 10_000;
export const CONFIDENCE_LEVEL = 0.95;

export interface MetricStats {
  mean: number;
  sd: number | null;
  /** One value per completed seed, in seed order. */
  values: number[];
}

export interface PairedDifference {
  /** Mean over seeds of (smoothed − hard). */
  mean: number;
  sd: number | null;
  tInterval: Interval | null;
  bootstrapInterval: Interval | null;
  verdict: Verdict | 'higher' | 'lower';
}

export interface ArmAggregate {
  /** "hard" or "smoothed-<ε>" (the name the assertion language uses). */
  arm: string;
  epsilon: number;
  /** The seeds whose cell completed with this arm not diverged: the ones its metrics are averaged over. */
  seeds: number[];
  /** Seeds where this arm diverged: left out of its means (and of the paired differences), and they fail any gate that reads it. */
  diverged: { seed: number; message: string }[];
  metrics: Record<AggregateMetric, MetricStats>;
  /** null for the hard arm. Paired over the seeds where neither arm diverged. */
  vsHard: Record<AggregateMetric, PairedDifference> | null;
  /** This arm as trained minus the hard arm after temperature scaling (null for the hard arm, or without temperature scaling). */
  vsScaledHard: Record<(typeof VS_SCALED_HARD_METRICS)[number], PairedDifference> | null;
  /** Seeds left out of the paired differences because this arm or the hard arm diverged there. */
  excludedSeeds: number[];
  /** McNemar's exact test of this arm against the hard arm, one per seed (empty for the hard arm). */
  mcnemar: { seed: number; onlyHardCorrect: number; onlySmoothedCorrect: number; pValue: number }[];
}

export interface VariantAggregate {
  smoothing: string;
  arms: ArmAggregate[];
}

/** One grid point's aggregate: what a sweep without axes aggregates as a whole. */
export interface PointAggregate {
  /** "p1", "p2", … (gridPoints). */
  id: string;
  /** "labelNoise=0.2 learningRate=0.001" ("" without axes). */
  label: string;
  values: Record<string, GridValue>;
  variants: VariantAggregate[];
}

/** Version 2 groups the variants by grid point (version 1 had `variants` at the top level). */
export const AGGREGATE_SCHEMA_VERSION = 2;

export interface SweepAggregate {
  schemaVersion: number;
  sweepId: string;
  grid: SweepGrid;
  level: number;
  bootstrapResamples: number;
  points: PointAggregate[];
  /** The cells this aggregate covers: the whole grid, or one shard's slice of it. */
  expectedCells: string[];
  /** Expected cells without a completed result here. */
  missingCells: string[];
}

/** The paired difference of one metric, with the verdict only where both intervals support it. */
export function pairedDifference(differences: number[], metric: AggregateMetric, bootstrapSeed: number): PairedDifference {
  if (differences.length === 0) return { mean: NaN, sd: null, tInterval: null, bootstrapInterval: null, verdict: 'too few seeds' };
  const t = tInterval(differences, CONFIDENCE_LEVEL);
  const bootstrap = bootstrapInterval(differences, { level: CONFIDENCE_LEVEL, resamples: BOOTSTRAP_RESAMPLES, seed: bootstrapSeed });
  const direction = METRIC_DIRECTION[metric];
  let verdict: PairedDifference['verdict'];
  if (direction === 'none') {
    const v = verdictOf(t, bootstrap, 'higher-is-better');
    verdict = v === 'helps' ? 'higher' : v === 'hurts' ? 'lower' : v;
  } else {
    verdict = verdictOf(t, bootstrap, direction);
  }
  return { mean: mean(differences), sd: sampleSd(differences), tInterval: t, bootstrapInterval: bootstrap, verdict };
}

function statsOf(values: number[]): MetricStats {
  return { mean: mean(values), sd: sampleSd(values), values };
}

/** The paired differences (arm − baseline) over the cells where both have the metric, one PairedDifference per metric. */
function pairedOver<M extends string>(
  cells: CellResult[],
  metrics: readonly M[],
  arm: (c: CellResult) => CellArmResult,
  hard: (c: CellResult) => CellArmResult,
  baselineMetric: (m: M) => AggregateMetric,
  seedOf: (metricIndex: number) => number,
): Record<M, PairedDifference> {
  return Object.fromEntries(
    metrics.map((m, metricIndex) => {
      const diffs = cells.flatMap((c) => {
        const a = cellMetric(arm(c), m as unknown as AggregateMetric);
        const b = cellMetric(hard(c), baselineMetric(m));
        return a === undefined || b === undefined ? [] : [a - b];
      });
      return [m, pairedDifference(diffs, m as unknown as AggregateMetric, seedOf(metricIndex))];
    }),
  ) as Record<M, PairedDifference>;
}

function armAggregate(done: CellResult[], epsilon: number, armIndex: number): ArmAggregate {
  const armOf = (cell: CellResult) => cell.arms.find((a) => a.epsilon === epsilon);
  const hardOf = (cell: CellResult) => cell.arms.find((a) => a.epsilon === 0);
  const present = done.filter((c) => armOf(c) !== undefined);
  const usable = present.filter((c) => !armOf(c)!.diverged);
  const diverged = present.filter((c) => armOf(c)!.diverged).map((c) => ({ seed: c.seed, message: armOf(c)!.diverged! }));
  const metrics = Object.fromEntries(
    AGGREGATE_METRICS.map((m) => [m, statsOf(usable.flatMap((c) => (cellMetric(armOf(c)!, m) === undefined ? [] : [cellMetric(armOf(c)!, m)!])))]),
  ) as Record<AggregateMetric, MetricStats>;
  let vsHard: ArmAggregate['vsHard'] = null;
  let vsScaledHard: ArmAggregate['vsScaledHard'] = null;
  let excludedSeeds: number[] = [];
  if (epsilon > 0) {
    const paired = present.filter((c) => hardOf(c) !== undefined);
    excludedSeeds = paired.filter((c) => armOf(c)!.diverged || hardOf(c)!.diverged).map((c) => c.seed);
    const clean = paired.filter((c) => !excludedSeeds.includes(c.seed));
    // A fixed bootstrap seed per (arm, metric): the same cells always give the same interval.
    vsHard = pairedOver(clean, AGGREGATE_METRICS, (c) => armOf(c)!, (c) => hardOf(c)!, (m) => m, (i) => armIndex * 16 + i);
    if (clean.some((c) => hardOf(c)!.temperatureScaled)) {
      vsScaledHard = pairedOver(clean, VS_SCALED_HARD_METRICS, (c) => armOf(c)!, (c) => hardOf(c)!, (m) => SCALED_METRIC[m], (i) => armIndex * 16 + 12 + i);
    }
  }
  const mcnemar = usable.flatMap((c) => {
    const test = c.mcnemar.find((t) => t.epsilon === epsilon);
    return test && !excludedSeeds.includes(c.seed) ? [{ seed: c.seed, onlyHardCorrect: test.onlyHardCorrect, onlySmoothedCorrect: test.onlySmoothedCorrect, pValue: test.pValue }] : [];
  });
  return { arm: epsilon === 0 ? 'hard' : `smoothed-${epsilon}`, epsilon, seeds: usable.map((c) => c.seed), diverged, metrics, vsHard, vsScaledHard, excludedSeeds, mcnemar };
}

export function aggregateSweep(sweepId: string, grid: SweepGrid, cells: ReadonlyMap<string, CellResult>, expectedCells?: readonly string[]): SweepAggregate {
  const all = expandGrid(grid);
  const expected = expectedCells ?? all.map((c) => c.id);
  const points = gridPoints(grid).map((point) => ({
    id: point.id,
    label: pointLabel(point),
    values: point.values,
    variants: grid.smoothing.map((smoothing) => {
      const done = all.filter((c) => c.point.id === point.id && c.smoothing === smoothing && cells.has(c.id)).map((c) => cells.get(c.id)!);
      return { smoothing, arms: [0, ...smoothedEpsilons(grid)].map((epsilon, armIndex) => armAggregate(done, epsilon, armIndex)) };
    }),
  }));
  return {
    schemaVersion: AGGREGATE_SCHEMA_VERSION,
    sweepId,
    grid,
    level: CONFIDENCE_LEVEL,
    bootstrapResamples: BOOTSTRAP_RESAMPLES,
    points,
    expectedCells: [...expected],
    missingCells: expected.filter((id) => !cells.has(id)),
  };
}

function armAt(aggregate: SweepAggregate, pointId: string, variant: string, epsilon: number): ArmAggregate | undefined {
  return aggregate.points.find((p) => p.id === pointId)?.variants.find((v) => v.smoothing === variant)?.arms.find((a) => a.epsilon === epsilon);
}

/** The values `--assert` reads: the mean over seeds of an arm's metric at a grid point (undefined when no seed has it). */
export function aggregateValue(aggregate: SweepAggregate, pointId: string, variant: string, epsilon: number, metric: AggregateMetric): number | undefined {
  const arm = armAt(aggregate, pointId, variant, epsilon);
  if (!arm || arm.metrics[metric].values.length === 0) return undefined;
  return arm.metrics[metric].mean;
}

/** Why a gate must not trust an arm's values at a grid point: seeds where it diverged (they are left out of its mean). */
export function aggregateProblem(aggregate: SweepAggregate, pointId: string, variant: string, epsilon: number): string | null {
  const arm = armAt(aggregate, pointId, variant, epsilon);
  if (!arm || arm.diverged.length === 0) return null;
  return `${arm.arm} diverged in seed${arm.diverged.length > 1 ? 's' : ''} ${arm.diverged.map((d) => d.seed).join(', ')} (left out of its mean)`;
}
