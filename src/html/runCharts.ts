import type { TopLevelSpec } from 'vega-lite';
import { hasManyClasses } from '../text/classTables';
import type { HistogramsFile, RunSummary } from '../store/runFiles';
import { armHeading } from '../text/format';
import { armColours } from './palette';

/**
 * The charts of a run's report, as Vega-Lite specs built from the stored files alone (summary.json and
 * histograms.json). Pure functions: every number a chart shows sits in the spec's inline data, so a test
 * can compare it with the run store, and rendering (renderChart.ts) is a separate step.
 */

export interface ReportChart {
  /** Unique within a report; the HTML anchor and the file name of --svg/--png. */
  id: string;
  title: string;
  /** One or two sentences under the chart saying how to read it. */
  caption: string;
  spec: TopLevelSpec;
}

/** What the charts of a run are built from. */
export interface RunChartInput {
  summary: RunSummary;
  histograms: HistogramsFile;
}

/** The font stack of every chart: DejaVu Sans is what the PNG rasteriser finds on Debian (fonts-dejavu-core). */
export const CHART_FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

export const CHART_CONFIG = {
  font: CHART_FONT,
  background: 'white',
  view: { stroke: '#bbb' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const, labelLimit: 260 },
  title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: '#444', anchor: 'start' as const, offset: 8 },
  header: { labelFontSize: 12, titleFontSize: 12 },
};

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** A colour scale that gives each arm the same colour in every chart of the report. */
export function armColourScale(summary: RunSummary): { domain: string[]; range: string[] } {
  return { domain: summary.arms.map(armHeading), range: armColours(summary.arms.length) };
}

function armColourOf(summary: RunSummary, label: string): string {
  const index = summary.arms.findIndex((a) => a.label === label);
  return armColours(summary.arms.length)[Math.max(0, index)]!;
}

/** A file-name-safe id for an arm ("smoothed-0.05" stays as it is). */
export function armSlug(label: string): string {
  return label.replace(/[^A-Za-z0-9._-]/g, '_');
}

export interface CurvePoint {
  epoch: number;
  arm: string;
  value: number;
}

const CURVE_PANELS = [
  // axis titles stay shorter than the plot is tall: a longer one would push the panel titles out of line
  { key: 'trainLoss', title: "training loss (arm's own objective)", axis: 'loss (nats/sample)' },
  { key: 'testNll', title: 'test NLL (unsmoothed)', axis: 'NLL (nats/sample)' },
  { key: 'testAccuracy', title: 'test accuracy', axis: 'accuracy (%)' },
] as const;

/** Per-epoch curves of every arm: training loss, test NLL, test accuracy, side by side. */
export function trainingCurvesChart(summary: RunSummary): ReportChart {
  const colour = armColourScale(summary);
  const panels = CURVE_PANELS.map((panel) => {
    const values: CurvePoint[] = summary.arms.flatMap((arm) => arm.history.map((h) => ({ epoch: h.epoch, arm: armHeading(arm), value: h[panel.key] })));
    return {
      // placed against the plot, not the axis labels, so the three titles line up
      title: { text: panel.title, frame: 'group' as const },
      width: 250,
      height: 190,
      data: { name: panel.key, values },
      mark: { type: 'line' as const, point: true, strokeWidth: 2 },
      encoding: {
        x: { field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { tickMinStep: 1, format: 'd' }, scale: { nice: false } },
        y: {
          field: 'value',
          type: 'quantitative' as const,
          title: panel.axis,
          scale: { zero: false },
          ...(panel.key === 'testAccuracy' ? { axis: { format: '.1%' } } : {}),
        },
        color: { field: 'arm', type: 'nominal' as const, title: 'arm', scale: colour, legend: { orient: 'bottom' as const, direction: 'horizontal' as const } },
      },
    };
  });
  return {
    id: 'curves',
    title: 'Per-epoch curves',
    caption:
      "Training loss is each arm's own objective (the smoothed arm's includes the smoothing term, so it sits higher); test NLL is the unsmoothed cross-entropy on the test set, comparable across arms.",
    spec: {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      hconcat: panels,
      resolve: { scale: { color: 'shared' } },
    } as TopLevelSpec,
  };
}

export interface ReliabilityPoint {
  lower: number;
  upper: number;
  middle: number;
  count: number;
  meanConfidence: number | null;
  accuracy: number | null;
}

