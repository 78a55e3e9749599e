import type { EnvironmentInfo, HistogramsFile, MetricsRow, RunSummary } from '../store/runFiles';
import { armHeading, fixed, percent } from './format';
import { renderConfidenceHistogram, renderHeader, timeLine, type RunLayout } from './runReport';
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
import { hasComparableArm, runVerdicts, verdictKey } from './runVerdict';
import { renderTabular, type Tabular } from './tabular';

/**
 * A run as markdown, the same sections as the terminal report (runReport.ts) from the same tables
 * (runTables.ts), for pasting into a pull request: tables as markdown tables, the header and the histogram
 * as text blocks. Markdown is never fitted to a width: the reader's page wraps it.
 */
export function renderRunMarkdown(summary: RunSummary, histograms: HistogramsFile, environment?: EnvironmentInfo, options: Pick<RunLayout, 'verbose'> = {}): string {
  const confusion = summary.arms.map(
    (arm) => `**Confusion matrix, ${armHeading(arm)}** (rows: true class, columns: predicted)\n\n${renderTabular(confusionTabular(summary, arm), 'markdown')}`,
  );
  return [
    '```text\n' + renderHeader(summary, environment, options) + '\n```',
    ...(summary.imbalance ? [`**${imbalanceCaption(summary)}**\n\n${renderTabular(imbalanceTabular(summary), 'markdown')}`] : []),
    `**${epochTableCaption(summary)}**\n\n${renderTabular(epochTabular(summary), 'markdown')}`,
    `**${finalMetricsCaption(summary)}**\n\n${renderTabular(finalMetricsTabular(summary), 'markdown')}`,
    ...(hasTemperatureScaling(summary) ? [`**${temperatureCaption(summary)}**\n\n${renderTabular(temperatureTabular(summary), 'markdown')}`] : []),
    `**Per class** (${perClassNote(summary)})\n\n${renderTabular(perClassTabular(summary), 'markdown')}`,
    ...confusion,
    '```text\n' + renderConfidenceHistogram(histograms) + '\n```',
    runVerdicts(summary)
      .map((v) => [`**${v.title}**`, '', ...v.lines.map((l) => `- ${l}`)].join('\n'))
      .concat(hasComparableArm(summary) ? [verdictKey()] : [])
      .join('\n\n'),
    timeLine(summary),
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
