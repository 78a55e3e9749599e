import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TrainConfig } from '../config/schema';
import { RunStore } from '../store/RunStore';
import { readLock } from '../store/processLock';
import { RUN_FILES } from '../store/runFiles';
import { readRunDirectory, type RunRecord } from '../store/runReader';
import { canonicalJson, type SweepCell } from './grid';

/**
 * The runs a sweep's cell already has, and what a rerun of the sweep does with them. A cell has one run,
 * named `<sweep id>-<cell id>`: a rerun continues that run from its last checkpoint (`train --resume`)
 * instead of starting another, so an interrupted sweep leaves neither duplicate names nor orphan runs.
 *
 * Checkpoints are written at the end of every epoch, so a resumed cell repeats at most the batches of the
 * one epoch it was in when it stopped, and continues bit-identically (batch order and dropout masks are
 * derived from the seed, epoch and batch; the optimizer state is in the checkpoint).
 */

/** A cell's run name: unique in the store, since a rerun of the sweep continues the run rather than making another. */
export function cellRunName(sweepId: string, cellId: string): string {
  return `${sweepId}-${cellId}`.slice(0, 64);
}

export type CellRunPlan =
  /** Train a new run, after removing the cell's runs that hold nothing to continue. */
  | { action: 'new'; remove: RunRecord[] }
  /** Continue this run from its checkpoint (`train --resume`). */
  | { action: 'resume'; run: RunRecord; remove: RunRecord[] }
  /** This run completed (the sweep stopped before it recorded the result): read its result. */
  | { action: 'read'; run: RunRecord; remove: RunRecord[] }
  /** A run of the cell is still running (or on another host): leave everything as it is. */
  | { action: 'busy'; run: RunRecord };

function hasCheckpoint(run: RunRecord): boolean {
  return existsSync(path.join(run.dir, RUN_FILES.checkpoint));
}

/**
 * Whether a process holds the run's lock (run.lock): a `train --resume` (or `runs rm`) of it has started,
 * even if status.json does not say `running` yet (a resume checks everything before it writes). Such a run
 * is busy whatever its status says: continuing or removing it now would be refused by the lock anyway.
 */
export function runLockHolder(run: RunRecord): string | null {
  try {
    const lock = readLock(path.join(run.dir, RUN_FILES.lock));
    return lock.kind === 'held' ? `process ${lock.holder.pid}${lock.by === 'a process elsewhere' ? ` on ${lock.holder.hostname}` : ''}` : null;
  } catch {
    return null;
  }
}

/**
 * What to do with a cell, given the runs it already has and the config it trains. A completed run is
 * read; else the run that got furthest and has a checkpoint is continued; runs that are neither (no
 * epoch completed, broken files, another config) are removed: they hold nothing a rerun could use.
 */
export function planCellRun(runs: RunRecord[], config: TrainConfig): CellRunPlan {
  const busy = runs.find((r) => r.status === 'running' || r.status === 'unknown' || runLockHolder(r) !== null);
  if (busy) return { action: 'busy', run: busy };
  const ours = (r: RunRecord) => r.config !== null && canonicalJson(r.config) === canonicalJson(config);
  const others = (keep: RunRecord) => runs.filter((r) => r !== keep && r.status !== 'completed');
  const completed = runs.find((r) => r.status === 'completed' && ours(r));
  if (completed) return { action: 'read', run: completed, remove: others(completed) };
  const resumable = runs
    .filter((r) => (r.status === 'interrupted' || r.status === 'failed' || r.status === 'died') && ours(r) && hasCheckpoint(r))
    .sort((a, b) => (b.statusFile?.completedEpochs ?? 0) - (a.statusFile?.completedEpochs ?? 0));
  if (resumable[0]) return { action: 'resume', run: resumable[0], remove: others(resumable[0]) };
  return { action: 'new', remove: runs.filter((r) => r.status !== 'completed') };
}

/**
 * Finds the runs of a sweep's cells: the run directory progress.json names, and every run in the runs
 * root with the cell's name that says it belongs to the sweep (run.json's `sweep`, or the sweep's tag for
 * runs written before that was recorded). The runs root is read once, when the first cell asks.
 */
export class CellRunIndex {
  private byName: Map<string, string[]> | undefined;

  constructor(
    private readonly runsDir: string,
    private readonly sweepId: string,
  ) {}

  runsOf(cell: SweepCell, progressRunDir: string | null): RunRecord[] {
    this.byName ??= new RunStore(this.runsDir).namedRuns();
    const name = cellRunName(this.sweepId, cell.id);
    const dirs = new Set((this.byName.get(name) ?? []).map((id) => path.join(this.runsDir, id)));
    if (progressRunDir !== null && existsSync(path.join(progressRunDir, RUN_FILES.meta))) dirs.add(path.resolve(progressRunDir));
    return [...dirs]
      .map((dir) => readRunDirectory(path.basename(dir), dir, { metrics: false }))
      .filter((r) => r.meta?.name === name && (r.meta.sweep?.id === this.sweepId || r.meta.tags.includes(this.sweepId)));
  }

  /** Deletes a run the cell no longer needs; returns why it could not, or null. */
  remove(run: RunRecord): string | null {
    try {
      new RunStore(path.dirname(run.dir)).remove(run.id);
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  }
}
