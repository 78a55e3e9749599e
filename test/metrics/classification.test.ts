import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, argmaxRows, confusionMatrix, macroAverage, meanNegativeLogLikelihood, neverPredictedClasses, perClassScores } from '../../src/metrics/classification';

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
