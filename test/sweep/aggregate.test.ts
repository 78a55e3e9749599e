import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateSweep, aggregateValue } from '../../src/sweep/aggregate';
import type { SweepGrid } from '../../src/sweep/grid';
import type { CellResult } from '../../src/sweep/sweepFiles';
import { cellResult } from '../helpers/sweepFixtures';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) < tol, `${a} ≠ ${b}`);


const GRID: SweepGrid = { epsilons: [0, 0.1], seeds: [0, 1, 2, 3], smoothing: ['uniform'] };

test('aggregate: mean ± sd per arm, paired differences with a hand-computed t-interval, McNemar per seed', () => {
  const cells = new Map<string, CellResult>([
    ['s0-uniform', cellResult(0, [0.8, 0.5, 0.05, 0.9], [0.81, 0.45, 0.02, 0.85])],
    ['s1-uniform', cellResult(1, [0.82, 0.48, 0.06, 0.92], [0.84, 0.44, 0.03, 0.86])],
    ['s2-uniform', cellResult(2, [0.78, 0.52, 0.04, 0.88], [0.79, 0.47, 0.01, 0.84])],
  ]);
  const a = aggregateSweep('sweep-x', GRID, cells);
  assert.deepEqual(a.missingCells, ['s3-uniform']);
  const [hard, smoothed] = a.points[0]!.variants[0]!.arms;
  assert.equal(hard!.arm, 'hard');
  assert.equal(smoothed!.arm, 'smoothed-0.1');
  assert.deepEqual(hard!.seeds, [0, 1, 2]);
  close(hard!.metrics.accuracy.mean, 0.8);
  close(hard!.metrics.accuracy.sd!, 0.02);
  assert.equal(hard!.vsHard, null);
  // Δaccuracy per seed: 0.01, 0.02, 0.01 → mean 0.013333, sd 0.0057735, se 0.0033333, t(0.975, 2) = 4.302653
  const d = smoothed!.vsHard!.accuracy;
  close(d.mean, 0.0133333);
  close(d.sd!, 0.0057735);
  close(d.tInterval!.low, 0.0133333 - 0.0143422);
  close(d.tInterval!.high, 0.0133333 + 0.0143422);
  assert.equal(d.verdict, 'no detectable difference', 'the t-interval contains 0');
  // ΔECE: −0.03 on every seed: sd 0, both intervals are the point −0.03 → lower ECE → helps
  assert.equal(smoothed!.vsHard!.ece.verdict, 'helps');
  // ΔNLL: −0.05, −0.04, −0.05: t-interval [−0.0601, −0.0332] → helps (lower NLL)
  assert.equal(smoothed!.vsHard!.nll.verdict, 'helps');
  assert.equal(smoothed!.vsHard!.meanConfidence.verdict, 'lower');
  assert.deepEqual(smoothed!.mcnemar.map((m) => m.seed), [0, 1, 2]);
  assert.equal(smoothed!.mcnemar[0]!.pValue, 0.7265625);
  close(aggregateValue(a, 'p1', 'uniform', 0.1, 'accuracy')!, 0.8133333);
  assert.equal(aggregateValue(a, 'p1', 'others', 0.1, 'accuracy'), undefined);
});

test('hurts, and too few seeds', () => {
  const worse = new Map<string, CellResult>([
    ['s0-uniform', cellResult(0, [0.8, 0.5, 0.05, 0.9], [0.7, 0.6, 0.09, 0.85])],
    ['s1-uniform', cellResult(1, [0.82, 0.48, 0.06, 0.92], [0.71, 0.59, 0.1, 0.86])],
    ['s2-uniform', cellResult(2, [0.78, 0.52, 0.04, 0.88], [0.69, 0.61, 0.07, 0.84])],
  ]);
  const a = aggregateSweep('sweep-x', GRID, worse).points[0]!.variants[0]!.arms[1]!.vsHard!;
  assert.equal(a.accuracy.verdict, 'hurts');
  assert.equal(a.nll.verdict, 'hurts');
  assert.equal(a.ece.verdict, 'hurts');
  const one = aggregateSweep('sweep-x', GRID, new Map([['s0-uniform', worse.get('s0-uniform')!]])).points[0]!.variants[0]!.arms[1]!.vsHard!;
  assert.equal(one.accuracy.verdict, 'too few seeds');
  assert.equal(one.accuracy.tInterval, null);
});

