import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../../src/errors';
import { RunStore } from '../../src/store/RunStore';
import type { RUN_FILES } from '../../src/store/runFiles';
import { MAX_RUN_FILE_BYTES, parseMetricsJsonl, readMetricsFile } from '../../src/store/runReader';
import { editJson, threeRuns, writeFixtureRun } from '../helpers/fixtureRuns';
import { tempDir } from '../helpers/tempDir';

test('status transitions: running → completed, running → interrupted, running → failed', () => {
  const store = new RunStore(tempDir());
  const running = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:00:00Z', outcome: 'running', epochs: 3 });
  let r = store.read(running.id);
  assert.equal(r.status, 'running', 'this process owns it and is alive');
  assert.equal(r.statusFile!.completedEpochs, 2);
  assert.equal(r.metrics.length, 4, 'two epochs × two arms');
  assert.equal(r.summary, null);

  const done = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:01:00Z' });
  r = store.read(done.id);
  assert.equal(r.status, 'completed');
  assert.equal(r.statusFile!.completedEpochs, 3);
  assert.equal(r.summary!.arms.length, 2);
  assert.ok(r.statusFile!.endedAt);

  const interrupted = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:02:00Z', outcome: 'interrupted' });
  r = store.read(interrupted.id);
  assert.equal(r.status, 'interrupted');
  assert.equal(r.statusNote, 'SIGINT');

  const failed = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:03:00Z', outcome: 'failed' });
  assert.equal(store.read(failed.id).status, 'failed');
  assert.deepEqual(store.runIds(), [failed.id, interrupted.id, done.id, running.id], 'newest first');
});

test('a run from a newer schema is unsupported, and reading it for show names the run and the file', () => {
  const store = new RunStore(tempDir());
  const w = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:00:00Z' });
  editJson(w.file('summary'), (s) => (s.schemaVersion = 2));
  const r = store.read(w.id);
  assert.equal(r.status, 'unsupported');
  assert.throws(
    () => store.readValid(w.id),
    (e: unknown) => e instanceof CliError && e.exitCode === 2 && e.message.includes(w.id) && e.message.includes('summary.json') && /schemaVersion 2 is newer/.test(e.message),
  );
});

test('corrupt directories: truncated JSON, a missing file, a bad field, a broken metrics line — listed as corrupt, the others intact', () => {
  const { store, a, b, c } = threeRuns(tempDir());
  const d = writeFixtureRun(store, { epsilon: 0.3, createdAt: '2026-11-20T10:03:00Z' });
  const e = writeFixtureRun(store, { epsilon: 0.3, createdAt: '2026-11-20T10:04:00Z' });
  const summaryText = readFileSync(a.file('summary'), 'utf8');
  writeFileSync(a.file('summary'), summaryText.slice(0, summaryText.length / 2));
  rmSync(b.file('status'));
  editJson(d.file('meta'), (m) => (m.tags = 'not-a-list'));
  writeFileSync(e.file('metricsJsonl'), `${readFileSync(e.file('metricsJsonl'), 'utf8')}{"epoch": 4, oops\n{"epoch":5}\n`);
  const records = store.list();
  assert.equal(records.length, 5, 'every directory is listed');
  const byId = new Map(records.map((r) => [r.id, r]));
  assert.equal(byId.get(a.id)!.status, 'corrupt');
  assert.equal(byId.get(a.id)!.problems[0]!.file, 'summary.json');
  assert.match(byId.get(a.id)!.problems[0]!.message, /not valid JSON .*truncated/);
  assert.equal(byId.get(b.id)!.status, 'corrupt');
  assert.deepEqual(byId.get(b.id)!.problems[0], { file: 'status.json', message: 'missing' });
  assert.equal(byId.get(d.id)!.status, 'corrupt');
  assert.match(byId.get(d.id)!.statusNote!, /run\.json: "tags": expected array/);
  assert.equal(byId.get(e.id)!.status, 'corrupt');
  assert.match(byId.get(e.id)!.statusNote!, /metrics\.jsonl: line 7: not valid JSON/);
  assert.equal(byId.get(c.id)!.status, 'completed', 'the healthy run is untouched');
  assert.throws(() => store.readValid(a.id), /run \d{8}-\d{6}-[0-9a-f]{4}: summary\.json: not valid JSON/);
});

