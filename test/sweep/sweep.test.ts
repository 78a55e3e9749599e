import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../../src/errors';
import type { CellRunner } from '../../src/sweep/cellWorker';
import { defaultSweepDir, executeSweep, mergeSweepDirs, openSweepDir, planSweep, type SweepPlan } from '../../src/sweep/sweep';
import type { CellResult, SweepDir } from '../../src/sweep/sweepFiles';
import { PROJECT_ROOT, tempDir } from '../helpers/tempDir';

function plan(sweepFlags: Partial<Parameters<typeof planSweep>[0]['sweepFlags']> = {}, trainFlags: Record<string, unknown> = {}, configFile?: string): SweepPlan {
  return planSweep({ ...(configFile ? { configFile } : {}), trainFlags, sweepFlags: { assert: [], ...sweepFlags } });
}

function usage(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof CliError && e.exitCode === 2 && pattern.test(e.message), String(pattern));
}

/** A runner that fakes a cell's result from its seed (the orchestration, not training, is under test). */
function fakeRunner(ran: string[], failing: Set<string> = new Set()): CellRunner {
  return async (cell) => {
    ran.push(cell.id);
    if (failing.has(cell.id)) return { status: 'failed', runId: null, runDir: null, message: 'boom' };
    const result: CellResult = {
      schemaVersion: 1,
      cellId: cell.id,
      seed: cell.seed,
      smoothing: cell.smoothing,
      runId: `run-${cell.id}`,
      runDir: `/runs/run-${cell.id}`,
      testSamples: 100,
      seconds: 0.1,
      arms: [
        { label: 'hard', epsilon: 0, accuracy: 0.8 + cell.seed / 100, nll: 0.5, ece: 0.05, meanConfidence: 0.9 },
        { label: 'smoothed', epsilon: 0.1, accuracy: 0.81 + cell.seed / 100, nll: 0.45, ece: 0.03, meanConfidence: 0.85 },
      ],
      mcnemar: [{ epsilon: 0.1, onlyHardCorrect: 1, onlySmoothedCorrect: 2, pValue: 1 }],
      completedAt: new Date().toISOString(),
    };
    return { status: 'completed', result };
  };
}

test('planSweep: defaults, precedence, and the config file\'s sweep section', () => {
  const dir = tempDir();
  const p = plan();
  assert.deepEqual(p.grid, { epsilons: [0, 0.1], seeds: [0, 1, 2, 3, 4], smoothing: ['uniform'] });
  const file = path.join(dir, 'sweep.yaml');
  writeFileSync(file, 'epochs: 2\nsweep:\n  epsilon: [0, 0.05, 0.2]\n  seeds: 1-3\n  smoothing: [uniform, others]\n  jobs: 3\n  assert: ["smoothed.ece <= 1"]\n');
  const q = plan({}, {}, file);
  assert.deepEqual(q.grid, { epsilons: [0, 0.05, 0.2], seeds: [1, 2, 3], smoothing: ['uniform', 'others'] });
  assert.equal(q.jobs, 3);
  assert.equal(q.config.epochs, 2);
  assert.equal(q.assertions.length, 1);
  assert.equal(q.cells.length, 6);
  const r = plan({ seeds: '0,1', jobs: '1', epsilon: '0.1' }, { epochs: 4 }, file);
  assert.deepEqual(r.grid.seeds, [0, 1]);
  assert.deepEqual(r.grid.epsilons, [0.1]);
  assert.equal(r.jobs, 1);
  assert.equal(r.config.epochs, 4);
  assert.notEqual(r.digest, q.digest);
});

test('planSweep: bad input is refused with one line naming the source', () => {
  const dir = tempDir();
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  usage(() => plan({ epsilon: '' }), /--epsilon: the grid is empty/);
  usage(() => plan({ epsilon: '0,1.5' }), /--epsilon: ε must be in \[0, 1\), got 1\.5/);
  usage(() => plan({ epsilon: '0,x' }), /--epsilon: expected a comma-separated list of numbers/);
  usage(() => plan({ seeds: '3,1' }), /--seeds: seeds must be ascending/);
  usage(() => plan({ seeds: '1,1' }), /--seeds: .*1 is repeated/);
  usage(() => plan({ smoothing: 'uniform,gaussian' }), /--smoothing: expected "uniform" or "others", got "gaussian"/);
  usage(() => plan({ jobs: '0' }), /--jobs: expected an integer from 1 to 256/);
  usage(() => plan({ assert: ['smoothed.ece <'] }), /--assert 'smoothed\.ece <': at column 15/);
  usage(() => plan({ epsilon: '0,0.1', assert: ['smoothed-0.2.ece < 1'] }), /smoothed-0\.2 is not an arm of this sweep/);
  usage(() => plan({}, { epochs: 0 }), /--epochs: expected a value ≥ 1/);
  const unknown = write('a.yaml', 'sweep:\n  seed: 0-4\n');
  usage(() => plan({}, {}, unknown), /a\.yaml: unknown key "sweep\.seed"; expected one of: sweep\.epsilon, sweep\.seeds/);
  const wrongType = write('b.yaml', 'sweep:\n  epsilon: [0, high]\n');
  usage(() => plan({}, {}, wrongType), /b\.yaml: key "sweep\.epsilon\.1": expected a number/);
  const badSeeds = write('c.yaml', 'sweep:\n  seeds: [2, 1]\n');
  usage(() => plan({}, {}, badSeeds), /c\.yaml: key "sweep\.seeds": seeds must be ascending/);
  const badEps = write('d.yaml', 'sweep:\n  epsilon: [0, 1]\n');
  usage(() => plan({}, {}, badEps), /d\.yaml: key "sweep\.epsilon": ε must be in \[0, 1\)/);
  const notMapping = write('e.yaml', 'sweep: 3\n');
  usage(() => plan({}, {}, notMapping), /e\.yaml: key "sweep": expected a mapping/);
  const trainKey = write('f.yaml', 'epoks: 3\n');
  usage(() => plan({}, {}, trainKey), /f\.yaml: unknown key "epoks"/);
});

