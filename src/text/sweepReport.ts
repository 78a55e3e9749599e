import type { AggregateMetric, ArmAggregate, PairedDifference, SweepAggregate } from '../sweep/aggregate';
import { AGGREGATE_METRICS, BASE_METRICS, METRIC_DIRECTION, SCALED_METRIC, VS_SCALED_HARD_METRICS } from '../sweep/aggregate';
import { measuredValues, type AssertionOutcome } from '../sweep/gateEvaluation';
import { formatGridValue, gridAxes } from '../sweep/grid';
import { wrapParagraph } from './layout';
import { markdownText } from './safeText';
import { delta, interval, meanSd, METRIC_NAMES, scaledArmName, unscaled, type SweepSection } from './sweepCells';
import { gridSections } from './sweepGridTables';
import { OUTPUT_FORMATS, renderTabular, type LayoutOptions, type Tabular } from './tabular';

export { scaledArmName } from './sweepCells';
export { gridSections } from './sweepGridTables';

/**
 * A sweep's aggregate as a terminal table, GitHub markdown (for $GITHUB_STEP_SUMMARY) or CSV. The tables
 * are Tabular values rendered by renderTabular, like every other table of ls-bench: the terminal and
 * markdown views come from the same sections, so they never disagree.
 */
export const SWEEP_FORMATS = OUTPUT_FORMATS;
export type SweepFormat = (typeof SWEEP_FORMATS)[number];

export type { SweepSection };

