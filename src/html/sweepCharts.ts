import type { TopLevelSpec } from 'vega-lite';
import { BASE_METRICS, SCALED_METRIC, type BaseMetric, type PointAggregate, type SweepAggregate } from '../sweep/aggregate';
import { formatGridValue, gridAxes, type GridAxis } from '../sweep/grid';
import { OKABE_ITO_ARM_COLOURS } from './palette';
import { CHART_CONFIG, type ReportChart } from './runCharts';

/**
 * The charts of a sweep's report, as Vega-Lite specs built from the aggregate alone (aggregate.json). Like
 * runCharts.ts these are pure: every number drawn sits in the spec's inline data, so a test can compare it
 * with the stored aggregate.
 */

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** The hard arm keeps the run report's blue; smoothing variants take the next Okabe–Ito colours (vermillion first, like the run report's smoothed arm). */
export const HARD_ARM_COLOUR = OKABE_ITO_ARM_COLOURS[0];

export function variantColourScale(aggregate: SweepAggregate): { domain: string[]; range: string[] } {
  const smoothedColours = OKABE_ITO_ARM_COLOURS.slice(1);
  return { domain: aggregate.grid.smoothing, range: aggregate.grid.smoothing.map((_, i) => smoothedColours[i % smoothedColours.length]!) };
}

/**
 * Where a grid point's small multiple sits: with one axis its values are the columns; with two, the first
 * axis gives the rows and the second the columns; with more, the first gives the rows and the others,
 * together, the columns. Without axes there is one panel and no facet.
 */
export interface FacetPlace {
  point: string;
  facetRow: string | null;
  facetColumn: string | null;
}

function facetPlace(axes: GridAxis[], point: PointAggregate): FacetPlace {
  const text = (a: GridAxis) => formatGridValue(point.values[a.key]!);
  if (axes.length === 0) return { point: point.id, facetRow: null, facetColumn: null };
  if (axes.length === 1) return { point: point.id, facetRow: null, facetColumn: text(axes[0]!) };
  const [first, ...rest] = axes;
  return { point: point.id, facetRow: text(first!), facetColumn: rest.map((a) => (rest.length > 1 ? `${a.key}=${text(a)}` : text(a))).join(' ') };
}

/** The facet encoding of the small multiples, in grid order (null without axes). */
function facetEncoding(aggregate: SweepAggregate) {
  const axes = gridAxes(aggregate.grid);
  if (axes.length === 0) return null;
  const places = aggregate.points.map((p) => facetPlace(axes, p));
  const distinct = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => v !== null))];
  const columnTitle = axes.length === 1 ? axes[0]!.key : axes.length === 2 ? axes[1]!.key : axes.slice(1).map((a) => a.key).join(', ');
  const header = { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal' as const };
  return {
    column: { field: 'facetColumn', type: 'ordinal' as const, title: columnTitle, sort: distinct(places.map((p) => p.facetColumn)), header },
    ...(axes.length > 1 ? { row: { field: 'facetRow', type: 'ordinal' as const, title: axes[0]!.key, sort: distinct(places.map((p) => p.facetRow)), header } } : {}),
  };
}

export const SWEEP_METRIC_AXES: Record<BaseMetric, { title: string; axis: string; format?: string }> = {
  accuracy: { title: 'test accuracy', axis: 'accuracy (%)', format: '.1%' },
  nll: { title: 'test NLL (unsmoothed)', axis: 'NLL (nats/sample)' },
  ece: { title: 'test ECE', axis: 'ECE (fraction, 0–1)' },
  brier: { title: 'test Brier score', axis: 'Brier (0–2)' },
  meanConfidence: { title: 'mean confidence', axis: 'confidence (max prob.)', format: '.2f' },
};

/** One point of a metric against ε: the mean over seeds and the ± 1 sd bar (null below two seeds), as trained or after temperature scaling. */
export interface SweepMetricPoint extends FacetPlace {
  variant: string;
  epsilon: number;
  arm: string;
  scaling: 'as trained' | 'temperature-scaled';
  seeds: number;
  mean: number;
  sd: number | null;
  low: number | null;
  high: number | null;
}

