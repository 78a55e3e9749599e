import type { TopLevelSpec } from 'vega-lite';
import type { SmoothingVariant } from '../smoothing/labelSmoothing';
import { armHeading } from '../text/format';
import { CHART_CONFIG, type ReportChart } from './runCharts';

/**
 * The penultimate-layer projection of Müller, Kornblith & Hinton (2019, figure 1) as a chart: for each arm,
 * the last hidden layer's activations of three classes' training and test samples on the plane through
 * those classes' templates. The numbers are computed elsewhere (metrics/projection.ts on the engine's
 * activations); this builds the spec and says how to read it.
 */

export interface ProjectedPoint {
  split: 'training' | 'test';
  /** The true class's name. */
  label: string;
  x: number;
  y: number;
}

export interface ArmProjection {
  arm: { label: string; epsilon: number; smoothing: SmoothingVariant };
  points: ProjectedPoint[];
  /** Samples drawn and samples of the three classes in each split (training is thinned for legibility). */
  drawn: { training: number; test: number };
  available: { training: number; test: number };
  /** The mean over the test set of the top logit minus the mean of the others (probabilities.bin). */
  logitGap: number;
  /** What the arm's smoothing bounds it at (Infinity without smoothing). */
  bound: number;
}

export interface Projection {
  classes: [number, number, number];
  classNames: [string, string, string];
  /** How the classes were chosen: the three most confused, or the user's --classes. */
  chosen: 'most-confused' | 'asked';
  arms: ArmProjection[];
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
/** Okabe–Ito colours not used for arms by the first two: green, reddish purple, orange. */
const CLASS_COLOURS = ['#009E73', '#CC79A7', '#E69F00'];

/** How far each arm's clusters sit from one another, relative to their spread: the tightness the figure shows. */
export function clusterSeparation(points: ProjectedPoint[], classNames: string[]): number {
  const byClass = classNames.map((name) => points.filter((p) => p.label === name));
  const centres = byClass.map((ps) => [ps.reduce((s, p) => s + p.x, 0) / ps.length, ps.reduce((s, p) => s + p.y, 0) / ps.length] as const);
  const spread = byClass.map((ps, c) => Math.sqrt(ps.reduce((s, p) => s + (p.x - centres[c]![0]) ** 2 + (p.y - centres[c]![1]) ** 2, 0) / ps.length));
  let distances = 0;
  let pairs = 0;
  for (let a = 0; a < centres.length; a++) {
    for (let b = a + 1; b < centres.length; b++) {
      distances += Math.hypot(centres[a]![0] - centres[b]![0], centres[a]![1] - centres[b]![1]);
      pairs++;
    }
  }
  return distances / pairs / (spread.reduce((s, v) => s + v, 0) / spread.length);
}

/** The logit gap against its bound, in words. */
export function logitGapWords(arm: ArmProjection): string {
  const bound = Number.isFinite(arm.bound) ? `the bound ${arm.bound.toFixed(2)} its smoothing sets` : 'no bound (hard labels push it up without limit)';
  return `${armHeading(arm.arm)}: mean logit gap ${arm.logitGap.toFixed(2)} against ${bound}`;
}

/** A square domain around the points: the same length per pixel across and up, so distances read true. */
export function squareDomains(points: { x: number; y: number }[]): { x: [number, number]; y: [number, number] } {
  const extent = (values: number[]) => [Math.min(...values), Math.max(...values)] as const;
  const [x0, x1] = extent(points.map((p) => p.x));
  const [y0, y1] = extent(points.map((p) => p.y));
  const half = (Math.max(x1 - x0, y1 - y0) / 2) * 1.04 || 1;
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
  return { x: [cx - half, cx + half], y: [cy - half, cy + half] };
}

/** One arm's column: its training and test samples, one panel each, on one square scale. */
function armPanels(arm: ArmProjection, projection: Projection, size: number): object {
  const [a, b, c] = projection.classNames;
  const domains = squareDomains(arm.points);
  return {
    title: { text: armHeading(arm.arm), anchor: 'middle', fontSize: 13, subtitle: '' },
    data: { values: arm.points },
    facet: { row: { field: 'split', type: 'nominal', title: null, sort: ['training', 'test'], header: { labelExpr: "datum.value + ' samples'" } } },
    spec: {
      width: size,
      height: size,
      mark: { type: 'circle', size: 7, opacity: 0.45 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: `along ${a} → ${b} template`, scale: { domain: domains.x, nice: false, zero: false } },
        y: { field: 'y', type: 'quantitative', title: `towards ${c} (orthogonal)`, scale: { domain: domains.y, nice: false, zero: false } },
        color: { field: 'label', type: 'nominal', title: 'true class', scale: { domain: projection.classNames, range: CLASS_COLOURS }, legend: { orient: 'bottom', direction: 'horizontal', symbolOpacity: 1 } },
      },
    },
  };
}

/** One panel per arm and split: the projected points coloured by class, and the templates as labelled crosses. */
export function projectionChart(projection: Projection): ReportChart {
  const [a, b, c] = projection.classNames;
  // the arms side by side within the page's 1264 px
  const panel = Math.max(180, Math.min(300, Math.floor(1100 / projection.arms.length) - 80));
  const chosen = projection.chosen === 'most-confused' ? 'the three classes the arms confuse most with one another (report --classes picks others)' : 'the classes asked for (--classes)';
  const drawn = projection.arms[0]!;
  const thinned = drawn.drawn.training < drawn.available.training ? ` (training: ${drawn.drawn.training} of its ${drawn.available.training} samples, evenly spaced; test: all ${drawn.available.test})` : '';
  const separation = projection.arms.map((p) => `${p.arm.label} ${clusterSeparation(p.points.filter((q) => q.split === 'test'), projection.classNames).toFixed(1)}`).join(', ');
  return {
    id: 'projection',
    title: `Penultimate-layer activations of ${a}, ${b} and ${c}, projected`,
    caption:
      `Müller, Kornblith & Hinton (2019), figure 1: the last hidden layer's activations of ${chosen}${thinned}, projected onto the plane through those classes' templates ` +
      `(the output layer's weights for them), each arm on its own scale. In the paper's figure, smoothing pulls each class into a tight cluster at an equal distance from the others, where hard labels leave broad clusters stretched towards their templates. ` +
      `Here, the distance between cluster centres over the clusters' spread (test samples): ${separation} (higher: tighter, better separated). ` +
      `${projection.arms.map(logitGapWords).join('; ')}.`,
    raster: true,
    spec: {
      $schema: SCHEMA,
      config: { ...CHART_CONFIG, header: { labelFontSize: 12, titleFontSize: 13 } },
      title: { text: `Penultimate layer: ${a}, ${b}, ${c} on the plane through their templates`, subtitle: 'columns: arms · rows: training and test samples · each arm on its own scale, the same in both directions' },
      hconcat: projection.arms.map((p) => armPanels(p, projection, panel)),
      resolve: { scale: { color: 'shared' } },
    } as TopLevelSpec,
  };
}
