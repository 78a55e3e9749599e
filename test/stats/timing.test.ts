import { test } from 'node:test';
import assert from 'node:assert/strict';
import { busyMachineWarning, formatSeconds, formatTiming, median, outliers, timingStats } from '../../src/stats/timing';

test('timingStats: mean, sample sd, min, max, median', () => {
  const t = timingStats([2, 4, 4, 4, 5, 5, 7, 9]);
  assert.equal(t.mean, 5);
  assert.ok(Math.abs(t.sd! - 2.138089935) < 1e-9);
  assert.deepEqual([t.min, t.max, t.median, t.runs], [2, 9, 4.5, 8]);
  assert.equal(timingStats([3]).sd, null);
  assert.equal(median([3, 1, 2]), 2);
});

test('outliers: the 795 s run among 2.5 s runs stands out; ordinary noise and near-identical runs do not', () => {
  assert.deepEqual(outliers([2.5, 795, 2.6]), [795]);
  assert.deepEqual(outliers([1.0, 1.1, 0.95, 1.05, 3.2]), [3.2]);
  assert.deepEqual(outliers([1.0, 1.1, 0.95, 1.05, 1.2]), []);
  assert.deepEqual(outliers([2.81, 2.87, 3.34]), [], 'three runs on a shared machine: noise, not an outlier');
  assert.deepEqual(outliers([1, 1, 1.1]), [], 'a hair of difference is not an outlier');
  assert.deepEqual(outliers([1, 1, 1.5]), [1.5]);
  assert.deepEqual(outliers([1, 50]), [], 'two runs cannot say which one is off');
});

test('formatTiming reads like hyperfine; a single run says it has no spread', () => {
  assert.equal(formatTiming(timingStats([1.007, 1.392, 1.105])), '1.17 s ± 200 ms (1.01 s … 1.39 s, 3 runs)');
  assert.equal(formatTiming(timingStats([61.3])), '61.3 s one run, no spread (61.3 s … 61.3 s, 1 run)');
  assert.equal(formatSeconds(0.0423), '42.3 ms');
  assert.equal(formatSeconds(795.2), '795 s');
});

test('busyMachineWarning: a load average above half the cores, before or after', () => {
  assert.equal(busyMachineWarning({ before: 0.3, after: 0.9 }, 2), null);
  assert.match(busyMachineWarning({ before: 0.3, after: 5.4 }, 2)!, /busy: load average 0\.30 before and 5\.40 after, on 2 cores/);
});
