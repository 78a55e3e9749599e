import type { ProcessLock } from '../store/processLock';
import { CliError } from '../errors';
import { aggregateProblem, aggregateSweep, aggregateValue, type SweepAggregate } from './aggregate';
import type { Assertion } from './assertions';
import { evaluateAssertion, type AssertionOutcome } from './gateEvaluation';
import { scopePoints } from './gateScope';
import { processCellRunner, runPool, type CellRunner } from './cellWorker';
import { baseConfigOf, gridAxes, shardCells, smoothedEpsilons, type ShardSpec } from './grid';
import type { SweepPlan } from './plan';
import { SWEEP_SCHEMA_VERSION, SweepDir, type CellProgress, type SweepMeta } from './sweepFiles';

/**
 * Opens the sweep directory under its lock (sweep.lock: a second `ls-bench sweep` on the same directory
 * is refused while this one runs): creates it, or checks that an existing one is the same sweep (same
 * digest, same shard) so that a rerun resumes it and never mixes two sweeps. The caller releases the lock.
 */
export function openSweepDir(
  dir: string,
  plan: SweepPlan,
  shard: ShardSpec | null,
  command: string[],
  sourceDigest: string | null = null,
): { sweepDir: SweepDir; meta: SweepMeta; resumed: boolean; lock: ProcessLock } {
  const sweepDir = new SweepDir(dir);
  const lock = sweepDir.lock(`sweep ${plan.sweepId}`, `${dir}: another ls-bench is running this sweep`);
  try {
    return { ...openLocked(sweepDir, plan, shard, command, sourceDigest), lock };
  } catch (error) {
    lock.release();
    throw error;
  }
}

function openLocked(sweepDir: SweepDir, plan: SweepPlan, shard: ShardSpec | null, command: string[], sourceDigest: string | null): { sweepDir: SweepDir; meta: SweepMeta; resumed: boolean } {
  const dir = sweepDir.dir;
  const cells = (shard ? shardCells(plan.cells, shard) : plan.cells).map((c) => c.id);
  if (sweepDir.exists()) {
    const meta = sweepDir.readMeta();
    if (meta.digest !== plan.digest) {
      throw new CliError(`${dir}: holds another sweep (${meta.sweepId}, a different grid or config); this one is ${plan.sweepId}; use another --sweep-dir`);
    }
    const same = (a: ShardSpec | null, b: ShardSpec | null) => (a === null ? b === null : b !== null && a.index === b.index && a.count === b.count);
    if (!same(meta.shard, shard)) {
      const describe = (s: ShardSpec | null) => (s ? `shard ${s.index}/${s.count}` : 'the whole grid');
      throw new CliError(`${dir}: holds ${describe(meta.shard)} of ${plan.sweepId}, not ${describe(shard)}; use another --sweep-dir`);
    }
    const changed = dataChange(meta.sourceDigest, sourceDigest);
    if (changed) throw new CliError(`${dir}: the data changed since this sweep started (${changed}); its cells would mix two data sets: restore the data, or use another --sweep-dir`);
    return { sweepDir, meta, resumed: true };
  }
  const meta: SweepMeta = {
    schemaVersion: SWEEP_SCHEMA_VERSION,
    sweepId: plan.sweepId,
    digest: plan.digest,
    grid: plan.grid,
    config: baseConfigOf(plan.config, gridAxes(plan.grid)),
    shard,
    cells,
    createdAt: new Date().toISOString(),
    command,
    sourceDigest,
  };
  sweepDir.create(meta, plan.config);
  return { sweepDir, meta, resumed: false };
}

/** "data digest abc… then, def… now" when two recorded digests differ; null when they agree or one is unknown. */
export function dataChange(then: string | null | undefined, now: string | null | undefined): string | null {
  if (then === undefined || then === null || now === undefined || now === null || then === now) return null;
  return `data digest ${then.slice(0, 12)}… then, ${now.slice(0, 12)}… now`;
}

export interface SweepRunReport {
  completed: number;
  skipped: number;
  failed: { id: string; message: string }[];
  interrupted: string[];
}

/**
 * Runs the cells of this directory that have no result yet (never run, failed or interrupted), `jobs` at
 * a time; a cell with a run from an earlier, interrupted run of the sweep continues it (the runner sees
 * its run directory). A failing cell is recorded and the others go on. progress.json is rewritten on
 * every change.
 */
