import type { TopLevelSpec } from 'vega-lite';
import { hasManyClasses } from '../text/classTables';
import type { HistogramsFile, RunSummary } from '../store/runFiles';
import { armHeading } from '../text/format';
import { calibrationWords, lossFloors } from '../text/runTables';
import { armColours } from './palette';
import type { ReportChart } from './reportChart';

/**
 * The charts of a run's report, as Vega-Lite specs built from the stored files alone (summary.json and
 * histograms.json). Pure functions: every number a chart shows sits in the spec's inline data, so a test
 * can compare it with the run store, and rendering (renderChart.ts) is a separate step.
 */

export type { ReportChart } from './reportChart';

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

/** A point of the NLL panel: the training NLL (mean over the epoch's batches) or the test NLL at the epoch's end. */
export interface NllPoint extends CurvePoint {
  split: 'training' | 'test';
}

/** The entropy floor H(q) of a smoothed arm's training loss, drawn as a dashed line. */
export interface LossFloor {
  arm: string;
  floor: number;
}

const curveColour = (summary: RunSummary) => ({
  field: 'arm',
  type: 'nominal' as const,
  title: 'arm',
  scale: armColourScale(summary),
  legend: { orient: 'bottom' as const, direction: 'horizontal' as const },
});
const epochAxis = { field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { tickMinStep: 1, format: 'd' }, scale: { nice: false } };

/**
 * Per-epoch curves of every arm, side by side: the training loss with each smoothed arm's entropy floor
 * H(q) (the loss cannot go below it, so most of the smoothed arm's offset is this floor, not worse fit);
 * the unsmoothed NLL on the training batches (dashed) and on the test set (solid), where a widening gap
 * is over-fitting; and test accuracy.
 */
