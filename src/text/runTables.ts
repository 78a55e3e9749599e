import { neverPredictedClasses } from '../metrics/classification';
import { smoothedTargetEntropy } from '../smoothing/labelSmoothing';
import type { ArmSummary, RunSummary } from '../store/runFiles';
import { armHeading, fixed, percent } from './format';
import type { ColumnGroup, Tabular } from './tabular';

/**
 * The tables of a run as Tabular values, built once from the stored summary: the terminal (runReport.ts),
 * markdown (runMarkdown.ts) and the HTML report render the same rows, so they cannot disagree.
 */

/** "over-confident by 2.3 points", "under-confident by 6.1 points": the signed gap mean confidence − accuracy in words. */
export function calibrationWords(gap: number | undefined | null): string {
  if (gap === undefined || gap === null || !Number.isFinite(gap)) return '—';
  const points = Math.abs(gap * 100).toFixed(1);
  if (Number(points) === 0) return 'calibrated on average (gap < 0.05 points)';
  return `${gap > 0 ? 'over' : 'under'}-confident by ${points} points`;
}

/** The same in a table cell: "over by 2.30 pts". */
function gapCell(gap: number | undefined): string {
  if (gap === undefined || !Number.isFinite(gap)) return '—';
  const points = Math.abs(gap * 100).toFixed(2);
  return Number(points) === 0 ? '±0.00 pts' : `${gap > 0 ? 'over' : 'under'} by ${points} pts`;
}

const numericColumns = (summary: RunSummary) => summary.arms.map((_, i) => i + 1);

/** One group of `count` columns per arm, after `before` leading columns: a table too wide for the terminal splits between arms. */
function armGroups(summary: RunSummary, before: number, count: number): ColumnGroup[] {
  return summary.arms.map((a, i) => ({ title: armHeading(a), first: before + i * count, count }));
}

const EPOCH_METRICS = ['train loss', 'train NLL', 'test NLL', 'test acc'];

/** Each arm's per-epoch training loss and NLL, test NLL and accuracy: one group of columns per arm. */
export function epochTabular(summary: RunSummary): Tabular {
  const epochs = Math.max(...summary.arms.map((a) => a.history.length));
  return {
    head: ['epoch', ...summary.arms.flatMap(() => EPOCH_METRICS)],
    groups: armGroups(summary, 1, EPOCH_METRICS.length),
    numeric: Array.from({ length: 1 + summary.arms.length * EPOCH_METRICS.length }, (_, i) => i),
    rows: Array.from({ length: epochs }, (_, e) => [
      String(e + 1),
      ...summary.arms.flatMap((a) => {
        const r = a.history[e];
        return r ? [fixed(r.trainLoss), fixed(r.trainNll), fixed(r.testNll), percent(r.testAccuracy)] : ['', '', '', ''];
      }),
    ]),
  };
}

/** The final test metrics of every arm: accuracy, the losses, every calibration measure, macro F1 (and, with label noise, the memorised rows). */
export function finalMetricsTabular(summary: RunSummary): Tabular {
  const row = (name: string, f: (a: ArmSummary) => string) => [name, ...summary.arms.map(f)];
  const rows = [
    row('accuracy', (a) => percent(a.test.accuracy)),
    row('NLL', (a) => fixed(a.test.nll)),
    row('Brier', (a) => fixed(a.test.brier)),
    row('ECE (15 bins)', (a) => fixed(a.test.ece)),
    row('MCE (worst bin)', (a) => fixed(a.test.mce)),
    row('adaptive ECE (15 equal-mass bins)', (a) => fixed(a.test.adaptiveEce)),
    row('classwise ECE', (a) => fixed(a.test.classwiseEce)),
    row('mean confidence', (a) => fixed(a.test.meanConfidence)),
    row('confidence − accuracy', (a) => gapCell(a.test.calibrationGap ?? a.test.meanConfidence - a.test.accuracy)),
    row('macro F1', (a) => fixed(a.test.macro.f1)),
  ];
  if (summary.labelNoise) {
    rows.push(row('flipped train labels memorised', (a) => (a.flippedTrainLabels ? percent(a.flippedTrainLabels.memorised) : '—')));
    rows.push(row('flipped train → true class', (a) => (a.flippedTrainLabels ? percent(a.flippedTrainLabels.predictedClean) : '—')));
  }
  return { head: ['test set', ...summary.arms.map(armHeading)], numeric: numericColumns(summary), rows };
}

export function finalMetricsCaption(summary: RunSummary): string {
  return summary.labelNoise
    ? 'Final test metrics (on the clean test labels; "memorised": share of the flipped training samples predicted as their noisy label)'
    : 'Final test metrics';
}

/** Whether any arm was temperature-scaled (a run with a validation set, written by a version that fits temperatures). */
export function hasTemperatureScaling(summary: RunSummary): boolean {
  return summary.arms.some((a) => a.temperatureScaled);
}

/** Each arm after dividing its logits by its own temperature, fitted on the validation set. */
export function temperatureTabular(summary: RunSummary): Tabular {
  const row = (name: string, f: (t: NonNullable<ArmSummary['temperatureScaled']>) => string) => [name, ...summary.arms.map((a) => (a.temperatureScaled ? f(a.temperatureScaled) : '—'))];
  return {
    head: ['after temperature scaling', ...summary.arms.map(armHeading)],
    numeric: numericColumns(summary),
    rows: [
      row('temperature T', (t) => `${t.temperature.toFixed(4)}${t.atBound ? ` (at the ${t.atBound === 'min' ? 'lower' : 'upper'} end of the range)` : ''}`),
      row('validation NLL, T = 1 → T', (t) => `${fixed(t.validationNllUnscaled)} → ${fixed(t.validationNll)}`),
      row('accuracy', (t) => percent(t.test.accuracy)),
      row('NLL', (t) => fixed(t.test.nll)),
      row('Brier', (t) => fixed(t.test.brier)),
      row('ECE (15 bins)', (t) => fixed(t.test.ece)),
      row('mean confidence', (t) => fixed(t.test.meanConfidence)),
      row('confidence − accuracy', (t) => gapCell(t.test.calibrationGap)),
    ],
  };
}