/** The reliability diagram of one arm: accuracy and mean confidence in each of the stored bins, with counts. */
export function reliabilityChart(input: RunChartInput, armLabel: string): ReportChart {
  const { summary, histograms } = input;
  const arm = summary.arms.find((a) => a.label === armLabel);
  const stored = histograms.arms.find((a) => a.label === armLabel);
  if (!arm || !stored) throw new Error(`reliabilityChart: no arm "${armLabel}" in the run`);
  const bins: ReliabilityPoint[] = stored.reliability.map((b) => ({
    lower: b.lower,
    upper: b.upper,
    middle: (b.lower + b.upper) / 2,
    count: b.count,
    meanConfidence: b.meanConfidence,
    accuracy: b.accuracy,
  }));
  const occupied = { filter: 'datum.count > 0' };
  const x = { field: 'lower', type: 'quantitative' as const, title: 'confidence of the predicted class (15 equal bins)', scale: { domain: [0, 1], nice: false } };
  const y = {
    field: 'accuracy',
    type: 'quantitative' as const,
    title: 'accuracy (fraction correct)',
    // headroom above 1.0 for the count labels; ticks stop at 1
    scale: { domain: [0, 1.1], nice: false },
    axis: { values: [0, 0.2, 0.4, 0.6, 0.8, 1] },
  };
  return {
    id: `reliability-${armSlug(armLabel)}`,
    title: `Reliability diagram, ${armHeading(arm)}`,
    caption: `Bars: accuracy of the test samples whose confidence falls in the bin; black ticks: their mean confidence; numbers: samples in the bin; dashed: perfect calibration. ECE ${arm.test.ece.toFixed(4)}.`,
    spec: {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      title: { text: `Reliability, ${armHeading(arm)}`, subtitle: [`ECE ${arm.test.ece.toFixed(4)} · bars: accuracy · black ticks: mean confidence`, 'numbers: test samples in the bin · dashed: perfect calibration'] },
      width: 380,
      height: 260,
      data: { name: 'reliability', values: bins },
      layer: [
        {
          data: { values: [{ lower: 0, accuracy: 0 }, { lower: 1, accuracy: 1 }] },
          mark: { type: 'line', color: '#777', strokeDash: [5, 4], strokeWidth: 1.5 },
          encoding: { x, y },
        },
        {
          transform: [occupied],
          mark: { type: 'rect', color: armColourOf(summary, armLabel), opacity: 0.85, stroke: 'white', strokeWidth: 1 },
          encoding: { x, x2: { field: 'upper' }, y, y2: { datum: 0 } },
        },
        {
          transform: [occupied],
          mark: { type: 'rule', color: 'black', strokeWidth: 2.5 },
          encoding: { x, x2: { field: 'upper' }, y: { field: 'meanConfidence', type: 'quantitative' } },
        },
        {
          mark: { type: 'text', baseline: 'bottom', dy: -3, fontSize: 9, color: '#222' },
          encoding: {
            x: { field: 'middle', type: 'quantitative' },
            // above the taller of the bar and the tick, so the label never sits on either
            y: { field: 'labelHeight', type: 'quantitative' },
            text: { field: 'count', type: 'quantitative', format: 'd' },
          },
          transform: [occupied, { calculate: 'max(datum.accuracy, datum.meanConfidence)', as: 'labelHeight' }],
        },
      ],
    } as TopLevelSpec,
  };
}

export interface HistogramPoint {
  arm: string;
  lower: number;
  upper: number;
  count: number;
}

