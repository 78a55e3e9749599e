import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argmaxRows } from '../../src/metrics/classification';
import { fitTemperature, scaledNll, scaleLogProbs } from '../../src/metrics/temperature';
import { SeededRandom } from '../../src/random/SeededRandom';
import { logSoftmax } from '../../src/smoothing/labelSmoothing';

/** Logits z and labels drawn from softmax(z): a model that is calibrated at T = 1 on its own logits. */
function calibratedSample(n: number, k: number, seed: number): { logits: number[][]; labels: number[] } {
  const rng = new SeededRandom(seed, 'temperature-test');
  const logits: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: k }, () => 1.5 * rng.nextNormal());
    const p = Array.from(logSoftmax(z), Math.exp);
    let u = rng.nextFloat();
    let y = 0;
    while (y < k - 1 && (u -= p[y]!) > 0) y++;
    logits.push(z);
    labels.push(y);
  }
  return { logits, labels };
}

test('logits multiplied by 3 are recovered: the fitted temperature is ≈ 3', () => {
  const { logits, labels } = calibratedSample(20_000, 5, 1);
  const sharpened = logits.flatMap((z) => Array.from(logSoftmax(z.map((v) => 3 * v))));
  const fit = fitTemperature(sharpened, labels, 5);
  assert.ok(Math.abs(fit.temperature - 3) < 0.1, `T = ${fit.temperature}`);
  assert.equal(fit.atBound, null);
  assert.ok(fit.nll < fit.unscaledNll);
  // and on the calibrated logits themselves, T ≈ 1
  const plain = fitTemperature(logits.flatMap((z) => Array.from(logSoftmax(z))), labels, 5);
  assert.ok(Math.abs(plain.temperature - 1) < 0.04, `T = ${plain.temperature}`);
});

test('the fit is the minimum of the validation NLL to 1e-4 in T', () => {
  const { logits, labels } = calibratedSample(500, 4, 2);
  const logProbs = logits.flatMap((z) => Array.from(logSoftmax(z.map((v) => 0.4 * v))));
  const fit = fitTemperature(logProbs, labels, 4);
  const nllAt = (t: number) => scaledNll(logProbs, labels, 4, 1 / t).nll;
  assert.ok(Math.abs(fit.nll - nllAt(fit.temperature)) < 1e-12);
  // a dense scan around the optimum finds nothing lower, and the NLL rises 1e-4 away on both sides
  for (let t = fit.temperature * 0.5; t < fit.temperature * 1.5; t += fit.temperature / 500) assert.ok(nllAt(t) >= fit.nll - 1e-12);
  assert.ok(nllAt(fit.temperature - 1e-4) > fit.nll && nllAt(fit.temperature + 1e-4) > fit.nll);
  // the slope in β vanishes there
  assert.ok(Math.abs(scaledNll(logProbs, labels, 4, 1 / fit.temperature).slope) < 1e-9);
});

test('scaling keeps the predicted class and gives normalised log-probabilities', () => {
  const logProbs = [Math.log(0.7), Math.log(0.2), Math.log(0.1), Math.log(0.3), Math.log(0.3), Math.log(0.4)];
  for (const t of [0.5, 1, 2.5]) {
    const scaled = scaleLogProbs(logProbs, 3, t);
    assert.deepEqual(Array.from(argmaxRows(scaled, 3)), [0, 2]);
    for (let i = 0; i < 2; i++) assert.ok(Math.abs(Math.exp(scaled[i * 3]!) + Math.exp(scaled[i * 3 + 1]!) + Math.exp(scaled[i * 3 + 2]!) - 1) < 1e-12);
  }
  // T = 1 changes nothing; T → large flattens towards uniform
  scaleLogProbs(logProbs, 3, 1).forEach((v, i) => assert.ok(Math.abs(v - logProbs[i]!) < 1e-12));
  assert.ok(Math.abs(Math.exp(scaleLogProbs(logProbs, 3, 1e6)[0]!) - 1 / 3) < 1e-5);
  assert.throws(() => scaleLogProbs(logProbs, 3, 0), /temperature must be > 0/);
});

test('separable data pushes T to the lower end of the range, and the fit says so', () => {
  // every sample right with a margin: the NLL keeps falling as T → 0
  const logProbs = [Math.log(0.9), Math.log(0.1), Math.log(0.2), Math.log(0.8)];
  const fit = fitTemperature(logProbs, [0, 1], 2);
  assert.equal(fit.atBound, 'min');
  assert.equal(fit.temperature, 0.01);
  // every sample wrong: the best is as flat as allowed
  assert.equal(fitTemperature(logProbs, [1, 0], 2).atBound, 'max');
});