export async function executeSweep(options: {
  sweepDir: SweepDir;
  meta: SweepMeta;
  plan: SweepPlan;
  runner: CellRunner;
  jobs: number;
  signal?: AbortSignal;
  log(line: string): void;
}): Promise<SweepRunReport> {
  const { sweepDir, meta, plan } = options;
  const done = sweepDir.readCells();
  const previous = new Map((sweepDir.readProgress()?.cells ?? []).map((c) => [c.id, c]));
  const now = () => new Date().toISOString();
  const progress = new Map<string, CellProgress>(
    meta.cells.map((id) => {
      const before = previous.get(id);
      const result = done.get(id);
      return [
        id,
        result
          ? { id, status: 'completed', runId: result.runId, runDir: result.runDir, message: null, attempts: before?.attempts ?? 1, updatedAt: before?.updatedAt ?? now() }
          : { id, status: 'pending', runId: before?.runId ?? null, runDir: before?.runDir ?? null, message: before?.message ?? null, attempts: before?.attempts ?? 0, updatedAt: now() },
      ];
    }),
  );
  const save = () => sweepDir.writeProgress({ schemaVersion: SWEEP_SCHEMA_VERSION, sweepId: meta.sweepId, updatedAt: now(), cells: [...progress.values()] });
  const update = (id: string, change: Partial<CellProgress>) => {
    progress.set(id, { ...progress.get(id)!, ...change, updatedAt: now() });
    save();
  };
  save();

  const todo = plan.cells.filter((c) => meta.cells.includes(c.id) && !done.has(c.id));
  const report: SweepRunReport = { completed: 0, skipped: meta.cells.length - todo.length, failed: [], interrupted: [] };
  if (report.skipped > 0) options.log(`sweep: ${report.skipped} of ${meta.cells.length} cell(s) already completed, skipped`);
  let finished = 0;
  await runPool(
    todo,
    options.jobs,
    async (cell) => {
      // The run an earlier, interrupted run of the sweep made for the cell: the runner continues it.
      const previousRunDir = progress.get(cell.id)!.runDir;
      update(cell.id, { status: 'running', message: null, attempts: progress.get(cell.id)!.attempts + 1 });
      options.log(`cell ${cell.id}: started`);
      const outcome = await options.runner(cell, {
        ...(options.signal ? { signal: options.signal } : {}),
        previousRunDir,
        onRunDir: (runId, runDir) => update(cell.id, { runId, runDir }),
        note: (text) => options.log(`cell ${cell.id}: ${text}`),
      });
      finished++;
      const counter = `[${finished}/${todo.length}]`;
      if (outcome.status === 'completed') {
        sweepDir.writeCell(outcome.result);
        update(cell.id, { status: 'completed', runId: outcome.result.runId, runDir: outcome.result.runDir, message: null });
        report.completed++;
        const accs = outcome.result.arms.map((a) => `${a.label} ${(a.accuracy * 100).toFixed(2)}%`).join(', ');
        options.log(`cell ${cell.id}: completed in ${outcome.result.seconds.toFixed(1)} s ${counter} (test accuracy: ${accs})`);
      } else {
        // Keep the run the cell had when the failure does not name one: the next run of the sweep continues it.
        update(cell.id, { status: outcome.status, runId: outcome.runId ?? progress.get(cell.id)!.runId, runDir: outcome.runDir ?? progress.get(cell.id)!.runDir, message: outcome.message });
        if (outcome.status === 'failed') report.failed.push({ id: cell.id, message: outcome.message });
        else report.interrupted.push(cell.id);
        options.log(`cell ${cell.id}: ${outcome.status} ${counter}: ${outcome.message}`);
      }
    },
    options.signal,
  );
  // Cells never started because of an interruption stay pending; say so.
  for (const cell of todo) if (progress.get(cell.id)!.status === 'pending' && options.signal?.aborted) report.interrupted.push(cell.id);
  return report;
}

/** The cell runner used by `ls-bench sweep`: child processes of bin/ls-bench.js. */
export function defaultRunner(sweepDir: SweepDir, plan: SweepPlan, runsDir: string, maxMemory?: string): CellRunner {
  // plan.config is the base: cellConfig sets each cell's grid point, seed, variant and ε on it.
  return processCellRunner({ sweepDir, base: plan.config, grid: plan.grid, runsDir, sweepId: plan.sweepId, ...(maxMemory !== undefined ? { maxMemory } : {}) });
}

export function aggregateDir(sweepDir: SweepDir, meta: SweepMeta): SweepAggregate {
  // A shard's aggregate covers its own cells; the cells of other shards are not "missing" here.
  return aggregateSweep(meta.sweepId, meta.grid, sweepDir.readCells(), meta.cells);
}

/** Each gate at the grid points it is about (a selector naming what the grid lacks is a usage error). */
export function evaluateAssertions(assertions: Assertion[], aggregate: SweepAggregate): AssertionOutcome[] {
  return assertions.map((a) =>
    evaluateAssertion(a, {
      points: scopePoints(a.scope, aggregate.grid, a.source),
      variants: aggregate.grid.smoothing,
      smoothedEpsilons: smoothedEpsilons(aggregate.grid),
      value: (variant, epsilon, metric, pointId) => aggregateValue(aggregate, pointId, variant, epsilon, metric),
      // the hard arm is part of every paired reading: its divergence spoils the smoothed arms' gates too
      problem: (variant, epsilon, pointId) =>
        aggregateProblem(aggregate, pointId, variant, epsilon) ?? (epsilon === 0 ? null : aggregateProblem(aggregate, pointId, variant, 0)),
    }),
  );
}
