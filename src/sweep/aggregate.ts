import { bootstrapInterval, mean, sampleSd, tInterval, verdictOf, type Interval, type Verdict } from '../stats/intervals';
import { expandGrid, gridPoints, pointLabel, smoothedEpsilons, type GridValue, type SweepGrid } from './grid';
import type { AssertMetric } from './assertions';
import type { CellResult } from './sweepFiles';

/**
 * The sweep's aggregate, per grid point: per smoothing variant and ε, the mean ± sd over seeds of each test
 * metric, and for each smoothed ε the paired difference to the hard arm of the same seed (and grid point)
 * with 95% intervals and a verdict. A sweep without axes has one grid point.
 */

export const AGGREGATE_METRICS = ['accuracy', 'nll', 'ece', 'meanConfidence'] as const satisfies readonly AssertMetric[];
export type AggregateMetric = (typeof AGGREGATE_METRICS)[number];

/** What "helps" means per metric; mean confidence has no better direction, so it gets higher/lower. */
export const METRIC_DIRECTION: Record<AggregateMetric, 'higher-is-better' | 'lower-is-better' | 'none'> = {
  accuracy: 'higher-is-better',
  nll: 'lower-is-better',
  ece: 'lower-is-better',
  meanConfidence: 'none',
};

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
  seeds: number[];
  metrics: Record<AggregateMetric, MetricStats>;
  /** null for the hard arm. */
  vsHard: Record<AggregateMetric, PairedDifference> | null;
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

/** One variant at one grid point, over the completed cells given (each a seed). */
function aggregateVariant(grid: SweepGrid, smoothing: string, done: CellResult[]): VariantAggregate {
  const arms: ArmAggregate[] = [0, ...smoothedEpsilons(grid)].map((epsilon, armIndex) => {
    const armOf = (cell: CellResult) => cell.arms.find((a) => a.epsilon === epsilon);
    const present = done.filter((c) => armOf(c) !== undefined);
    const metrics = Object.fromEntries(
      AGGREGATE_METRICS.map((m) => {
        const values = present.map((c) => armOf(c)![m]);
        return [m, { mean: mean(values), sd: sampleSd(values), values }];
      }),
    ) as Record<AggregateMetric, MetricStats>;
    let vsHard: ArmAggregate['vsHard'] = null;
    if (epsilon > 0) {
      const paired = present.filter((c) => c.arms.some((a) => a.epsilon === 0));
      vsHard = Object.fromEntries(
        AGGREGATE_METRICS.map((m, metricIndex) => {
          const diffs = paired.map((c) => armOf(c)![m] - c.arms.find((a) => a.epsilon === 0)![m]);
          // A fixed bootstrap seed per (arm, metric): the same cells always give the same interval.
          return [m, pairedDifference(diffs, m, armIndex * 16 + metricIndex)];
        }),
      ) as Record<AggregateMetric, PairedDifference>;
    }
    const mcnemar = present.flatMap((c) => {
      const test = c.mcnemar.find((t) => t.epsilon === epsilon);
      return test ? [{ seed: c.seed, onlyHardCorrect: test.onlyHardCorrect, onlySmoothedCorrect: test.onlySmoothedCorrect, pValue: test.pValue }] : [];
    });
    return { arm: epsilon === 0 ? 'hard' : `smoothed-${epsilon}`, epsilon, seeds: present.map((c) => c.seed), metrics, vsHard, mcnemar };
  });
  return { smoothing, arms };
}

export function aggregateSweep(sweepId: string, grid: SweepGrid, cells: ReadonlyMap<string, CellResult>, expectedCells?: readonly string[]): SweepAggregate {
  const all = expandGrid(grid);
  const expected = expectedCells ?? all.map((c) => c.id);
  const points = gridPoints(grid).map((point) => ({
    id: point.id,
    label: pointLabel(point),
    values: point.values,
    variants: grid.smoothing.map((smoothing) =>
      aggregateVariant(
        grid,
        smoothing,
        all.filter((c) => c.point.id === point.id && c.smoothing === smoothing && cells.has(c.id)).map((c) => cells.get(c.id)!),
      ),
    ),
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

/** The values `--assert` reads: the mean over seeds of an arm's metric at a grid point. */
export function aggregateValue(aggregate: SweepAggregate, pointId: string, variant: string, epsilon: number, metric: AssertMetric): number | undefined {
  const point = aggregate.points.find((p) => p.id === pointId);
  const arm = point?.variants.find((v) => v.smoothing === variant)?.arms.find((a) => a.epsilon === epsilon);
  if (!arm || arm.seeds.length === 0) return undefined;
  return arm.metrics[metric].mean;
}
