import type { AggregateMetric, PairedDifference, SweepAggregate } from '../sweep/aggregate';
import { AGGREGATE_METRICS, METRIC_DIRECTION } from '../sweep/aggregate';
import { measuredValues, type AssertionOutcome } from '../sweep/assertions';
import type { Interval } from '../stats/intervals';
import { wrapParagraph } from './layout';
import { OUTPUT_FORMATS, renderTabular, type LayoutOptions, type Tabular } from './tabular';

/**
 * A sweep's aggregate as a terminal table, GitHub markdown (for $GITHUB_STEP_SUMMARY) or CSV. The tables
 * are Tabular values rendered by renderTabular, like every other table of ls-bench: the terminal and
 * markdown views come from the same sections, so they never disagree.
 */
export const SWEEP_FORMATS = OUTPUT_FORMATS;
export type SweepFormat = (typeof SWEEP_FORMATS)[number];

const METRIC_NAMES: Record<AggregateMetric, string> = { accuracy: 'accuracy', nll: 'NLL', ece: 'ECE', meanConfidence: 'mean confidence' };

function value(metric: AggregateMetric, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  return metric === 'accuracy' ? `${(v * 100).toFixed(2)}%` : v.toFixed(4);
}

function delta(metric: AggregateMetric, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  const scaled = metric === 'accuracy' ? v * 100 : v;
  const digits = metric === 'accuracy' ? 2 : 4;
  const s = Math.abs(scaled).toFixed(digits);
  const sign = Number(s) === 0 ? '±' : scaled > 0 ? '+' : '−';
  return `${sign}${s}${metric === 'accuracy' ? ' pts' : ''}`;
}

function interval(metric: AggregateMetric, i: Interval | null): string {
  return i === null ? '—' : `[${delta(metric, i.low)}, ${delta(metric, i.high)}]`;
}

function meanSd(metric: AggregateMetric, mean: number, sd: number | null, n: number): string {
  if (n === 0) return '—';
  return sd === null ? value(metric, mean) : `${value(metric, mean)} ± ${metric === 'accuracy' ? `${(sd * 100).toFixed(2)}%` : sd.toFixed(4)}`;
}

/** One titled table of the report (the HTML report renders the same sections as HTML tables). */
export interface SweepSection extends Tabular {
  title: string;
}