test('a partial last line of metrics.jsonl (a crash mid-append) is skipped, not corruption', () => {
  const store = new RunStore(tempDir());
  const w = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:00:00Z', outcome: 'interrupted' });
  appendFileSync(w.file('metricsJsonl'), '{"epoch":3,"arm":"ha');
  const r = store.read(w.id);
  assert.equal(r.status, 'interrupted');
  assert.equal(r.metrics.length, 4);
});

test('damaged files are checked against their schemas: each problem names the file, the field and what was expected', () => {
  const store = new RunStore(tempDir());
  const cases: [keyof typeof RUN_FILES, (v: Record<string, any>) => void, string][] = [
    ['status', (s) => (s.status = 'paused'), 'status.json: "status": expected one of running, completed, failed, interrupted, got "paused"'],
    ['status', (s) => (s.endedAt = 5), 'status.json: "endedAt": expected string or null, got 5'],
    ['environment', (e) => delete e.backend, 'environment.json: "backend": expected string, got nothing'],
    ['meta', (m) => (m.command = ['train', 3]), 'run.json: "command[1]": expected string, got 3'],
    ['summary', (s) => (s.arms[1].test.accuracy = 'high'), 'summary.json: "arms[1].test.accuracy": expected number, got "high"'],
    ['summary', (s) => (s.arms = []), 'summary.json: "arms": expected at least 1 entry, got 0'],
    ['summary', (s) => delete s.dataset.classNames, 'summary.json: "dataset.classNames": expected array, got nothing'],
    ['summary', (s) => (s.arms[0].history[2].testNll = null), 'summary.json: "arms[0].history[2].testNll": expected number, got null'],
    ['histograms', (h) => (h.arms[0].reliability = {}), 'histograms.json: "arms[0].reliability": expected array, got {}'],
  ];
  cases.forEach(([file, edit, note], i) => {
    const w = writeFixtureRun(store, { epsilon: 0.1, createdAt: `2026-11-20T10:0${i}:00Z` });
    editJson(w.file(file), edit);
    const r = store.read(w.id);
    assert.equal(r.status, 'corrupt', note);
    assert.equal(r.statusNote, note);
    assert.throws(() => store.readValid(w.id), (e: unknown) => e instanceof CliError && e.exitCode === 2 && e.message === `run ${w.id}: ${note}`);
  });
});