test('a failing cell does not stop the others; a rerun skips completed cells and retries the failed one', async () => {
  const runs = tempDir();
  const p = plan({ seeds: '0-3', jobs: '2' });
  const dir = defaultSweepDir(runs, p.sweepId, null);
  const first = openSweepDir(dir, p, null, []);
  assert.equal(first.resumed, false);
  const ran: string[] = [];
  const report = await executeSweep({ ...first, plan: p, runner: fakeRunner(ran, new Set(['s1-uniform'])), jobs: 2, log: () => {} });
  assert.deepEqual(ran.sort(), ['s0-uniform', 's1-uniform', 's2-uniform', 's3-uniform']);
  assert.equal(report.completed, 3);
  assert.deepEqual(report.failed, [{ id: 's1-uniform', message: 'boom' }]);
  const progress = JSON.parse(readFileSync(path.join(dir, 'progress.json'), 'utf8'));
  assert.deepEqual(
    progress.cells.map((c: { id: string; status: string }) => `${c.id}:${c.status}`),
    ['s0-uniform:completed', 's1-uniform:failed', 's2-uniform:completed', 's3-uniform:completed'],
  );

  const again = openSweepDir(dir, plan({ seeds: '0-3', jobs: '2' }), null, []);
  assert.equal(again.resumed, true, 'the same grid and config find the same sweep');
  const reran: string[] = [];
  const second = await executeSweep({ ...again, plan: p, runner: fakeRunner(reran), jobs: 2, log: () => {} });
  assert.deepEqual(reran, ['s1-uniform'], 'only the failed cell runs again');
  assert.equal(second.skipped, 3);
  assert.equal(second.failed.length, 0);
  const after = JSON.parse(readFileSync(path.join(dir, 'progress.json'), 'utf8'));
  assert.equal(after.cells[1].status, 'completed');
  assert.equal(after.cells[1].attempts, 2);

  // an interrupted cell (its process died mid-run: progress says running, no result) is rerun too
  const interrupted = JSON.parse(readFileSync(path.join(dir, 'progress.json'), 'utf8'));
  interrupted.cells[2].status = 'running';
  writeFileSync(path.join(dir, 'progress.json'), JSON.stringify(interrupted));
  const { rmSync } = await import('node:fs');
  rmSync(path.join(dir, 'cells', 's2-uniform.json'));
  const third: string[] = [];
  await executeSweep({ ...openSweepDir(dir, p, null, []), plan: p, runner: fakeRunner(third), jobs: 1, log: () => {} });
  assert.deepEqual(third, ['s2-uniform']);

  usage(() => openSweepDir(dir, plan({ seeds: '0-2' }), null, []), /holds another sweep/);
  usage(() => openSweepDir(dir, p, { index: 1, count: 2 }, []), /holds the whole grid of .*, not shard 1\/2/);
});

test('merge: shards of one sweep make the whole sweep; shards of different sweeps are refused', async () => {
  const runs = tempDir();
  const p = plan({ seeds: '0-4' });
  const shardDirs: SweepDir[] = [];
  for (let i = 1; i <= 3; i++) {
    const shard = { index: i, count: 3 };
    const opened = openSweepDir(defaultSweepDir(runs, p.sweepId, shard), p, shard, []);
    await executeSweep({ ...opened, plan: p, runner: fakeRunner([]), jobs: 1, log: () => {} });
    shardDirs.push(opened.sweepDir);
  }
  const merged = mergeSweepDirs(shardDirs, path.join(runs, 'merged'), []);
  assert.deepEqual([...merged.cells.keys()].sort(), ['s0-uniform', 's1-uniform', 's2-uniform', 's3-uniform', 's4-uniform']);
  assert.equal(merged.meta.shard, null);
  assert.equal(merged.duplicates.length, 0);

  const other = plan({ seeds: '0-4' }, { epochs: 3 });
  const otherShard = openSweepDir(defaultSweepDir(runs, other.sweepId, { index: 1, count: 3 }), other, { index: 1, count: 3 }, []);
  usage(() => mergeSweepDirs([shardDirs[0]!, otherShard.sweepDir], path.join(runs, 'bad'), []), /cannot merge .* they are different sweeps/);
  const twoSplit = openSweepDir(defaultSweepDir(runs, p.sweepId, { index: 1, count: 2 }), p, { index: 1, count: 2 }, []);
  usage(() => mergeSweepDirs([shardDirs[0]!, twoSplit.sweepDir], path.join(runs, 'bad2'), []), /shards of different splits/);
  usage(() => mergeSweepDirs(shardDirs, shardDirs[0]!.dir, []), /holds shard 1\/3, not a merged sweep/);
});

test('configs/sweep.yaml is a valid sweep config', () => {
  const p = plan({}, {}, path.join(PROJECT_ROOT, 'configs', 'sweep.yaml'));
  assert.deepEqual(p.grid, { epsilons: [0, 0.05, 0.1, 0.2], seeds: [0, 1, 2, 3, 4], smoothing: ['uniform'] });
  assert.equal(p.assertions.length, 2);
});