export function temperatureCaption(summary: RunSummary): string {
  const n = summary.arms.find((a) => a.temperatureScaled)?.temperatureScaled?.validationSamples ?? summary.dataset.validationSamples;
  return (
    `After temperature scaling: each arm's logits divided by its own T > 0, fitted to minimise the NLL of the ${n} validation samples ` +
    '(held out of the training set, never trained on); the test set is then scored again. T > 1 softens an over-confident model, T < 1 sharpens an under-confident one; the predicted class does not change.'
  );
}

/** With --imbalance: per-class recall first, with the training counts. */
export function imbalanceTabular(summary: RunSummary): Tabular {
  const counts = summary.dataset.trainClassCounts ?? [];
  const rows = summary.dataset.classNames.map((name, c) => [name, String(counts[c] ?? ''), ...summary.arms.map((a) => fixed(a.test.perClass[c]!.recall, 3))]);
  rows.push(['macro F1', '', ...summary.arms.map((a) => fixed(a.test.macro.f1, 3))]);
  rows.push(['accuracy', '', ...summary.arms.map((a) => percent(a.test.accuracy))]);
  return { head: ['class', 'train n', ...summary.arms.map((a) => `recall, ${armHeading(a)}`)], numeric: [1, ...summary.arms.map((_, i) => i + 2)], rows };
}

/**
 * What the imbalance view means. --imbalance subsamples only the training set, so the test set keeps its
 * own class counts: balanced, accuracy there is the mean per-class recall, and NLL and ECE are measured
 * under a prior shift (the models learned other class frequencies than the test set has).
 */
export function imbalanceCaption(summary: RunSummary): string {
  const train = summary.dataset.trainClassCounts ?? [];
  const test = summary.dataset.testClassCounts ?? [];
  const head = `Imbalanced training set (ratio ${summary.imbalance?.ratio}: ${train.join('/')} training samples per class): per-class test recall and macro F1.`;
  if (test.length === 0) return head;
  const min = Math.min(...test);
  const max = Math.max(...test);
  const testText =
    min === max
      ? `The test set is not subsampled and is balanced (${min} per class), so its accuracy equals the mean per-class recall: the rare classes weigh as much as the common ones.`
      : `The test set is not subsampled: it keeps its own class counts (${min}–${max} per class), so accuracy weighs the classes by those counts.`;
  return `${head} ${testText} NLL and ECE are measured under a prior shift: the models learned the training set's class frequencies, the test set has others.`;
}

/** Precision, recall and F1 of every class and arm (a group of columns per arm), with the support. */
export function perClassTabular(summary: RunSummary): Tabular {
  const names = summary.dataset.classNames;
  return {
    head: ['class', ...summary.arms.flatMap(() => ['precision', 'recall', 'F1']), 'support'],
    groups: armGroups(summary, 1, 3),
    numeric: Array.from({ length: summary.arms.length * 3 + 1 }, (_, i) => i + 1),
    rows: names.map((name, c) => [
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
export function confusionTabular(summary: RunSummary, arm: ArmSummary, options: { indexColumns?: boolean } = {}): Tabular {
  const names = summary.dataset.classNames;
  return {
    head: ['true \\ predicted', ...names.map((n, i) => (options.indexColumns ? String(i) : n))],
    numeric: names.map((_, i) => i + 1),
    // a run with many classes keeps no dense matrix: its views show the most confused pairs instead (classTables.ts)
    rows: (arm.test.confusionMatrix ?? []).map((row, r) => [options.indexColumns ? `${r} ${names[r]}` : names[r]!, ...row.map(String)]),
  };
}

/** The note under the per-class table: which classes an arm never predicted, and how their 0/0 is reported. */
export function perClassNote(summary: RunSummary): string {
  const names = summary.dataset.classNames;
  const never = summary.arms
    .map((a) => ({ a, classes: a.test.confusionMatrix ? neverPredictedClasses(a.test.confusionMatrix) : [] }))
    .filter((n) => n.classes.length > 0)
    .map((n) => `${n.a.label} never predicted ${n.classes.map((c) => JSON.stringify(names[c])).join(', ')}`);
  const rule = "a class never predicted has precision 0/0, reported as 0 (scikit-learn's zero_division=0), so its F1 of 0 counts in macro F1; — : no test samples and no predictions";
  return never.length > 0 ? `${never.join('; ')}. ${rule}` : rule;
}

/** The entropy floor H(q) of each smoothed arm's training loss: its loss cannot go below it. */
export function lossFloors(summary: RunSummary): { arm: ArmSummary; floor: number }[] {
  const k = summary.dataset.classes;
  return summary.arms.filter((a) => a.epsilon > 0).map((arm) => ({ arm, floor: smoothedTargetEntropy({ epsilon: arm.epsilon, smoothing: arm.smoothing }, k) }));
}

export function epochTableCaption(summary: RunSummary): string {
  const floors = lossFloors(summary);
  const floorText = floors.length
    ? ` A smoothed arm's train loss cannot fall below the entropy of its targets, H(q) = ${floors.map((f) => `${f.floor.toFixed(3)} (${armHeading(f.arm)})`).join(', ')}: most of its offset from the hard arm's loss.`
    : '';
  return `Per epoch (train loss is each arm's own objective; NLL is unsmoothed cross-entropy, comparable across arms).${floorText}`;
}
