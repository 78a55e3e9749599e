import type { RunRecord } from '../store/runReader';
import { runCreatedAt, runDataset, runIdentityJson, runOption, runSeconds, sweepRefOf } from '../store/runQuery';
import type { RunListItem, SweepListing } from '../sweep/sweepRuns';
import { fixed, percent, seconds } from './format';
import type { Tabular } from './tabular';

/**
 * The views of `ls-bench runs`: the table (terminal or markdown), the CSV and the JSON document, built
 * from the list of runs and sweeps (sweepRuns.ts) and the options that differ between the listed runs.
 */

/** One run as `runs --json` prints it. The keys are stable: scripts rely on them. */
export function runListEntry(r: RunRecord, now: number, options: string[]) {
  const config = r.summary?.config ?? r.config;
  const sweep = sweepRefOf(r);
  return {
    ...runIdentityJson(r),
    dataset: runDataset(r),
    smoothing: config?.smoothing ?? null,
    epsilon: config?.epsilon ?? null,
    epochs: { completed: r.statusFile?.completedEpochs ?? null, total: config?.epochs ?? null },
    arms: (r.summary?.arms ?? []).map((a) => ({ label: a.label, epsilon: a.epsilon, testAccuracy: a.test.accuracy, ece: a.test.ece })),
    seconds: runSeconds(r, now),
    dir: r.dir,
    problems: r.problems,
    sweep: sweep ? { id: sweep.id, cell: sweep.cell } : null,
    /** The values of the options that differ between the listed runs. */
    options: Object.fromEntries(options.map((k) => [k, runOption(r, k) ?? null])),
  };
}

export type RunListEntry = ReturnType<typeof runListEntry>;

/** What `runs` lists: the runs and sweeps, whether sweeps show their cells, and the differing options. */
export interface RunListView {
  items: RunListItem[];
  /** --cells (or --sweep): each sweep's runs are listed below it. */
  cells: boolean;
  options: string[];
  now: number;
}