export function sweepMetricPoints(aggregate: SweepAggregate, metric: BaseMetric): SweepMetricPoint[] {
  const axes = gridAxes(aggregate.grid);
  return (['as trained', 'temperature-scaled'] as const).flatMap((scaling) =>
    aggregate.points.flatMap((point) =>
      point.variants.flatMap((variant) =>
        variant.arms.flatMap((arm) => {
          const stats = arm.metrics[scaling === 'as trained' ? metric : SCALED_METRIC[metric]];
          if (stats.values.length === 0) return [];
          const { mean, sd } = stats;
          const name = scaling === 'as trained' ? arm.arm : arm.arm === 'hard' ? 'hardTs' : arm.arm.replace(/^smoothed/, 'smoothedTs');
          return [{ ...facetPlace(axes, point), variant: variant.smoothing, epsilon: arm.epsilon, arm: name, scaling, seeds: stats.values.length, mean, sd, low: sd === null ? null : mean - sd, high: sd === null ? null : mean + sd }];
        }),
      ),
    ),
  );
}

/** One paired difference (smoothed − hard) with its 95% intervals. */
export interface SweepDifferencePoint extends FacetPlace {
  variant: string;
  epsilon: number;
  arm: string;
  seeds: number;
  mean: number;
  tLow: number | null;
  tHigh: number | null;
  bootstrapLow: number | null;
  bootstrapHigh: number | null;
  verdict: string;
}

export function sweepDifferencePoints(aggregate: SweepAggregate, metric: BaseMetric): SweepDifferencePoint[] {
  const axes = gridAxes(aggregate.grid);
  return aggregate.points.flatMap((point) =>
    point.variants.flatMap((variant) =>
    variant.arms
      .filter((arm) => arm.vsHard !== null && arm.seeds.length > 0)
      .map((arm) => {
        const d = arm.vsHard![metric];
        return {
          ...facetPlace(axes, point),
          variant: variant.smoothing,
          epsilon: arm.epsilon,
          arm: arm.arm,
          seeds: arm.seeds.length,
          mean: d.mean,
          tLow: d.tInterval?.low ?? null,
          tHigh: d.tInterval?.high ?? null,
          bootstrapLow: d.bootstrapInterval?.low ?? null,
          bootstrapHigh: d.bootstrapInterval?.high ?? null,
          verdict: d.verdict,
        };
      }),
    ),
  );
}

/** The metrics with a value in some cell (a sweep of cells written before the Brier score was measured has none). */
function chartedMetrics(aggregate: SweepAggregate): BaseMetric[] {
  return BASE_METRICS.filter((m) => aggregate.points.some((p) => p.variants.some((v) => v.arms.some((a) => a.metrics[m].values.length > 0))));
}

function epsilonAxis(aggregate: SweepAggregate) {
  return { field: 'epsilon', type: 'quantitative' as const, title: 'smoothing ε', axis: { values: aggregate.grid.epsilons, format: '~g' }, scale: { nice: false, padding: 14 } };
}

/** A chart's panel per metric: ε on x, its data inline. */
interface MetricPanel {
  title: { text: string; frame: 'group' };
  width: number;
  height: number;
  data: { name: string; values: object[] };
  encoding: object;
  layer: object[];
}

/**
 * The panels side by side (no axes), or, with a grid, one grid of small multiples per metric (faceted by
 * the grid's axes, facetEncoding), two metrics to a row, each metric on one y scale so that the panels
 * compare at a glance.
 */
function arrange(aggregate: SweepAggregate, panels: MetricPanel[]): { hconcat: object[] } | { concat: object[]; columns: number } {
  const facet = facetEncoding(aggregate);
  if (!facet) return { hconcat: panels };
  return {
    // two metrics to a row, each a grid of small multiples
    columns: 2,
    concat: panels.map(({ title, data, width: _w, height: _h, ...inner }) => ({
      title: { ...title, anchor: 'start' as const },
      data,
      facet,
      spec: { width: 150, height: 120, ...inner },
      resolve: { scale: { y: 'shared' as const } },
    })),
  };
}

