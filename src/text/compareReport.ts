import type { ModelConfig } from '../config/modelSchema';
import { describeLayerList, describeModelConfig } from '../engine/describeModel';
import type { ModelConfigKeys } from '../engine/modelSpec';
import { CliError } from '../errors';
import type { RunRecord } from '../store/runReader';
import type { ArmSummary, HistogramsFile, RunSummary } from '../store/runFiles';
import { epsilonLabel, fixed, percent, signed, signedPoints } from './format';
import { lineChart, lineStyleSample } from './lineChart';
import { wrapParagraph } from './layout';
import { renderTabular, type LayoutOptions, type Tabular } from './tabular';
import { markdownCodeBlock, markdownText } from './safeText';

/**
 * `ls-bench compare`: runs side by side. compareModel() computes everything from the stored summaries
 * (pure, and what --json prints); the render functions lay it out as a terminal table, markdown or CSV.
 */

export const CURVE_METRICS = ['testAccuracy', 'testNll', 'trainLoss', 'trainNll'] as const;
export type CurveMetric = (typeof CURVE_METRICS)[number];

/** The final test metrics compared; tsNll and tsEce are after temperature scaling on the run's validation set. */
const FINAL_METRICS = ['accuracy', 'nll', 'ece', 'brier', 'meanConfidence', 'macroF1', 'tsNll', 'tsEce'] as const;
type FinalMetric = (typeof FINAL_METRICS)[number];

export interface CompareRun {
  /** A, B, C…: short names used in charts and tables. */
  key: string;
  id: string;
  name: string | null;
  dataset: string;
  datasetDigest: string;
  testSamples: number;
  smoothing: string;
  epsilon: number[];
}

export interface CompareModel {
  runs: CompareRun[];
  sameDataset: boolean;
  notes: string[];
  /** Config keys whose values differ between the runs (and only those), with each run's value (null: absent). */
  configDiff: { key: string; values: unknown[] }[];
  /** Final test metrics per run and arm; delta = this − the first run's arm of the same label (null when it has none). */
  final: ({ run: string; id: string; arm: string; epsilon: number } & Record<FinalMetric, number | null> & { delta: Record<FinalMetric, number | null> | null })[];
  metric: CurveMetric;
  curves: { run: string; arm: string; epsilon: number; values: number[] }[];
  histograms: { bins: number[]; series: { run: string; arm: string; counts: number[]; fractions: number[] }[] };
}

type CompletedRun = RunRecord & { summary: RunSummary; histograms: HistogramsFile };

export function requireCompleted(record: RunRecord): CompletedRun {
  if (!record.summary || !record.histograms) {
    throw new CliError(`run ${record.id} is ${record.status}: compare needs completed runs (it has no summary.json; \`ls-bench show ${record.id}\` shows its epochs)`);
  }
  return record as CompletedRun;
}

function runKey(i: number): string {
  return i < 26 ? String.fromCharCode(65 + i) : `R${i + 1}`;
}

/** Null where the run has no such number: macro F1 with no class defined, Brier or temperature scaling in older runs or with --val-fraction 0. */
function finalValue(arm: ArmSummary, m: FinalMetric): number | null {
  switch (m) {
    case 'macroF1':
      return arm.test.macro.f1;
    case 'tsNll':
      return arm.temperatureScaled?.test.nll ?? null;
    case 'tsEce':
      return arm.temperatureScaled?.test.ece ?? null;
    default:
      return arm.test[m] ?? null;
  }
}

