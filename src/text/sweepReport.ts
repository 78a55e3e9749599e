import type { AggregateMetric, PairedDifference, SweepAggregate } from '../sweep/aggregate';
import { AGGREGATE_METRICS, METRIC_DIRECTION } from '../sweep/aggregate';
import type { Interval } from '../stats/intervals';
import { OUTPUT_FORMATS, renderTabular, type Tabular } from './tabular';
import { markdownText } from './safeText';

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
      head: ['smoothing', 'arm', 'ε', 'seeds', ...AGGREGATE_METRICS.map((m) => METRIC_NAMES[m])],
      rows: metricsRows,
      numeric: range(2, 3 + AGGREGATE_METRICS.length),
    },
    {
      title: `Smoothed − hard, paired over seeds, ${pct}% intervals`,
      head: ['smoothing', 'arm', 'metric', 'Δ mean', `t ${pct}% CI`, `bootstrap ${pct}% CI`, 'verdict'],
      rows: diffRows,
      numeric: range(3, 5),
    },
    {
      title: "McNemar's exact test per seed (test predictions, smoothed vs hard)",
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

export function renderSweepTable(aggregate: SweepAggregate): string {
  const out = [...headerLines(aggregate), ''];
  for (const s of sweepSections(aggregate)) out.push(s.title, renderTabular(s, 'table'), '');
  out.push(legend(aggregate));
  return out.join('\n');
}

export function renderSweepMarkdown(aggregate: SweepAggregate): string {
  const out = [`## ls-bench sweep ${markdownText(aggregate.sweepId)}`, '', ...headerLines(aggregate).map((l) => `${markdownText(l)}  `), ''];
  for (const s of sweepSections(aggregate)) out.push(`### ${s.title}`, '', renderTabular(s, 'markdown'), '');
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

export function renderSweep(aggregate: SweepAggregate, format: SweepFormat): string {
  return format === 'markdown' ? renderSweepMarkdown(aggregate) : format === 'csv' ? renderSweepCsv(aggregate) : renderSweepTable(aggregate);
}
