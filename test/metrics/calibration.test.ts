import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confidenceHistogram, expectedCalibrationError, reliabilityBins } from '../../src/metrics/calibration';
import { evaluatePredictions } from '../../src/metrics/evaluate';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('ECE by hand: two occupied bins', () => {
  // 15 bins: 0.95 and 0.97 fall in bin 14 (both right, conf mean 0.96 → gap 0.04);
  // 0.5 and 0.52 fall in bin 7 ((0.4667, 0.5333]; one right → acc 0.5, conf 0.51 → gap 0.01)
  const confidence = [0.95, 0.97, 0.5, 0.52];
  const correct = [1, 1, 1, 0];
  close(expectedCalibrationError(confidence, correct, 15), 0.5 * 0.04 + 0.5 * 0.01);
  const bins = reliabilityBins(confidence, correct, 15);
  assert.equal(bins.length, 15);
  assert.equal(bins[14]!.count, 2);
  assert.equal(bins[7]!.count, 2);
  assert.equal(bins[0]!.meanConfidence, null);
});

test('a perfectly calibrated set has ECE 0; an overconfident one its gap', () => {
  close(expectedCalibrationError([0.75, 0.75, 0.75, 0.75], [1, 1, 1, 0]), 0);
  close(expectedCalibrationError([1, 1, 1, 1], [1, 0, 1, 0]), 0.5);
});

test('bin edges: upper edge inclusive for reliability, 1.0 in the last histogram bin, 0 in the first', () => {
  const bins = reliabilityBins([1, 0, 1 / 15], [1, 1, 1], 15);
  assert.equal(bins[14]!.count, 1);
  assert.equal(bins[0]!.count, 2);
  assert.deepEqual(confidenceHistogram([0, 0.05, 0.1, 0.55, 0.999, 1]), [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]);
  assert.throws(() => confidenceHistogram([1.2]), /outside \[0, 1\]/);
});

test('evaluatePredictions puts it together from log-probabilities', () => {
  const probs = [
    [0.7, 0.2, 0.1],
    [0.1, 0.6, 0.3],
    [0.3, 0.3, 0.4],
    [0.2, 0.5, 0.3],
  ];
  const labels = [0, 1, 2, 2];
  const m = evaluatePredictions(Float32Array.from(probs.flat().map(Math.log)), labels, 3);
  assert.equal(m.accuracy, 0.75);
  close(m.meanConfidence, (0.7 + 0.6 + 0.4 + 0.5) / 4, 1e-6);
  close(m.nll, -(Math.log(0.7) + Math.log(0.6) + Math.log(0.4) + Math.log(0.3)) / 4, 1e-6);
  assert.deepEqual(m.confusionMatrix, [
    [1, 0, 0],
    [0, 1, 0],
    [0, 1, 1],
  ]);
  assert.equal(m.confidenceHistogram.reduce((a, b) => a + b, 0), 4);
  close(m.ece, expectedCalibrationError([0.7, 0.6, 0.4, 0.5], [1, 1, 1, 0]), 1e-6);
});