export function compareModel(records: CompletedRun[], metric: CurveMetric): CompareModel {
  const runs: CompareRun[] = records.map((r, i) => ({
    key: runKey(i),
    id: r.id,
    name: r.meta?.name ?? null,
    dataset: r.summary.dataset.name,
    datasetDigest: r.summary.dataset.digest,
    testSamples: r.summary.dataset.testSamples,
    smoothing: r.summary.config.smoothing,
    epsilon: r.summary.config.epsilon,
  }));
  const sameDataset = runs.every((r) => r.dataset === runs[0]!.dataset && r.datasetDigest === runs[0]!.datasetDigest);
  const notes: string[] = [];
  if (!sameDataset) {
    const names = new Set(runs.map((r) => r.dataset));
    notes.push(
      names.size > 1
        ? `different data sets (${runs.map((r) => `${r.key}: ${r.dataset}`).join(', ')}): the metrics are not measured on the same test samples, so the deltas compare different problems`
        : `same data set name but different data (digests ${runs.map((r) => `${r.key}: ${r.datasetDigest.slice(0, 12)}`).join(', ')}; e.g. another --limit, --samples or seed): the deltas are not paired`,
    );
  }

  const configs = records.map((r) => r.summary.config as unknown as Record<string, unknown>);
  const keys = [...new Set(configs.flatMap((c) => Object.keys(c)))];
  // The model of a run without a layer list is its MLP short form, said as such (not "—"); init has a row of its own.
  const modelOf = (c: Record<string, unknown>) => (c.model ? c.model : describeModelConfig({ ...(c as unknown as ModelConfigKeys), init: 'glorot' }));
  const configDiff = keys
    .map((key) => ({ key, values: configs.map((c) => (key === 'model' ? modelOf(c) : key in c ? c[key] : null)) }))
    .filter((d) => new Set(d.values.map((v) => JSON.stringify(v))).size > 1);

  const first = records[0]!.summary;
  const final = records.flatMap((r, i) =>
    r.summary.arms.map((arm) => {
      const base = first.arms.find((a) => a.label === arm.label);
      const values = Object.fromEntries(FINAL_METRICS.map((m) => [m, finalValue(arm, m)])) as Record<FinalMetric, number | null>;
      const difference = (m: FinalMetric) => {
        const a = values[m];
        const b = base ? finalValue(base, m) : null;
        return a === null || b === null ? null : a - b;
      };
      const delta = base ? (Object.fromEntries(FINAL_METRICS.map((m) => [m, difference(m)])) as Record<FinalMetric, number | null>) : null;
      return { run: runs[i]!.key, id: r.id, arm: arm.label, epsilon: arm.epsilon, ...values, delta };
    }),
  );

  const curves = records.flatMap((r, i) => r.summary.arms.map((arm) => ({ run: runs[i]!.key, arm: arm.label, epsilon: arm.epsilon, values: arm.history.map((h) => h[metric]) })));

  const histograms = {
    bins: records[0]!.histograms.confidenceBins,
    series: records.flatMap((r, i) =>
      r.histograms.arms.map((arm) => {
        const total = arm.confidenceHistogram.reduce((s, n) => s + n, 0);
        return { run: runs[i]!.key, arm: arm.label, counts: arm.confidenceHistogram, fractions: arm.confidenceHistogram.map((n) => (total > 0 ? n / total : 0)) };
      }),
    ),
  };
  const binsDiffer = records.some((r) => JSON.stringify(r.histograms.confidenceBins) !== JSON.stringify(histograms.bins));
  if (binsDiffer) notes.push('the runs use different confidence bins; the histograms are drawn on the first run\'s bins');

  return { runs, sameDataset, notes, configDiff, final, metric, curves, histograms };
}

/** Series with identical values are drawn once, named by all of them (e.g. every run's hard arm, same seed). */
export function groupIdentical<T>(items: T[], name: (t: T) => string, values: (t: T) => number[]): { names: string[]; item: T }[] {
  const groups: { names: string[]; item: T; key: string }[] = [];
  for (const item of items) {
    const key = JSON.stringify(values(item));
    const same = groups.find((g) => g.key === key);
    if (same) same.names.push(name(item));
    else groups.push({ names: [name(item)], item, key });
  }
  return groups.map(({ names, item }) => ({ names, item }));
}

