import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TrainConfigSchema } from '../../src/config/schema';
import { RunStore } from '../../src/store/RunStore';
import { readRunDirectory, type RunRecord } from '../../src/store/runReader';
import { CellRunIndex, cellRunName, planCellRun, runLockHolder } from '../../src/sweep/cellRuns';
import { lockRun } from '../../src/store/runWriter';
import { expandGrid } from '../../src/sweep/grid';
import { editJson, writeFixtureRun, type FixtureRun } from '../helpers/fixtureRuns';
import { tempDir } from '../helpers/tempDir';

const SWEEP = 'sweep-0123456789ab';
const CELL = expandGrid({ epsilons: [0, 0.1], seeds: [0], smoothing: ['uniform'] })[0]!;
const NAME = cellRunName(SWEEP, CELL.id);
/** The config the fixture runs have: what the cell trains. */
const CONFIG = TrainConfigSchema.parse({ epsilon: [0.1], epochs: 3, dataset: 'synthetic' });

function cellRun(store: RunStore, f: Partial<FixtureRun> & { checkpoint?: boolean; died?: boolean }): RunRecord {
  const writer = writeFixtureRun(store, { epsilon: 0.1, name: NAME, tags: [SWEEP], createdAt: '2026-11-20T10:00:00.000Z', sweep: { id: SWEEP, cell: CELL.id, dir: '/nowhere' }, ...f });
  if (f.checkpoint) writeFileSync(path.join(writer.dir, 'checkpoint.bin'), 'a checkpoint (its content is train --resume\'s to check)');
  // status.json says running, but its process is gone (killed): the run died
  // (and its lock went with it: a process that holds a run's lock is busy with the run, whatever status.json says)
  if (f.died) {
    editJson(writer.file('status'), (s) => (s.pid = 2 ** 30));
    writer.release();
  }
  return readRunDirectory(writer.id, writer.dir, { metrics: false });
}

test('planCellRun: read a completed run, continue the furthest checkpoint, remove what holds nothing to continue, leave a running run alone', () => {
  const store = new RunStore(tempDir());
  const completed = cellRun(store, {});
  const interrupted = cellRun(store, { outcome: 'interrupted', checkpoint: true, epochs: 5 });
  const further = cellRun(store, { outcome: 'failed', checkpoint: true, epochs: 6 });
  const died = cellRun(store, { outcome: 'running', died: true, checkpoint: true, epochs: 3 });
  const noCheckpoint = cellRun(store, { outcome: 'interrupted' });
  const running = cellRun(store, { outcome: 'running' });
  assert.deepEqual([died.status, running.status], ['died', 'running']);
  const config = (r: RunRecord) => r.config!;

  assert.deepEqual(planCellRun([noCheckpoint, completed, interrupted], config(completed)), { action: 'read', run: completed, remove: [noCheckpoint, interrupted] });
  const resume = planCellRun([further, interrupted, noCheckpoint], config(interrupted));
  assert.deepEqual(resume, { action: 'resume', run: interrupted, remove: [further, noCheckpoint] }, 'a run of another config (epochs 6, not 5) is not the cell\'s to continue');
  assert.equal(planCellRun([further], config(interrupted)).action, 'new');
  const longest = planCellRun([died, cellRun(store, { outcome: 'interrupted', checkpoint: true, epochs: 3 })], config(died));
  assert.equal(longest.action, 'resume');
  assert.deepEqual(planCellRun([noCheckpoint], CONFIG), { action: 'new', remove: [noCheckpoint] });
  assert.deepEqual(planCellRun([], CONFIG), { action: 'new', remove: [] });
  assert.deepEqual(planCellRun([completed, running, interrupted], CONFIG), { action: 'busy', run: running });
  assert.equal(further.statusFile!.completedEpochs, 5);
});

test('planCellRun: of two continuable runs the one with more completed epochs is continued, the other removed', () => {
  const store = new RunStore(tempDir());
  const config = TrainConfigSchema.parse({ epsilon: [0.1], epochs: 6, dataset: 'synthetic' });
  const two = cellRun(store, { outcome: 'interrupted', checkpoint: true, epochs: 6, config: { epochs: 6 } });
  const four = cellRun(store, { outcome: 'failed', checkpoint: true, epochs: 6, config: { epochs: 6 } });
  editJson(path.join(two.dir, 'status.json'), (s) => (s.completedEpochs = 2));
  const reread = readRunDirectory(two.id, two.dir, { metrics: false });
  const plan = planCellRun([reread, four], config);
  assert.deepEqual(plan, { action: 'resume', run: four, remove: [reread] });
});

test("CellRunIndex: a cell's runs by name and sweep (and the run progress.json names), not another sweep's; remove deletes", () => {
  const root = tempDir();
  const store = new RunStore(root);
  const ours = cellRun(store, { outcome: 'interrupted', checkpoint: true });
  const legacy = writeFixtureRun(store, { epsilon: 0.1, name: NAME, tags: [SWEEP], createdAt: '2026-11-20T09:00:00.000Z' });
  const foreign = writeFixtureRun(store, { epsilon: 0.1, name: NAME, tags: ['mine'], createdAt: '2026-11-20T08:00:00.000Z' });
  const elsewhere = cellRun(new RunStore(tempDir()), { outcome: 'interrupted' });
  const index = new CellRunIndex(root, SWEEP);
  const found = index.runsOf(CELL, elsewhere.dir).map((r) => r.id).sort();
  assert.deepEqual(found, [ours.id, legacy.id, elsewhere.id].sort(), 'the sweep tag of runs written before run.json recorded the cell counts; a foreign run of the same name does not');
  assert.ok(!found.includes(foreign.id));
  assert.equal(index.remove(readRunDirectory(elsewhere.id, elsewhere.dir)), null);
  assert.ok(!existsSync(elsewhere.dir));
  const running = cellRun(store, { outcome: 'running' });
  assert.match(index.remove(running) ?? '', /is still running/);
  assert.ok(existsSync(running.dir));
});

test("planCellRun: a run whose lock is held (a resume of it has started, status.json not yet running) is busy, not continued or removed", () => {
  const root = tempDir();
  const store = new RunStore(root);
  const interrupted = cellRun(store, { outcome: 'interrupted', checkpoint: true });
  const stale = cellRun(store, { outcome: 'failed' });
  const lock = lockRun(interrupted.dir, 'held by the test');
  try {
    assert.equal(interrupted.status, 'interrupted', 'status.json alone still says interrupted');
    assert.match(runLockHolder(interrupted) ?? '', new RegExp(`^process ${process.pid}$`));
    assert.deepEqual(planCellRun([stale, interrupted], interrupted.config!), { action: 'busy', run: interrupted }, 'nothing is removed while a run of the cell is busy');
    const lockedStale = lockRun(stale.dir, 'held by the test');
    assert.match(new CellRunIndex(root, SWEEP).remove(stale) ?? '', /still running/, 'remove takes the lock too');
    lockedStale.release();
  } finally {
    lock.release();
  }
  assert.equal(runLockHolder(interrupted), null);
  assert.deepEqual(planCellRun([stale, interrupted], interrupted.config!), { action: 'resume', run: interrupted, remove: [stale] });
});
