import Table from 'cli-table3';
import type { EnvironmentInfo, HistogramsFile, RunSummary } from '../store/runFiles';
import { armHeading, epsilonLabel, fixed, percent, seconds } from './format';
import {
  epochTableCaption,
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
import { renderTabular } from './tabular';

export { renderVerdict };

/**
 * The terminal view of a run, built from the stored summary alone: `train` prints it at the end and
 * `show` prints it again from the run directory.
 */

const tableStyle = { head: [] as string[], border: [] as string[], compact: true };

export function renderHeader(summary: RunSummary, environment?: Pick<EnvironmentInfo, 'backendLabel' | 'backendFallbackReason'>): string {
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
  if (environment?.backendFallbackReason) lines.push(`           fell back: ${environment.backendFallbackReason}`);
  if (validation > 0) {
    lines.push(`validation ${validation} samples held out of the training set (stratified, seed ${config.seed}, never trained on): fit each arm's temperature`);
  }
  if (summary.labelNoise) {
    const n = summary.labelNoise;
    lines.push(`noise      ${n.flipped} of ${dataset.trainSamples} training labels flipped (${n.kind}, ${n.fraction}; listed in ${n.file}); test labels clean`);
  }
  if (summary.imbalance) {
    lines.push(`imbalance  training set subsampled to ratio ${summary.imbalance.ratio}: ${(dataset.trainClassCounts ?? []).join('/')} samples per class`);
  }
  for (const warning of summary.warnings ?? []) lines.push(`warning    ${warning}`);
  return lines.join('\n');
}

export function renderEpochTable(summary: RunSummary): string {
  const perArm = ['train loss', 'train NLL', 'test NLL', 'test acc'];
  const table = new Table({ style: tableStyle });
  table.push([{ content: '', hAlign: 'left' }, ...summary.arms.map((a) => ({ content: armHeading(a), colSpan: perArm.length, hAlign: 'center' as const }))]);
  table.push(['epoch', ...summary.arms.flatMap(() => perArm)]);
  const epochs = Math.max(...summary.arms.map((a) => a.history.length));
  for (let e = 0; e < epochs; e++) {
    const row: string[] = [String(e + 1)];
    for (const arm of summary.arms) {
      const r = arm.history[e];
      row.push(r ? fixed(r.trainLoss) : '', r ? fixed(r.trainNll) : '', r ? fixed(r.testNll) : '', r ? percent(r.testAccuracy) : '');
    }
    table.push(row);
  }
  return `${epochTableCaption(summary)}\n${table.toString()}`;
}

export function renderFinalMetrics(summary: RunSummary): string {
  const parts = [`${finalMetricsCaption(summary)}\n${renderTabular(finalMetricsTabular(summary), 'table')}`];
  if (hasTemperatureScaling(summary)) parts.push(`${temperatureCaption(summary)}\n${renderTabular(temperatureTabular(summary), 'table')}`);
  return parts.join('\n\n');
}

/** With --imbalance, shown first: per-class recall, and what accuracy, NLL and ECE mean on this test set. */
export function renderImbalanceFirst(summary: RunSummary): string {
  return `${imbalanceCaption(summary)}\n${renderTabular(imbalanceTabular(summary), 'table')}`;
}

export function renderPerClass(summary: RunSummary): string {
  const table = new Table({ style: tableStyle });
  table.push([{ content: '' }, ...summary.arms.map((a) => ({ content: armHeading(a), colSpan: 3, hAlign: 'center' as const })), { content: '' }]);
  table.push(['class', ...summary.arms.flatMap(() => ['precision', 'recall', 'F1']), 'support']);
  for (const row of perClassTabular(summary).rows) table.push(row);
  return `Per class (${perClassNote(summary)})\n${table.toString()}`;
}

export function renderConfusionMatrices(summary: RunSummary): string {
  const names = summary.dataset.classNames;
  const short = names.map((n, i) => (names.length > 6 ? String(i) : n));
  return summary.arms
    .map((arm) => {
      const table = new Table({ style: tableStyle, head: ['true \\ predicted', ...short] });
      arm.test.confusionMatrix.forEach((row, r) => table.push([names.length > 6 ? `${r} ${names[r]}` : names[r]!, ...row.map(String)]));
      return `Confusion matrix, ${armHeading(arm)} (rows: true class, columns: predicted)\n${table.toString()}`;
    })
    .join('\n');
}

const BAR_WIDTH = 40;
const BAR_CHARS = ['█', '▓', '▒', '░'];

/** Confidence of the predicted class, 10 bins over [0, 1], one bar per arm. */
export function renderConfidenceHistogram(histograms: HistogramsFile): string {
  const max = Math.max(1, ...histograms.arms.flatMap((a) => a.confidenceHistogram));
  const edges = histograms.confidenceBins;
  const lines: string[] = [];
  const legend = histograms.arms.map((a, i) => `${BAR_CHARS[i % BAR_CHARS.length]} ${a.label}`).join('   ');
  lines.push(`Confidence of the predicted class (test set): ${legend}`);
  for (let b = 0; b < edges.length - 1; b++) {
    const range = `${edges[b]!.toFixed(1)}–${edges[b + 1]!.toFixed(1)}`;
    histograms.arms.forEach((arm, i) => {
      const n = arm.confidenceHistogram[b]!;
      const bar = BAR_CHARS[i % BAR_CHARS.length]!.repeat(Math.round((n / max) * BAR_WIDTH));
      lines.push(`${i === 0 ? range : ' '.repeat(range.length)}  ${arm.label.padEnd(12).slice(0, 12)} ${bar} ${n}`);
    });
  }
  return lines.join('\n');
}

export function renderRun(summary: RunSummary, histograms: HistogramsFile, environment?: EnvironmentInfo): string {
  return [
    renderHeader(summary, environment),
    ...(summary.imbalance ? [renderImbalanceFirst(summary)] : []),
    renderEpochTable(summary),
    renderFinalMetrics(summary),
    renderPerClass(summary),
    renderConfusionMatrices(summary),
    renderConfidenceHistogram(histograms),
    renderVerdict(summary),
    ...renderRunNotes(summary),
    `wall time ${seconds(summary.seconds)}`,
  ].join('\n\n');
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
