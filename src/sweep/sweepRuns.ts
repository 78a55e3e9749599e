import { existsSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors';
import type { RunRecord } from '../store/runReader';
import { runCreatedAt, sweepRefOf } from '../store/runQuery';
import { expandGrid } from './grid';
import { findSweepDir } from './locateSweep';
import { SWEEP_FILES, SweepDir } from './sweepFiles';

/**
 * The runs of the runs root as `ls-bench runs` lists them: a sweep's cells grouped under their sweep (one
 * line per sweep, with its progress read from the sweep directory), the other runs as they are.
 */

export interface SweepListing {
  id: string;
  /** The sweep directory (or shard directory) its cells name, or the one under <runs>/sweeps/; null when neither exists. */
  dir: string | null;
  /** This directory's cells and how many of them completed; null without a readable sweep directory. */
  cells: { total: number; completed: number } | null;
  /** running: a cell's run is training; completed: every cell of the directory is; incomplete: anything else. */
  status: 'running' | 'completed' | 'incomplete';
  /** Its cells' runs among the listed runs, in the grid's order. */
  runs: RunRecord[];
  /** When its newest listed run was created (ms): where the sweep sits in a list newest first. */
  createdAt: number;
}

export type RunListItem = { kind: 'run'; run: RunRecord } | { kind: 'sweep'; sweep: SweepListing };

function sweepDirOf(id: string, runs: RunRecord[], runsDir: string): SweepDir | null {
  const named = runs.map((r) => sweepRefOf(r)?.dir).find((d): d is string => typeof d === 'string' && existsSync(path.join(d, SWEEP_FILES.sweep)));
  if (named) return new SweepDir(named);
  return findSweepDir(id, runsDir);
}

function listing(id: string, runs: RunRecord[], runsDir: string): SweepListing {
  const dir = sweepDirOf(id, runs, runsDir);
  let cells: SweepListing['cells'] = null;
  let order: string[] = [];
  if (dir) {
    try {
      const meta = dir.readMeta();
      const done = dir.readCells();
      cells = { total: meta.cells.length, completed: meta.cells.filter((c) => done.has(c)).length };
      order = expandGrid(meta.grid).map((c) => c.id);
    } catch (error) {
      // a damaged sweep directory must not stop the listing of runs: its progress is then unknown
      if (!(error instanceof CliError)) throw error;
    }
  }
  const rank = (r: RunRecord) => {
    const at = order.indexOf(sweepRefOf(r)!.cell);
    return at === -1 ? order.length : at;
  };
  const sorted = [...runs].sort((a, b) => rank(a) - rank(b) || (sweepRefOf(a)!.cell < sweepRefOf(b)!.cell ? -1 : 1));
  const running = runs.some((r) => r.status === 'running');
  const complete = cells ? cells.completed === cells.total : runs.every((r) => r.status === 'completed');
  return {
    id,
    dir: dir?.dir ?? null,
    cells,
    status: running ? 'running' : complete ? 'completed' : 'incomplete',
    runs: sorted,
    createdAt: Math.max(...runs.map(runCreatedAt)),
  };
}

/** Runs (newest first) in, the list out: each sweep where its newest run is, its runs inside it. */
export function groupRunsBySweep(records: RunRecord[], runsDir: string): RunListItem[] {
  const bySweep = new Map<string, RunRecord[]>();
  for (const r of records) {
    const ref = sweepRefOf(r);
    if (ref) bySweep.set(ref.id, [...(bySweep.get(ref.id) ?? []), r]);
  }
  const items: RunListItem[] = [];
  const placed = new Set<string>();
  for (const r of records) {
    const ref = sweepRefOf(r);
    if (!ref) items.push({ kind: 'run', run: r });
    else if (!placed.has(ref.id)) {
      placed.add(ref.id);
      items.push({ kind: 'sweep', sweep: listing(ref.id, bySweep.get(ref.id)!, runsDir) });
    }
  }
  return items;
}

/** `runs --sweep ID`: the sweep's id, given in full or as a unique prefix of the sweeps the runs belong to. */
export function resolveSweepRef(ref: string, records: RunRecord[], root: string): string {
  const ids = [...new Set(records.map((r) => sweepRefOf(r)?.id).filter((id): id is string => id !== undefined))].sort();
  if (ids.includes(ref)) return ref;
  const prefixed = ids.filter((id) => id.startsWith(ref));
  if (prefixed.length === 1) return prefixed[0]!;
  if (prefixed.length > 1) throw new CliError(`--sweep "${ref}": matches ${prefixed.length} sweeps: ${prefixed.join(', ')}`);
  throw new CliError(`--sweep "${ref}": no runs of such a sweep in ${root}${ids.length > 0 ? `; sweeps with runs here: ${ids.join(', ')}` : ''}`);
}
