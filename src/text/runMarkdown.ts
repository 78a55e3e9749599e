import type { EnvironmentInfo, HistogramsFile, MetricsRow, RunSummary } from '../store/runFiles';
import { armHeading, epsilonLabel, fixed, percent, seconds } from './format';
import { renderConfidenceHistogram, renderHeader, renderVerdict } from './runReport';
import { renderTabular, type Tabular } from './tabular';
import { markdownCodeBlock, markdownText } from './safeText';
import { hasManyClasses, topConfusionsTabular, topConfusionsTitle, worstClassesTabular, worstClassesTitle } from './classTables';

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

export function finalMetricsTabular(summary: RunSummary): Tabular {
  const row = (name: string, f: (a: RunSummary['arms'][number]) => string) => [name, ...summary.arms.map(f)];
  return {
    head: ['test set', ...summary.arms.map(armHeading)],
    numeric: summary.arms.map((_, i) => i + 1),
    rows: [
      row('accuracy', (a) => percent(a.test.accuracy)),
      row('NLL', (a) => fixed(a.test.nll)),
      row('ECE (15 bins)', (a) => fixed(a.test.ece)),
      row('mean confidence', (a) => fixed(a.test.meanConfidence)),
      row('macro F1', (a) => fixed(a.test.macro.f1)),
    ],
  };
}

/** The per-class sections: every class and each arm's matrix, or for many classes the worst classes and the most confused pairs. */
function classSections(summary: RunSummary): string[] {
  if (hasManyClasses(summary)) {
    return [
      `**${markdownText(worstClassesTitle(summary))}**\n\n${renderTabular(worstClassesTabular(summary), 'markdown')}`,
      ...summary.arms.map((arm) => `**${markdownText(topConfusionsTitle(summary, arm))}**\n\n${renderTabular(topConfusionsTabular(summary, arm), 'markdown')}`),
    ];
  }
  const names = summary.dataset.classNames;
  const perClass: Tabular = {
    head: ['class', ...summary.arms.flatMap((a) => ['precision', 'recall', 'F1'].map((m) => `${armHeading(a)} ${m}`)), 'support'],
    rows: names.map((name, c) => [
      name,
      ...summary.arms.flatMap((a) => {
        const s = a.test.perClass[c]!;
        return [fixed(s.precision, 3), fixed(s.recall, 3), fixed(s.f1, 3)];
      }),
      String(summary.arms[0]!.test.perClass[c]!.support),
    ]),
  };
  const confusion = summary.arms.map((arm) => {
    const t: Tabular = {
      head: ['true \\ predicted', ...names],
      rows: arm.test.confusionMatrix!.map((row, r) => [names[r]!, ...row.map(String)]),
    };
    return `**Confusion matrix, ${markdownText(armHeading(arm))}** (rows: true class, columns: predicted)\n\n${renderTabular(t, 'markdown')}`;
  });
  return [`**Per class**\n\n${renderTabular(perClass, 'markdown')}`, ...confusion];
}

export function renderRunMarkdown(summary: RunSummary, histograms: HistogramsFile, environment?: EnvironmentInfo): string {
  return [
    markdownCodeBlock(renderHeader(summary, environment)),
    `**Per epoch** (train loss is each arm's own objective; NLL is unsmoothed cross-entropy)\n\n${renderTabular(epochTabular(summary), 'markdown')}`,
    `**Final test metrics**\n\n${renderTabular(finalMetricsTabular(summary), 'markdown')}`,
    ...classSections(summary),
    markdownCodeBlock(renderConfidenceHistogram(histograms)),
    renderVerdict(summary).split('\n').map(markdownText).join('  \n'),
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
