import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from '../../src/errors';
import { compareSortValues, parseSort, runSortValue, sortBy } from '../../src/store/runSort';
import { threeRuns, writeFixtureRun } from '../helpers/fixtureRuns';
import { tempDir } from '../helpers/tempDir';

test('parseSort: a column or a training option, ascending unless :desc; anything else names what it accepts', () => {
  assert.deepEqual(parseSort('hard.accuracy'), { key: 'hard.accuracy', descending: false });
  assert.deepEqual(parseSort('learningRate:desc'), { key: 'learningRate', descending: true });
  assert.deepEqual(parseSort('created:asc'), { key: 'created', descending: false });
  for (const bad of ['accuracy', 'learningRate:down', '', 'seed desc']) {
    assert.throws(() => parseSort(bad), (e: unknown) => e instanceof CliError && e.exitCode === 2 && /expected KEY or KEY:desc, where KEY is one of created, id, .* or a training option \(dataset, /.test(e.message), bad);
  }
});

test('sorting: numbers as numbers, values that are missing last in either direction, ties in their order', () => {
  assert.deepEqual([3, undefined, 10, 2].sort((a, b) => compareSortValues(a, b, false)), [2, 3, 10, undefined]);
  assert.deepEqual([3, undefined, 10, 2].sort((a, b) => compareSortValues(a, b, true)), [10, 3, 2, undefined]);
  const { store, a, b, c } = threeRuns(tempDir());
  const d = writeFixtureRun(store, { epsilon: 0.3, createdAt: '2026-11-21T10:00:00Z', outcome: 'interrupted', config: { learningRate: 0.01 } });
  const runs = [c, b, a, d].map((w) => store.read(w.id, { metrics: false }));
  const order = (text: string) => {
    const sort = parseSort(text);
    return sortBy(runs, sort, (r) => runSortValue(r, sort.key)).map((r) => r.id);
  };
  // fixture: the smoothed arm's ECE is |0.9 − ε − 5/6|: 0.0333 for ε = 0.1, 0.1333 for ε = 0.2; a (ε = 0) has no
  // smoothed arm and d no summary: both last, in their order
  assert.deepEqual(order('smoothed.ece'), [b.id, c.id, a.id, d.id]);
  assert.deepEqual(order('smoothed.ece:desc'), [c.id, b.id, a.id, d.id]);
  assert.deepEqual(order('created'), [a.id, b.id, c.id, d.id]);
  assert.deepEqual(order('learningRate:desc'), [d.id, c.id, b.id, a.id], '0.01 before the default 0.003, the rest in their order');
  assert.deepEqual(order('name'), [a.id, b.id, c.id, d.id], 'eps0, eps01, eps02, then the unnamed run');
  assert.equal(runSortValue(runs[0]!, 'hidden'), '[32]', 'a list compares as its JSON');
});
