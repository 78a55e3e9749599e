import { test } from 'node:test';
import assert from 'node:assert/strict';
import { differingOptions, filterRuns, parseSince, runOption, sweepRefOf } from '../../src/store/runQuery';
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

test('sweepRefOf: run.json\'s sweep cell, or the sweep tag and name of runs written before it was recorded', () => {
  const meta = (m: Record<string, unknown>) => ({ meta: { schemaVersion: 1, id: 'x', name: null, tags: [], createdAt: '', command: [], ...m } });
  assert.deepEqual(sweepRefOf(meta({ sweep: { id: 'sweep-0123456789ab', cell: 'p2-s0-uniform', dir: '/s' } })), { id: 'sweep-0123456789ab', cell: 'p2-s0-uniform', dir: '/s' });
  assert.deepEqual(sweepRefOf(meta({ name: 'sweep-0123456789ab-s3-others', tags: ['sweep-0123456789ab'] })), { id: 'sweep-0123456789ab', cell: 's3-others', dir: null });
  assert.equal(sweepRefOf(meta({ name: 'eps01', tags: ['sweep'] })), null);
  assert.equal(sweepRefOf(meta({ name: 'mine', tags: ['sweep-0123456789ab'] })), null, 'a tag alone is not a sweep cell');
  assert.equal(sweepRefOf({ meta: null }), null);
});

test('differingOptions: the config keys whose values differ between the runs, without those with columns of their own', () => {
  const { store, a, b } = threeRuns(tempDir());
  const read = (id: string) => store.read(id, { metrics: false });
  assert.deepEqual(differingOptions([read(a.id), read(b.id)]), [], 'they differ in ε only, which has its column');
  const c = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-21T10:00:00Z', epochs: 4, config: { learningRate: 0.01, hidden: [8, 8], limit: 100 } });
  assert.deepEqual(differingOptions([read(a.id), read(c.id)]), ['limit', 'hidden', 'learningRate'], "in the schema's order; epochs has its column");
  assert.deepEqual(differingOptions([read(c.id)]), [], 'one run differs from nothing');
  assert.deepEqual([runOption(read(c.id), 'hidden'), runOption(read(a.id), 'limit')], [[8, 8], undefined]);
});
