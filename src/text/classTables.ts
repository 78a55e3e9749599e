import { CLASS_DETAIL_LIMIT, topConfusions, type ConfusionEntry } from '../metrics/classification';
import { TOP_CONFUSIONS } from '../metrics/evaluate';
import type { RunSummary } from '../store/runFiles';
import { armHeading, fixed, percent } from './format';
import type { Tabular } from './tabular';

/**
 * The per-class views of a run with many classes. Above CLASS_DETAIL_LIMIT classes a full per-class
 * table and a K×K confusion matrix per arm would print (and take) time and space quadratic in K: the views
 * show instead the classes that fare worst and the pairs most often confused, and say where the rest is.
 */
type Arm = RunSummary['arms'][number];

/** Rows shown of a long per-class list. */
export const WORST_CLASSES = 20;

export function hasManyClasses(summary: RunSummary): boolean {
  return summary.dataset.classes > CLASS_DETAIL_LIMIT || summary.arms.some((a) => !a.test.confusionMatrix);
}

/** An arm's most confused pairs: stored with the run, or (runs written before they were) taken from its matrix. */
export function armTopConfusions(arm: Arm): ConfusionEntry[] {
  if (arm.test.topConfusions) return arm.test.topConfusions;
  const entries: ConfusionEntry[] = [];
  arm.test.confusionMatrix?.forEach((row, t) => row.forEach((count, p) => count > 0 && entries.push({ trueClass: t, predicted: p, count })));
  return topConfusions(entries, TOP_CONFUSIONS);
}

/** The classes with the lowest F1 in any arm (a class no arm scores, 0/0 everywhere, comes last), worst first. */
export function worstClasses(summary: RunSummary, n = WORST_CLASSES): number[] {
  const worst = (c: number) => Math.min(...summary.arms.map((a) => a.test.perClass[c]?.f1 ?? Number.POSITIVE_INFINITY));
  const support = (c: number) => summary.arms[0]!.test.perClass[c]?.support ?? 0;
  // Among equally bad classes, those with more test samples first: more of the test set goes wrong there.
  return summary.dataset.classNames
    .map((_, c) => ({ c, f1: worst(c), n: support(c) }))
    .sort((a, b) => a.f1 - b.f1 || b.n - a.n || a.c - b.c)
    .slice(0, n)
    .map((x) => x.c);
}

export function worstClassesTitle(summary: RunSummary): string {
  const k = summary.dataset.classes;
  return `The ${Math.min(WORST_CLASSES, k)} of ${k} classes with the lowest F1 in any arm (every class's scores are in summary.json)`;
}

export function worstClassesTabular(summary: RunSummary): Tabular {
  const names = summary.dataset.classNames;
  return {
    head: ['class', ...summary.arms.flatMap((a) => [`recall, ${armHeading(a)}`, `F1, ${armHeading(a)}`]), 'support'],
    numeric: Array.from({ length: summary.arms.length * 2 + 1 }, (_, i) => i + 1),
    rows: worstClasses(summary).map((c) => [
      names[c] ?? String(c),
      ...summary.arms.flatMap((a) => [fixed(a.test.perClass[c]?.recall, 3), fixed(a.test.perClass[c]?.f1, 3)]),
      String(summary.arms[0]!.test.perClass[c]?.support ?? ''),
    ]),
  };
}

export function topConfusionsTitle(summary: RunSummary, arm: Arm): string {
  const wrong = Math.round(summary.dataset.testSamples * (1 - arm.test.accuracy));
  const where = summary.dataset.classes > CLASS_DETAIL_LIMIT ? 'every cell is in confusion.json' : 'the full matrix is in summary.json';
  return `Most confused pairs, ${armHeading(arm)} (the top ${TOP_CONFUSIONS} of ${wrong} misclassified test samples; ${where})`;
}

export function topConfusionsTabular(summary: RunSummary, arm: Arm): Tabular {
  const names = summary.dataset.classNames;
  return {
    head: ['true class', 'predicted as', 'test samples', 'share of the true class'],
    numeric: [2, 3],
    rows: armTopConfusions(arm).map((e) => {
      const support = arm.test.perClass[e.trueClass]?.support ?? 0;
      return [names[e.trueClass] ?? String(e.trueClass), names[e.predicted] ?? String(e.predicted), String(e.count), support > 0 ? percent(e.count / support, 1) : '—'];
    }),
  };
}

/** With --imbalance and many classes: the rarest classes in training, with their recall in each arm. */
export function rarestClassesTabular(summary: RunSummary): Tabular {
  const counts = summary.dataset.trainClassCounts ?? [];
  const order = summary.dataset.classNames.map((_, c) => c).sort((a, b) => (counts[a] ?? 0) - (counts[b] ?? 0) || a - b).slice(0, WORST_CLASSES);
  return {
    head: ['class', 'train n', ...summary.arms.map((a) => `recall, ${armHeading(a)}`)],
    numeric: Array.from({ length: summary.arms.length + 1 }, (_, i) => i + 1),
    rows: order.map((c) => [summary.dataset.classNames[c] ?? String(c), String(counts[c] ?? ''), ...summary.arms.map((a) => fixed(a.test.perClass[c]?.recall, 3))]),
  };
}

/** "12/30/45" for a few classes; "12 to 450 (1000 classes)" for many. */
export function classCountsText(counts: number[]): string {
  if (counts.length <= CLASS_DETAIL_LIMIT) return counts.join('/');
  return `${Math.min(...counts)} to ${Math.max(...counts)} (${counts.length} classes)`;
}