function configValue(v: unknown, key?: string): string {
  if (v === null || v === undefined) return '—';
  // a layer list in a line, as the sweep report shows it ("conv 32 3×3 same relu → maxPool 2 → ...")
  if (key === 'model' && typeof v === 'object' && Array.isArray((v as ModelConfig).layers)) return describeLayerList(v as ModelConfig);
  if (Array.isArray(v)) return v.join(',');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function runsTabular(model: CompareModel): Tabular {
  return {
    head: ['run', 'id', 'name', 'data set', 'test samples', 'ε (smoothing)'],
    numeric: [4],
    rows: model.runs.map((r) => [r.key, r.id, r.name ?? '', r.dataset, String(r.testSamples), `${r.epsilon.join(',')} (${r.smoothing})`]),
  };
}

export function configDiffTabular(model: CompareModel): Tabular {
  return { head: ['config key', ...model.runs.map((r) => r.key)], rows: model.configDiff.map((d) => [d.key, ...d.values.map((v) => configValue(v, d.key))]) };
}

const FINAL_HEADS: Record<FinalMetric, string> = { accuracy: 'accuracy', nll: 'NLL', ece: 'ECE', brier: 'Brier', meanConfidence: 'mean conf', macroF1: 'macro F1', tsNll: 'NLL (TS)', tsEce: 'ECE (TS)' };

export function finalTabular(model: CompareModel): Tabular {
  const show = (m: FinalMetric, v: number | null) => (m === 'accuracy' ? percent(v) : fixed(v));
  const showDelta = (m: FinalMetric, v: number | null) => (v === null ? '—' : m === 'accuracy' ? signedPoints(v) : signed(v));
  return {
    head: ['run', 'arm', ...FINAL_METRICS.flatMap(() => ['value', `Δ vs ${model.runs[0]!.key}`])],
    groups: FINAL_METRICS.map((m, i) => ({ title: FINAL_HEADS[m], first: 2 + i * 2, count: 2 })),
    keyColumns: 2,
    numeric: Array.from({ length: FINAL_METRICS.length * 2 }, (_, i) => i + 2),
    rows: model.final.map((f) => [
      f.run,
      f.arm === 'hard' ? 'hard' : `${f.arm} (${epsilonLabel(f.epsilon)})`,
      // the first run is the baseline: its deltas are zero by definition, left blank
      ...FINAL_METRICS.flatMap((m) => [show(m, f[m]), f.run === model.runs[0]!.key ? '' : f.delta === null ? '—' : showDelta(m, f.delta[m])]),
    ]),
  };
}

function metricFormat(metric: CurveMetric): (v: number) => string {
  return metric === 'testAccuracy' ? (v) => `${(v * 100).toFixed(1)}%` : (v) => v.toFixed(3);
}

export function curvesTabular(model: CompareModel): Tabular {
  const epochs = Math.max(...model.curves.map((c) => c.values.length));
  return {
    head: ['epoch', ...model.curves.map((c) => `${c.run} ${c.arm}`)],
    numeric: Array.from({ length: model.curves.length + 1 }, (_, i) => i),
    rows: Array.from({ length: epochs }, (_, e) => [String(e + 1), ...model.curves.map((c) => (c.values[e] === undefined ? '' : model.metric === 'testAccuracy' ? percent(c.values[e]) : fixed(c.values[e])))]),
  };
}

export function renderCurveChart(model: CompareModel, layout: LayoutOptions = {}): string {
  const groups = groupIdentical(model.curves, (c) => `${c.run} ${c.arm}`, (c) => c.values);
  // the y labels take about 10 columns
  const width = layout.width === undefined ? 60 : Math.max(20, Math.min(60, layout.width - 12));
  const chart = lineChart(
    groups.map((g) => g.item.values),
    { height: 12, width, format: metricFormat(model.metric), xLabel: (i) => String(i + 1) },
  );
  const legend = groups.map((g, i) => wrapParagraph(`  ${lineStyleSample(i)} ${g.names.join(' = ')}`, layout.width, '      '));
  return [wrapParagraph(`${model.metric} per epoch (x: epoch)`, layout.width), chart, ...legend].join('\n');
}

const BAR_CHARS = ['█', '▓', '▒', '░', '#', '=', '+', ':'];
const BAR_WIDTH = 40;

export function renderHistogramOverlay(model: CompareModel, layout: LayoutOptions = {}): string {
  const groups = groupIdentical(model.histograms.series, (s) => `${s.run} ${s.arm}`, (s) => s.counts);
  const label = (g: (typeof groups)[number]) => g.names[0]!;
  const labelWidth = Math.max(...groups.map((g) => label(g).length));
  // range (7) + 2 + label + 1 + bar + 1 + share (up to 6)
  const barWidth = layout.width === undefined ? BAR_WIDTH : Math.max(8, Math.min(BAR_WIDTH, layout.width - 17 - labelWidth));
  const max = Math.max(1e-12, ...groups.flatMap((g) => g.item.fractions));
  const edges = model.histograms.bins;
  const lines = [wrapParagraph('Confidence of the predicted class (test set), share of each run\'s test samples per bin:', layout.width)];
  groups.forEach((g, i) => lines.push(wrapParagraph(`  ${BAR_CHARS[i % BAR_CHARS.length]} ${g.names.join(' = ')}`, layout.width, '    ')));
  for (let b = 0; b < edges.length - 1; b++) {
    const range = `${edges[b]!.toFixed(1)}–${edges[b + 1]!.toFixed(1)}`;
    groups.forEach((g, i) => {
      const f = g.item.fractions[b] ?? 0;
      const bar = BAR_CHARS[i % BAR_CHARS.length]!.repeat(Math.round((f / max) * barWidth));
      lines.push(`${i === 0 ? range : ' '.repeat(range.length)}  ${label(g).padEnd(labelWidth)} ${bar} ${percent(f, 1)}`);
    });
  }
  return lines.join('\n');
}

export function renderCompare(model: CompareModel, format: 'table' | 'markdown', layout: LayoutOptions = {}): string {
  const md = format === 'markdown';
  // markdown is never fitted: the reader's page wraps it
  const fit: LayoutOptions = md ? {} : layout;
  const heading = (text: string) => (md ? `**${text}**\n\n` : `${wrapParagraph(text, fit.width)}\n`);
  const block = (text: string) => (md ? markdownCodeBlock(text) : text);
  const parts = [heading(`Comparing ${model.runs.length} runs`) + renderTabular(runsTabular(model), format, fit)];
  for (const note of model.notes) parts.push(md ? `> note: ${markdownText(note)}` : wrapParagraph(`note: ${note}`, fit.width, '  '));
  parts.push(
    model.configDiff.length === 0
      ? 'Config: identical.'
      : heading('Config keys that differ') + renderTabular(configDiffTabular(model), format, fit),
  );
  parts.push(heading(`Final test metrics (Δ: minus run ${model.runs[0]!.key}'s arm of the same name; TS: after temperature scaling on the run's validation set)`) + renderTabular(finalTabular(model), format, fit));
  parts.push(block(renderCurveChart(model, fit)));
  if (md) parts.push(renderTabular(curvesTabular(model), 'markdown'));
  parts.push(block(renderHistogramOverlay(model, fit)));
  return parts.join('\n\n');
}

/** CSV: one long table (section, run, arm, key, epoch, value, delta) holding every number of the comparison. */
export function compareCsvTabular(model: CompareModel): Tabular {
  const rows: string[][] = [];
  for (const r of model.runs) {
    rows.push(['run', r.key, '', 'id', '', r.id, ''], ['run', r.key, '', 'dataset', '', r.dataset, '']);
  }
  model.configDiff.forEach((d) => d.values.forEach((v, i) => rows.push(['config', model.runs[i]!.key, '', d.key, '', configValue(v, d.key), ''])));
  for (const f of model.final) for (const m of FINAL_METRICS) rows.push(['final', f.run, f.arm, m, '', String(f[m] ?? ''), String(f.delta?.[m] ?? '')]);
  for (const c of model.curves) c.values.forEach((v, e) => rows.push(['curve', c.run, c.arm, model.metric, String(e + 1), String(v), '']));
  for (const s of model.histograms.series) {
    s.fractions.forEach((f, b) => rows.push(['histogram', s.run, s.arm, `${model.histograms.bins[b]}-${model.histograms.bins[b + 1]}`, '', String(f), '']));
  }
  return { head: ['section', 'run', 'arm', 'key', 'epoch', 'value', 'delta'], rows };
}
