import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultSweepDir } from '../../src/sweep/locateSweep';
import { mergeSweepDirs } from '../../src/sweep/merge';
import type { SweepPlan } from '../../src/sweep/plan';
import { executeSweep, openSweepDir } from '../../src/sweep/sweep';
import type { SweepDir } from '../../src/sweep/sweepFiles';
import { assertUsageError, fakeCellRunner, planFromFlags } from '../helpers/sweepFixtures';
import { tempDir } from '../helpers/tempDir';

const plan = (seeds: string): SweepPlan => planFromFlags({ seeds });

/** Runs shards 1..count/count of `p` into `root`, with a recorded source digest per shard. */
async function shards(root: string, p: SweepPlan, count: number, source: (i: number) => string | null, digestOf = (seed: number) => `${'d'.repeat(60)}${seed}000`): Promise<SweepDir[]> {
  const dirs: SweepDir[] = [];
  for (let i = 1; i <= count; i++) {
    const shard = { index: i, count };
    const opened = openSweepDir(defaultSweepDir(root, p.sweepId, shard), p, shard, [], source(i));
    await executeSweep({ ...opened, plan: p, runner: fakeCellRunner({ digestOf }), jobs: 1, log: () => {} });
    opened.lock.release();
    dirs.push(opened.sweepDir);
  }
  return dirs;
}

test('a merge into the directory of an earlier merge replaces it whole: no cell of the earlier merge is kept', async () => {
  const root = tempDir();
  const p = plan('0-5');
  const dirs = await shards(root, p, 3, () => 'a'.repeat(64));
  const out = path.join(root, 'merged');
  assert.equal(mergeSweepDirs(dirs, out, []).cells.size, 6);
  const again = mergeSweepDirs(dirs.slice(0, 2), out, []);
  assert.equal(again.cells.size, 4);
  assert.equal(again.sweepDir.readCells().size, 4, 'the third shard\'s cells of the first merge are gone');
  assert.deepEqual(readdirSync(root).filter((n) => n.startsWith('.')), [], 'no temporary directory left beside it');
  assert.ok(!existsSync(path.join(out, 'sweep.lock')));
  const empty = path.join(root, 'empty');
  mkdirSync(empty);
  assert.equal(mergeSweepDirs(dirs, empty, []).cells.size, 6, 'an empty directory is fine');
  const foreign = path.join(root, 'foreign');
  mkdirSync(foreign);
  writeFileSync(path.join(foreign, 'notes.txt'), 'mine');
  assertUsageError(() => mergeSweepDirs(dirs, foreign, []), /foreign: not empty and not a sweep directory \(it holds notes\.txt\); merge into a new or empty directory/);
  assert.ok(existsSync(path.join(foreign, 'notes.txt')), 'nothing of it removed');
  const file = path.join(root, 'a-file');
  writeFileSync(file, '');
  assertUsageError(() => mergeSweepDirs(dirs, file, []), /a-file: exists and is not a directory/);
  const merged = new (dirs[0]!.constructor as new (d: string) => SweepDir)(out);
  assertUsageError(() => mergeSweepDirs([...dirs, merged], out, []), /--out .*merged: is one of the directories being merged/);
});

test('shards that read different data are not merged: the two digests are named', async () => {
  const root = tempDir();
  const p = plan('0-3');
  const edited = await shards(root, p, 2, (i) => (i === 1 ? 'a'.repeat(64) : 'b'.repeat(64)));
  assertUsageError(() => mergeSweepDirs(edited, path.join(root, 'm1'), []), /cannot merge .*shard-2-of-2 with .*shard-1-of-2: they read different data \(data digest aaaaaaaaaaaa… in \S+, bbbbbbbbbbbb… in \S+\); rerun the shards on the same data/);
  assert.ok(!existsSync(path.join(root, 'm1')), 'nothing written');
  // without file digests (generated data), cells of one seed must still agree on the data they trained on
  const root2 = tempDir();
  const a = await shards(root2, p, 2, () => null, (seed) => `${'c'.repeat(60)}${seed}000`);
  const other = plan('0-3');
  const b = openSweepDir(path.join(root2, 'rerun'), other, null, [], null);
  await executeSweep({ ...b, plan: other, runner: fakeCellRunner({ digestOf: (seed) => `${'e'.repeat(60)}${seed}000` }), jobs: 1, log: () => {} });
  b.lock.release();
  assertUsageError(() => mergeSweepDirs([a[0]!, b.sweepDir], path.join(root2, 'm2'), []), /^cannot merge: cells of seed 0 trained on different data \(s0-uniform in \S+shard-1-of-2: data digest c{12}…, s0-uniform in rerun: data digest e{12}…\); rerun the shards on the same data$/);
});

test('rerunning a sweep after its data changed is refused, naming both digests', async () => {
  const root = tempDir();
  const p = plan('0-1');
  const dir = path.join(root, 'sw');
  const first = openSweepDir(dir, p, null, [], 'a'.repeat(64));
  first.lock.release();
  assertUsageError(() => openSweepDir(dir, p, null, [], 'f'.repeat(64)), /sw: the data changed since this sweep started \(data digest aaaaaaaaaaaa… then, ffffffffffff… now\); its cells would mix two data sets/);
  const same = openSweepDir(dir, p, null, [], 'a'.repeat(64));
  assert.equal(same.resumed, true);
  same.lock.release();
});