/** Accuracy, NLL, ECE, Brier and mean confidence against ε, one line per smoothing variant (dashed: after temperature scaling), ± 1 sd over seeds. */
export function sweepMetricsChart(aggregate: SweepAggregate): ReportChart {
  const colour = variantColourScale(aggregate);
  // small multiples carry no y title: the panel's title names the metric
  const faceted = gridAxes(aggregate.grid).length > 0;
  const panels = chartedMetrics(aggregate).map((metric) => {
    const axes = SWEEP_METRIC_AXES[metric];
    // flush labels: a tick label at the very top would otherwise lift that panel's title above its neighbours'
    const y = { type: 'quantitative' as const, title: faceted ? null : axes.axis, scale: { zero: false }, axis: { labelFlush: true, ...(axes.format ? { format: axes.format } : {}) } };
    const color = { field: 'variant', type: 'nominal' as const, title: 'smoothing', scale: colour, legend: { orient: 'bottom' as const, direction: 'horizontal' as const } };
    return {
      title: { text: axes.title, frame: 'group' as const },
      // four panels across the page's content width (1264 px)
      width: 245,
      height: 200,
      data: { name: `metric-${metric}`, values: sweepMetricPoints(aggregate, metric) as object[] },
      encoding: { x: epsilonAxis(aggregate) },
      layer: [
        {
          transform: [{ filter: 'datum.low != null' }],
          mark: { type: 'rule' as const, strokeWidth: 1.5 },
          encoding: { y: { ...y, field: 'low' }, y2: { field: 'high' }, color: { condition: { test: 'datum.epsilon === 0', value: HARD_ARM_COLOUR }, ...color } },
        },
        {
          mark: { type: 'line' as const, strokeWidth: 2 },
          encoding: {
            y: { ...y, field: 'mean' },
            color,
            strokeDash: { field: 'scaling', type: 'nominal' as const, title: 'scaling', scale: { domain: ['as trained', 'temperature-scaled'], range: [[1, 0], [5, 3]] }, legend: { orient: 'bottom' as const, symbolType: 'stroke' } },
          },
        },
        {
          mark: { type: 'point' as const, filled: true, size: 45, opacity: 1 },
          encoding: {
            y: { ...y, field: 'mean' },
            // the hard arm (ε = 0) in its own blue, as in the run report
            color: { condition: { test: 'datum.epsilon === 0', value: HARD_ARM_COLOUR }, ...color },
            tooltip: [
              { field: 'arm', type: 'nominal' as const },
              { field: 'mean', type: 'quantitative' as const, format: '.4f' },
              { field: 'sd', type: 'quantitative' as const, format: '.4f' },
              { field: 'seeds', type: 'quantitative' as const },
            ],
          },
        },
      ],
    };
  });
  // the completed seeds (a shard or an unfinished sweep has fewer than the grid)
  const seeds = Math.max(0, ...aggregate.points.flatMap((p) => p.variants.flatMap((v) => v.arms.map((a) => a.seeds.length))));
  return {
    id: 'sweep-metrics',
    title: 'Test metrics against ε',
    caption:
      `Mean over ${seeds} seed${seeds === 1 ? '' : 's'} of each test metric; the error bars span mean ± 1 sample standard deviation over seeds (none with a single seed). ` +
      'The blue point at ε = 0 is the hard-label arm, trained in every cell from the same initial weights as the smoothed arms. ' +
      'Dashed lines: the same arms after temperature scaling (hardTs, smoothedTs-ε; T fitted on each run\'s validation set), the baseline every calibration claim has to beat. Seeds where an arm diverged are left out.' +
      (gridAxes(aggregate.grid).length > 0 ? ' One small multiple per grid point, on a common scale per metric.' : ''),
    spec: { $schema: SCHEMA, config: CHART_CONFIG, ...arrange(aggregate, panels), resolve: { scale: { color: 'shared' } } } as TopLevelSpec,
  };
}

