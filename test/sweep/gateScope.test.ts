import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from '../../src/errors';
import { AssertionSyntaxError, parseAssertion } from '../../src/sweep/assertions';
import { evaluateAssertion, type AssertionContext } from '../../src/sweep/gateEvaluation';
import { resolveScope, scopePoints } from '../../src/sweep/gateScope';
import type { SweepGrid } from '../../src/sweep/grid';

const GRID: SweepGrid = {
  epsilons: [0, 0.1],
  seeds: [0, 1],
  smoothing: ['uniform'],
  axes: [
    { key: 'labelNoise', values: [0, 0.2, 0.4] },
    { key: 'hidden', values: [[64], [256, 128]] },
  ],
};

function usage(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof CliError && e.exitCode === 2 && pattern.test(e.message), String(pattern));
}

const ids = (source: string) => resolveScope(parseAssertion(source).scope, GRID, source).map((p) => p.id);

test('gate scopes: all(…) and a bare gate are every grid point; at(…) picks by key=value or point id', () => {
  assert.deepEqual(parseAssertion('smoothed.ece <= 1').scope, { kind: 'all' });
  assert.deepEqual(parseAssertion(' all( smoothed.ece <= 1 ) ').scope, { kind: 'all' });
  assert.deepEqual(parseAssertion('any(smoothed.ece <= 1)').scope, { kind: 'any' });
  assert.deepEqual(parseAssertion('all(smoothed.ece <= 1)').comparisons, parseAssertion('smoothed.ece <= 1').comparisons, 'the same assertion inside');
  assert.deepEqual(ids('smoothed.ece <= 1'), ['p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
  assert.deepEqual(ids('at(labelNoise=0.4: smoothed.ece <= 1)'), ['p5', 'p6']);
  assert.deepEqual(ids('at(label-noise=0.40, hidden=[256,128]: smoothed.ece <= 1)'), ['p6'], 'kebab-case keys, values as --grid reads them');
  assert.deepEqual(ids('at(hidden=[64]: smoothed.ece <= 1)'), ['p1', 'p3', 'p5']);
  assert.deepEqual(ids('at(p2: smoothed.ece <= 1)'), ['p2']);
  assert.deepEqual(parseAssertion('at(dataset="csv:a,b.csv": hard.ece <= 1)').scope, { kind: 'at', items: [{ kind: 'value', name: 'dataset', valueText: 'csv:a,b.csv' }], text: 'dataset="csv:a,b.csv"' });
  assert.deepEqual(scopePoints(parseAssertion('at(p2: hard.ece <= 1)').scope, GRID, 'x'), [{ id: 'p2', label: 'labelNoise=0 hidden=[256,128]' }]);
  usage(() => ids('at(labelNoise=0.3: hard.ece <= 1)'), /labelNoise=0\.3 is not a value of the grid; its values are 0, 0\.2, 0\.4/);
  usage(() => ids('at(dropout=0: hard.ece <= 1)'), /"dropout" is not an axis of this sweep's grid; its axes are labelNoise, hidden/);
  usage(() => ids('at(p7: hard.ece <= 1)'), /p7 is not a grid point of this sweep; it has p1 to p6/);
  usage(() => ids('at(p1, labelNoise=0.4: hard.ece <= 1)'), /picks no grid point/);
  usage(() => resolveScope(parseAssertion('at(labelNoise=0: hard.ece <= 1)').scope, { ...GRID, axes: undefined }, 'g'), /it has no axes \(no --grid\)/);
});

test('gate scope syntax errors give the column in the whole gate', () => {
  const cases: [string, number, RegExp][] = [
    ['all(smoothed.ece <= 1', 22, /expected "\)" to close "all\("/],
    ['at(labelNoise=0 smoothed.ece <= 1)', 34, /expected ":" between the grid point and the assertion/],
    ['at(labelNoise: smoothed.ece <= 1)', 4, /expected a grid point \(p2\) or key=value \(labelNoise=0\.2\), got "labelNoise"/],
    ['at(labelNoise=0: smoothed.ece <== 1)', 33, /expected a number or an arm metric/],
    ['any(smoothed.ece = 1)', 18, /did you mean "=="/],
  ];
  for (const [source, column, pattern] of cases) {
    assert.throws(
      () => parseAssertion(source),
      (e: unknown) => e instanceof AssertionSyntaxError && e.column === column && pattern.test(e.reason),
      `${source} → column ${column}`,
    );
  }
});

/** Mean accuracy per grid point and arm: smoothing helps only at p3. */
const BY_POINT: Record<string, Record<number, number>> = { p1: { 0: 0.9, 0.1: 0.89 }, p2: { 0: 0.8, 0.1: 0.8 }, p3: { 0: 0.6, 0.1: 0.65 } };
const CONTEXT: AssertionContext = {
  points: [
    { id: 'p1', label: 'labelNoise=0' },
    { id: 'p2', label: 'labelNoise=0.2' },
    { id: 'p3', label: 'labelNoise=0.4' },
  ],
  variants: ['uniform'],
  smoothedEpsilons: [0.1],
  value: (_variant, epsilon, metric, point) => (metric === 'accuracy' ? BY_POINT[point]?.[epsilon] : undefined),
};

test('gates over grid points: all fails at the points it fails, any holds where one point holds, at only reads its points', () => {
  const all = evaluateAssertion(parseAssertion('all(smoothed.accuracy >= hard.accuracy)'), CONTEXT);
  assert.equal(all.holds, false);
  assert.deepEqual(all.instances.map((i) => [i.point, i.holds]), [['p1', false], ['p2', true], ['p3', true]]);
  assert.deepEqual(all.failures, ['assertion failed [labelNoise=0, uniform, ε=0.1]: all(smoothed.accuracy >= hard.accuracy) (measured: smoothed-0.1.accuracy = 0.89, hard.accuracy = 0.9)']);
  const any = evaluateAssertion(parseAssertion('any(smoothed.accuracy > hard.accuracy + 0.01)'), CONTEXT);
  assert.equal(any.holds, true, 'p3: +0.05');
  const none = evaluateAssertion(parseAssertion('any(smoothed.accuracy > hard.accuracy + 0.1)'), CONTEXT);
  assert.equal(none.holds, false);
  assert.equal(none.failures.length, 3, 'one line per grid point');
  assert.match(none.failures[2]!, /^assertion failed \[labelNoise=0\.4, uniform, ε=0\.1\]: any\(.*\) \(holds at no grid point\) \(measured: smoothed-0\.1\.accuracy = 0\.65, hard\.accuracy = 0\.6\)$/);
  const at = evaluateAssertion(parseAssertion('at(labelNoise=0.4: smoothed.accuracy > hard.accuracy)'), { ...CONTEXT, points: [CONTEXT.points![2]!] });
  assert.equal(at.holds, true);
  assert.equal(at.instances.length, 1);
  const missing = evaluateAssertion(parseAssertion('hard.ece <= 1'), CONTEXT);
  assert.equal(missing.holds, false, 'no value at any point: the gate fails');
});
