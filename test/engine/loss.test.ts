import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { smoothedCrossEntropy } from '../../src/engine/loss';
import { selectBackend } from '../../src/engine/backend';
import { tf } from '../../src/engine/tf';
import { smoothTargets } from '../../src/smoothing/labelSmoothing';
import { FIXTURES } from '../helpers/tempDir';

const conformance = JSON.parse(readFileSync(path.join(FIXTURES, 'label-smoothing-cross-entropy.json'), 'utf8')) as {
  cases: { logits: number[][]; targets: number[]; numClasses: number; epsilon: number; uniformLoss: number; othersLoss: number }[];
};

for (const backend of ['cpu', 'wasm'] as const) {
  test(`the training loss on ${backend} matches PyTorch's values (float32 tolerance)`, async () => {
    await selectBackend(backend);
    for (const c of conformance.cases) {
      for (const smoothing of ['uniform', 'others'] as const) {
        const expected = smoothing === 'uniform' ? c.uniformLoss : c.othersLoss;
        const targets = smoothTargets(c.targets, c.numClasses, { epsilon: c.epsilon, smoothing }, new Float32Array(c.targets.length * c.numClasses));
        const loss = tf.tidy(() => smoothedCrossEntropy(tf.tensor2d(c.logits), tf.tensor2d(targets, [c.targets.length, c.numClasses])).dataSync()[0]!);
        // float32 arithmetic on logits up to ~130: relative error well under 1e-5
        assert.ok(Math.abs(loss - expected) / expected < 1e-5, `${smoothing} ε=${c.epsilon} K=${c.numClasses}: ${loss} vs ${expected}`);
      }
    }
  });
}

test('the training loss is finite at logits of ±50 and its gradient too', async () => {
  await selectBackend('cpu');
  const logits = tf.tensor2d([[50, -50, 0]]);
  const targets = tf.tensor2d(smoothTargets([1], 3, { epsilon: 0.1 }, new Float32Array(3)), [1, 3]);
  const { value, grad } = tf.valueAndGrad((l: tf.Tensor) => smoothedCrossEntropy(l, targets))(logits);
  assert.ok(Number.isFinite(value.dataSync()[0]!));
  assert.ok(Array.from(grad.dataSync()).every(Number.isFinite));
  // d loss / d logits = softmax − q
  const q = [0.1 / 3, 1 - 0.1 + 0.1 / 3, 0.1 / 3];
  const softmax = [1, 0, 0];
  Array.from(grad.dataSync()).forEach((g, k) => assert.ok(Math.abs(g - (softmax[k]! - q[k]!)) < 1e-6));
  tf.dispose([logits, targets, value, grad]);
});
