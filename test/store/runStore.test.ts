import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../../src/errors';
import { RunStore, processLiveness } from '../../src/store/RunStore';
import { filterRuns, parseSince } from '../../src/store/runQuery';
import { threeRuns, writeFixtureRun } from '../helpers/fixtureRuns';
import { tempDir } from '../helpers/tempDir';

function editJson(file: string, edit: (value: Record<string, unknown>) => void): void {
  const value = JSON.parse(readFileSync(file, 'utf8'));
  edit(value);
  writeFileSync(file, JSON.stringify(value));
}

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return child.pid!;
}

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

test('a running run whose process is gone is reported as died; one on another host as unknown', () => {
  const store = new RunStore(tempDir());
  const w = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:00:00Z', outcome: 'running' });
  const pid = deadPid();
  assert.equal(processLiveness(pid, undefined), 'dead');
  editJson(w.file('status'), (s) => (s.pid = pid));
  let r = store.read(w.id);
  assert.equal(r.status, 'died');
  assert.match(r.statusNote!, new RegExp(`pid ${pid}`));
  editJson(w.file('status'), (s) => {
    s.pid = process.pid;
    s.host = 'some-other-host';
  });
  r = store.read(w.id);
  assert.equal(r.status, 'unknown');
  assert.match(r.statusNote!, /some-other-host/);
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

test('run resolution: id, unique prefix, name, latest; unknown and ambiguous are exit-2 errors', () => {
  const { store, a, b, c } = threeRuns(tempDir());
  assert.equal(store.resolve(a.id), a.id);
  assert.equal(store.resolve('latest'), c.id);
  assert.equal(store.resolve('eps01'), b.id);
  assert.equal(store.resolve(b.id.slice(0, 16)), b.id, 'prefix down to the minute is unique');
  const usage = (pattern: RegExp) => (e: unknown) => e instanceof CliError && e.exitCode === 2 && pattern.test(e.message);
  assert.throws(() => store.resolve('20261120-10'), usage(new RegExp(`ambiguous id prefix, matches 3 runs: ${c.id}, ${b.id}, ${a.id}`)));
  assert.throws(() => store.resolve('nope'), usage(/run "nope": no run with this id, id prefix or name/));
  writeFixtureRun(store, { epsilon: 0.1, name: 'eps01', createdAt: '2026-11-21T10:00:00Z' });
  assert.throws(() => store.resolve('eps01'), usage(/2 runs have this name, name one by id: /));
  assert.throws(() => new RunStore(tempDir()).resolve('latest'), usage(/there are no runs in/));
});

test('runs started in the same second are ordered by their creation time', () => {
  const store = new RunStore(tempDir());
  const first = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:00:00.100Z' });
  const second = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:00:00.900Z' });
  assert.equal(store.resolve('latest'), second.id);
  assert.deepEqual(store.runIds(), [second.id, first.id]);
});

test('remove deletes a run directory and refuses a live one', () => {
  const { store, a } = threeRuns(tempDir());
  store.remove(a.id);
  assert.equal(store.runIds().length, 2);
  const live = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-21T10:00:00Z', outcome: 'running' });
  assert.throws(() => store.remove(live.id), /still running \(pid \d+\)/);
  assert.ok(readFileSync(path.join(live.dir, 'run.json')));
});

test('--since: durations and dates, hand-computed', () => {
  const now = Date.UTC(2026, 10, 25, 12, 0, 0);
  assert.equal(parseSince('2h', now), Date.UTC(2026, 10, 25, 10, 0, 0));
  assert.equal(parseSince('7d', now), Date.UTC(2026, 10, 18, 12, 0, 0));
  assert.equal(parseSince('30m', now), Date.UTC(2026, 10, 25, 11, 30, 0));
  assert.equal(parseSince('1w', now), Date.UTC(2026, 10, 18, 12, 0, 0));
  assert.equal(parseSince('2026-11-20', now), Date.UTC(2026, 10, 20));
  assert.equal(parseSince('2026-11-20T10:01:00Z', now), Date.UTC(2026, 10, 20, 10, 1));
  for (const bad of ['yesterday', '2h ago', '-1d', '2026-13-45', '']) assert.throws(() => parseSince(bad, now), /--since ".*": expected a duration/);
});

test('filters: data set, status, since, tag, limit', () => {
  const { store, a, b, c } = threeRuns(tempDir());
  const fm = writeFixtureRun(store, { epsilon: 0.1, dataset: 'fashion-mnist', createdAt: '2026-11-22T10:00:00Z', outcome: 'interrupted' });
  const all = store.list();
  const ids = (f: Parameters<typeof filterRuns>[1]) => filterRuns(all, f).map((r) => r.id);
  assert.deepEqual(ids({ dataset: 'fashion-mnist' }), [fm.id]);
  assert.deepEqual(ids({ statuses: ['completed'] }), [c.id, b.id, a.id]);
  assert.deepEqual(ids({ since: Date.parse('2026-11-20T10:01:00Z') }), [fm.id, c.id, b.id]);
  assert.deepEqual(ids({ tag: 'sweep' }), [b.id, a.id]);
  assert.deepEqual(ids({ limit: 2 }), [fm.id, c.id]);
});