/** The verdict, saying which seeds were left out because an arm diverged there. */
function verdictText(d: PairedDifference, arm: ArmAggregate): string {
  if (arm.excludedSeeds.length === 0) return d.verdict;
  return `${d.verdict} (seed${arm.excludedSeeds.length > 1 ? 's' : ''} ${arm.excludedSeeds.join(', ')} left out: diverged)`;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function seedsText(arm: ArmAggregate): string {
  return arm.diverged.length ? `${arm.seeds.length} (+${arm.diverged.length} diverged)` : String(arm.seeds.length);
}

/** The metrics row of an arm, and of the same arm after temperature scaling when its cells have it. */
function metricsRows(lead: string[], smoothing: string, arm: ArmAggregate): string[][] {
  const n = (m: AggregateMetric) => arm.metrics[m].values.length;
  const cell = (m: AggregateMetric) => meanSd(m, arm.metrics[m].mean, arm.metrics[m].sd, n(m));
  const rows = [[...lead, smoothing, arm.arm, String(arm.epsilon), seedsText(arm), ...BASE_METRICS.map(cell), '—']];
  if (n('temperature') > 0) rows.push([...lead, smoothing, scaledArmName(arm.arm), String(arm.epsilon), seedsText(arm), ...BASE_METRICS.map((m) => cell(SCALED_METRIC[m])), cell('temperature')]);
  return rows;
}

function differenceRow(smoothing: string, name: string, metric: AggregateMetric, label: string, d: PairedDifference, arm: ArmAggregate): string[] {
  const shown = unscaled(metric);
  return [smoothing, name, label, delta(shown, Number.isFinite(d.mean) ? d.mean : null), interval(shown, d.tInterval), interval(shown, d.bootstrapInterval), verdictText(d, arm)];
}

/** smoothed − hard, smoothedTs − hardTs, and smoothed − hardTs (does smoothing beat temperature scaling?), per metric. */
function differenceRows(lead: string[], smoothing: string, arm: ArmAggregate): string[][] {
  return differenceRowsOf(smoothing, arm).map((r) => [...lead, ...r]);
}

function differenceRowsOf(smoothing: string, arm: ArmAggregate): string[][] {
  if (!arm.vsHard) return [];
  const rows = BASE_METRICS.map((m) => differenceRow(smoothing, arm.arm, m, METRIC_NAMES[m], arm.vsHard![m], arm));
  if (arm.metrics.temperature.values.length > 0) {
    for (const m of BASE_METRICS) rows.push(differenceRow(smoothing, `${scaledArmName(arm.arm)} − hardTs`, SCALED_METRIC[m], METRIC_NAMES[m], arm.vsHard[SCALED_METRIC[m]], arm));
  }
  if (arm.vsScaledHard) {
    for (const m of VS_SCALED_HARD_METRICS) rows.push(differenceRow(smoothing, `${arm.arm} − hardTs`, m, METRIC_NAMES[m], arm.vsScaledHard[m], arm));
  }
  return rows;
}

/** The detail tables: every grid point (a first column when the grid has axes), variant and arm. */
export function sweepSections(aggregate: SweepAggregate): SweepSection[] {
  const metricsTable: string[][] = [];
  const diffRows: string[][] = [];
  const mcnemarRows: string[][] = [];
  const withPoint = gridAxes(aggregate.grid).length > 0;
  for (const point of aggregate.points) {
    const lead = withPoint ? [point.label] : [];
    for (const variant of point.variants) {
      for (const arm of variant.arms) {
        metricsTable.push(...metricsRows(lead, variant.smoothing, arm));
        diffRows.push(...differenceRows(lead, variant.smoothing, arm));
        for (const t of arm.mcnemar) {
          mcnemarRows.push([...lead, variant.smoothing, arm.arm, String(t.seed), String(t.onlyHardCorrect), String(t.onlySmoothedCorrect), t.pValue < 1e-4 ? t.pValue.toExponential(1) : t.pValue.toFixed(4)]);
        }
      }
    }
  }
  const pct = Math.round(aggregate.level * 100);
  const head = withPoint ? ['grid point'] : [];
  const shift = (columns: number[]) => columns.map((c) => c + head.length);
  return [
    {
      title: 'Test metrics, mean ± sd over seeds (hardTs, smoothedTs-ε: after temperature scaling on the validation set, T fitted per run)',
      head: [...head, 'smoothing', 'arm', 'ε', 'seeds', ...BASE_METRICS.map((m) => METRIC_NAMES[m]), 'T'],
      // repeated in each part when a narrow terminal splits the table
      keyColumns: head.length + 2,
      rows: metricsTable,
      numeric: shift(range(2, 4 + BASE_METRICS.length)),
    },
    {
      title: `Smoothed − hard, paired over seeds, ${pct}% intervals (smoothed − hardTs: does smoothing beat temperature-scaling the hard model?)`,
      head: [...head, 'smoothing', 'arm', 'metric', 'Δ mean', `t ${pct}% CI`, `bootstrap ${pct}% CI`, 'verdict'],
      keyColumns: head.length + 3,
      rows: diffRows,
      numeric: shift(range(3, 5)),
    },
    {
      title: "McNemar's exact test per seed (test predictions, smoothed vs hard)",
      head: [...head, 'smoothing', 'arm', 'seed', 'only hard right', 'only smoothed right', 'p'],
      keyColumns: head.length + 3,
      rows: mcnemarRows,
      numeric: shift(range(2, 5)),
    },
  ];
}

export function headerLines(aggregate: SweepAggregate): string[] {
  const { grid } = aggregate;
  const cells = aggregate.points.length * grid.seeds.length * grid.smoothing.length;
  const expected = aggregate.expectedCells.length;
  const scope = expected < cells ? ` of this shard's ${expected} (the grid has ${cells})` : `/${cells}`;
  const axes = gridAxes(grid).map((a) => `${a.key} ${a.values.map(formatGridValue).join(', ')} × `).join('');
  const lines = [
    `sweep ${aggregate.sweepId}: ${axes}ε ${grid.epsilons.join(', ')} × seeds ${grid.seeds.join(', ')} × smoothing ${grid.smoothing.join(', ')} (${expected - aggregate.missingCells.length}${scope} cells completed)`,
  ];
  if (aggregate.missingCells.length > 0) lines.push(`missing cells: ${aggregate.missingCells.join(', ')}`);
  for (const point of aggregate.points) {
    for (const variant of point.variants) {
      for (const arm of variant.arms) {
        for (const d of arm.diverged) {
          const where = `${point.label ? `${point.label} ` : ''}${variant.smoothing} ${arm.arm}`;
          lines.push(`diverged: ${where}, seed ${d.seed}: ${d.message} — left out of the means, the paired differences and McNemar; gates reading it fail`);
        }
      }
    }
  }
  return lines;
}

export function legend(aggregate: SweepAggregate): string {
  const helps = BASE_METRICS.filter((m) => METRIC_DIRECTION[m] !== 'none').map((m) => `${METRIC_DIRECTION[m] === 'higher-is-better' ? 'higher' : 'lower'} ${METRIC_NAMES[m]}`);
  return (
    `Verdict: "helps" means ${helps.join(', ')}; it is given only when both ${Math.round(aggregate.level * 100)}% intervals of the paired difference ` +
    `(Student t over seeds, and a seeded percentile bootstrap with ${aggregate.bootstrapResamples} resamples) exclude zero, ` +
    `otherwise "no detectable difference" (in the tables by grid point: a Δ without a word); mean confidence and T have no better direction (higher/lower). Fewer than two seeds: "too few seeds". ` +
    `hardTs and smoothedTs-ε are the arms after temperature scaling (the names --assert uses). A seed where an arm diverged is left out and named. ` +
    `McNemar p-values are per seed and per arm, not corrected for multiple comparisons.`
  );
}

/** "helps NLL (−0.0123) and ECE (−0.0201); hurts accuracy (−0.50 pts); no detectable difference in Brier": differences grouped by their verdict. */
function verdictPhrases(differences: Partial<Record<AggregateMetric, PairedDifference>>, metrics: readonly AggregateMetric[]): string[] {
  // a metric the cells do not have (no Brier in cells written before it was measured) has no difference to report
  const measured = metrics.filter((m) => METRIC_DIRECTION[m] !== 'none' && differences[m] && Number.isFinite(differences[m]!.mean));
  const by = (verdicts: string[]) => measured.filter((m) => verdicts.includes(differences[m]!.verdict));
  const named = (ms: AggregateMetric[]) => ms.map((m) => `${METRIC_NAMES[m]} (${delta(unscaled(m), differences[m]!.mean)})`).join(' and ');
  const parts: string[] = [];
  if (by(['helps']).length) parts.push(`helps ${named(by(['helps']))}`);
  if (by(['hurts']).length) parts.push(`hurts ${named(by(['hurts']))}`);
  const unclear = by(['no detectable difference']).map((m) => METRIC_NAMES[m]);
  if (unclear.length) parts.push(`no detectable difference in ${unclear.join(' or ')}`);
  if (by(['too few seeds']).length) parts.push('too few seeds for a verdict');
  return parts;
}

/**
 * What the sweep found, one sentence per grid point and smoothed arm: which metrics smoothing helps or hurts
 * (both intervals on one side of zero), where no difference is detectable, which way mean confidence moved,
 * and, with temperature scaling, how the smoothed arm does against the temperature-scaled hard arm.
 */
export function sweepFindings(aggregate: SweepAggregate): string[] {
  const lines: string[] = [];
  for (const point of aggregate.points) {
    for (const variant of point.variants) {
      for (const arm of variant.arms) {
        if (!arm.vsHard) continue;
        const n = arm.seeds.length;
        const parts = verdictPhrases(arm.vsHard, BASE_METRICS);
        const confidence = arm.vsHard.meanConfidence;
        if (confidence.verdict === 'higher' || confidence.verdict === 'lower') parts.push(`mean confidence ${confidence.verdict} (${delta('meanConfidence', confidence.mean)})`);
        if (arm.vsScaledHard) parts.push(`against hardTs (the hard arm temperature-scaled): ${verdictPhrases(arm.vsScaledHard, VS_SCALED_HARD_METRICS).join(', ')}`);
        const diverged = arm.diverged.length ? `, ${arm.diverged.length} diverged` : '';
        lines.push(`${point.label ? `${point.label}, ` : ''}${variant.smoothing} ε=${arm.epsilon} (${n} seed${n === 1 ? '' : 's'}${diverged}): ${parts.join('; ')}.`);
      }
    }
  }
  return lines;
}

/** The gates, one row per case checked (each grid point, smoothing variant and smoothed ε), with the values read. */
export function gatesTabular(gates: AssertionOutcome[]): Tabular {
  const where = (i: AssertionOutcome['instances'][number]) => [i.pointLabel, i.variant, i.epsilon !== null ? `ε=${i.epsilon}` : ''].filter(Boolean).join(', ');
  return {
    head: ['gate', 'case', 'measured', 'result'],
    rows: gates.flatMap((g) =>
      g.instances.map((i, k) => [k === 0 ? g.source : '', where(i), `${measuredValues(i.values)}${i.problems.length ? `; not usable: ${i.problems.join('; ')}` : ''}`, i.holds ? 'holds' : 'FAILS']),
    ),
  };
}

/** One line on the gates: how many hold, and which fail. */
export function gatesSummary(gates: AssertionOutcome[]): string {
  const failed = gates.filter((g) => !g.holds);
  if (gates.length === 0) return "Gates: none (add some with --assert or the config's sweep.assert)";
  if (failed.length === 0) return `Gates: all ${gates.length} hold`;
  return `Gates: ${failed.length} of ${gates.length} FAILED: ${failed.map((g) => g.source).join('; ')}`;
}

export interface SweepRenderOptions extends LayoutOptions {
  /** The gates' results, shown after the tables (and summed up at the top of the markdown). */
  gates?: AssertionOutcome[];
}

export function renderSweepTable(aggregate: SweepAggregate, options: SweepRenderOptions = {}): string {
  const wrap = (text: string) => wrapParagraph(text, options.width);
  const out = [...headerLines(aggregate).map(wrap), ''];
  for (const s of [...gridSections(aggregate), ...sweepSections(aggregate)]) out.push(wrap(s.title), renderTabular(s, 'table', options), '');
  out.push('Findings', ...sweepFindings(aggregate).map((l) => wrapParagraph(`  ${l}`, options.width, '    ')), '');
  if (options.gates) {
    out.push(wrap(gatesSummary(options.gates)));
    if (options.gates.length > 0) out.push(renderTabular(gatesTabular(options.gates), 'table', options));
    out.push('');
  }
  out.push(wrap(legend(aggregate)));
  return out.join('\n');
}

/** Markdown for $GITHUB_STEP_SUMMARY: the gates first, then findings; with a grid, the tables by grid point first and the detail folded away. */
export function renderSweepMarkdown(aggregate: SweepAggregate, options: Pick<SweepRenderOptions, 'gates'> = {}): string {
  const out = [`## ls-bench sweep ${markdownText(aggregate.sweepId)}`, ''];
  // the gates first: a CI job summary says at once why the build failed
  if (options.gates) out.push(`**${markdownText(gatesSummary(options.gates))}**`, '');
  out.push(...headerLines(aggregate).map((l) => `${markdownText(l)}  `), '', '### Findings', '', ...sweepFindings(aggregate).map((l) => `- ${markdownText(l)}`), '');
  const grid = gridSections(aggregate);
  for (const s of grid) out.push(`### ${markdownText(s.title)}`, '', renderTabular(s, 'markdown'), '');
  if (grid.length > 0) out.push('<details><summary>Every grid point, arm and seed: metrics, paired differences with both intervals, McNemar</summary>', '');
  for (const s of sweepSections(aggregate)) out.push(`### ${markdownText(s.title)}`, '', renderTabular(s, 'markdown'), '');
  if (grid.length > 0) out.push('</details>', '');
  if (options.gates && options.gates.length > 0) out.push('### Gates', '', renderTabular(gatesTabular(options.gates), 'markdown'), '');
  out.push(`_${markdownText(legend(aggregate))}_`);
  return out.join('\n');
}

const CSV_COLUMNS = ['smoothing', 'arm', 'epsilon', 'metric', 'seeds', 'mean', 'sd', 'delta_mean', 'delta_sd', 't_low', 't_high', 'bootstrap_low', 'bootstrap_high', 'verdict', 'diverged_seeds'];

/**
 * One row per (grid point, variant, arm, metric), raw numbers (no rounding, no units): for spreadsheets and
 * scripts. The deltas are against the hard arm's same metric; the rows "<metric>VsHardTs" against the hard
 * arm's temperature-scaled metric. With a grid, the point's id and one column per axis (lists as [256,128])
 * come first.
 */
export function sweepCsvTabular(aggregate: SweepAggregate): Tabular {
  const num = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '' : String(v));
  const axes = gridAxes(aggregate.grid);
  const rows: string[][] = [];
  let lead: string[] = [];
  const row = (smoothing: string, arm: ArmAggregate, metric: string, s: { mean: number; sd: number | null; values: number[] } | null, d: PairedDifference | undefined) => {
    const n = s ? s.values.length : arm.seeds.length;
    rows.push([
      ...lead,
      ...[smoothing, arm.arm, String(arm.epsilon), metric, String(n)],
      ...[num(s && n ? s.mean : null), num(s?.sd), num(d ? d.mean : null), num(d?.sd)],
      ...[num(d?.tInterval?.low), num(d?.tInterval?.high), num(d?.bootstrapInterval?.low), num(d?.bootstrapInterval?.high), d ? d.verdict : ''],
      arm.diverged.map((x) => x.seed).join(' '),
    ]);
  };
  for (const point of aggregate.points) {
    lead = axes.length > 0 ? [point.id, ...axes.map((a) => formatGridValue(point.values[a.key]!))] : [];
    for (const variant of point.variants) {
      for (const arm of variant.arms) {
        for (const m of AGGREGATE_METRICS) row(variant.smoothing, arm, m, arm.metrics[m], arm.vsHard?.[m]);
        for (const m of VS_SCALED_HARD_METRICS) if (arm.vsScaledHard) row(variant.smoothing, arm, `${m}VsHardTs`, null, arm.vsScaledHard[m]);
      }
    }
  }
  return { head: [...(axes.length > 0 ? ['point', ...axes.map((a) => a.key)] : []), ...CSV_COLUMNS], rows };
}

export function renderSweepCsv(aggregate: SweepAggregate): string {
  return renderTabular(sweepCsvTabular(aggregate), 'csv');
}

export function renderSweep(aggregate: SweepAggregate, format: SweepFormat, options: SweepRenderOptions = {}): string {
  return format === 'markdown' ? renderSweepMarkdown(aggregate, options) : format === 'csv' ? renderSweepCsv(aggregate) : renderSweepTable(aggregate, options);
}
