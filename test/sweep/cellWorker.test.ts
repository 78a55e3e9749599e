import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TrainConfigSchema } from '../../src/config/schema';
import { RunStore } from '../../src/store/RunStore';
import { readValidRunDirectory } from '../../src/store/runReader';
import { cellResultFromRun, processCellRunner } from '../../src/sweep/cellWorker';
import { cellConfig, expandGrid, type SweepGrid } from '../../src/sweep/grid';
import { SweepDir } from '../../src/sweep/sweepFiles';
import { writeFixtureRun } from '../helpers/fixtureRuns';
import { tempDir } from '../helpers/tempDir';

const CELL = { id: 's0-uniform', seed: 0, smoothing: 'uniform' as const };

test('cellResultFromRun: ε from the comparison records; summary.json without them is read through arms[]; a run of other arms is refused', () => {
  const writer = writeFixtureRun(new RunStore(tempDir()), { epsilon: 0.2, createdAt: '2026-11-20T10:00:00.000Z' });
  const result = cellResultFromRun(CELL, writer.dir, { epsilon: [0.2] });
  assert.deepEqual(result.arms.map((a) => [a.label, a.epsilon]), [['hard', 0], ['smoothed', 0.2]]);
  assert.deepEqual(result.mcnemar.map((m) => m.epsilon), [0.2]);
  assert.equal(result.runDir, writer.dir);

  const file = path.join(writer.dir, 'summary.json');
  const summary = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(summary.comparisons[0].epsilon, 0.2, 'summary.json records the compared arm\'s ε');
  delete summary.comparisons[0].epsilon;
  writeFileSync(file, JSON.stringify(summary));
  assert.deepEqual(cellResultFromRun(CELL, writer.dir, { epsilon: [0.2] }).mcnemar, result.mcnemar, 'an older summary.json reads the same');

  assert.throws(() => cellResultFromRun(CELL, writer.dir, { epsilon: [0.1] }), /trained arms with ε 0, 0\.2, not the cell's 0, 0\.1/);
});

test('processCellRunner: the child trains the cell config, reports its run directory on the events pipe, and its run is the result', async () => {
  const root = tempDir();
  const runsDir = path.join(root, 'runs');
  const sweepDir = new SweepDir(path.join(root, 'sweep'));
  const grid: SweepGrid = { epsilons: [0, 0.1], seeds: [4], smoothing: ['others'] };
  const base = TrainConfigSchema.parse({ samples: 120, features: 4, hidden: [6], epochs: 1, batchSize: 32, seed: 0, epsilon: [0.3], smoothing: 'uniform' });
  const cell = expandGrid(grid)[0]!;
  const seen: [string, string][] = [];
  const outcome = await processCellRunner({ sweepDir, base, grid, runsDir, sweepId: 'sweep-test' })(cell, { onRunDir: (id, dir) => seen.push([id, dir]) });
  assert.equal(outcome.status, 'completed', JSON.stringify(outcome));
  if (outcome.status !== 'completed') return;
  assert.deepEqual(seen, [[outcome.result.runId, outcome.result.runDir]], 'the run directory came through the events pipe, once');
  assert.equal(path.dirname(outcome.result.runDir), runsDir);

  const expected = cellConfig(base, grid, cell);
  const configFile = sweepDir.cellConfigFile(cell.id);
  assert.deepEqual(JSON.parse(readFileSync(configFile, 'utf8')), expected, 'cell-configs/<cell>.json is the cell config');
  const run = readValidRunDirectory(outcome.result.runDir, { metrics: false });
  assert.deepEqual(run.config, expected, 'the child trained exactly the cell config');
  assert.ok(run.meta!.command.includes(configFile), 'with train --config <cell config>');
  assert.deepEqual(run.meta!.tags, ['sweep-test']);
  assert.equal(run.meta!.name, 'sweep-test-s4-others');
  assert.deepEqual(run.meta!.sweep, { id: 'sweep-test', cell: 's4-others', dir: sweepDir.dir }, 'run.json records the sweep cell');
  assert.deepEqual(outcome.result.arms.map((a) => [a.label, a.epsilon]), [['hard', 0], ['smoothed', 0.1]]);
  assert.deepEqual(outcome.result.mcnemar.map((m) => m.epsilon), [0.1]);
});

test('processCellRunner: a child that fails says why in its own words, with no run', async () => {
  const root = tempDir();
  const base = TrainConfigSchema.parse({ dataset: `csv:${path.join(root, 'missing.csv')}`, epochs: 1 });
  const grid: SweepGrid = { epsilons: [0, 0.1], seeds: [0], smoothing: ['uniform'] };
  const seen: string[] = [];
  const outcome = await processCellRunner({ sweepDir: new SweepDir(path.join(root, 'sweep')), base, grid, runsDir: path.join(root, 'runs'), sweepId: 'sweep-test' })(expandGrid(grid)[0]!, {
    onRunDir: (_id, dir) => seen.push(dir),
  });
  assert.equal(outcome.status, 'failed');
  if (outcome.status !== 'failed') return;
  assert.match(outcome.message, /^exit 2: .*missing\.csv/);
  assert.equal(outcome.runDir, null);
  assert.deepEqual(seen, []);
  const runs = path.join(root, 'runs');
  assert.ok(!existsSync(runs) || readdirSync(runs).length === 0, 'no run directory');
});