/** Smoothed − hard per metric against ε, with the 95% paired t-interval (thin bar) and bootstrap interval (wide pale bar). */
export function sweepDifferencesChart(aggregate: SweepAggregate): ReportChart {
  const colour = variantColourScale(aggregate);
  const faceted = gridAxes(aggregate.grid).length > 0;
  const pct = Math.round(aggregate.level * 100);
  const panels = chartedMetrics(aggregate).map((metric) => {
    const axes = SWEEP_METRIC_AXES[metric];
    const y = { type: 'quantitative' as const, title: faceted ? null : metric === 'accuracy' ? 'Δ accuracy (% points)' : `Δ ${axes.axis}`, axis: { labelFlush: true, format: metric === 'accuracy' ? '+.1%' : '+.3f' } };
    // the same ε axis as the metrics chart (ε = 0 has no difference but keeps the panels aligned)
    const x = { ...epsilonAxis(aggregate), scale: { domain: [0, Math.max(...aggregate.grid.epsilons)], nice: false, padding: 14 } };
    // full-colour legend symbols, not the pale bootstrap bar's
    const color = { field: 'variant', type: 'nominal' as const, title: 'smoothing', scale: colour, legend: { orient: 'bottom' as const, direction: 'horizontal' as const, symbolOpacity: 1, symbolType: 'circle' } };
    return {
      title: { text: `Δ ${axes.title}`, frame: 'group' as const },
      // four panels across the page's content width (1264 px)
      width: 245,
      height: 200,
      data: { name: `difference-${metric}`, values: sweepDifferencePoints(aggregate, metric) as object[] },
      encoding: {},
      layer: [
        // the dashed zero line: one per panel (the count collapses the panel's rows to one), across its width
        { transform: [{ aggregate: [{ op: 'count' as const, as: 'n' }] }], mark: { type: 'rule' as const, color: '#777', strokeDash: [4, 3] }, encoding: { y: { datum: 0, type: 'quantitative' as const } } },
        {
          transform: [{ filter: 'datum.bootstrapLow != null' }],
          mark: { type: 'rule' as const, strokeWidth: 8, opacity: 0.25 },
          encoding: { x, y: { ...y, field: 'bootstrapLow' }, y2: { field: 'bootstrapHigh' }, color },
        },
        {
          transform: [{ filter: 'datum.tLow != null' }],
          mark: { type: 'rule' as const, strokeWidth: 1.5 },
          encoding: { x, y: { ...y, field: 'tLow' }, y2: { field: 'tHigh' }, color },
        },
        {
          mark: { type: 'point' as const, filled: true, size: 45, opacity: 1 },
          encoding: {
            x,
            y: { ...y, field: 'mean' },
            color,
            tooltip: [
              ...(gridAxes(aggregate.grid).length > 0 ? [{ field: 'point', type: 'nominal' as const, title: 'grid point' }] : []),
              { field: 'arm', type: 'nominal' as const },
              { field: 'mean', type: 'quantitative' as const, format: '.4f' },
              { field: 'verdict', type: 'nominal' as const },
            ],
          },
        },
      ],
    };
  });
  return {
    id: 'sweep-differences',
    title: 'Paired differences to the hard arm',
    caption:
      `Mean over seeds of (smoothed − hard) from the same seed, with the ${pct}% paired Student t-interval (thin bar) and the ${pct}% percentile bootstrap interval ` +
      `(${aggregate.bootstrapResamples} resamples, wide pale bar). A difference counts as detectable ("helps" or "hurts" in the table) only when both intervals lie on one side of the dashed zero line; one alone is not enough.` +
      (gridAxes(aggregate.grid).length > 0 ? ' One small multiple per grid point, on a common scale per metric, so that where smoothing helps reads across the panels.' : ''),
    spec: { $schema: SCHEMA, config: CHART_CONFIG, ...arrange(aggregate, panels), resolve: { scale: { color: 'shared' } } } as TopLevelSpec,
  };
}

export function sweepCharts(aggregate: SweepAggregate): ReportChart[] {
  return [sweepMetricsChart(aggregate), sweepDifferencesChart(aggregate)];
}
