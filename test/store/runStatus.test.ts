import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RunStore } from '../../src/store/RunStore';
import { processLiveness } from '../../src/store/processIdentity';
import { editJson, writeFixtureRun } from '../helpers/fixtureRuns';
import { tempDir } from '../helpers/tempDir';

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return child.pid!;
}

/** A running fixture whose training process "died": its writer lets go of nothing, status.json and run.lock are edited. */
function runningFixture() {
  const store = new RunStore(tempDir());
  const w = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:00:00Z', outcome: 'running' });
  return { store, w, lockFile: path.join(w.dir, 'run.lock') };
}

test('a run written before run locks: its status.json pid decides (died when gone; unknown on another host)', () => {
  const { store, w, lockFile } = runningFixture();
  w.release();
  rmSync(lockFile, { force: true });
  const pid = deadPid();
  assert.equal(processLiveness({ pid }), 'dead');
  editJson(w.file('status'), (s) => {
    s.pid = pid;
    delete s.startTime;
    delete s.bootId;
  });
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

test('a live lock holder means running; a lock whose pid was reused by another process means died', () => {
  const { store, w, lockFile } = runningFixture();
  assert.equal(store.read(w.id).status, 'running', 'its writer (this process) holds the lock');
  w.release();
  // The same pid, alive (this test process), but another start time: a reused pid, not the trainer.
  const holder = { pid: process.pid, startTime: '1', hostname: require('node:os').hostname(), bootId: null, pidNamespace: null, purpose: 'training', acquiredAt: 'then', token: 'old-token' };
  writeFileSync(lockFile, JSON.stringify(holder));
  editJson(w.file('status'), (s) => (s.startTime = '1'));
  const r = store.read(w.id);
  assert.equal(r.status, 'died', r.statusNote ?? '');
  assert.match(r.statusNote!, /is gone/);
});

test('a holder on another host (a container whose hostname changed) is running while its heartbeat is fresh, died after', () => {
  const { store, w, lockFile } = runningFixture();
  w.release();
  const holder = { pid: 1, startTime: '5', hostname: 'container-before-restart', bootId: 'other-boot', pidNamespace: 'pid:[1]', purpose: 'training', acquiredAt: 'then', token: 'their-token' };
  writeFileSync(lockFile, JSON.stringify(holder));
  editJson(w.file('status'), (s) => (s.host = 'container-before-restart'));
  let r = store.read(w.id);
  assert.equal(r.status, 'running');
  assert.match(r.statusNote!, /on container-before-restart \(pid 1\); last heartbeat \d+ s ago/);
  const old = new Date(Date.now() - 10 * 60_000);
  utimesSync(lockFile, old, old);
  r = store.read(w.id);
  assert.equal(r.status, 'died');
  assert.match(r.statusNote!, /no heartbeat from pid 1 on container-before-restart for 600 s/);
});
