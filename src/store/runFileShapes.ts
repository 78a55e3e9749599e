import type { z } from 'zod';
import { CLASS_DETAIL_LIMIT } from '../metrics/classification';

/**
 * What the schemas of run files cannot say field by field: that the fields of one file agree with each
 * other (one class name per class, one per-class score per class, a K×K matrix, arm labels that are
 * unique, comparisons of arms that exist). A hand-edited file that breaks one of these would otherwise
 * pass the schema and fail later, deep in a view, with a stack trace.
 */

type Issue = Pick<z.core.$ZodIssueCustom, 'code' | 'message' | 'path' | 'input'>;
interface Context {
  addIssue(issue: Issue): void;
}

const fail = (ctx: Context, path: (string | number)[], message: string, input: unknown) => ctx.addIssue({ code: 'custom', path, message, input });

function uniqueLabels(ctx: Context, arms: { label: string }[], where: string): void {
  const seen = new Map<string, number>();
  arms.forEach((arm, i) => {
    const first = seen.get(arm.label);
    if (first !== undefined) fail(ctx, [where, i, 'label'], `expected a label no other arm has, got "${arm.label}" (also ${where}[${first}])`, arm.label);
    seen.set(arm.label, i);
  });
}

function lengthIs(ctx: Context, path: (string | number)[], value: unknown[] | undefined, expected: number, what: string): void {
  if (value !== undefined && value.length !== expected) fail(ctx, path, `expected ${expected} ${what}, got ${value.length}`, value.length);
}

interface SummaryShape {
  dataset: { classes: number; classNames: string[]; trainClassCounts?: number[] | undefined; testClassCounts?: number[] | undefined };
  arms: { label: string; test: { perClass: unknown[]; confusionMatrix?: number[][] | undefined; topConfusions?: { trueClass: number; predicted: number }[] | undefined } }[];
  comparisons: { arm: string; baseline: string }[];
}

export function checkSummaryShape(summary: SummaryShape, ctx: Context): void {
  const k = summary.dataset.classes;
  const perClass = `entries (one per class: dataset.classes is ${k})`;
  lengthIs(ctx, ['dataset', 'classNames'], summary.dataset.classNames, k, perClass);
  lengthIs(ctx, ['dataset', 'trainClassCounts'], summary.dataset.trainClassCounts, k, perClass);
  lengthIs(ctx, ['dataset', 'testClassCounts'], summary.dataset.testClassCounts, k, perClass);
  uniqueLabels(ctx, summary.arms, 'arms');
  summary.arms.forEach((arm, a) => {
    lengthIs(ctx, ['arms', a, 'test', 'perClass'], arm.test.perClass, k, perClass);
    const matrix = arm.test.confusionMatrix;
    if (matrix === undefined && k <= CLASS_DETAIL_LIMIT) fail(ctx, ['arms', a, 'test', 'confusionMatrix'], `expected the confusion matrix of a run with ${k} classes`, undefined);
    lengthIs(ctx, ['arms', a, 'test', 'confusionMatrix'], matrix, k, `rows (${k} classes)`);
    matrix?.forEach((row, r) => lengthIs(ctx, ['arms', a, 'test', 'confusionMatrix', r], row, k, `columns (${k} classes)`));
    arm.test.topConfusions?.forEach((e, i) => {
      if (e.trueClass >= k || e.predicted >= k) fail(ctx, ['arms', a, 'test', 'topConfusions', i], `expected classes below ${k}`, e);
    });
  });
  const labels = new Set(summary.arms.map((a) => a.label));
  summary.comparisons.forEach((c, i) => {
    for (const key of ['arm', 'baseline'] as const) {
      if (!labels.has(c[key])) fail(ctx, ['comparisons', i, key], `expected one of the arms (${[...labels].join(', ')}), got "${c[key]}"`, c[key]);
    }
  });
}

interface HistogramsShape {
  confidenceBins: number[];
  arms: { label: string; confidenceHistogram: number[] }[];
}

export function checkHistogramsShape(histograms: HistogramsShape, ctx: Context): void {
  uniqueLabels(ctx, histograms.arms, 'arms');
  const bins = histograms.confidenceBins.length - 1;
  histograms.arms.forEach((arm, a) => lengthIs(ctx, ['arms', a, 'confidenceHistogram'], arm.confidenceHistogram, bins, `counts (one per bin: confidenceBins has ${bins + 1} edges)`));
}
