import type { EnvironmentInfo, HistogramsFile, MetricsRow, RunSummary } from '../store/runFiles';
import { armHeading, fixed, percent, seconds } from './format';
import { renderConfidenceHistogram, renderHeader } from './runReport';
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
import { runVerdicts } from './runVerdict';
import { renderTabular, type Tabular } from './tabular';

/**
 * A run as markdown, the same sections as the terminal report (runReport.ts), for pasting into a pull
 * request: tables as markdown tables, the header and the histogram as text blocks.
 */

export function epochTabular(summary: RunSummary): Tabular {
  const epochs = Math.max(...summary.arms.map((a) => a.history.length));
  return {
    head: ['epoch', ...summary.arms.flatMap((a) => ['train loss', 'train NLL', 'test NLL', 'test acc'].map((m) => `${armHeading(a)} ${m}`))],
    numeric: Array.from({ length: 1 + summary.arms.length * 4 }, (_, i) => i),
    rows: Array.from({ length: epochs }, (_, e) => [
      String(e + 1),
      ...summary.arms.flatMap((a) => {
        const r = a.history[e];
        return r ? [fixed(r.trainLoss), fixed(r.trainNll), fixed(r.testNll), percent(r.testAccuracy)] : ['', '', '', ''];
      }),
    ]),
  };
}

export function renderRunMarkdown(summary: RunSummary, histograms: HistogramsFile, environment?: EnvironmentInfo): string {
  const names = summary.dataset.classNames;
  const confusion = summary.arms.map((arm) => {
    const t: Tabular = {
      head: ['true \\ predicted', ...names],
      rows: arm.test.confusionMatrix.map((row, r) => [names[r]!, ...row.map(String)]),
    };
    return `**Confusion matrix, ${armHeading(arm)}** (rows: true class, columns: predicted)\n\n${renderTabular(t, 'markdown')}`;
  });
  return [
    '```text\n' + renderHeader(summary, environment) + '\n```',
    ...(summary.imbalance ? [`**${imbalanceCaption(summary)}**\n\n${renderTabular(imbalanceTabular(summary), 'markdown')}`] : []),
    `**${epochTableCaption(summary)}**\n\n${renderTabular(epochTabular(summary), 'markdown')}`,
    `**${finalMetricsCaption(summary)}**\n\n${renderTabular(finalMetricsTabular(summary), 'markdown')}`,
    ...(hasTemperatureScaling(summary) ? [`**${temperatureCaption(summary)}**\n\n${renderTabular(temperatureTabular(summary), 'markdown')}`] : []),
    `**Per class** (${perClassNote(summary)})\n\n${renderTabular(perClassTabular(summary), 'markdown')}`,
    ...confusion,
    '```text\n' + renderConfidenceHistogram(histograms) + '\n```',
    runVerdicts(summary)
      .map((v) => [`**${v.title}**`, '', ...v.lines.map((l) => `- ${l}`)].join('\n'))
      .join('\n\n'),
    `wall time ${seconds(summary.seconds)}`,
  ].join('\n\n');
}

/** The per-epoch rows of metrics.jsonl (what an unfinished run has), one row per epoch and arm. */
export function metricsRowsTabular(rows: MetricsRow[], format: 'table' | 'markdown' | 'csv'): Tabular {
  const raw = format === 'csv';
  return {
    head: ['epoch', 'arm', 'epsilon', 'trainLoss', 'trainNll', 'testNll', 'testAccuracy', 'seconds'],
    numeric: [0, 2, 3, 4, 5, 6, 7],
    rows: rows.map((r) => [
      String(r.epoch),
      r.arm,
      String(r.epsilon),
      raw ? String(r.trainLoss) : fixed(r.trainLoss),
      raw ? String(r.trainNll) : fixed(r.trainNll),
      raw ? String(r.testNll) : fixed(r.testNll),
      raw ? String(r.testAccuracy) : percent(r.testAccuracy),
      raw ? String(r.seconds) : fixed(r.seconds, 2),
    ]),
  };
}
