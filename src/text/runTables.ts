import type { RunSummary } from '../store/runFiles';
import { armHeading, fixed, percent } from './format';
import type { ColumnGroup, Tabular } from './tabular';

/**
 * The tables of a run, built once from its summary: the terminal view (runReport.ts) and the markdown view
 * (runMarkdown.ts) render the same Tabular values, so they never disagree.
 */

type Arm = RunSummary['arms'][number];

/** One group of `count` columns per arm, after `before` leading columns. */
function armGroups(summary: RunSummary, before: number, count: number): ColumnGroup[] {
  return summary.arms.map((a, i) => ({ title: armHeading(a), first: before + i * count, count }));
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

export const EPOCH_METRICS = ['train loss', 'train NLL', 'test NLL', 'test acc'];

export function epochTabular(summary: RunSummary): Tabular {
  const epochs = Math.max(...summary.arms.map((a) => a.history.length));
  return {
    head: ['epoch', ...summary.arms.flatMap(() => EPOCH_METRICS)],
    groups: armGroups(summary, 1, EPOCH_METRICS.length),
    numeric: range(0, 1 + summary.arms.length * EPOCH_METRICS.length),
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
  const row = (name: string, f: (a: Arm) => string) => [name, ...summary.arms.map(f)];
  const rows = [
    row('accuracy', (a) => percent(a.test.accuracy)),
    row('NLL', (a) => fixed(a.test.nll)),
    row('ECE (15 bins)', (a) => fixed(a.test.ece)),
    row('mean confidence', (a) => fixed(a.test.meanConfidence)),
    row('macro F1', (a) => fixed(a.test.macro.f1)),
  ];
  if (summary.labelNoise) {
    rows.push(
      row('flipped train labels memorised', (a) => (a.flippedTrainLabels ? percent(a.flippedTrainLabels.memorised) : '—')),
      row('flipped train → true class', (a) => (a.flippedTrainLabels ? percent(a.flippedTrainLabels.predictedClean) : '—')),
    );
  }
  return { head: ['test set', ...summary.arms.map(armHeading)], numeric: range(1, summary.arms.length), rows };
}

/** With --imbalance: per-class recall next to the training counts, then macro F1 and accuracy. */
export function imbalanceTabular(summary: RunSummary): Tabular {
  const counts = summary.dataset.trainClassCounts ?? [];
  return {
    head: ['class', 'train n', ...summary.arms.map((a) => `recall, ${armHeading(a)}`)],
    numeric: range(1, 1 + summary.arms.length),
    rows: [
      ...summary.dataset.classNames.map((name, c) => [name, String(counts[c] ?? ''), ...summary.arms.map((a) => fixed(a.test.perClass[c]!.recall, 3))]),
      ['macro F1', '', ...summary.arms.map((a) => fixed(a.test.macro.f1, 3))],
      ['accuracy', '', ...summary.arms.map((a) => percent(a.test.accuracy))],
    ],
  };
}

export function perClassTabular(summary: RunSummary): Tabular {
  const scores = ['precision', 'recall', 'F1'];
  return {
    head: ['class', ...summary.arms.flatMap(() => scores), 'support'],
    groups: armGroups(summary, 1, scores.length),
    numeric: range(1, summary.arms.length * scores.length + 1),
    rows: summary.dataset.classNames.map((name, c) => [
      name,
      ...summary.arms.flatMap((a) => {
        const s = a.test.perClass[c]!;
        return [fixed(s.precision, 3), fixed(s.recall, 3), fixed(s.f1, 3)];
      }),
      String(summary.arms[0]!.test.perClass[c]!.support),
    ]),
  };
}

/**
 * An arm's confusion matrix. With `indexColumns`, the columns are headed by class index (the rows still
 * name the class): many classes with long names would not fit side by side otherwise.
 */
export function confusionTabular(summary: RunSummary, arm: Arm, options: { indexColumns?: boolean } = {}): Tabular {
  const names = summary.dataset.classNames;
  return {
    head: ['true \\ predicted', ...names.map((n, i) => (options.indexColumns ? String(i) : n))],
    numeric: range(1, names.length),
    rows: arm.test.confusionMatrix.map((row, r) => [options.indexColumns ? `${r} ${names[r]}` : names[r]!, ...row.map(String)]),
  };
}