export function trainingCurvesChart(summary: RunSummary): ReportChart {
  const color = curveColour(summary);
  const points = (key: 'trainLoss' | 'trainNll' | 'testNll' | 'testAccuracy'): CurvePoint[] =>
    summary.arms.flatMap((arm) => arm.history.map((h) => ({ epoch: h.epoch, arm: armHeading(arm), value: h[key] })));
  const floors: LossFloor[] = lossFloors(summary).map((f) => ({ arm: armHeading(f.arm), floor: f.floor }));
  const nll: NllPoint[] = [...points('trainNll').map((p) => ({ ...p, split: 'training' as const })), ...points('testNll').map((p) => ({ ...p, split: 'test' as const }))];
  const y = (title: string, extra: object = {}) => ({ field: 'value', type: 'quantitative' as const, title, scale: { zero: false }, ...extra });
  const line = { type: 'line' as const, point: true, strokeWidth: 2 };
  // three panels across the page's content width (1264 px)
  const panel = (title: string, body: object) => ({ title: { text: title, frame: 'group' as const }, width: 340, height: 210, ...body });
  const panels = [
    panel("training loss (arm's own objective)", {
      layer: [
        { data: { name: 'trainLoss', values: points('trainLoss') }, mark: line, encoding: { x: epochAxis, y: y('loss (nats/sample)'), color } },
        {
          data: { name: 'lossFloor', values: floors },
          mark: { type: 'rule' as const, strokeDash: [6, 4], strokeWidth: 1.5 },
          encoding: { y: { field: 'floor', type: 'quantitative' as const }, color },
        },
      ],
    }),
    panel('NLL: training (dashed), test (solid)', {
      data: { name: 'nll', values: nll },
      mark: line,
      encoding: {
        x: epochAxis,
        y: y('NLL (nats/sample)'),
        color,
        strokeDash: { field: 'split', type: 'nominal' as const, title: 'NLL on', scale: { domain: ['training', 'test'], range: [[5, 3], [1, 0]] }, legend: { orient: 'bottom' as const, symbolType: 'stroke' } },
        detail: { field: 'split', type: 'nominal' as const },
      },
    }),
    panel('test accuracy', { data: { name: 'testAccuracy', values: points('testAccuracy') }, mark: line, encoding: { x: epochAxis, y: y('accuracy (%)', { axis: { format: '.1%' } }), color } }),
  ];
  const floorText = floors.length ? ` Dashed horizontal lines: the entropy H(q) of each smoothed arm's targets (${floors.map((f) => `${f.floor.toFixed(3)} for ${f.arm}`).join(', ')}), the floor its loss cannot go below — most of its offset from the hard arm.` : '';
  return {
    id: 'curves',
    title: 'Per-epoch curves',
    caption:
      `Training loss is each arm's own objective (the smoothed arm's includes the smoothing term, so it sits higher).${floorText} ` +
      'NLL is the unsmoothed cross-entropy, comparable across arms: on the training batches (dashed, mean over the epoch) and on the test set (solid); a widening gap between them is over-fitting.',
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
export function reliabilityChart(input: RunChartInput, armLabel: string, scaled = false): ReportChart {
  const { summary, histograms } = input;
  const arm = summary.arms.find((a) => a.label === armLabel);
  const stored = histograms.arms.find((a) => a.label === armLabel);
  if (!arm || !stored) throw new Error(`reliabilityChart: no arm "${armLabel}" in the run`);
  const reliability = scaled ? stored.temperatureScaledReliability : stored.reliability;
  const scaling = scaled ? arm.temperatureScaled : undefined;
  if (!reliability || (scaled && !scaling)) throw new Error(`reliabilityChart: arm "${armLabel}" was not temperature-scaled`);
  const ece = scaling ? scaling.test.ece : arm.test.ece;
  const gap = scaling ? scaling.test.calibrationGap : (arm.test.calibrationGap ?? arm.test.meanConfidence - arm.test.accuracy);
  const name = scaling ? `${armHeading(arm)} + temperature scaling (T = ${scaling.temperature.toFixed(3)})` : armHeading(arm);
  const bins: ReliabilityPoint[] = reliability.map((b) => ({
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
    id: `reliability-${armSlug(armLabel)}${scaled ? '-scaled' : ''}`,
    title: `Reliability diagram, ${name}`,
    caption: `Bars: accuracy of the test samples whose confidence falls in the bin; black ticks: their mean confidence; numbers: samples in the bin; dashed: perfect calibration. ECE ${ece.toFixed(4)}; ${calibrationWords(gap)} (ticks above the bars: over-confident).`,
    spec: {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      title: {
        text: `Reliability, ${name}`,
        subtitle: [`ECE ${ece.toFixed(4)} · ${calibrationWords(gap)}`, 'bars: accuracy · black ticks: mean confidence · numbers: test samples in the bin · dashed: perfect calibration'],
      },
      // two arms side by side across the page
      width: 500,
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
      'How confident each arm is in its predicted class, over the test set (10 equal bins), overlaid: each arm is drawn as a translucent fill in its colour with a solid outline, so where two arms overlap the fills mix into a darker shade and the outlines show each arm\'s own bar. Label smoothing typically moves mass away from 1.0.',
    spec: {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      title: {
        text: 'Confidence of the predicted class (test set)',
        subtitle: 'all arms overlaid, 10 equal bins · each arm: a pale fill with its outline · where arms overlap, their fills add up to a darker mix of their colours',
      },
      // the only chart of its row: the page's width
      width: 1060,
      height: 280,
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
  // 10 classes: 40 px cells, so that two matrices sit side by side across the page
  const cell = Math.max(22, Math.min(48, Math.floor(400 / names.length)));
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

/** Whether the arm's reliability after temperature scaling is stored (runs with a validation set). */
export function hasScaledReliability(input: RunChartInput, armLabel: string): boolean {
  const arm = input.summary.arms.find((a) => a.label === armLabel);
  return Boolean(arm?.temperatureScaled && input.histograms.arms.find((h) => h.label === armLabel)?.temperatureScaledReliability);
}

/** Every chart of a run's report, in the order the page shows them. */
export function runCharts(input: RunChartInput): ReportChart[] {
  const { summary } = input;
  return [
    trainingCurvesChart(summary),
    ...summary.arms.map((a) => reliabilityChart(input, a.label)),
    ...summary.arms.filter((a) => hasScaledReliability(input, a.label)).map((a) => reliabilityChart(input, a.label, true)),
    confidenceHistogramChart(input),
    // Above CLASS_DETAIL_LIMIT classes a K×K heat map would be unreadable and slow: the page shows tables instead.
    ...(hasManyClasses(summary) ? [] : summary.arms.map((a) => confusionMatrixChart(summary, a.label))),
  ];
}
