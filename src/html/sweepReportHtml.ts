import { describeModelConfig } from '../engine/describeModel';
import { gatesSummary, gatesTabular, gridSections, headerLines, legend, sweepFindings, sweepSections } from '../text/sweepReport';
import { formatGridValue, gridAxes } from '../sweep/grid';
import type { SweepAggregate } from '../sweep/aggregate';
import type { AssertionOutcome } from '../sweep/gateEvaluation';
import type { SweepMeta } from '../sweep/sweepFiles';
import { chartFigure, escapeHtml, factList, htmlTable, reportPage, type RenderedChart, type ReportSection } from './html';
import { HARD_ARM_COLOUR, variantColourScale } from './sweepCharts';

/** What the report of a sweep is made from: its directory, sweep.json and the aggregate over its cells. */
export interface SweepReportInput {
  dir: string;
  meta: SweepMeta;
  aggregate: SweepAggregate;
  /** The gates the sweep was run with, evaluated on this aggregate; null for a sweep stored before gates were. */
  gates?: AssertionOutcome[] | null;
}

/** The verdict at the top: what the sweep found, arm by arm, and whether its gates hold. */
function verdictSection(input: SweepReportInput): ReportSection {
  const findings = sweepFindings(input.aggregate).map((l) => `<li>${escapeHtml(l)}</li>`).join('\n');
  const gates = input.gates ? `<p><strong>${escapeHtml(gatesSummary(input.gates))}</strong>${input.gates.length ? ' (each case and its values: <a href="#gates">Gates</a>)' : ''}</p>` : '';
  const pct = Math.round(input.aggregate.level * 100);
  return {
    id: 'verdict',
    heading: 'Verdict',
    html: `<div class="verdict">\n<p><strong>Findings</strong>: smoothed − hard, paired over seeds; helps or hurts only where both ${pct}% intervals exclude zero.</p>\n<ul>\n${findings}\n</ul>\n${gates}\n</div>`,
  };
}

/** Each gate, each case it was checked in, the values it read and whether it held. */
function gatesSection(gates: AssertionOutcome[]): ReportSection {
  const t = gatesTabular(gates);
  const rows = t.rows.map((r) => [r[0]!, r[1]!, r[2]!, { text: r[3]!, className: r[3] === 'holds' ? 'holds' : 'fails' }]);
  return { id: 'gates', heading: 'Gates', html: htmlTable({ caption: gatesSummary(gates), head: [t.head], rows }) };
}

/** A table cell is numeric when it starts like a number, a delta or an interval (the same rule as the markdown output). */
function cells(row: string[]): { text: string; numeric: boolean }[] {
  return row.map((text) => ({ text, numeric: /^[−+±\-\d[—]/.test(text) }));
}

/** The HTML report of a sweep: header, the two charts, the tables of `sweep show` (same rows). */
export function sweepReportHtml(input: SweepReportInput, rendered: RenderedChart[], generatedAt = new Date()): string {
  const { meta, aggregate } = input;
  const chart = (id: string): RenderedChart => {
    const found = rendered.find((r) => r.chart.id === id);
    if (!found) throw new Error(`sweepReportHtml: chart "${id}" was not rendered`);
    return found;
  };
  const { grid } = aggregate;
  const config = meta.config;
  const shown = new Set(['dataset', 'hidden', 'activation', 'dropout', 'model', 'init']);
  // the CSV reader's options mean nothing for the built-in data sets
  const csvOnly = new Set(['delimiter', 'header', 'ignoreColumns']);
  const isCsv = /^csv:/i.test(String(config.dataset));
  const axes = gridAxes(grid);
  const dataset = config.dataset ?? axes.find((a) => a.key === 'dataset')!.values.join(', ');
  const otherConfig = Object.entries(config)
    .filter(([k, v]) => !shown.has(k) && !(csvOnly.has(k) && !isCsv) && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
  const completed = aggregate.expectedCells.length - aggregate.missingCells.length;
  const facts: [string, string][] = [
    ['sweep', `${aggregate.sweepId}${meta.shard ? ` (shard ${meta.shard.index} of ${meta.shard.count})` : ''}${meta.mergedFrom ? `, merged from ${meta.mergedFrom.length} directories` : ''}`],
    ['grid', `${axes.map((a) => `${a.key} ${a.values.map(formatGridValue).join(', ')} × `).join('')}ε ${grid.epsilons.join(', ')} × ${grid.seeds.length} seed(s) × smoothing ${grid.smoothing.join(', ')}`],
    ['seeds', grid.seeds.join(', ')],
    ['cells', `${completed}/${aggregate.expectedCells.length} completed${aggregate.missingCells.length ? `; missing: ${aggregate.missingCells.join(', ')}` : ''}`],
    ['data set', dataset],
    ['model', describeModelConfig(config)],
    ['config', otherConfig.join(', ')],
    ['created', meta.createdAt],
    ['command', `ls-bench ${meta.command.join(' ')}`],
  ];
  // the terminal's header lines about diverged arms: left out of the means, named here as there
  const diverged = headerLines(aggregate).filter((l) => l.startsWith('diverged: '));
  if (diverged.length > 0) facts.push(['diverged', diverged.map((l) => l.slice('diverged: '.length)).join('; ')]);

  const colours = variantColourScale(aggregate);
  const swatch = (colour: string, name: string) => `<span class="swatch" style="background:${colour}"></span>${escapeHtml(name)}`;
  const key = `<p>${[swatch(HARD_ARM_COLOUR, 'hard labels (ε = 0)'), ...colours.domain.map((v, i) => swatch(colours.range[i]!, `${v} smoothing`))].join(' &nbsp; ')}</p>`;

  const toHtml = (s: { title: string; head: string[]; rows: string[][] }) =>
    htmlTable({ caption: s.title, head: [s.head], rows: s.rows.map((r) => { const [first, ...rest] = r; return [first!, ...cells(rest)]; }) });
  const [metricsTable, differencesTable, mcnemarTable] = sweepSections(aggregate).map(toHtml);
  const byPoint = gridSections(aggregate).map(toHtml);
  const sections: ReportSection[] = [
    verdictSection(input),
    ...(byPoint.length > 0 ? [{ id: 'grid', heading: 'By grid point', html: byPoint.join('\n') }] : []),
    { id: 'metrics', heading: 'Metrics against ε', html: `${key}\n${chartFigure(chart('sweep-metrics'))}\n${metricsTable}` },
    {
      id: 'differences',
      heading: 'Paired differences to the hard arm',
      html: `${chartFigure(chart('sweep-differences'))}\n${differencesTable}\n<div class="verdict"><p>${escapeHtml(legend(aggregate))}</p></div>`,
    },
    { id: 'mcnemar', heading: 'McNemar per seed', html: mcnemarTable! },
    ...(input.gates && input.gates.length > 0 ? [gatesSection(input.gates)] : []),
  ];
  return reportPage({
    title: `ls-bench sweep ${aggregate.sweepId}`,
    subtitle: `${dataset}: hard labels vs label smoothing ε ${grid.epsilons.filter((e) => e > 0).join(', ')} over ${grid.seeds.length} seed(s), paired per seed (same initial weights, same batches)`,
    headerHtml: factList(facts),
    sections,
    footer: `Generated by ls-bench from ${input.dir} (sweep.json, cells/) at ${generatedAt.toISOString()}. Charts: Vega-Lite, rendered to SVG in Node.`,
  });
}