test('aggregate by grid point: each point its own means and paired differences, computed from its cells only', () => {
  const grid: SweepGrid = { epsilons: [0, 0.1], seeds: [0, 1, 2], smoothing: ['uniform'], axes: [{ key: 'labelNoise', values: [0, 0.4] }] };
  const cells = new Map<string, CellResult>();
  // at labelNoise=0 smoothing costs 0.01 accuracy on every seed; at 0.4 it gains 0.03, 0.05, 0.04
  for (const [seed, hard0, hard4, gain] of [[0, 0.9, 0.6, 0.03], [1, 0.92, 0.62, 0.05], [2, 0.88, 0.58, 0.04]] as const) {
    cells.set(`p1-s${seed}-uniform`, cellResult(seed, [hard0, 0.3, 0.02, 0.9], [hard0 - 0.01, 0.31, 0.03, 0.85], undefined, { point: 'p1' }));
    cells.set(`p2-s${seed}-uniform`, cellResult(seed, [hard4, 1.2, 0.2, 0.8], [hard4 + gain, 1.0, 0.1, 0.7], undefined, { point: 'p2' }));
  }
  cells.delete('p2-s2-uniform');
  const a = aggregateSweep('sweep-x', grid, cells);
  assert.deepEqual(a.points.map((p) => [p.id, p.label, p.values]), [['p1', 'labelNoise=0', { labelNoise: 0 }], ['p2', 'labelNoise=0.4', { labelNoise: 0.4 }]]);
  assert.deepEqual(a.missingCells, ['p2-s2-uniform']);
  const [low, high] = a.points.map((p) => p.variants[0]!.arms);
  assert.deepEqual(low![0]!.seeds, [0, 1, 2]);
  assert.deepEqual(high![0]!.seeds, [0, 1], 'the missing cell is missing at its point only');
  close(low![0]!.metrics.accuracy.mean, 0.9);
  close(low![0]!.metrics.accuracy.sd!, 0.02);
  close(low![1]!.vsHard!.accuracy.mean, -0.01);
  assert.equal(low![1]!.vsHard!.accuracy.verdict, 'hurts', '−0.01 on every seed: both intervals are the point −0.01');
  close(high![0]!.metrics.accuracy.mean, 0.61);
  // Δaccuracy at p2: 0.03, 0.05 → mean 0.04, sd 0.0141421, se 0.01, t(0.975, 1) = 12.7062047 → [−0.0871, 0.1671]
  const d = high![1]!.vsHard!.accuracy;
  close(d.mean, 0.04);
  close(d.sd!, 0.0141421);
  close(d.tInterval!.low, 0.04 - 0.127062047);
  close(d.tInterval!.high, 0.04 + 0.127062047);
  assert.equal(d.verdict, 'no detectable difference');
  close(aggregateValue(a, 'p2', 'uniform', 0.1, 'accuracy')!, 0.65);
  close(aggregateValue(a, 'p1', 'uniform', 0.1, 'accuracy')!, 0.89);
  assert.equal(aggregateValue(a, 'p3', 'uniform', 0.1, 'accuracy'), undefined);
});