function optionText(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (Array.isArray(value)) return value.join(',');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A sweep's value of an option: the one its runs share, or each distinct value ("0.001 | 0.003"). */
function sweepOptionText(runs: RunRecord[], key: string): string {
  return [...new Set(runs.map((r) => optionText(runOption(r, key))))].join(' | ');
}

function armsCell(e: RunListEntry, pick: (a: RunListEntry['arms'][number]) => string): string {
  return e.arms.length === 0 ? '—' : e.arms.map(pick).join(' / ');
}

function runRow(e: RunListEntry, options: string[], cell: boolean): string[] {
  return [
    `${cell ? '↳ ' : ''}${e.id}`,
    e.name ?? '',
    e.status,
    e.dataset ?? '—',
    e.epsilon ? `${e.epsilon.join(',')} (${e.smoothing})` : '—',
    ...options.map((k) => optionText(e.options[k])),
    `${e.epochs.completed ?? '?'}/${e.epochs.total ?? '?'}`,
    armsCell(e, (a) => percent(a.testAccuracy)),
    armsCell(e, (a) => fixed(a.ece)),
    e.seconds === null ? '—' : seconds(e.seconds),
  ];
}

/** Its wall time: from the start of its first run to the end of its last (or now, while one runs). */
function sweepSeconds(sweep: SweepListing, now: number): number | null {
  const spans = sweep.runs.map((r) => ({ start: runCreatedAt(r), seconds: runSeconds(r, now) })).filter((s) => s.seconds !== null);
  if (spans.length === 0) return null;
  return (Math.max(...spans.map((s) => s.start + s.seconds! * 1000)) - Math.min(...spans.map((s) => s.start))) / 1000;
}

function sweepRow(sweep: SweepListing, options: string[], now: number): string[] {
  const distinct = (values: string[]) => [...new Set(values)].join(' | ');
  const configs = sweep.runs.map((r) => r.summary?.config ?? r.config);
  const epsilons = distinct(configs.map((c) => (c ? `${c.epsilon.join(',')} (${c.smoothing})` : '—')));
  const wall = sweepSeconds(sweep, now);
  return [
    sweep.id,
    sweep.cells ? `${sweep.cells.completed}/${sweep.cells.total} cells done` : `${sweep.runs.filter((r) => r.status === 'completed').length} cell run(s) completed`,
    sweep.status,
    distinct(sweep.runs.map((r) => runDataset(r) ?? '—')),
    epsilons,
    ...options.map((k) => sweepOptionText(sweep.runs, k)),
    distinct(configs.map((c) => (c ? String(c.epochs) : '?'))),
    '—',
    '—',
    wall === null ? '—' : seconds(wall),
  ];
}

/** The table: a line per run and per sweep (its cells below it with --cells), the differing options as columns. */
export function runListTable(view: RunListView): Tabular {
  const { options, now } = view;
  const rows: string[][] = [];
  for (const item of view.items) {
    if (item.kind === 'run') rows.push(runRow(runListEntry(item.run, now, options), options, false));
    else {
      rows.push(sweepRow(item.sweep, options, now));
      if (view.cells) for (const r of item.sweep.runs) rows.push(runRow(runListEntry(r, now, options), options, true));
    }
  }
  const after = 5 + options.length;
  return {
    head: ['id', 'name', 'status', 'data set', 'ε (smoothing)', ...options, 'epochs', 'test acc (hard / smoothed)', 'ECE (hard / smoothed)', 'duration'],
    numeric: [after, after + 1, after + 2, after + 3],
    rows,
  };
}

/** The runs a machine-readable view lists: those not in a sweep, and a sweep's cells only with --cells. */
export function listedRuns(view: RunListView): RunRecord[] {
  return view.items.flatMap((item) => (item.kind === 'run' ? [item.run] : view.cells ? item.sweep.runs : []));
}

/** CSV: one row per run and arm, numbers unformatted, for spreadsheets and scripts; the differing options and the sweep cell last. */
export function runListCsvTable(view: RunListView): Tabular {
  const head = ['id', 'name', 'status', 'createdAt', 'dataset', 'smoothing', 'epochsCompleted', 'epochsTotal', 'arm', 'epsilon', 'testAccuracy', 'ece', 'seconds', ...view.options, 'sweep', 'cell'];
  const rows: string[][] = [];
  for (const e of listedRuns(view).map((r) => runListEntry(r, view.now, view.options))) {
    const base = [e.id, e.name ?? '', e.status, e.createdAt, e.dataset ?? '', e.smoothing ?? '', String(e.epochs.completed ?? ''), String(e.epochs.total ?? '')];
    const tail = [
      e.seconds === null ? '' : String(e.seconds),
      ...view.options.map((k) => (e.options[k] === null ? '' : optionText(e.options[k]))),
      e.sweep?.id ?? '',
      e.sweep?.cell ?? '',
    ];
    if (e.arms.length === 0) rows.push([...base, '', '', '', '', ...tail]);
    for (const a of e.arms) rows.push([...base, a.label, String(a.epsilon), String(a.testAccuracy), String(a.ece), ...tail]);
  }
  return { head, rows };
}

/** `runs --json`: the runs (as the CSV), the sweeps with their progress and the ids of their listed runs, the differing options. */
export function runListJson(view: RunListView, runsDir: string) {
  return {
    runsDir,
    runs: listedRuns(view).map((r) => runListEntry(r, view.now, view.options)),
    sweeps: view.items.flatMap((item) =>
      item.kind === 'sweep'
        ? [{ id: item.sweep.id, dir: item.sweep.dir, status: item.sweep.status, cells: item.sweep.cells, runs: item.sweep.runs.map((r) => r.id), seconds: sweepSeconds(item.sweep, view.now) }]
        : [],
    ),
    options: view.options,
  };
}
