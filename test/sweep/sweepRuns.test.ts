import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { CliError } from '../../src/errors';
import { collectFlags } from '../../src/cli/schemaFlags';
import { RunStore } from '../../src/store/RunStore';
import { cellRunName } from '../../src/sweep/cellRuns';
import { defaultSweepDir } from '../../src/sweep/locateSweep';
import { planSweep, sweepFlagOptions } from '../../src/sweep/plan';
import { openSweepDir } from '../../src/sweep/sweep';
import { groupRunsBySweep, resolveSweepRef } from '../../src/sweep/sweepRuns';
import { writeFixtureRun } from '../helpers/fixtureRuns';
import { cellResult } from '../helpers/sweepFixtures';
import { tempDir } from '../helpers/tempDir';

test("runs grouped by sweep: one item per sweep where its newest run is, its progress from the sweep directory, its runs in grid order", () => {
  const root = tempDir();
  const store = new RunStore(root);
  const plan = planSweep({ trainFlags: {}, sweepFlags: collectFlags({ seeds: '0-2' }, sweepFlagOptions()), assert: [] });
  const { sweepDir } = openSweepDir(defaultSweepDir(root, plan.sweepId, null), plan, null, []);
  sweepDir.writeCell(cellResult(1, [0.8, 0.5, 0.05, 0.9], [0.81, 0.45, 0.02, 0.85]));
  const cell = (seed: number, createdAt: string, outcome: 'completed' | 'interrupted' | 'running') =>
    writeFixtureRun(store, {
      epsilon: 0.1,
      name: cellRunName(plan.sweepId, `s${seed}-uniform`),
      tags: [plan.sweepId],
      createdAt,
      outcome,
      sweep: { id: plan.sweepId, cell: `s${seed}-uniform`, dir: sweepDir.dir },
    });
  const older = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T09:00:00Z' });
  const s1 = cell(1, '2026-11-20T10:00:00Z', 'completed');
  const s0 = cell(0, '2026-11-20T10:05:00Z', 'interrupted');
  const newer = writeFixtureRun(store, { epsilon: 0.2, createdAt: '2026-11-20T11:00:00Z' });
  const items = groupRunsBySweep(store.list({ metrics: false }), root);
  assert.deepEqual(
    items.map((i) => (i.kind === 'run' ? i.run.id : i.sweep.id)),
    [newer.id, plan.sweepId, older.id],
  );
  const sweep = items[1]!.kind === 'sweep' ? items[1]!.sweep : assert.fail('a sweep');
  assert.deepEqual(sweep.cells, { total: 3, completed: 1 });
  assert.equal(sweep.status, 'incomplete');
  assert.equal(sweep.dir, sweepDir.dir);
  assert.deepEqual(sweep.runs.map((r) => r.id), [s0.id, s1.id], 'in grid order (s0, s1), not newest first');
  assert.equal(sweep.createdAt, Date.parse('2026-11-20T10:05:00Z'));

  cell(2, '2026-11-20T10:10:00Z', 'running');
  const running = groupRunsBySweep(store.list({ metrics: false }), root).find((i) => i.kind === 'sweep');
  assert.equal(running?.kind === 'sweep' && running.sweep.status, 'running');

  // without its sweep directory, a sweep's progress is unknown and its status comes from its runs
  const other = tempDir();
  const lone = new RunStore(other);
  writeFixtureRun(lone, { epsilon: 0.1, name: 'sweep-aaaaaaaaaaaa-s0-uniform', tags: ['sweep-aaaaaaaaaaaa'], createdAt: '2026-11-20T10:00:00Z' });
  const [legacy] = groupRunsBySweep(lone.list({ metrics: false }), other);
  assert.ok(legacy?.kind === 'sweep');
  assert.deepEqual([legacy.sweep.id, legacy.sweep.dir, legacy.sweep.cells, legacy.sweep.status], ['sweep-aaaaaaaaaaaa', null, null, 'completed']);
});

test('runs --sweep: a sweep id or a unique prefix of one', () => {
  const root = tempDir();
  const store = new RunStore(root);
  for (const id of ['sweep-aaaaaaaaaaaa', 'sweep-aaaabbbbbbbb', 'sweep-cccccccccccc']) {
    writeFixtureRun(store, { epsilon: 0.1, name: `${id}-s0-uniform`, tags: [id], createdAt: '2026-11-20T10:00:00Z', sweep: { id, cell: 's0-uniform', dir: path.join(root, 'x') } });
  }
  const records = store.list({ metrics: false });
  assert.equal(resolveSweepRef('sweep-cccccccccccc', records, root), 'sweep-cccccccccccc');
  assert.equal(resolveSweepRef('sweep-c', records, root), 'sweep-cccccccccccc');
  assert.throws(() => resolveSweepRef('sweep-aaaa', records, root), (e: unknown) => e instanceof CliError && /matches 2 sweeps: sweep-aaaaaaaaaaaa, sweep-aaaabbbbbbbb/.test(e.message));
  assert.throws(() => resolveSweepRef('sweep-d', records, root), (e: unknown) => e instanceof CliError && e.exitCode === 2 && /--sweep "sweep-d": no runs of such a sweep in .*; sweeps with runs here: /.test(e.message));
});