test('files whose fields disagree with each other (shapes, duplicate labels, dangling references) are problems naming the field', () => {
  const store = new RunStore(tempDir());
  const cases: [keyof typeof RUN_FILES, (v: Record<string, any>) => void, string][] = [
    ['summary', (s) => (s.dataset.classNames = [null, 'b', 'c']), 'summary.json: "dataset.classNames[0]": expected string, got null'],
    ['summary', (s) => s.dataset.classNames.pop(), 'summary.json: "dataset.classNames": expected 3 entries (one per class: dataset.classes is 3), got 2'],
    ['summary', (s) => (s.dataset.classes = 40), 'summary.json: "dataset.classNames": expected 40 entries (one per class: dataset.classes is 40), got 3'],
    ['summary', (s) => s.arms[1].test.perClass.pop(), 'summary.json: "arms[1].test.perClass": expected 3 entries (one per class: dataset.classes is 3), got 2'],
    ['summary', (s) => s.arms[0].test.confusionMatrix[2].push(7), 'summary.json: "arms[0].test.confusionMatrix[2]": expected 3 columns (3 classes), got 4'],
    ['summary', (s) => s.arms[0].test.confusionMatrix.pop(), 'summary.json: "arms[0].test.confusionMatrix": expected 3 rows (3 classes), got 2'],
    ['summary', (s) => delete s.arms[1].test.confusionMatrix, 'summary.json: "arms[1].test.confusionMatrix": expected the confusion matrix of a run with 3 classes'],
    ['summary', (s) => (s.arms[1].label = 'hard'), 'summary.json: "arms[1].label": expected a label no other arm has, got "hard" (also arms[0])'],
    ['summary', (s) => (s.arms[1].epsilon = 5), 'summary.json: "arms[1].epsilon": expected a number <= 1, got 5'],
    ['summary', (s) => (s.arms[0].epsilon = -0.5), 'summary.json: "arms[0].epsilon": expected a number >= 0, got -0.5'],
    ['summary', (s) => (s.arms[1].smoothing = 'gaussian'), 'summary.json: "arms[1].smoothing": expected one of uniform, others, got "gaussian"'],
    ['summary', (s) => (s.comparisons[0].arm = 'gone'), 'summary.json: "comparisons[0].arm": expected one of the arms (hard, smoothed), got "gone"'],
    ['summary', (s) => (s.dataset.testClassCounts = [1]), 'summary.json: "dataset.testClassCounts": expected 3 entries (one per class: dataset.classes is 3), got 1'],
    ['summary', (s) => (s.arms[0].test.topConfusions = [{ trueClass: 9, predicted: 0, count: 1 }]), 'summary.json: "arms[0].test.topConfusions[0]": expected classes below 3'],
    ['histograms', (h) => (h.arms[1].label = 'hard'), 'histograms.json: "arms[1].label": expected a label no other arm has, got "hard" (also arms[0])'],
    ['histograms', (h) => h.arms[0].confidenceHistogram.push(1), 'histograms.json: "arms[0].confidenceHistogram": expected 10 counts (one per bin: confidenceBins has 11 edges), got 11'],
  ];
  cases.forEach(([file, edit, note], i) => {
    const w = writeFixtureRun(store, { epsilon: 0.1, createdAt: `2026-11-20T10:${String(i).padStart(2, '0')}:00Z` });
    editJson(w.file(file), edit);
    const r = store.read(w.id);
    assert.equal(r.status, 'corrupt', note);
    assert.equal(r.statusNote, note);
    assert.throws(() => store.readValid(w.id), (e: unknown) => e instanceof CliError && e.exitCode === 2 && e.message === `run ${w.id}: ${note}`);
  });
  const dup = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-21T10:00:00Z' });
  const lines = readFileSync(dup.file('metricsJsonl'), 'utf8').split('\n');
  writeFileSync(dup.file('metricsJsonl'), [...lines.slice(0, 4), lines[2], ...lines.slice(4)].join('\n'));
  assert.equal(store.read(dup.id).statusNote, 'metrics.jsonl: line 5: epoch 2 of arm "hard" again (first on line 3)');
});

test('a run file that is not a JSON object, and a metrics row of the wrong shape, are problems too', () => {
  const store = new RunStore(tempDir());
  const a = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:00:00Z' });
  writeFileSync(a.file('environment'), '[1, 2]');
  assert.equal(store.read(a.id).statusNote, 'environment.json: expected a JSON object, got [1,2]');
  const b = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:01:00Z' });
  const lines = readFileSync(b.file('metricsJsonl'), 'utf8').split('\n');
  lines[2] = JSON.stringify({ ...JSON.parse(lines[2]!), epoch: 'two' });
  writeFileSync(b.file('metricsJsonl'), lines.join('\n'));
  assert.equal(store.read(b.id).statusNote, 'metrics.jsonl: line 3: "epoch": expected number, got "two"');
  assert.equal(store.read(b.id, { metrics: false }).status, 'completed', 'metrics.jsonl is only read when asked for');
});

