import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  adaptiveCalibrationError,
  brierScore,
  classwiseCalibrationError,
  confidenceHistogram,
  expectedCalibrationError,
  mceFromBins,
  reliabilityBins,
} from '../../src/metrics/calibration';
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
  // mean confidence 0.55 against accuracy 0.75: under-confident by 0.2
  close(m.calibrationGap, 0.55 - 0.75, 1e-6);
  close(m.brier, (0.09 + 0.04 + 0.01 + (0.01 + 0.16 + 0.09) + (0.09 + 0.09 + 0.36) + (0.04 + 0.25 + 0.49)) / 4, 1e-6);
});

test('Brier score by hand: Σ_k (p_k − onehot_k)² averaged over samples', () => {
  const logProbs = [0.7, 0.2, 0.1, 0.1, 0.6, 0.3].map(Math.log);
  // (0.3² + 0.2² + 0.1²) = 0.14 and (0.1² + 0.6² + 0.7²) = 0.86
  close(brierScore(logProbs, [0, 2], 3), 0.5);
  close(brierScore([0, -Infinity], [1], 2), 2);
});

test('MCE is the largest bin gap; adaptive ECE uses equal-mass bins', () => {
  close(mceFromBins(reliabilityBins([0.95, 0.97, 0.5, 0.52], [1, 1, 1, 0], 15)), 0.04);
  assert.ok(Number.isNaN(mceFromBins(reliabilityBins([], [], 15))));
  // two bins of two: {0.2, 0.4} with 1 right → |1 − 0.6|; {0.6, 0.8} with 2 right → |2 − 1.4|; over 4 samples
  close(adaptiveCalibrationError([0.8, 0.2, 0.6, 0.4], [1, 0, 1, 1], 2), (0.4 + 0.6) / 4);
  // 15 bins over 4 samples: one sample per occupied bin, so Σ |correct − confidence| / N
  close(adaptiveCalibrationError([0.8, 0.2, 0.6, 0.4], [1, 0, 1, 1]), (0.2 + 0.2 + 0.4 + 0.6) / 4);
  // equal-width bins would put 0.91 and 0.99 together; equal-mass bins of one keep them apart
  close(adaptiveCalibrationError([0.91, 0.99], [0, 1], 2), (0.91 + 0.01) / 2);
  close(expectedCalibrationError([0.91, 0.99], [0, 1], 2), Math.abs(1 - 1.9) / 2);
});

test('classwise ECE: the ECE of each class probability against its indicator, averaged over classes', () => {
  const probs = [
    [0.8, 0.2],
    [0.3, 0.7],
    [0.6, 0.4],
  ];
  // every probability alone in its bin: class 0 → (|1 − 0.8| + |0 − 0.3| + |0 − 0.6|)/3, class 1 → (0.2 + 0.3 + 0.6)/3
  close(classwiseCalibrationError(probs.flat().map(Math.log), [0, 1, 1], 2), 1.1 / 3, 1e-12);
  // a perfectly calibrated class probability gives 0
  const half = [0.5, 0.5, 0.5, 0.5].map(Math.log);
  close(classwiseCalibrationError(half, [0, 1], 2), 0);
});
