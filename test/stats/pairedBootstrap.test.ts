import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePredictions } from '../../src/metrics/evaluate';
import { SeededRandom } from '../../src/random/SeededRandom';
import { metricsOfScores, PAIRED_METRICS, pairedBootstrapIntervals, sampleScores } from '../../src/stats/pairedBootstrap';

/** Two models' log-probabilities on the same n samples of k classes: the second less confident. */
function twoModels(n: number, k: number) {
  const rng = new SeededRandom(3, 'bootstrap-test');
  const labels: number[] = [];
  const sharp: number[] = [];
  const soft: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = rng.nextInt(k);
    labels.push(y);
    const guess = rng.nextFloat() < 0.8 ? y : (y + 1) % k;
    for (const [out, top] of [[sharp, 0.95], [soft, 0.7]] as const) {
      for (let c = 0; c < k; c++) out.push(Math.log(c === guess ? top : (1 - top) / (k - 1)));
    }
  }
  return { labels, sharp, soft };
}

test('the per-sample scores give back the metrics of evaluatePredictions', () => {
  const { labels, sharp } = twoModels(300, 4);
  const fromScores = metricsOfScores(sampleScores(sharp, labels, 4));
  const full = evaluatePredictions(sharp, labels, 4);
  for (const m of PAIRED_METRICS) assert.ok(Math.abs(fromScores[m] - full[m]) < 1e-12, m);
});

test('the paired interval contains the point estimate and is reproducible by seed', () => {
  const { labels, sharp, soft } = twoModels(400, 3);
  const a = sampleScores(sharp, labels, 3);
  const b = sampleScores(soft, labels, 3);
  const point = metricsOfScores(b);
  const base = metricsOfScores(a);
  const intervals = pairedBootstrapIntervals(a, b, { resamples: 2000, seed: 7 });
  for (const m of PAIRED_METRICS) {
    const [low, high] = intervals[m];
    const delta = point[m] - base[m];
    assert.ok(low <= delta && delta <= high, `${m}: ${delta} in [${low}, ${high}]`);
  }
  // the same predictions: accuracy identical on every resample, so its interval is [0, 0]
  assert.deepEqual(intervals.accuracy, [0, 0]);
  // less confident, every time: the mean-confidence interval lies below 0
  assert.ok(intervals.meanConfidence[1] < 0);
  assert.deepEqual(pairedBootstrapIntervals(a, b, { resamples: 2000, seed: 7 }), intervals);
  assert.notDeepEqual(pairedBootstrapIntervals(a, b, { resamples: 2000, seed: 8 }).nll, intervals.nll);
});

test('a model against itself has every interval at [0, 0]', () => {
  const { labels, sharp } = twoModels(50, 3);
  const a = sampleScores(sharp, labels, 3);
  const intervals = pairedBootstrapIntervals(a, a, { resamples: 200 });
  for (const m of PAIRED_METRICS) assert.deepEqual(intervals[m], [0, 0]);
  assert.throws(() => pairedBootstrapIntervals(a, sampleScores(sharp.slice(0, 3), [0], 3)), /50 vs 1 samples/);
});
