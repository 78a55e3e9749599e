import type { EnvironmentInfo, HistogramsFile, RunSummary } from '../store/runFiles';
import { armHeading, epsilonLabel, seconds } from './format';
import { wrapParagraph } from './layout';
import { classCountsText, hasManyClasses, rarestClassesTabular, topConfusionsTabular, topConfusionsTitle, WORST_CLASSES, worstClassesTabular, worstClassesTitle } from './classTables';
import {
  confusionTabular,
  epochTableCaption,
  epochTabular,
  finalMetricsCaption,
  finalMetricsTabular,
  hasTemperatureScaling,
  imbalanceCaption,
  imbalanceTabular,
  perClassNote,
  perClassTabular,
  temperatureCaption,
  temperatureTabular,
} from './runTables';
import { renderVerdict } from './runVerdict';
import { renderTabular, type Tabular } from './tabular';

export { renderVerdict };

/**
 * The terminal view of a run, built from the stored summary alone: `train` prints it at the end and
 * `show` prints it again from the run directory. Every table and paragraph fits `width` columns.
 */

export interface RunLayout {
  /** Columns the output may take (undefined: no limit, as in a pipe). */
  width?: number;
  /** --verbose: the backend's fallback reason at full length. */
  verbose?: boolean;
  /** Seconds the whole command took (train prints it; a stored run does not have it). */
  commandSeconds?: number;
}

/** The environment's backend fields; backendFallbackNote is there in runs written since it was recorded (store/environment.ts). */
type HeaderEnvironment = Pick<EnvironmentInfo, 'backendLabel' | 'backendFallbackReason'> & { backendFallbackNote?: string | null };

/** Why auto did not pick its first choice: a few words, or in full with --verbose. */
function fallbackLine(environment: HeaderEnvironment | undefined, verbose: boolean): string | undefined {
  const reason = environment?.backendFallbackReason;
  if (!reason) return undefined;
  if (verbose) return `fell back: ${reason}`;
  return `auto: ${environment.backendFallbackNote ?? 'fell back from its first choice'} (--verbose says more)`;
}

export function renderHeader(summary: RunSummary, environment?: HeaderEnvironment, layout: RunLayout = {}): string {
  const { dataset, config } = summary;
  const validation = dataset.validationSamples ?? 0;
  const split = `${dataset.trainSamples} train / ${validation > 0 ? `${validation} validation / ` : ''}${dataset.testSamples} test`;
  const smoothed = summary.arms.filter((a) => a.label !== 'hard');
  const lines = [
    `data set   ${dataset.name}: ${dataset.trainSamples + validation + dataset.testSamples} samples (${split}), ${dataset.features} features, ${dataset.classes} classes`,
    `           ${dataset.description}`,
    `model      ${summary.model}`,
    `optimizer  ${summary.optimizer}, batch ${config.batchSize}, ${config.epochs} epochs`,
    `seed       ${config.seed}`,
    `smoothing  ${config.smoothing}, ${smoothed.map((a) => epsilonLabel(a.epsilon)).join(', ')} (arms: ${summary.arms.map((a) => a.label).join(', ')})`,
    `backend    ${summary.backend}${environment ? ` — ${environment.backendLabel}` : ''}`,
  ];
  const fallback = fallbackLine(environment, layout.verbose === true);
  if (fallback) lines.push(`           ${fallback}`);
  if (validation > 0) {
    lines.push(`validation ${validation} samples held out of the training set (stratified, seed ${config.seed}, never trained on): fit each arm's temperature`);
  }
  if (summary.labelNoise) {
    const n = summary.labelNoise;
    lines.push(`noise      ${n.flipped} of ${dataset.trainSamples} training labels flipped (${n.kind}, ${n.fraction}; listed in ${n.file}); test labels clean`);
  }
  if (summary.imbalance) {
    lines.push(`imbalance  training set subsampled to ratio ${summary.imbalance.ratio}: ${classCountsText(dataset.trainClassCounts ?? [])} samples per class`);
  }
  for (const warning of summary.warnings ?? []) lines.push(`warning    ${warning}`);
  return lines.map((l) => wrapParagraph(l, layout.width, ' '.repeat(11))).join('\n');
}

/** A captioned table, both fitted to the width. */
function titled(caption: string, table: Tabular, layout: RunLayout): string {
  return `${wrapParagraph(caption, layout.width)}\n${renderTabular(table, 'table', layout)}`;
}

export function renderEpochTable(summary: RunSummary, layout: RunLayout = {}): string {
  return titled(epochTableCaption(summary), epochTabular(summary), layout);
}

export function renderFinalMetrics(summary: RunSummary, layout: RunLayout = {}): string {
  const parts = [titled(finalMetricsCaption(summary), finalMetricsTabular(summary), layout)];
  if (hasTemperatureScaling(summary)) parts.push(titled(temperatureCaption(summary), temperatureTabular(summary), layout));
  return parts.join('\n\n');
}

