import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../../src/errors';
import { RunStore } from '../../src/store/RunStore';
import { threeRuns, writeFixtureRun } from '../helpers/fixtureRuns';
import { tempDir } from '../helpers/tempDir';

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
  assert.throws(() => store.remove(live.id), /run \S+ is still running \(stop it before removing it\): locked by pid \d+ on /);
  assert.ok(readFileSync(path.join(live.dir, 'run.json')));
});