/** The 10-bin confidence histograms of all arms, overlaid. */
export function confidenceHistogramChart(input: RunChartInput): ReportChart {
  const { summary, histograms } = input;
  const edges = histograms.confidenceBins;
  const values: HistogramPoint[] = histograms.arms.flatMap((stored) => {
    const arm = summary.arms.find((a) => a.label === stored.label);
    const name = arm ? armHeading(arm) : stored.label;
    return stored.confidenceHistogram.map((count, b) => ({ arm: name, lower: edges[b]!, upper: edges[b + 1]!, count }));
  });
  return {
    id: 'confidence',
    title: 'Confidence histograms',
    caption:
      'How confident each arm is in its predicted class, over the test set (10 equal bins), overlaid. Label smoothing typically moves mass away from 1.0.',
    spec: {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      title: { text: 'Confidence of the predicted class (test set)', subtitle: 'all arms overlaid, 10 equal bins' },
      width: 420,
      height: 260,
      data: { name: 'histogram', values },
      mark: { type: 'rect', fillOpacity: 0.28, strokeWidth: 2 },
      encoding: {
        x: { field: 'lower', type: 'quantitative', title: 'confidence of the predicted class', scale: { domain: [0, 1], nice: false } },
        x2: { field: 'upper' },
        y: { field: 'count', type: 'quantitative', title: 'test samples (count)', stack: null },
        y2: { datum: 0 },
        // fill and outline from the one arm scale: vega-lite merges them into a single legend
        fill: { field: 'arm', type: 'nominal', title: 'arm', scale: armColourScale(summary), legend: { orient: 'top', direction: 'horizontal' } },
        stroke: { field: 'arm', type: 'nominal', title: 'arm', scale: armColourScale(summary), legend: { orient: 'top', direction: 'horizontal' } },
      },
    } as TopLevelSpec,
  };
}

export interface ConfusionCell {
  trueClass: string;
  predictedClass: string;
  count: number;
  /** count / samples of the true class: the row-normalised rate. */
  shareOfTrue: number;
}

/** The confusion matrix of one arm as a heat map, rows true class, columns predicted, with class names. */
export function confusionMatrixChart(summary: RunSummary, armLabel: string): ReportChart {
  const arm = summary.arms.find((a) => a.label === armLabel);
  if (!arm) throw new Error(`confusionMatrixChart: no arm "${armLabel}" in the run`);
  const names = summary.dataset.classNames;
  if (!arm.test.confusionMatrix) throw new Error(`confusionMatrixChart: arm "${armLabel}" has no dense confusion matrix (too many classes)`);
  const cells: ConfusionCell[] = arm.test.confusionMatrix.flatMap((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, p) => ({ trueClass: names[t]!, predictedClass: names[p]!, count, shareOfTrue: total === 0 ? 0 : count / total }));
  });
  // 10 classes: 36 px cells, so that two matrices sit side by side on a laptop screen
  const cell = Math.max(22, Math.min(44, Math.floor(360 / names.length)));
  const axisX = { field: 'predictedClass', type: 'nominal' as const, title: 'predicted class', sort: names, axis: { labelAngle: -40, labelLimit: 120 } };
  const axisY = { field: 'trueClass', type: 'nominal' as const, title: 'true class', sort: names, axis: { labelLimit: 120 } };
  return {
    id: `confusion-${armSlug(armLabel)}`,
    title: `Confusion matrix, ${armHeading(arm)}`,
    caption: 'Rows: true class; columns: predicted class. Numbers: test samples; colour: share of the true class (the row), so the diagonal is per-class recall.',
    spec: {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      title: { text: `Confusion matrix, ${armHeading(arm)}`, subtitle: 'numbers: test samples · colour: share of the true class' },
      width: cell * names.length,
      height: cell * names.length,
      data: { name: 'confusion', values: cells },
      encoding: { x: axisX, y: axisY },
      layer: [
        {
          mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
          encoding: {
            color: {
              field: 'shareOfTrue',
              type: 'quantitative',
              title: 'share of true class',
              // a single-hue sequential scheme reads by lightness alone, so it survives colour blindness
              scale: { scheme: 'blues', domain: [0, 1] },
              legend: { format: '.0%', gradientLength: Math.min(200, cell * names.length), titleLimit: 220 },
            },
          },
        },
        {
          mark: { type: 'text', fontSize: names.length > 12 ? 8 : 10 },
          encoding: {
            text: { field: 'count', type: 'quantitative', format: 'd' },
            color: { condition: { test: 'datum.shareOfTrue > 0.5', value: 'white' }, value: '#222' },
          },
        },
      ],
    } as TopLevelSpec,
  };
}

/** Every chart of a run's report, in the order the page shows them. */
export function runCharts(input: RunChartInput): ReportChart[] {
  const { summary } = input;
  return [
    trainingCurvesChart(summary),
    ...summary.arms.map((a) => reliabilityChart(input, a.label)),
    confidenceHistogramChart(input),
    // Above CLASS_DETAIL_LIMIT classes a K×K heat map would be unreadable and slow: the page shows tables instead.
    ...(hasManyClasses(summary) ? [] : summary.arms.map((a) => confusionMatrixChart(summary, a.label))),
  ];
}