test('a diverged arm is left out of its means, of the paired differences and of McNemar, counted and named', () => {
  const cells = new Map<string, CellResult>([
    ['s0-uniform', cellResult(0, [0.8, 0.5, 0.05, 0.9], [0.81, 0.45, 0.02, 0.85])],
    ['s1-uniform', cellResult(1, [0.82, 0.48, 0.06, 0.92], [0.1, 3.1e10, 0.9, 1], undefined, { diverged: { smoothed: 'smoothed diverged: non-finite loss' } })],
    ['s2-uniform', cellResult(2, [0.78, 0.52, 0.04, 0.88], [0.79, 0.47, 0.01, 0.84])],
    ['s3-uniform', cellResult(3, [0.2, 9e9, 0.5, 1], [0.8, 0.46, 0.02, 0.85], undefined, { diverged: { hard: 'hard diverged: training NLL 9e9' } })],
  ]);
  const [hard, smoothed] = aggregateSweep('sweep-x', GRID, cells).points[0]!.variants[0]!.arms;
  assert.deepEqual(hard!.seeds, [0, 1, 2]);
  assert.deepEqual(hard!.diverged, [{ seed: 3, message: 'hard diverged: training NLL 9e9' }]);
  close(hard!.metrics.nll.mean, 0.5);
  assert.deepEqual(smoothed!.seeds, [0, 2, 3]);
  assert.deepEqual(smoothed!.diverged.map((d) => d.seed), [1]);
  close(smoothed!.metrics.nll.mean, (0.45 + 0.47 + 0.46) / 3, 1e-9);
  // paired only where neither diverged: seeds 0 and 2
  assert.deepEqual(smoothed!.excludedSeeds, [1, 3]);
  close(smoothed!.vsHard!.nll.mean, -0.05, 1e-12);
  close(smoothed!.vsHard!.nll.sd!, 0, 1e-12);
  assert.deepEqual(smoothed!.mcnemar.map((m) => m.seed), [0, 2]);
});

test('temperature-scaled metrics: per arm, smoothedTs − hardTs, and smoothed − hardTs (does smoothing beat temperature scaling?)', () => {
  // scaled: [T, accuracy, nll, ece, brier, meanConfidence]
  const scaled = (hardEce: number, smoothedEce: number) => ({ hard: [1.3, 0.8, 0.45, hardEce, 0.3, 0.8], smoothed: [0.9, 0.81, 0.44, smoothedEce, 0.29, 0.8] });
  const cells = new Map<string, CellResult>([
    ['s0-uniform', cellResult(0, [0.8, 0.5, 0.05, 0.9, 0.31], [0.81, 0.45, 0.06, 0.75, 0.3], undefined, { scaled: scaled(0.01, 0.02) })],
    ['s1-uniform', cellResult(1, [0.82, 0.48, 0.06, 0.92, 0.3], [0.84, 0.44, 0.07, 0.76, 0.29], undefined, { scaled: scaled(0.012, 0.021) })],
    ['s2-uniform', cellResult(2, [0.78, 0.52, 0.04, 0.88, 0.32], [0.79, 0.47, 0.065, 0.74, 0.31], undefined, { scaled: scaled(0.011, 0.019) })],
  ]);
  const a = aggregateSweep('sweep-x', GRID, cells);
  const [hard, smoothed] = a.points[0]!.variants[0]!.arms;
  close(hard!.metrics.temperature.mean, 1.3);
  close(hard!.metrics.tsEce.mean, 0.011);
  close(aggregateValue(a, 'p1', 'uniform', 0, 'tsEce')!, 0.011);
  close(smoothed!.vsHard!.tsEce.mean, (0.01 + 0.009 + 0.008) / 3, 1e-9);
  // the smoothed arm as trained against the scaled hard arm: ECE 0.06, 0.07, 0.065 against 0.01, 0.012, 0.011 → hurts
  const vs = smoothed!.vsScaledHard!.ece;
  close(vs.mean, (0.05 + 0.058 + 0.054) / 3, 1e-9);
  assert.equal(vs.verdict, 'hurts');
  assert.equal(hard!.vsScaledHard, null);
  // cells without temperature scaling have no ts values, no vsScaledHard
  const plain = aggregateSweep('sweep-x', GRID, new Map([['s0-uniform', cellResult(0, [0.8, 0.5, 0.05, 0.9], [0.81, 0.45, 0.02, 0.85])]]));
  assert.equal(plain.points[0]!.variants[0]!.arms[1]!.vsScaledHard, null);
  assert.equal(aggregateValue(plain, 'p1', 'uniform', 0, 'tsEce'), undefined);
});
