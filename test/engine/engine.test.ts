import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/engine/backend';
import { armBatch, trainOneByOne, type SharedBatch } from '../../src/engine/engine';
import { initialWeights } from '../../src/engine/initialWeights';
import { dropoutLayers, resolveModelSpec, elementCount } from '../../src/engine/modelSpec';
import type { Batch, Model } from '../../src/engine/model';
import { tf } from '../../src/engine/tf';
import { SeededRandom } from '../../src/random/SeededRandom';
import { smoothTargets } from '../../src/smoothing/labelSmoothing';
import { nativeForTests } from '../helpers/native';

const spec = resolveModelSpec({ hidden: [7, 6], activation: 'tanh', dropout: 0.25, init: 'glorot' }, { name: 'test', numFeatures: 5, numClasses: 3 });
const optimizer = { optimizer: 'adam', learningRate: 0.01, momentum: 0, weightDecay: 0, weightDecayMode: 'l2' } as const;

/** A batch of `size` random rows with dropout masks, and one target array per ε. */
function sharedBatch(rows: number, epsilons: number[], seed = 1): SharedBatch {
  const rng = new SeededRandom(seed, 'engine-test');
  const labels = Array.from({ length: rows }, () => Math.floor(rng.nextFloat() * spec.numClasses));
  return {
    x: Float32Array.from({ length: rows * spec.numFeatures }, () => rng.nextFloat() * 2 - 1),
    size: rows,
    targets: epsilons.map((epsilon) => smoothTargets(labels, spec.numClasses, { epsilon }, new Float32Array(rows * spec.numClasses))),
    dropoutMasks: dropoutLayers(spec).map(({ rate, inShape }) => Float32Array.from({ length: rows * elementCount(inShape) }, () => (rng.nextFloat() >= rate ? 1 : 0))),
  };
}

test('one by one: model i is stepped on the shared rows and masks with its own targets, and timed on its own', () => {
  const seen: Batch[] = [];
  const recording = (loss: number) => ({ trainBatch: (batch: Batch) => (seen.push(batch), { loss, logProbs: new Float32Array(0) }) }) as unknown as Model;
  const batch = sharedBatch(4, [0, 0.1, 0.2]);
  const step = trainOneByOne([recording(1), recording(2), recording(3)], batch);
  assert.deepEqual(step.results.map((r) => r.loss), [1, 2, 3]);
  assert.equal(step.threads, 1);
  assert.equal(step.seconds.length, 3);
  assert.ok(step.seconds.every((s) => s >= 0));
  seen.forEach((b, i) => {
    assert.equal(b.x, batch.x);
    assert.equal(b.size, 4);
    assert.equal(b.targets, batch.targets[i]);
    assert.equal(b.dropoutMasks, batch.dropoutMasks);
    assert.deepEqual(b, armBatch(batch, i));
  });
  const { dropoutMasks: _m, ...withoutMasks } = batch;
  assert.equal('dropoutMasks' in armBatch(withoutMasks, 0), false);
});

const { skip: nativeSkip } = nativeForTests();

test('native engine: stepping the models on threads gives each exactly its one-by-one result, and counts the step', { skip: nativeSkip }, async () => {
  const engine = await selectBackend('native');
  const initial = initialWeights(spec, 3);
  const build = () => [0, 0.1, 0.3].map(() => engine.createModel(spec, initial, optimizer));
  const together = build();
  const alone = build();
  try {
    for (let b = 0; b < 4; b++) {
      const batch = sharedBatch(9, [0, 0.1, 0.3], b);
      const threaded = engine.trainArms(together, batch, { threads: 2 });
      const single = engine.trainArms(alone, batch, { threads: 1 });
      assert.equal(threaded.threads, 2);
      assert.equal(single.threads, 1);
      assert.deepEqual(threaded.results, single.results);
      assert.equal(new Set(threaded.seconds).size, 1, 'the arms share the time of the one call');
    }
    assert.deepEqual(together.map((m) => m.weightsDigest()), alone.map((m) => m.weightsDigest()));
    assert.equal(new Set(together.map((m) => m.weightsDigest())).size, 3, 'the arms differ');
    for (const m of together) assert.equal((await m.snapshot()).iterations, 4);
    // one model, or one thread: one by one
    assert.equal(engine.trainArms(together.slice(0, 1), sharedBatch(3, [0]), { threads: 4 }).threads, 1);
  } finally {
    for (const m of [...together, ...alone]) m.dispose();
  }
});

test('native engine: models it did not build cannot be stepped on threads', { skip: nativeSkip }, async () => {
  const engine = await selectBackend('native');
  const model = engine.createModel(spec, initialWeights(spec, 3), optimizer);
  const foreign = { ...model } as Model;
  try {
    assert.throws(() => engine.trainArms([model, foreign], sharedBatch(2, [0, 0.1]), { threads: 2 }), /steps only its own models together/);
  } finally {
    model.dispose();
  }
});

test('a TensorFlow.js engine builds no model once TensorFlow.js has been switched to another backend', async () => {
  const cpu = await selectBackend('cpu');
  const wasm = await selectBackend('wasm');
  const initial = initialWeights(spec, 3);
  assert.throws(() => cpu.createModel(spec, initial, optimizer), /the cpu engine cannot build a model: TensorFlow.js has since been switched to its wasm backend/);
  const model = wasm.createModel(spec, initial, optimizer);
  model.dispose();
  await selectBackend('cpu');
  assert.equal(tf.getBackend(), 'cpu');
  cpu.createModel(spec, initial, optimizer).dispose();
});