test('fields the schemas do not name are allowed and kept: a later ls-bench may add some', () => {
  const store = new RunStore(tempDir());
  const w = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:00:00Z' });
  editJson(w.file('summary'), (s) => {
    s.bootstrap = { resamples: 1000 };
    (s.arms as Record<string, unknown>[])[0]!.note = 'extra';
  });
  editJson(w.file('status'), (s) => delete s.host);
  const r = store.read(w.id);
  assert.equal(r.status, 'completed', r.statusNote ?? '');
  assert.deepEqual((r.summary as unknown as Record<string, unknown>).bootstrap, { resamples: 1000 });
  assert.equal((r.summary!.arms[0] as unknown as Record<string, unknown>).note, 'extra');
});

test('parseMetricsJsonl: blank lines and an unterminated bad last line are skipped; any other bad line is reported by number', () => {
  const row = (epoch: number) => JSON.stringify({ epoch, arm: 'hard', epsilon: 0, trainLoss: 1, trainNll: 1, testNll: 1, testAccuracy: 0.5, seconds: 0.1 });
  assert.deepEqual(parseMetricsJsonl(`${row(1)}\n\n${row(2)}\n{"epoch":3,"ar`), { rows: [JSON.parse(row(1)), JSON.parse(row(2))], problem: null });
  assert.deepEqual(parseMetricsJsonl(''), { rows: [], problem: null });
  const damaged = parseMetricsJsonl(`${row(1)}\n{"epoch":2,"ar\n${row(3)}\n`);
  assert.deepEqual(damaged.problem, { line: 2, message: 'not valid JSON' });
  // a terminated last line was completely written: if it is bad, it is damage, not a crash mid-append
  assert.deepEqual(parseMetricsJsonl(`${row(1)}\n{"epoch":2}\n`).problem, { line: 2, message: '"trainLoss": expected number, got nothing' });
});

test('readMetricsFile: a damaged line is a user error (exit 2) naming the file and the line', () => {
  const store = new RunStore(tempDir());
  const w = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:00:00Z', outcome: 'interrupted' });
  assert.equal(readMetricsFile(w.file('metricsJsonl')).length, 4);
  writeFileSync(w.file('metricsJsonl'), `x\n${readFileSync(w.file('metricsJsonl'), 'utf8')}`);
  assert.throws(
    () => readMetricsFile(w.file('metricsJsonl')),
    (e: unknown) => e instanceof CliError && e.exitCode === 2 && e.message.startsWith(`${w.file('metricsJsonl')}: line 1: not valid JSON`),
  );
});

test('a run file replaced by a FIFO, a device or something huge: listed as corrupt at once, naming the file and what it is', () => {
  const { store, a, b, c } = threeRuns(tempDir());
  rmSync(a.file('status'));
  execFileSync('mkfifo', [a.file('status')]);
  rmSync(b.file('summary'));
  symlinkSync('/dev/zero', b.file('summary'));
  truncateSync(c.file('histograms'), MAX_RUN_FILE_BYTES + 1);
  const started = Date.now();
  const byId = new Map(store.list().map((r) => [r.id, r]));
  assert.ok(Date.now() - started < 3000, 'nothing waited on the FIFO or read the device');
  assert.deepEqual(byId.get(a.id)!.problems[0], { file: 'status.json', message: 'a FIFO, not a regular file; replaced by hand?' });
  assert.deepEqual(byId.get(b.id)!.problems[0], { file: 'summary.json', message: 'a device, not a regular file; replaced by hand?' });
  assert.deepEqual(byId.get(c.id)!.problems[0], { file: 'histograms.json', message: 'larger than 512 MiB; not a file ls-bench wrote' });
  for (const r of [a, b, c]) assert.equal(byId.get(r.id)!.status, 'corrupt');
  assert.throws(() => readMetricsFile(path.join(a.dir, 'status.json')), (e: unknown) => e instanceof CliError && /status\.json: cannot read the metrics \(a FIFO, not a regular file; replaced by hand\?\)$/.test(e.message));
});
