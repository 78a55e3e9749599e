import type { InstanceRow, InstanceSelection } from '../metrics/instances';
import { armHeading, percent, signedPoints } from './format';
import { displayWidth, wrapParagraph } from './layout';
import type { Tabular } from './tabular';
import type { Image, ThumbnailStyle } from './thumbnail';
import { renderThumbnail } from './thumbnail';

/**
 * `ls-bench instances`: a view's samples as a table (terminal, markdown, CSV), as JSON, and, for image
 * data on a terminal, as cards: the sample's thumbnail with its numbers beside it.
 */

export interface InstancesContext {
  classNames: string[];
  arms: { label: string; epsilon: number }[];
  /** The arm compared with the hard arm (drop, rise, discordant). */
  compared: number;
  /** The true class the samples were filtered to (--class). */
  classIndex?: number;
}

const pct = (v: number) => percent(v, 1);

function filterWords(ctx: InstancesContext, selection: InstanceSelection): string {
  const of = ctx.classIndex === undefined ? `${selection.considered} test samples` : `${selection.considered} test samples labelled ${ctx.classNames[ctx.classIndex]}`;
  return `of the ${of}`;
}

/** What a group's rows are, in one sentence. */
export function groupCaption(selection: InstanceSelection, group: InstanceSelection['groups'][number], ctx: InstancesContext): string {
  const hard = armHeading(ctx.arms[0]!);
  const compared = armHeading(ctx.arms[ctx.compared]!);
  const shown = group.rows.length;
  const samples = (n: number) => `${n} test sample${n === 1 ? '' : 's'}`;
  const of = filterWords(ctx, selection);
  switch (selection.view) {
    case 'drop':
      return `drop: the ${samples(shown)} whose true-class probability fell most from ${hard} to ${compared} (it fell for ${group.qualifying} ${of})`;
    case 'rise':
      return `rise: the ${samples(shown)} whose true-class probability rose most from ${hard} to ${compared} (it rose for ${group.qualifying} ${of})`;
    case 'discordant': {
      const d = selection.discordant!;
      return (
        `discordant: ${group.qualifying} ${of} are right in exactly one of ${hard} and ${compared} — ${d.onlyBaselineRight} only in ${ctx.arms[0]!.label}, ` +
        `${d.onlyComparedRight} only in ${ctx.arms[ctx.compared]!.label} (McNemar's counts); the ${shown} with the largest change of the true-class probability`
      );
    }
    case 'confident-wrong':
      return `confident-wrong, ${armHeading(ctx.arms[group.arm!]!)}: its ${shown} most confident mistake${shown === 1 ? '' : 's'} (it is wrong on ${group.qualifying} ${of})`;
  }
}

/** What the columns mean, once under the tables. */
export function instancesKey(ctx: InstancesContext): string {
  return `confidence: the probability of the predicted class; p(true): of the true class; Δ p(true): ${armHeading(ctx.arms[ctx.compared]!)} − ${armHeading(ctx.arms[0]!)}, in percentage points`;
}

/** Which of the two compared arms got a discordant sample right. */
function rightIn(row: InstanceRow, ctx: InstancesContext): string {
  return row.arms[0]!.predicted === row.label ? ctx.arms[0]!.label : ctx.arms[ctx.compared]!.label;
}

/** One table per group: rank, sample, true class, then each arm's prediction, confidence and true-class probability. */
export function instancesTabular(selection: InstanceSelection, group: InstanceSelection['groups'][number], ctx: InstancesContext, format: 'table' | 'markdown' | 'csv'): Tabular {
  const raw = format === 'csv';
  const name = (c: number) => ctx.classNames[c] ?? String(c);
  const armColumns = ctx.arms.flatMap(() => ['predicted', 'confidence', 'p(true)']);
  const discordant = selection.view === 'discordant';
  const head = ['#', 'test sample', 'true class', ...armColumns, 'Δ p(true)', ...(discordant ? ['right in'] : [])];
  const rows = group.rows.map((row, rank) => [
    String(rank + 1),
    String(row.index),
    name(row.label),
    ...row.arms.flatMap((a) => [name(a.predicted), raw ? String(a.confidence) : pct(a.confidence), raw ? String(a.trueProbability) : pct(a.trueProbability)]),
    raw ? String(row.change) : signedPoints(row.change, 1),
    ...(discordant ? [rightIn(row, ctx)] : []),
  ]);
  const numeric = [0, 1, ...ctx.arms.flatMap((_, a) => [4 + 3 * a, 5 + 3 * a]), 3 + 3 * ctx.arms.length];
  return {
    head,
    rows,
    numeric,
    keyColumns: 2,
    groups: ctx.arms.map((arm, a) => ({ title: armHeading(arm), first: 3 + 3 * a, count: 3 })),
  };
}

