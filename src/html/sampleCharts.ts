import type { TopLevelSpec } from 'vega-lite';
import type { SampleImages } from '../data/sampleImages';
import { armOpinions, selectInstances, type InstanceView } from '../metrics/instances';
import type { StoredProbabilities } from '../store/probabilitiesFile';
import type { RunSummary } from '../store/runFiles';
import { armHeading } from '../text/format';
import { groupCaption, type InstancesContext } from '../text/instancesView';
import { gallerySvg, GALLERY_CARDS_PER_ROW, type GalleryRow } from './gallery';
import { armColours } from './palette';
import { CHART_CONFIG, type ReportChart } from './runCharts';

/**
 * The report's per-sample charts, from probabilities.bin (and the test images, loaded again): the gallery
 * of the samples behind each view of `ls-bench instances`, and the scatter of every test sample's
 * confidence under the hard arm against the smoothed arm.
 */

/** The per-sample layer of a run, as the report reads it. */
export interface SampleLayer {
  stored: StoredProbabilities;
  /** The test images, for image data whose digest still matches; else null (see notes). */
  images: SampleImages | null;
  /** Why a chart of this layer is missing, one sentence each. */
  notes: string[];
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** The arm the gallery and the scatter compare with the hard arm: the first smoothed one. */
export const COMPARED_ARM = 1;

/** One row of the gallery per view (per arm for confident-wrong), each with its caption from `instances`. */
export function galleryRows(summary: RunSummary, layer: SampleLayer): GalleryRow[] {
  const { stored, images } = layer;
  if (!images) return [];
  const ctx: InstancesContext = { classNames: stored.classNames, arms: summary.arms, compared: COMPARED_ARM };
  const shown = [0, COMPARED_ARM];
  const opinions = (index: number) => shown.map((a) => Array.from({ length: stored.classes }, (_, c) => Math.exp(stored.arms[a]!.logProbs[index * stored.classes + c]!)));
  const titles: Record<InstanceView, string> = {
    drop: 'Smoothing lowered the true class most',
    rise: 'Smoothing raised the true class most',
    discordant: 'Right in exactly one arm',
    'confident-wrong': 'Most confident mistakes',
  };
  const views: InstanceView[] = ['drop', 'rise', 'discordant', 'confident-wrong'];
  return views.flatMap((view) => {
    const selection = selectInstances(stored.arms, stored.labels, stored.classes, { view, limit: GALLERY_CARDS_PER_ROW, compared: COMPARED_ARM });
    const groups = view === 'confident-wrong' ? selection.groups.filter((g) => shown.includes(g.arm!)) : selection.groups;
    return groups.map((group) => ({
      title: group.arm === null ? titles[view] : `${titles[view]}, ${armHeading(summary.arms[group.arm]!)}`,
      subtitle: groupCaption(selection, group, ctx),
      cards: group.rows.map((row) => ({ index: row.index, label: row.label, image: images.image(row.index), probabilities: opinions(row.index) })),
    }));
  });
}

/** The gallery, or null without images. */
export function galleryChart(summary: RunSummary, layer: SampleLayer): ReportChart | null {
  const rows = galleryRows(summary, layer);
  if (rows.length === 0) return null;
  const colours = armColours(summary.arms.length);
  const arms = [0, COMPARED_ARM].map((a) => ({ heading: armHeading(summary.arms[a]!), colour: colours[a]! }));
  const more = summary.arms.length > 2 ? ` The run has ${summary.arms.length} arms; the gallery compares the hard arm with the first smoothed one (ls-bench instances --arm shows the others).` : '';
  return {
    id: 'gallery',
    title: 'Gallery: the test samples behind the aggregates',
    caption:
      `The samples ls-bench instances lists in each view, ${GALLERY_CARDS_PER_ROW} per row, as the model saw them (#: the index in the test set), each with both arms' probability of every class (upper bar ${arms[0]!.heading}, lower bar ${arms[1]!.heading}; the true class highlighted).${more}`,
    spec: { svg: gallerySvg(rows, layer.stored.classNames, arms) },
  };
}

/** Whether each arm got a sample right: the four colours of the scatter. */
export function agreementCategory(hardRight: boolean, smoothedRight: boolean, names: [string, string]): string {
  if (hardRight && smoothedRight) return 'right in both';
  if (!hardRight && !smoothedRight) return 'wrong in both';
  return `right only in ${hardRight ? names[0] : names[1]}`;
}

export interface ScatterPoint {
  index: number;
  hard: number;
  smoothed: number;
  category: string;
}

/** Every test sample's confidence (probability of its predicted class) under the hard arm and the compared arm. */
export function scatterPoints(summary: RunSummary, stored: StoredProbabilities): ScatterPoint[] {
  const opinions = armOpinions([stored.arms[0]!, stored.arms[COMPARED_ARM]!], stored.labels, stored.classes);
  const names: [string, string] = [summary.arms[0]!.label, summary.arms[COMPARED_ARM]!.label];
  return Array.from(stored.labels, (label, index) => {
    const [hard, smoothed] = [opinions[0]![index]!, opinions[1]![index]!];
    return { index, hard: hard.confidence, smoothed: smoothed.confidence, category: agreementCategory(hard.predicted === label, smoothed.predicted === label, names) };
  });
}

/** The scatter of confidence, hard against smoothed, with the diagonal; drawn as a PNG (thousands of points). */
export function confidenceScatterChart(summary: RunSummary, stored: StoredProbabilities): ReportChart {
  const points = scatterPoints(summary, stored);
  const hard = armHeading(summary.arms[0]!);
  const smoothed = armHeading(summary.arms[COMPARED_ARM]!);
  const names: [string, string] = [summary.arms[0]!.label, summary.arms[COMPARED_ARM]!.label];
  const domain = ['right in both', `right only in ${names[0]}`, `right only in ${names[1]}`, 'wrong in both'];
  const count = (category: string) => points.filter((p) => p.category === category).length;
  const below = points.filter((p) => p.smoothed < p.hard).length;
  const axis = (title: string) => ({ title, scale: { domain: [0, 1], nice: false }, axis: { format: '.0%', values: [0, 0.2, 0.4, 0.6, 0.8, 1] } });
  return {
    id: 'confidence-scatter',
    title: `Confidence per test sample, ${hard} against ${smoothed}`,
    caption:
      `Each dot is a test sample: its confidence (probability of the predicted class) under ${hard} across, under ${smoothed} up. ` +
      `Below the diagonal, smoothing made the arm less sure: ${below} of ${points.length} samples. ` +
      `Colour: which arm got it right (${domain.map((d) => `${d} ${count(d)}`).join(', ')}).`,
    raster: true,
    spec: {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      title: { text: 'Confidence of the predicted class, per test sample', subtitle: `${points.length} test samples · dashed: equal confidence in both arms` },
      width: 520,
      height: 520,
      layer: [
        {
          data: { name: 'samples', values: points },
          mark: { type: 'circle', size: points.length > 2000 ? 9 : 24, opacity: 0.55 },
          encoding: {
            x: { field: 'hard', type: 'quantitative', ...axis(`confidence, ${hard}`) },
            y: { field: 'smoothed', type: 'quantitative', ...axis(`confidence, ${smoothed}`) },
            color: { field: 'category', type: 'nominal', title: 'prediction', scale: { domain, range: ['#9a9a9a', '#0072B2', '#D55E00', '#000000'] }, legend: { orient: 'bottom', direction: 'vertical' } },
            // the rarer categories drawn last, over the grey mass of samples both arms got right
            order: { field: 'rank', type: 'quantitative' },
          },
          transform: [{ calculate: `indexof(${JSON.stringify(domain)}, datum.category) == 0 ? 0 : 1`, as: 'rank' }],
        },
        {
          data: { values: [{ hard: 0, smoothed: 0 }, { hard: 1, smoothed: 1 }] },
          mark: { type: 'line', color: '#333', strokeDash: [5, 4], strokeWidth: 1.2 },
          encoding: { x: { field: 'hard', type: 'quantitative' }, y: { field: 'smoothed', type: 'quantitative' } },
        },
      ],
    } as TopLevelSpec,
  };
}

/** The per-sample charts a run's report shows: the gallery (image data) and the scatter. */
export function sampleCharts(summary: RunSummary, layer: SampleLayer | null): ReportChart[] {
  if (!layer || summary.arms.length < 2) return [];
  const gallery = galleryChart(summary, layer);
  return [...(gallery ? [gallery] : []), confidenceScatterChart(summary, layer.stored)];
}
