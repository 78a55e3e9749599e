import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { RunStore } from '../../src/store/RunStore';
import { newRunId } from '../../src/store/runNames';
import { lockRun, RunWriter } from '../../src/store/runWriter';
import { resolveTrainConfig } from '../../src/config/loadConfig';
import { CliError } from '../../src/errors';
import { runCli, BIN } from '../helpers/cli';
import { writeFixtureRun } from '../helpers/fixtureRuns';
import { tempDir } from '../helpers/tempDir';

const environment = { lsBenchVersion: '0', node: 'v20', platform: 'linux', arch: 'x64', cpu: 'x', cpuCount: 2, backend: 'cpu', backendLabel: 'cpu', backendFallbackReason: null, gitCommit: null };

test('ids are sortable by time and unique', () => {
  assert.match(newRunId(new Date(Date.UTC(2026, 10, 25, 14, 22, 33))), /^20261125-142233-[0-9a-f]{4}$/);
  const store = new RunStore(tempDir());
  const ids = new Set<string>();
  for (let i = 0; i < 40; i++) ids.add(store.create({ config: resolveTrainConfig({}), environment, command: [] }).id);
  assert.equal(ids.size, 40);
});

test('a read-only runs directory gives one clear line naming the path, and no run', { skip: process.getuid?.() === 0 && 'root ignores directory permissions; see the unwritable-path test' }, async () => {
  const root = tempDir();
  chmodSync(root, 0o500);
  const r = await runCli(['train', '--runs-dir', root, '--epochs', '1']);
  chmodSync(root, 0o700);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot create a run directory \(permission denied\)/);
});

test('a runs path that cannot be a directory gives one clear line naming the path', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'not-a-dir');
  writeFileSync(file, 'x');
  const r = await runCli(['train', '--runs-dir', path.join(file, 'runs'), '--epochs', '1']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`ls-bench: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/runs: cannot create the runs directory \\(a part of the path is not a directory\\)`));
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('two processes training into the same runs directory at once never collide', async () => {
  const root = tempDir();
  mkdirSync(root, { recursive: true });
  const runOne = () =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'train', '--runs-dir', root, '--epochs', '2', '--samples', '200', '--backend', 'cpu'], { stdio: 'ignore' });
      child.on('exit', resolve);
    });
  const codes = await Promise.all([runOne(), runOne(), runOne()]);
  assert.deepEqual(codes, [0, 0, 0]);
  const ids = readdirSync(root);
  assert.equal(ids.length, 3);
  for (const id of ids) assert.equal(JSON.parse(readFileSync(path.join(root, id, 'status.json'), 'utf8')).status, 'completed');
});

test('truncateMetrics keeps the rows up to the checkpoint epoch, in both files, and drops a partial last line', () => {
  const store = new RunStore(tempDir());
  const w = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:00:00Z', epochs: 4, outcome: 'interrupted' });
  appendFileSync(w.file('metricsJsonl'), '{"epoch":4,"arm":"ha');
  const record = store.read(w.id);
  const writer = RunWriter.reopen(w.dir, record.statusFile!, lockRun(w.dir, 'test'));
  const rows = writer.truncateMetrics(2);
  assert.deepEqual(rows.map((r) => `${r.epoch}${r.arm}`), ['1hard', '1smoothed', '2hard', '2smoothed']);
  assert.deepEqual(store.read(w.id).metrics, rows);
  const csv = readFileSync(w.file('metricsCsv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, 1 + 4);
  assert.equal(csv[0], 'epoch,arm,epsilon,trainLoss,trainNll,testNll,testAccuracy,seconds');
  assert.match(csv[4]!, /^2,smoothed,0\.1,/);
  writer.release();
});

test('truncateMetrics refuses a damaged line before rewriting anything: exit 2, naming the file and the line', () => {
  const store = new RunStore(tempDir());
  const w = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:00:00Z', epochs: 4, outcome: 'interrupted' });
  const lines = readFileSync(w.file('metricsJsonl'), 'utf8').split('\n');
  lines[3] = '{"epoch": 2, "arm": "smoothed", oops}';
  writeFileSync(w.file('metricsJsonl'), lines.join('\n'));
  const before = [readFileSync(w.file('metricsJsonl'), 'utf8'), readFileSync(w.file('metricsCsv'), 'utf8')];
  const writer = RunWriter.reopen(w.dir, store.read(w.id, { metrics: false }).statusFile!, lockRun(w.dir, 'test'));
  assert.throws(
    () => writer.truncateMetrics(2),
    (e: unknown) => e instanceof CliError && e.exitCode === 2 && e.message === `${w.file('metricsJsonl')}: line 4: not valid JSON; repair or remove that line to continue the run`,
  );
  assert.deepEqual([readFileSync(w.file('metricsJsonl'), 'utf8'), readFileSync(w.file('metricsCsv'), 'utf8')], before);
  writer.release();
});

test('reopen keeps the start time and the completed epochs, and takes ownership', () => {
  const store = new RunStore(tempDir());
  const w = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:00:00Z', outcome: 'interrupted' });
  const previous = store.read(w.id).statusFile!;
  const writer = RunWriter.reopen(w.dir, { ...previous, pid: 1, host: 'elsewhere' }, lockRun(w.dir, 'test'));
  writer.writeStatus('running');
  const now = store.read(w.id);
  assert.equal(now.status, 'running');
  assert.equal(now.statusFile!.startedAt, previous.startedAt);
  assert.equal(now.statusFile!.completedEpochs, 2);
  assert.equal(now.statusFile!.pid, process.pid);
  writer.release();
});

test('a completed run stays completed: end(failed) after completion (a render that throws) and end() by a writer whose lock was taken over change nothing', () => {
  const store = new RunStore(tempDir());
  const w = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:00:00Z', outcome: 'running' });
  w.writeStatus('completed');
  w.end('failed', 'rendering threw');
  assert.equal(JSON.parse(readFileSync(w.file('status'), 'utf8')).status, 'completed');
  w.release();
  // Another process judged this writer dead and took the run: its own end() must leave the run to that process.
  const other = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:01:00Z', outcome: 'running' });
  other.release();
  const taker = lockRun(other.dir, 'test');
  other.end('failed', 'too late');
  assert.equal(JSON.parse(readFileSync(other.file('status'), 'utf8')).status, 'running');
  taker.release();
});
