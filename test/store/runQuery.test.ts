import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterRuns, parseSince } from '../../src/store/runQuery';
import { threeRuns, writeFixtureRun } from '../helpers/fixtureRuns';
import { tempDir } from '../helpers/tempDir';

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
