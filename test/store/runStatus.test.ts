import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { RunStore } from '../../src/store/RunStore';
import { processLiveness } from '../../src/store/runStatus';
import { editJson, writeFixtureRun } from '../helpers/fixtureRuns';
import { tempDir } from '../helpers/tempDir';

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return child.pid!;
}

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