function verdictText(d: PairedDifference): string {
  return d.verdict;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export function sweepSections(aggregate: SweepAggregate): SweepSection[] {
  const metricsRows: string[][] = [];
  const diffRows: string[][] = [];
  const mcnemarRows: string[][] = [];
  for (const variant of aggregate.variants) {
    for (const arm of variant.arms) {
      metricsRows.push([
        variant.smoothing,
        arm.arm,
        String(arm.epsilon),
        String(arm.seeds.length),
        ...AGGREGATE_METRICS.map((m) => meanSd(m, arm.metrics[m].mean, arm.metrics[m].sd, arm.seeds.length)),
      ]);
      if (arm.vsHard) {
        for (const m of AGGREGATE_METRICS) {
          const d = arm.vsHard[m];
          diffRows.push([variant.smoothing, arm.arm, METRIC_NAMES[m], delta(m, arm.seeds.length ? d.mean : null), interval(m, d.tInterval), interval(m, d.bootstrapInterval), verdictText(d)]);
        }
      }
      for (const t of arm.mcnemar) {
        mcnemarRows.push([variant.smoothing, arm.arm, String(t.seed), String(t.onlyHardCorrect), String(t.onlySmoothedCorrect), t.pValue < 1e-4 ? t.pValue.toExponential(1) : t.pValue.toFixed(4)]);
      }
    }
  }
  const pct = Math.round(aggregate.level * 100);
  return [
    {
      title: 'Test metrics, mean ± sd over seeds',
      keyColumns: 2,
      head: ['smoothing', 'arm', 'ε', 'seeds', ...AGGREGATE_METRICS.map((m) => METRIC_NAMES[m])],
      rows: metricsRows,
      numeric: range(2, 3 + AGGREGATE_METRICS.length),
    },
    {
      title: `Smoothed − hard, paired over seeds, ${pct}% intervals`,
      keyColumns: 3,
      head: ['smoothing', 'arm', 'metric', 'Δ mean', `t ${pct}% CI`, `bootstrap ${pct}% CI`, 'verdict'],
      rows: diffRows,
      numeric: range(3, 5),
    },
    {
      title: "McNemar's exact test per seed (test predictions, smoothed vs hard)",
      keyColumns: 3,
      head: ['smoothing', 'arm', 'seed', 'only hard right', 'only smoothed right', 'p'],
      rows: mcnemarRows,
      numeric: range(2, 5),
    },
  ];
}

export function headerLines(aggregate: SweepAggregate): string[] {
  const { grid } = aggregate;
  const cells = grid.seeds.length * grid.smoothing.length;
  const expected = aggregate.expectedCells.length;
  const scope = expected < cells ? ` of this shard's ${expected} (the grid has ${cells})` : `/${cells}`;
  const lines = [
    `sweep ${aggregate.sweepId}: ε ${grid.epsilons.join(', ')} × seeds ${grid.seeds.join(', ')} × smoothing ${grid.smoothing.join(', ')} (${expected - aggregate.missingCells.length}${scope} cells completed)`,
  ];
  if (aggregate.missingCells.length > 0) lines.push(`missing cells: ${aggregate.missingCells.join(', ')}`);
  return lines;
}

export function legend(aggregate: SweepAggregate): string {
  const helps = AGGREGATE_METRICS.filter((m) => METRIC_DIRECTION[m] !== 'none').map((m) => `${METRIC_DIRECTION[m] === 'higher-is-better' ? 'higher' : 'lower'} ${METRIC_NAMES[m]}`);
  return (
    `Verdict: "helps" means ${helps.join(', ')}; it is given only when both ${Math.round(aggregate.level * 100)}% intervals of the paired difference ` +
    `(Student t over seeds, and a seeded percentile bootstrap with ${aggregate.bootstrapResamples} resamples) exclude zero, ` +
    `otherwise "no detectable difference"; mean confidence has no better direction (higher/lower). Fewer than two seeds: "too few seeds". ` +
    `McNemar p-values are per seed and per arm, not corrected for multiple comparisons.`
  );
}

const METRIC_DIFFERENCE: Record<AggregateMetric, string> = { accuracy: 'accuracy', nll: 'NLL', ece: 'ECE', meanConfidence: 'mean confidence' };

/**
 * What the sweep found, one sentence per smoothed arm: which metrics smoothing helps or hurts (both
 * intervals on one side of zero), where no difference is detectable, and which way mean confidence moved.
 */
export function sweepFindings(aggregate: SweepAggregate): string[] {
  const lines: string[] = [];
  for (const variant of aggregate.variants) {
    for (const arm of variant.arms) {
      if (!arm.vsHard) continue;
      const n = arm.seeds.length;
      const by = (verdicts: string[]) => AGGREGATE_METRICS.filter((m) => METRIC_DIRECTION[m] !== 'none' && verdicts.includes(arm.vsHard![m].verdict));
      const named = (ms: AggregateMetric[]) => ms.map((m) => `${METRIC_DIFFERENCE[m]} (${delta(m, arm.vsHard![m].mean)})`).join(' and ');
      const parts: string[] = [];
      if (by(['helps']).length) parts.push(`helps ${named(by(['helps']))}`);
      if (by(['hurts']).length) parts.push(`hurts ${named(by(['hurts']))}`);
      const unclear = by(['no detectable difference']).map((m) => METRIC_DIFFERENCE[m]);
      if (unclear.length) parts.push(`no detectable difference in ${unclear.join(' or ')}`);
      if (by(['too few seeds']).length) parts.push('too few seeds for a verdict');
      const confidence = arm.vsHard.meanConfidence;
      if (confidence.verdict === 'higher' || confidence.verdict === 'lower') parts.push(`mean confidence ${confidence.verdict} (${delta('meanConfidence', confidence.mean)})`);
      lines.push(`${variant.smoothing} ε=${arm.epsilon} (${n} seed${n === 1 ? '' : 's'}): ${parts.join('; ')}.`);
    }
  }
  return lines;
}

/** The gates, one row per case checked (each smoothing variant, each smoothed ε), with the values read. */
export function gatesTabular(gates: AssertionOutcome[]): Tabular {
  return {
    head: ['gate', 'case', 'measured', 'result'],
    rows: gates.flatMap((g) =>
      g.instances.map((i, k) => [k === 0 ? g.source : '', `${i.variant}${i.epsilon !== null ? `, ε=${i.epsilon}` : ''}`, measuredValues(i.values), i.holds ? 'holds' : 'FAILS']),
    ),
  };
}

/** One line on the gates: how many hold, and which fail. */
export function gatesSummary(gates: AssertionOutcome[]): string {
  const failed = gates.filter((g) => !g.holds);
  if (gates.length === 0) return 'Gates: none (add some with --assert or the config\'s sweep.assert)';
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
  for (const s of sweepSections(aggregate)) out.push(wrap(s.title), renderTabular(s, 'table', options), '');
  out.push('Findings', ...sweepFindings(aggregate).map((l) => wrapParagraph(`  ${l}`, options.width, '    ')), '');
  if (options.gates) {
    out.push(wrap(gatesSummary(options.gates)));
    if (options.gates.length > 0) out.push(renderTabular(gatesTabular(options.gates), 'table', options));
    out.push('');
  }
  out.push(wrap(legend(aggregate)));
  return out.join('\n');
}

export function renderSweepMarkdown(aggregate: SweepAggregate, options: Pick<SweepRenderOptions, 'gates'> = {}): string {
  const out = [`## ls-bench sweep ${aggregate.sweepId}`, ''];
  // the gates first: a CI job summary says at once why the build failed
  if (options.gates) out.push(`**${gatesSummary(options.gates)}**`, '');
  out.push(...headerLines(aggregate).map((l) => `${l}  `), '', '### Findings', '', ...sweepFindings(aggregate).map((l) => `- ${l}`), '');
  for (const s of sweepSections(aggregate)) out.push(`### ${s.title}`, '', renderTabular(s, 'markdown'), '');
  if (options.gates && options.gates.length > 0) out.push('### Gates', '', renderTabular(gatesTabular(options.gates), 'markdown'), '');
  out.push(`_${legend(aggregate)}_`);
  return out.join('\n');
}

const CSV_COLUMNS = ['smoothing', 'arm', 'epsilon', 'metric', 'seeds', 'mean', 'sd', 'delta_mean', 'delta_sd', 't_low', 't_high', 'bootstrap_low', 'bootstrap_high', 'verdict'];

/** One row per (variant, arm, metric), raw numbers (no rounding, no units): for spreadsheets and scripts. */
export function sweepCsvTabular(aggregate: SweepAggregate): Tabular {
  const num = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '' : String(v));
  const rows: string[][] = [];
  for (const variant of aggregate.variants) {
    for (const arm of variant.arms) {
      for (const m of AGGREGATE_METRICS) {
        const s = arm.metrics[m];
        const d = arm.vsHard?.[m];
        const n = arm.seeds.length;
        rows.push([
          ...[variant.smoothing, arm.arm, String(arm.epsilon), m, String(n)],
          ...[num(n ? s.mean : null), num(s.sd), num(d && n ? d.mean : null), num(d?.sd)],
          ...[num(d?.tInterval?.low), num(d?.tInterval?.high), num(d?.bootstrapInterval?.low), num(d?.bootstrapInterval?.high), d ? d.verdict : ''],
        ]);
      }
    }
  }
  return { head: CSV_COLUMNS, rows };
}

export function renderSweepCsv(aggregate: SweepAggregate): string {
  return renderTabular(sweepCsvTabular(aggregate), 'csv');
}

export function renderSweep(aggregate: SweepAggregate, format: SweepFormat, options: SweepRenderOptions = {}): string {
  return format === 'markdown' ? renderSweepMarkdown(aggregate, options) : format === 'csv' ? renderSweepCsv(aggregate) : renderSweepTable(aggregate, options);
}
