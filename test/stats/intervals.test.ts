import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapInterval, mean, quantileSorted, sampleSd, tInterval, verdictOf } from '../../src/stats/intervals';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) < tol, `${a} ≠ ${b}`);

test('mean and sample sd against hand-computed values', () => {
  close(mean([1, 2, 3, 4, 5]), 3);
  close(sampleSd([1, 2, 3, 4, 5])!, Math.sqrt(2.5), 1e-12);
  close(sampleSd([2, 4, 4, 4, 5, 5, 7, 9])!, Math.sqrt(32 / 7), 1e-12);
  assert.equal(sampleSd([1]), null);
});

test('Student t-intervals against tabulated quantiles', () => {
  // n=5: t(0.975, 4) = 2.776445; sd = √2.5, half-width = 2.776445·√2.5/√5 = 1.963243
  const a = tInterval([1, 2, 3, 4, 5])!;
  close(a.low, 3 - 1.963243);
  close(a.high, 3 + 1.963243);
  // n=2: t(0.975, 1) = 12.706205; values 0.01, 0.03: mean 0.02, sd 0.0141421, se 0.01 → ±0.127062
  const b = tInterval([0.01, 0.03])!;
  close(b.low, 0.02 - 0.12706205);
  close(b.high, 0.02 + 0.12706205);
  // n=10, 90%: t(0.95, 9) = 1.833113; values 0..9: mean 4.5, sd 3.02765, se 0.957427 → ±1.755064
  const c = tInterval([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 0.9)!;
  close(c.low, 4.5 - 1.755064, 1e-5);
  close(c.high, 4.5 + 1.755064, 1e-5);
  assert.equal(tInterval([0.5]), null);
});

test('percentile bootstrap: seeded, inside the range, degenerate for constant values', () => {
  const values = [0.004, -0.002, 0.006, 0.001, 0.003];
  const a = bootstrapInterval(values, { seed: 1 })!;
  assert.deepEqual(bootstrapInterval(values, { seed: 1 }), a, 'the same seed gives the same interval');
  assert.ok(a.low >= Math.min(...values) && a.high <= Math.max(...values));
  assert.ok(a.low < mean(values) && mean(values) < a.high);
  const t = tInterval(values)!;
  assert.ok(a.high - a.low < t.high - t.low, 'narrower than the t-interval with five values');
  const constant = bootstrapInterval([0.2, 0.2, 0.2])!;
  close(constant.low, 0.2, 1e-12);
  close(constant.high, 0.2, 1e-12);
  assert.equal(bootstrapInterval([1]), null);
});

test('quantileSorted interpolates between order statistics (type 7)', () => {
  close(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  close(quantileSorted([1, 2, 3, 4], 0.025), 1.075);
  close(quantileSorted([10, 20], 1), 20);
});

test('verdicts only where both intervals exclude zero', () => {
  const pos = { low: 0.001, high: 0.01 };
  const neg = { low: -0.01, high: -0.001 };
  const span = { low: -0.001, high: 0.01 };
  assert.equal(verdictOf(pos, pos, 'higher-is-better'), 'helps');
  assert.equal(verdictOf(neg, neg, 'higher-is-better'), 'hurts');
  assert.equal(verdictOf(neg, neg, 'lower-is-better'), 'helps');
  assert.equal(verdictOf(pos, pos, 'lower-is-better'), 'hurts');
  assert.equal(verdictOf(span, pos, 'higher-is-better'), 'no detectable difference', 't-interval spans 0');
  assert.equal(verdictOf(pos, span, 'higher-is-better'), 'no detectable difference', 'bootstrap spans 0');
  assert.equal(verdictOf(null, null, 'higher-is-better'), 'too few seeds');
});
