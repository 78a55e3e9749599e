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
import { markdownCodeBlock, markdownText } from './safeText';
import { hasManyClasses, rarestClassesTabular, topConfusionsTabular, topConfusionsTitle, WORST_CLASSES, worstClassesTabular, worstClassesTitle } from './classTables';

/** A bold caption (escaped: it may hold class names) over a markdown table. */
function section(caption: string, table: Tabular): string {
  return `**${markdownText(caption)}**\n\n${renderTabular(table, 'markdown')}`;
}

/** The per-class sections: every class and each arm's matrix, or for many classes the worst classes and the most confused pairs. */
function classSections(summary: RunSummary): string[] {
  if (hasManyClasses(summary)) {
    return [section(worstClassesTitle(summary), worstClassesTabular(summary)), ...summary.arms.map((arm) => section(topConfusionsTitle(summary, arm), topConfusionsTabular(summary, arm)))];
  }
  return [
    section(`Per class (${perClassNote(summary)})`, perClassTabular(summary)),
    ...summary.arms.map((arm) => section(`Confusion matrix, ${armHeading(arm)} (rows: true class, columns: predicted)`, confusionTabular(summary, arm))),
  ];
}

/**
 * A run as markdown, the same sections as the terminal report (runReport.ts) from the same tables
 * (runTables.ts), for pasting into a pull request: tables as markdown tables, the header and the histogram
 * as text blocks. Markdown is never fitted to a width: the reader's page wraps it.
 */
export function renderRunMarkdown(summary: RunSummary, histograms: HistogramsFile, environment?: EnvironmentInfo, options: Pick<RunLayout, 'verbose'> = {}): string {
  return [
    markdownCodeBlock(renderHeader(summary, environment, options)),
    ...(summary.imbalance
      ? [hasManyClasses(summary) ? section(`Imbalanced training set (ratio ${summary.imbalance.ratio}): test recall of the ${WORST_CLASSES} rarest training classes`, rarestClassesTabular(summary)) : section(imbalanceCaption(summary), imbalanceTabular(summary))]
      : []),
    section(epochTableCaption(summary), epochTabular(summary)),
    section(finalMetricsCaption(summary), finalMetricsTabular(summary)),
    ...(hasTemperatureScaling(summary) ? [section(temperatureCaption(summary), temperatureTabular(summary))] : []),
    ...classSections(summary),
    markdownCodeBlock(renderConfidenceHistogram(histograms)),
    runVerdicts(summary)
      .map((v) => [`**${markdownText(v.title)}**`, '', ...v.lines.map((l) => `- ${markdownText(l)}`)].join('\n'))
      .concat(hasComparableArm(summary) ? [markdownText(verdictKey())] : [])
      .join('\n\n'),
    markdownText(timeLine(summary)),
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
