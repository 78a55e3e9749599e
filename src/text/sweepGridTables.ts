import { BASE_METRICS, type AggregateMetric, type ArmAggregate, type PairedDifference, type SweepAggregate } from '../sweep/aggregate';
import { formatGridValue, gridAxes, gridPoints, smoothedEpsilons } from '../sweep/grid';
import { delta, interval, meanSd, METRIC_NAMES, type SweepSection } from './sweepCells';

/** The verdict as a word after a Δ: only a detectable difference gets one (the legend says so). */
function verdictMark(d: PairedDifference): string {
  return d.verdict === 'no detectable difference' || d.verdict === 'too few seeds' ? '' : ` ${d.verdict}`;
}

/** A grid table's Δ cell: the paired mean difference, its t-interval and the verdict when there is one. */
function deltaCell(metric: AggregateMetric, arm: ArmAggregate): string {
  const d = arm.vsHard?.[metric];
  if (!d || !Number.isFinite(d.mean)) return '—';
  return `${delta(metric, d.mean)} ${interval(metric, d.tInterval)}${verdictMark(d)}`;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * One table per metric with the grid points as rows and ε as columns (only for a grid with axes): the
 * hard arm's mean ± sd, then for each smoothed ε its mean ± sd and its paired difference to the hard arm,
 * so that an interaction ("smoothing helps only at high noise") reads down a column. The temperature-scaled
 * metrics stay in the detail tables.
 */
export function gridSections(aggregate: SweepAggregate): SweepSection[] {
  const axes = gridAxes(aggregate.grid);
  if (axes.length === 0) return [];
  const points = gridPoints(aggregate.grid);
  const epsilons = smoothedEpsilons(aggregate.grid);
  const variants = aggregate.grid.smoothing.length > 1;
  const pct = Math.round(aggregate.level * 100);
  return BASE_METRICS.map((metric) => {
    const rows = aggregate.points.flatMap((point, i) =>
      point.variants.map((variant) => {
        const arm = (epsilon: number) => variant.arms.find((a) => a.epsilon === epsilon)!;
        const stats = (a: ArmAggregate) => meanSd(metric, a.metrics[metric].mean, a.metrics[metric].sd, a.metrics[metric].values.length);
        return [
          ...axes.map((axis) => formatGridValue(points[i]!.values[axis.key]!)),
          ...(variants ? [variant.smoothing] : []),
          stats(arm(0)),
          ...epsilons.flatMap((e) => [stats(arm(e)), deltaCell(metric, arm(e))]),
        ];
      }),
    );
    const lead = axes.length + (variants ? 1 : 0);
    return {
      title: `${METRIC_NAMES[metric]} by grid point and ε: mean ± sd over seeds; Δ = smoothed − hard, paired, with its t ${pct}% CI`,
      head: [...axes.map((a) => a.key), ...(variants ? ['smoothing'] : []), 'hard (ε=0)', ...epsilons.flatMap((e) => [`ε=${e}`, `Δ ε=${e}`])],
      rows,
      numeric: range(lead, lead + 2 * epsilons.length),
    };
  });
}
