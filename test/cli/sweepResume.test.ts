import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SeededRandom } from '../../src/random/SeededRandom';
import { RunStore } from '../../src/store/RunStore';
import type { SweepAggregate } from '../../src/sweep/aggregate';
import { cellRunName } from '../../src/sweep/cellRuns';
import type { CellResult } from '../../src/sweep/sweepFiles';
import { BIN, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

/**
 * The "Done means": a sweep of two options × two ε × three seeds on the synthetic set; its
 * aggregate by grid point checked against values computed by hand from the cells; the same sweep killed at
 * a seeded random point and run again, ending with the uninterrupted sweep's aggregate and no orphan run.
 */

// Long enough per cell (8 epochs) that a cell can be caught between its first checkpoint and its end.
const DATA = ['--samples', '1600', '--features', '16', '--epochs', '8', '--batch-size', '16'];
const GRID = ['--grid', 'learningRate=0.003,0.01', '--grid', 'hidden=8;24', '--epsilon', '0,0.1', '--seeds', '0-2'];
const ARGS = ['sweep', ...GRID, ...DATA, '--jobs', '2'];
const T_975_DF2 = 4.302652729911275;

const close = (a: number, b: number, what: string, tol = 1e-12) => assert.ok(Math.abs(a - b) < tol, `${what}: ${a} ≠ ${b}`);

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

function sd(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** The aggregate of each grid point, by hand from cells/<cell>.json: means, sds, paired differences and their t-intervals. */
function checkByHand(aggregate: SweepAggregate, sweepDir: string): void {
  const cells = readdirSync(path.join(sweepDir, 'cells')).map((f) => JSON.parse(readFileSync(path.join(sweepDir, 'cells', f), 'utf8')) as CellResult);
  assert.equal(cells.length, 12);
  assert.deepEqual(aggregate.points.map((p) => p.label), ['learningRate=0.003 hidden=[8]', 'learningRate=0.003 hidden=[24]', 'learningRate=0.01 hidden=[8]', 'learningRate=0.01 hidden=[24]']);
  for (const point of aggregate.points) {
    const own = cells.filter((c) => c.cellId.startsWith(`${point.id}-`)).sort((a, b) => a.seed - b.seed);
    assert.deepEqual(own.map((c) => c.seed), [0, 1, 2], point.id);
    const [hard, smoothed] = point.variants[0]!.arms;
    for (const metric of ['accuracy', 'nll', 'ece', 'meanConfidence'] as const) {
      const h = own.map((c) => c.arms.find((a) => a.epsilon === 0)![metric]);
      const s = own.map((c) => c.arms.find((a) => a.epsilon === 0.1)![metric]);
      const where = `${point.id} ${metric}`;
      close(hard!.metrics[metric].mean, mean(h), `${where} hard mean`);
      close(hard!.metrics[metric].sd!, sd(h), `${where} hard sd`);
      close(smoothed!.metrics[metric].mean, mean(s), `${where} smoothed mean`);
      const d = s.map((x, i) => x - h[i]!);
      const diff = smoothed!.vsHard![metric];
      close(diff.mean, mean(d), `${where} Δ mean`);
      if (sd(d) > 0) {
        // the t quantile to the digits written here
        close(diff.tInterval!.low, mean(d) - (T_975_DF2 * sd(d)) / Math.sqrt(3), `${where} t low`, 1e-9);
        close(diff.tInterval!.high, mean(d) + (T_975_DF2 * sd(d)) / Math.sqrt(3), `${where} t high`, 1e-9);
      }
    }
  }
}

interface RunState {
  id: string;
  status: string;
  completedEpochs: number;
}

function runStates(runs: string): RunState[] {
  const states: RunState[] = [];
  for (const id of readdirSync(runs).filter((n) => /^\d{8}-\d{6}-[0-9a-f]{4}$/.test(n))) {
    try {
      const s = JSON.parse(readFileSync(path.join(runs, id, 'status.json'), 'utf8')) as { status: string; completedEpochs: number };
      states.push({ id, status: s.status, completedEpochs: s.completedEpochs });
    } catch {
      // not written yet
    }
  }
  return states;
}

/**
 * Starts the sweep as a process and SIGKILLs it once the k-th cell run is caught training after its first
 * checkpoint (k seeded), so that the kill lands mid-cell; returns what each run had done by then.
 */
async function killSweepMidCell(runs: string, k: number): Promise<Map<string, number>> {
  const child = spawn(process.execPath, [BIN, ...ARGS, '--runs-dir', runs], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const caught = new Set<string>();
  let done = false;
  void exited.then(() => (done = true));
  while (!done && caught.size < k) {
    for (const s of runStates(runs)) if (s.status === 'running' && s.completedEpochs >= 1) caught.add(s.id);
    await new Promise((r) => setTimeout(r, 15));
  }
  assert.ok(!done, `the sweep ended before the interruption point (k = ${k}): ${stderr}`);
  child.kill('SIGKILL');
  await exited;
  // The cells' processes see their stdin close and stop within a batch, marking their runs interrupted (a
  // run still being written reads as corrupt for a moment). The rerun waits for any it still finds running.
  const deadline = Date.now() + 60_000;
  while (new RunStore(runs).list({ metrics: false }).some((r) => r.status === 'running' || r.status === 'corrupt')) {
    assert.ok(Date.now() < deadline, 'the cells of the killed sweep stopped');
    await new Promise((r) => setTimeout(r, 50));
  }
  return new Map(runStates(runs).map((s) => [s.id, s.completedEpochs]));
}

/**
 * For a failure message: the cells whose results differ between the uninterrupted sweep and the rerun, with
 * the epoch the rerun's run was resumed after (null: trained whole) and the arms' metrics on both sides.
 */
function cellDifferences(referenceDir: string, rerunDir: string, runs: string): string {
  const read = (dir: string, file: string) => JSON.parse(readFileSync(path.join(dir, 'cells', file), 'utf8')) as CellResult;
  const lines: string[] = [];
  for (const file of readdirSync(path.join(referenceDir, 'cells'))) {
    const [a, b] = [read(referenceDir, file), read(rerunDir, file)];
    if (JSON.stringify(a.arms) === JSON.stringify(b.arms)) continue;
    let resumedAfter: unknown = 'unknown';
    try {
      resumedAfter = (JSON.parse(readFileSync(path.join(runs, b.runId, 'summary.json'), 'utf8')) as { resumedAfterEpoch: unknown }).resumedAfterEpoch;
    } catch {
      // the run's summary is what is being diagnosed; its absence is said as "unknown"
    }
    lines.push(`cell ${a.cellId} differs (rerun's run ${b.runId} resumed after epoch ${String(resumedAfter)}): ${JSON.stringify(a.arms)} vs ${JSON.stringify(b.arms)}`);
  }
  return lines.length > 0 ? lines.join('\n') : 'no cell result differs';
}

test('two options × two ε × three seeds: the aggregate by grid point by hand; killed at a random point and rerun, the same aggregate as uninterrupted and no orphan run', { timeout: 600_000 }, async (t) => {
  const reference = tempDir();
  const full = await runCli([...ARGS, '--runs-dir', reference, '--json']);
  assert.equal(full.code, 0, full.stderr);
  const doc = JSON.parse(full.stdout) as { sweepId: string; sweepDir: string; aggregate: SweepAggregate };
  assert.equal(doc.aggregate.points.length, 4);
  assert.deepEqual(doc.aggregate.missingCells, []);
  checkByHand(doc.aggregate, doc.sweepDir);

  const runs = tempDir();
  const k = 1 + Math.floor(new SeededRandom(3, 'interruption').nextFloat() * 4);
  const atKill = await killSweepMidCell(runs, k);
  const interrupted = [...atKill].filter(([id]) => runStates(runs).find((s) => s.id === id)!.status === 'interrupted');
  t.diagnostic(`killed after cell run ${k} was caught mid-cell; interrupted runs (id, completed epochs): ${JSON.stringify(interrupted)}`);
  assert.ok(interrupted.some(([, epochs]) => epochs >= 1), 'at least one cell stopped after a checkpoint');

  const again = await runCli([...ARGS, '--runs-dir', runs, '--json']);
  assert.equal(again.code, 0, again.stderr);
  const resumed = JSON.parse(again.stdout) as typeof doc;
  assert.equal(resumed.sweepId, doc.sweepId);
  assert.equal(JSON.stringify(resumed.aggregate), JSON.stringify(doc.aggregate), `the aggregate of the uninterrupted sweep; ${cellDifferences(doc.sweepDir, resumed.sweepDir, runs)}\nrerun's stderr:\n${again.stderr}`);
  assert.match(again.stderr, /resuming its run \S+ after epoch [1-9]/);

  // No orphans: one completed run per cell, named for it, each the run its cell's result came from.
  const store = new RunStore(runs);
  const records = store.list({ metrics: false });
  assert.equal(records.length, 12, records.map((r) => `${r.meta?.name} ${r.status}`).join('; '));
  assert.ok(records.every((r) => r.status === 'completed'));
  const cellIds = readdirSync(path.join(resumed.sweepDir, 'cells')).map((f) => f.replace(/\.json$/, ''));
  assert.deepEqual(records.map((r) => r.meta!.name).sort(), cellIds.map((c) => cellRunName(doc.sweepId, c)).sort(), 'a unique name per cell');
  for (const cell of cellIds) {
    const result = JSON.parse(readFileSync(path.join(resumed.sweepDir, 'cells', `${cell}.json`), 'utf8')) as CellResult;
    assert.equal(store.resolve(cellRunName(doc.sweepId, cell)), result.runId, `${cell}: its result is its one run's`);
  }
  for (const [id, epochs] of interrupted.filter(([, e]) => e >= 1)) {
    const summary = JSON.parse(readFileSync(path.join(runs, id, 'summary.json'), 'utf8')) as { resumedAfterEpoch: number | null };
    assert.equal(summary.resumedAfterEpoch, epochs, `run ${id} was continued from its checkpoint`);
  }

  // `runs`: the sweep is one line; --cells lists its twelve runs below it; --sweep only them.
  const list = await runCli(['runs', '--runs-dir', runs, '--format', 'markdown']);
  const rows = list.stdout.trim().split('\n').slice(2);
  assert.equal(rows.length, 1, list.stdout);
  // the differing options of its cells as their values (markdown escapes the separator)
  assert.ok(rows[0]!.startsWith(`| ${doc.sweepId} | 12/12 cells done | completed | synthetic | 0.1 (uniform) | 8 \\| 24 | 0.003 \\| 0.01 | 0 \\| 1 \\| 2 | 8 |`), rows[0]);
  assert.equal((await runCli(['runs', '--runs-dir', runs, '--format', 'markdown', '--cells'])).stdout.trim().split('\n').length, 2 + 13);
  const cellsOnly = JSON.parse((await runCli(['runs', '--runs-dir', runs, '--json', '--sweep', doc.sweepId.slice(0, 10)])).stdout) as { runs: { sweep: { id: string } }[] };
  assert.equal(cellsOnly.runs.length, 12);
  assert.ok(cellsOnly.runs.every((r) => r.sweep.id === doc.sweepId));
});
