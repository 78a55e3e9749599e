import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/engine/backend';
import { initialWeights } from '../../src/engine/initialWeights';
import type { OptimizerSpec } from '../../src/engine/model';
import { resolveModelSpec, weightTensors } from '../../src/engine/modelSpec';
import { SeededRandom } from '../../src/random/SeededRandom';
import { smoothTargets } from '../../src/smoothing/labelSmoothing';
import { nativeForTests } from '../helpers/native';

// Weight decay does what its mode says, on every engine: it touches the dense and conv kernels only;
// decoupled shrinks each kernel by learningRate·weightDecay·w before the update (AdamW), and l2 adds
// weightDecay·w to the gradient (which for SGD without momentum is the same step).
const spec = resolveModelSpec(
  { hidden: [], activation: 'relu', dropout: 0, init: 'glorot', model: { input: [4, 4, 1], layers: [{ conv: 2, kernel: 3, activation: 'relu' }, { batchNorm: true }, { flatten: true }, { dense: 5, activation: 'tanh' }] } },
  { name: 'test', numFeatures: 16, numClasses: 3 },
);
const initial = initialWeights(spec, 4);
const rng = new SeededRandom(5, 'weight-decay-test');
const rows = 6;
const x = Float32Array.from({ length: rows * 16 }, () => rng.nextFloat());
const targets = smoothTargets([0, 1, 2, 0, 1, 2], 3, { epsilon: 0.1 }, new Float32Array(rows * 3));
const lr = 0.1;
const decay = 0.2;

for (const backend of ['cpu', 'native'] as const) {
  const skip = backend === 'native' ? nativeForTests().skip : undefined;
  test(`${backend}: weight decay shrinks the kernels only, decoupled by lr·decay·w before the update, l2 through the gradient`, { skip }, async () => {
    const engine = await selectBackend(backend);
    /** The weights after one step from `initial` with this optimizer. */
    const step = (optimizer: OptimizerSpec) => {
      const model = engine.createModel(spec, initial, optimizer);
      try {
        model.trainBatch({ x, targets, size: rows });
        return model.readWeights();
      } finally {
        model.dispose();
      }
    };
    const base = { learningRate: lr, momentum: 0 };
    for (const optimizer of ['adam', 'sgd'] as const) {
      const plain = step({ ...base, optimizer, weightDecay: 0, weightDecayMode: 'l2' });
      const decoupled = step({ ...base, optimizer, weightDecay: decay, weightDecayMode: 'decoupled' });
      const l2 = step({ ...base, optimizer, weightDecay: decay, weightDecayMode: 'l2' });
      weightTensors(spec).forEach((tensor, i) => {
        const what = `${optimizer}, ${tensor.kind} of layer ${tensor.layer}`;
        if (tensor.kind !== 'kernel') {
          // biases, γ, β and the running statistics are not decayed, and the step's gradients were taken
          // before any decay: after one step they are exactly those of the run without decay
          assert.deepEqual(decoupled[i], plain[i], `${what}: decoupled leaves it alone`);
          assert.deepEqual(l2[i], plain[i], `${what}: l2 leaves it alone`);
          return;
        }
        initial.values[i]!.forEach((w0, j) => {
          const shrink = -lr * decay * w0;
          assert.ok(Math.abs(decoupled[i]![j]! - plain[i]![j]! - shrink) <= 1e-6, `${what}[${j}]: decoupled moved ${decoupled[i]![j]! - plain[i]![j]!}, expected ${shrink}`);
          if (optimizer === 'sgd') assert.ok(Math.abs(l2[i]![j]! - plain[i]![j]! - shrink) <= 1e-6, `${what}[${j}]: l2 with SGD`);
        });
        if (optimizer === 'adam') assert.notDeepEqual(l2[i], decoupled[i], `${what}: with Adam, l2 and decoupled differ`);
      });
    }
  });
}
