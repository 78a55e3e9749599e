import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLASS_DETAIL_LIMIT, accuracy, argmaxRows, confusionEntries, confusionMatrix, macroAverage, meanNegativeLogLikelihood, neverPredictedClasses, perClassScores, perClassScoresOf, topConfusions } from '../../src/metrics/classification';
import { evaluatePredictions, TOP_CONFUSIONS } from '../../src/metrics/evaluate';
import { SeededRandom } from '../../src/random/SeededRandom';

test('confusion matrix counts rows as true class and columns as predicted', () => {
  const labels = [0, 0, 1, 1, 2, 2];
  const predicted = [0, 1, 1, 1, 0, 2];
  assert.deepEqual(confusionMatrix(predicted, labels, 3), [
    [1, 1, 0],
    [0, 2, 0],
    [1, 0, 1],
  ]);
  assert.equal(accuracy(predicted, labels), 4 / 6);
});

test('precision, recall and F1 by hand, with an absent class and a never-predicted class', () => {
  // class 0: tp 2, predicted 3, support 2; class 1: tp 1, predicted 1, support 3; class 2: absent (support 0) and
  // predicted once; class 3: support 1, never predicted
  const labels = [0, 0, 1, 1, 1, 3];
  const predicted = [0, 0, 1, 0, 2, 0];
  const scores = perClassScores(confusionMatrix(predicted, labels, 4));
  assert.deepEqual(scores[0], { precision: 2 / 4, recall: 1, f1: (2 * 0.5 * 1) / 1.5, support: 2 });
  assert.deepEqual(scores[1], { precision: 1, recall: 1 / 3, f1: (2 * 1 * (1 / 3)) / (4 / 3), support: 3 });
  // 0/0 is reported as 0, as scikit-learn's zero_division=0: class 2's recall, class 3's precision
  assert.deepEqual(scores[2], { precision: 0, recall: 0, f1: 0, support: 0 });
  assert.deepEqual(scores[3], { precision: 0, recall: 0, f1: 0, support: 1 });
  const macro = macroAverage(scores);
  assert.equal(macro.precision, (0.5 + 1 + 0 + 0) / 4);
  assert.equal(macro.recall, (1 + 1 / 3 + 0 + 0) / 4);
  assert.equal(macro.f1, (scores[0]!.f1! + scores[1]!.f1!) / 4);
  assert.deepEqual(neverPredictedClasses(confusionMatrix(predicted, labels, 4)), [3]);
});

test('macro F1 counts a never-predicted class with F1 0 (scikit-learn f1_score(average="macro", zero_division=0))', () => {
  // sklearn: f1_score([0,0,1,1,2,2], [0,0,1,1,1,1], average='macro', zero_division=0) = (1 + 2/3 + 0) / 3
  const scores = perClassScores(confusionMatrix([0, 0, 1, 1, 1, 1], [0, 0, 1, 1, 2, 2], 3));
  assert.deepEqual(scores[2], { precision: 0, recall: 0, f1: 0, support: 2 });
  const macro = macroAverage(scores);
  assert.ok(Math.abs(macro.f1! - (1 + 2 / 3) / 3) < 1e-15);
  assert.ok(macro.f1! < accuracy([0, 0, 1, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 'below the accuracy, as it must be here');
  assert.ok(Math.abs(macro.precision! - (1 + 0.5 + 0) / 3) < 1e-15);
});

test('a class with neither test samples nor predictions has no scores and stays out of the macro average', () => {
  const scores = perClassScores(confusionMatrix([0, 1], [0, 1], 3));
  assert.deepEqual(scores[2], { precision: null, recall: null, f1: null, support: 0 });
  assert.equal(macroAverage(scores).f1, 1);
});

test('F1 is 0, not undefined, when precision and recall are both 0', () => {
  const scores = perClassScores(confusionMatrix([1, 0], [0, 1], 2));
  assert.deepEqual(scores[0], { precision: 0, recall: 0, f1: 0, support: 1 });
});

test('argmax takes the first maximum; NLL reads the true class', () => {
  assert.deepEqual(Array.from(argmaxRows([0.2, 0.5, 0.5, 0.9, 0.1, 0], 3)), [1, 0]);
  const logProbs = [Math.log(0.5), Math.log(0.25), Math.log(0.25), Math.log(0.1), Math.log(0.8), Math.log(0.1)];
  assert.ok(Math.abs(meanNegativeLogLikelihood(logProbs, [0, 1], 3) - (-Math.log(0.5) - Math.log(0.8)) / 2) < 1e-12);
});

test('mismatched lengths and out-of-range classes are refused', () => {
  assert.throws(() => confusionMatrix([0], [0, 1], 2), /length mismatch/);
  assert.throws(() => confusionMatrix([3], [0], 2), /outside/);
});

test('sparse confusion cells give the same per-class scores as the dense matrix, and the most confused pairs first', () => {
  const random = new SeededRandom(7, 'confusion-test');
  for (const k of [2, 5, 40]) {
    const n = 300;
    const labels = Int32Array.from({ length: n }, () => random.nextInt(k));
    const predicted = Int32Array.from({ length: n }, (_, i) => (random.nextFloat() < 0.6 ? labels[i]! : random.nextInt(k)));
    const entries = confusionEntries(predicted, labels, k);
    assert.deepEqual(perClassScoresOf(entries, k), perClassScores(confusionMatrix(predicted, labels, k)), `k = ${k}`);
    assert.equal(entries.reduce((a, e) => a + e.count, 0), n);
    const top = topConfusions(entries, 5);
    assert.ok(top.every((e) => e.trueClass !== e.predicted));
    for (let i = 1; i < top.length; i++) assert.ok(top[i - 1]!.count >= top[i]!.count);
  }
  assert.deepEqual(topConfusions(confusionEntries([1, 1, 2, 0], [0, 0, 0, 0], 3), 1), [{ trueClass: 0, predicted: 1, count: 2 }]);
});

test('above CLASS_DETAIL_LIMIT classes no dense matrix is built: 3000 classes cost memory in samples, not classes squared', () => {
  const k = 3000;
  const n = 2000;
  const logProbs = new Float32Array(n * k).fill(-20);
  const labels = Int32Array.from({ length: n }, (_, i) => i % k);
  for (let i = 0; i < n; i++) logProbs[i * k + ((i * 7) % k)] = -0.01;
  const started = Date.now();
  const m = evaluatePredictions(logProbs, labels, k);
  // Linear work here (6 M log-probabilities) takes about a second on a quiet machine; anything quadratic in the
  // classes per sample (18 G steps) would take minutes. The bound is loose, for a shared, busy machine.
  assert.ok(Date.now() - started < 20_000, `${Date.now() - started} ms`);
  assert.equal(m.confusionMatrix, undefined);
  assert.equal(m.perClass.length, k);
  assert.equal(m.topConfusions.length, TOP_CONFUSIONS);
  assert.equal(m.confusionEntries.reduce((a, e) => a + e.count, 0), n);
  assert.ok(evaluatePredictions(new Float32Array([0, -1, -1, 0]), [0, 1], 2).confusionMatrix, 'few classes: the dense matrix is kept');
  assert.ok(CLASS_DETAIL_LIMIT >= 10 && CLASS_DETAIL_LIMIT <= 64);
});