/** With --imbalance, shown first: per-class recall, and what accuracy, NLL and ECE mean on this test set. */
export function renderImbalanceFirst(summary: RunSummary, layout: RunLayout = {}): string {
  if (hasManyClasses(summary)) return titled(`Imbalanced training set (ratio ${summary.imbalance?.ratio}): test recall of the ${WORST_CLASSES} rarest training classes`, rarestClassesTabular(summary), layout);
  return titled(imbalanceCaption(summary), imbalanceTabular(summary), layout);
}

export function renderPerClass(summary: RunSummary, layout: RunLayout = {}): string {
  if (hasManyClasses(summary)) return titled(worstClassesTitle(summary), worstClassesTabular(summary), layout);
  return titled(`Per class (${perClassNote(summary)})`, perClassTabular(summary), layout);
}

export function renderConfusionMatrices(summary: RunSummary, layout: RunLayout = {}): string {
  if (hasManyClasses(summary)) return summary.arms.map((arm) => titled(topConfusionsTitle(summary, arm), topConfusionsTabular(summary, arm), layout)).join('\n');
  const indexColumns = summary.dataset.classNames.length > 6;
  return summary.arms
    .map((arm) => titled(`Confusion matrix, ${armHeading(arm)} (rows: true class, columns: predicted)`, confusionTabular(summary, arm, { indexColumns }), layout))
    .join('\n');
}

const BAR_WIDTH = 40;
const BAR_CHARS = ['█', '▓', '▒', '░'];

/** Confidence of the predicted class, 10 bins over [0, 1], one bar per arm; the bars shrink to fit the width. */
export function renderConfidenceHistogram(histograms: HistogramsFile, layout: RunLayout = {}): string {
  const labelWidth = Math.max(...histograms.arms.map((a) => a.label.length));
  // range (7) + 2 + label + 1 + bar + 1 + count (up to 7)
  const barWidth = layout.width === undefined ? BAR_WIDTH : Math.max(8, Math.min(BAR_WIDTH, layout.width - 18 - labelWidth));
  const max = Math.max(1, ...histograms.arms.flatMap((a) => a.confidenceHistogram));
  const edges = histograms.confidenceBins;
  const lines: string[] = [];
  const legend = histograms.arms.map((a, i) => `${BAR_CHARS[i % BAR_CHARS.length]} ${a.label}`).join('   ');
  lines.push(wrapParagraph(`Confidence of the predicted class (test set): ${legend}`, layout.width, '  '));
  for (let b = 0; b < edges.length - 1; b++) {
    const range = `${edges[b]!.toFixed(1)}–${edges[b + 1]!.toFixed(1)}`;
    histograms.arms.forEach((arm, i) => {
      const n = arm.confidenceHistogram[b]!;
      const bar = BAR_CHARS[i % BAR_CHARS.length]!.repeat(Math.round((n / max) * barWidth));
      lines.push(`${i === 0 ? range : ' '.repeat(range.length)}  ${arm.label.padEnd(labelWidth)} ${bar} ${n}`);
    });
  }
  return lines.join('\n');
}

export function renderRun(summary: RunSummary, histograms: HistogramsFile, environment?: EnvironmentInfo, layout: RunLayout = {}): string {
  return [
    renderHeader(summary, environment, layout),
    ...(summary.imbalance ? [renderImbalanceFirst(summary, layout)] : []),
    renderEpochTable(summary, layout),
    renderFinalMetrics(summary, layout),
    renderPerClass(summary, layout),
    renderConfusionMatrices(summary, layout),
    renderConfidenceHistogram(histograms, layout),
    renderVerdict(summary, layout),
    ...renderRunNotes(summary).map((note) => wrapParagraph(note, layout.width, '  ')),
    wrapParagraph(timeLine(summary, layout), layout.width, '  '),
  ].join('\n\n');
}

/** What the run's time measures: training with its per-epoch evaluation; and, when train prints it, the whole command. */
export function timeLine(summary: RunSummary, layout: Pick<RunLayout, 'commandSeconds'> = {}): string {
  const whole = layout.commandSeconds === undefined ? '' : `; the whole command ${seconds(layout.commandSeconds)} (start-up, data, training, final metrics, writing the run)`;
  return `time: training ${seconds(summary.seconds)} (${summary.arms.length} arms, with the per-epoch test evaluation)${whole}`;
}

function renderRunNotes(summary: RunSummary): string[] {
  const notes: string[] = [];
  for (const arm of summary.arms) if (arm.diverged) notes.push(`warning: ${arm.diverged.message}`);
  if (summary.resumedAfterEpoch !== null && summary.resumedAfterEpoch !== undefined) notes.push(`resumed after epoch ${summary.resumedAfterEpoch}`);
  if (summary.determinism) {
    notes.push(`determinism check: ${summary.determinism.identical ? 'a second training gave identical results, bit for bit' : `NOT deterministic: ${summary.determinism.firstDifference}`}`);
  }
  return notes;
}