/** `instances --json`: the view, the arms, and each row with every arm's numbers at full precision. Stable keys. */
export function instancesJson(selection: InstanceSelection, ctx: InstancesContext) {
  const name = (c: number) => ctx.classNames[c] ?? String(c);
  return {
    view: selection.view,
    arms: ctx.arms.map((a) => ({ label: a.label, epsilon: a.epsilon })),
    compared: ctx.arms[ctx.compared]!.label,
    class: ctx.classIndex === undefined ? null : name(ctx.classIndex),
    considered: selection.considered,
    discordant: selection.discordant ?? null,
    groups: selection.groups.map((group) => ({
      arm: group.arm === null ? null : ctx.arms[group.arm]!.label,
      qualifying: group.qualifying,
      rows: group.rows.map((row) => ({
        index: row.index,
        label: row.label,
        className: name(row.label),
        change: row.change,
        arms: row.arms.map((a, i) => ({ label: ctx.arms[i]!.label, predicted: a.predicted, predictedName: name(a.predicted), confidence: a.confidence, trueProbability: a.trueProbability })),
      })),
    })),
  };
}

/** Pads to a display width (class names may hold wide characters). */
const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - displayWidth(text)));
const padStart = (text: string, width: number) => ' '.repeat(Math.max(0, width - displayWidth(text))) + text;

/** The text beside a thumbnail: the sample, then one line per arm. */
function cardText(row: InstanceRow, rank: number, ctx: InstancesContext, discordant: boolean): string[] {
  const name = (c: number) => ctx.classNames[c] ?? String(c);
  const armNames = ctx.arms.map(armHeading);
  const armWidth = Math.max(3, ...armNames.map(displayWidth));
  const classWidth = Math.max(9, ...row.arms.map((a) => displayWidth(name(a.predicted))));
  const change = `p(true) ${pct(row.arms[0]!.trueProbability)} → ${pct(row.arms[ctx.compared]!.trueProbability)} (${signedPoints(row.change, 1)}${discordant ? `; right in ${rightIn(row, ctx)}` : ''})`;
  return [
    `#${rank + 1}  test sample ${row.index}, true class ${name(row.label)}`,
    `    ${change}`,
    `    ${pad('arm', armWidth)}  ${pad('predicted', classWidth)}  confidence  p(true)`,
    ...row.arms.map((a, i) => `    ${pad(armNames[i]!, armWidth)}  ${pad(name(a.predicted), classWidth)}  ${padStart(pct(a.confidence), 10)}  ${padStart(pct(a.trueProbability), 7)}`),
  ];
}

/**
 * Each row as a card: its thumbnail, its numbers beside it (below it when the width has no room for both).
 * `imageOf` gives a test sample's image.
 */
export function renderInstanceCards(
  selection: InstanceSelection,
  group: InstanceSelection['groups'][number],
  ctx: InstancesContext,
  imageOf: (index: number) => Image,
  options: { style: ThumbnailStyle; width?: number },
): string {
  const cards = group.rows.map((row, rank) => {
    const picture = renderThumbnail(imageOf(row.index), options.style);
    const pictureWidth = Math.max(...picture.map(displayWidth));
    const text = cardText(row, rank, ctx, selection.view === 'discordant');
    const textWidth = Math.max(...text.map(displayWidth));
    if (options.width !== undefined && pictureWidth + 2 + textWidth > options.width) {
      return [...text.map((l) => wrapParagraph(l, options.width, '    ')), ...picture].join('\n');
    }
    const height = Math.max(picture.length, text.length);
    return Array.from({ length: height }, (_, i) => `${picture[i] ?? ' '.repeat(pictureWidth)}  ${text[i] ?? ''}`.trimEnd()).join('\n');
  });
  return cards.join('\n\n');
}
