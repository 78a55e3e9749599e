import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultSweepDir } from '../../src/sweep/locateSweep';
import { executeSweep, openSweepDir } from '../../src/sweep/sweep';
import { mergeSweepDirs } from '../../src/sweep/merge';
import type { SweepDir } from '../../src/sweep/sweepFiles';
import { assertUsageError, fakeCellRunner, planFromFlags as plan } from '../helpers/sweepFixtures';
import { tempDir } from '../helpers/tempDir';

test('a failing cell does not stop the others; a rerun skips completed cells and retries the failed one', async () => {
  const runs = tempDir();
  const p = plan({ seeds: '0-3', jobs: '2' });
  const dir = defaultSweepDir(runs, p.sweepId, null);
  const first = openSweepDir(dir, p, null, []);
  assert.equal(first.resumed, false);
  const ran: string[] = [];
  const report = await executeSweep({ ...first, plan: p, runner: fakeCellRunner({ ran, failing: new Set(['s1-uniform']), accuracyPerSeed: 0.01 }), jobs: 2, log: () => {} });
  assertUsageError(() => openSweepDir(dir, p, null, []), new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: another ls-bench is running this sweep: locked by pid ${process.pid} on .*sweep\\.lock is removed when that process ends$`));
  first.lock.release();
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
  const second = await executeSweep({ ...again, plan: p, runner: fakeCellRunner({ ran: reran, accuracyPerSeed: 0.01 }), jobs: 2, log: () => {} });
  again.lock.release();
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
  const thirdOpen = openSweepDir(dir, p, null, []);
  await executeSweep({ ...thirdOpen, plan: p, runner: fakeCellRunner({ ran: third, accuracyPerSeed: 0.01 }), jobs: 1, log: () => {} });
  thirdOpen.lock.release();
  assert.deepEqual(third, ['s2-uniform']);
  assert.ok(!existsSync(path.join(dir, 'sweep.lock')), 'released: the lock file is gone');

  assertUsageError(() => openSweepDir(dir, plan({ seeds: '0-2' }), null, []), /holds another sweep/);
  assertUsageError(() => openSweepDir(dir, p, { index: 1, count: 2 }, []), /holds the whole grid of .*, not shard 1\/2/);
});

test('merge: shards of one sweep make the whole sweep; shards of different sweeps are refused', async () => {
  const runs = tempDir();
  const p = plan({ seeds: '0-4' });
  const shardDirs: SweepDir[] = [];
  for (let i = 1; i <= 3; i++) {
    const shard = { index: i, count: 3 };
    const opened = openSweepDir(defaultSweepDir(runs, p.sweepId, shard), p, shard, []);
    await executeSweep({ ...opened, plan: p, runner: fakeCellRunner({ accuracyPerSeed: 0.01 }), jobs: 1, log: () => {} });
    opened.lock.release();
    shardDirs.push(opened.sweepDir);
  }
  const merged = mergeSweepDirs(shardDirs, path.join(runs, 'merged'), []);
  assert.deepEqual([...merged.cells.keys()].sort(), ['s0-uniform', 's1-uniform', 's2-uniform', 's3-uniform', 's4-uniform']);
  assert.equal(merged.meta.shard, null);
  assert.equal(merged.duplicates.length, 0);

  const other = plan({ seeds: '0-4' }, { epochs: 3 });
  const otherShard = openSweepDir(defaultSweepDir(runs, other.sweepId, { index: 1, count: 3 }), other, { index: 1, count: 3 }, []);
  otherShard.lock.release();
  assertUsageError(() => mergeSweepDirs([shardDirs[0]!, otherShard.sweepDir], path.join(runs, 'bad'), []), /cannot merge .* they are different sweeps/);
  const twoSplit = openSweepDir(defaultSweepDir(runs, p.sweepId, { index: 1, count: 2 }), p, { index: 1, count: 2 }, []);
  twoSplit.lock.release();
  assertUsageError(() => mergeSweepDirs([shardDirs[0]!, twoSplit.sweepDir], path.join(runs, 'bad2'), []), /shards of different splits/);
  assertUsageError(() => mergeSweepDirs(shardDirs, shardDirs[0]!.dir, []), /holds shard 1\/3, not a merged sweep/);
});

test('a grid shards and merges unchanged: every (grid point, seed) cell in one shard, the merge has them all', async () => {
  const runs = tempDir();
  const p = plan({ seeds: '0-2', grid: ['labelNoise=0,0.2', 'hidden=8;16'] });
  assert.equal(p.cells.length, 12);
  const shardDirs: SweepDir[] = [];
  const ran: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const shard = { index: i, count: 5 };
    const opened = openSweepDir(defaultSweepDir(runs, p.sweepId, shard), p, shard, []);
    await executeSweep({ ...opened, plan: p, runner: fakeCellRunner({ ran, accuracyPerSeed: 0.01 }), jobs: 1, log: () => {} });
    shardDirs.push(opened.sweepDir);
  }
  assert.deepEqual([...ran].sort(), p.cells.map((c) => c.id).sort(), 'each cell ran once, in some shard');
  const merged = mergeSweepDirs(shardDirs, path.join(runs, 'merged'), []);
  assert.deepEqual([...merged.cells.keys()].sort(), p.cells.map((c) => c.id).sort());
  assert.deepEqual(merged.meta.grid.axes, p.grid.axes, 'the merged sweep keeps the grid');
  assert.ok(merged.cells.has('p4-s2-uniform'));
});
