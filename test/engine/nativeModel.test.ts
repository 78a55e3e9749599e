import { test } from 'node:test';
import os from 'node:os';
import assert from 'node:assert/strict';
import { resolveTrainConfig } from '../../src/config/loadConfig';
import type { TrainConfig } from '../../src/config/schema';
import { loadDataset } from '../../src/data/loadDataset';
import { selectBackend } from '../../src/engine/backend';
import { initialWeights } from '../../src/engine/initialWeights';
import { resolveModelSpec } from '../../src/engine/modelSpec';
import { smoothTargets } from '../../src/smoothing/labelSmoothing';
import { armsFromConfig } from '../../src/train/arms';
import { trainPaired, type PairedResult } from '../../src/train/pairedTrainer';
import { nativeForTests } from '../helpers/native';

const { skip } = nativeForTests();

async function run(backend: 'cpu' | 'native', overrides: Partial<TrainConfig>): Promise<PairedResult> {
  const engine = await selectBackend(backend);
  assert.equal(engine.name, backend);
  const config = resolveTrainConfig({ flags: { samples: 300, features: 7, classes: 4, epochs: 4, batchSize: 32, epsilon: [0.1], ...overrides } });
  return trainPaired({ config, dataset: await loadDataset(config), arms: armsFromConfig(config), engine });
}

const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 2e-4 * (1 + Math.abs(b)), `${what}: native ${a}, cpu ${b}`);

// A whole paired run on the native backend follows the cpu backend's run within float32 rounding:
// same initial weights (equal digests), same histories, same predictions up to the odd near-tie.
for (const overrides of [
  { hidden: [16], activation: 'relu', optimizer: 'adam', learningRate: 0.01 },
  { hidden: [12, 9], activation: 'tanh', optimizer: 'sgd', learningRate: 0.05, dropout: 0.2 },
  { hidden: [10], activation: 'elu', optimizer: 'adam', learningRate: 0.005, dropout: 0.1 },
  { hidden: [8], activation: 'sigmoid', optimizer: 'sgd', learningRate: 0.1, batchSize: 50 },
  { hidden: [], optimizer: 'adam', learningRate: 0.01 },
] as Partial<TrainConfig>[]) {
  test(`native training matches cpu: ${JSON.stringify(overrides)}`, { skip }, async () => {
    const cpu = await run('cpu', overrides);
    const native = await run('native', overrides);
    assert.equal(native.initialWeightsDigest, cpu.initialWeightsDigest);
    native.arms.forEach((arm, a) => {
      const reference = cpu.arms[a]!;
      assert.equal(arm.initialWeightsDigest, reference.initialWeightsDigest);
      arm.history.forEach((r, e) => {
        const c = reference.history[e]!;
        near(r.trainLoss, c.trainLoss, `${arm.label} epoch ${e + 1} trainLoss`);
        near(r.trainNll, c.trainNll, `${arm.label} epoch ${e + 1} trainNll`);
        near(r.testNll, c.testNll, `${arm.label} epoch ${e + 1} testNll`);
        assert.ok(Math.abs(r.testAccuracy - c.testAccuracy) <= 2 / arm.testPredictions.length, `${arm.label} epoch ${e + 1} accuracy`);
      });
      near(arm.test.ece, reference.test.ece, `${arm.label} ECE`);
    });
    // the arms differ (ε = 0.1) on native as on cpu
    assert.notEqual(native.arms[0]!.finalWeightsDigest, native.arms[1]!.finalWeightsDigest);
  });
}

// The same for convolutional networks on image data (digits, 8×8): every kind of layer, both paddings,
// strides, batch norm's running statistics, both weight decays and both initialisations.
const CNNS: Partial<TrainConfig>[] = [
  {
    model: {
      layers: [
        { conv: 4, kernel: 3, padding: 'same', activation: 'relu' },
        { maxPool: 2 },
        { conv: 6, kernel: 3, stride: 2, activation: 'gelu' },
        { batchNorm: true },
        { flatten: true },
        { dense: 12, activation: 'elu' },
        { dropout: 0.2 },
      ],
    },
    optimizer: 'adam',
    learningRate: 0.01,
    weightDecay: 0.01,
    weightDecayMode: 'l2',
  },
  {
    model: {
      layers: [
        { conv: 3, kernel: 2, activation: 'tanh' },
        { avgPool: 2, padding: 'same' },
        { batchNorm: true, momentum: 0.8 },
        { activation: 'sigmoid' },
        { dropout: 0.1 },
        { flatten: true },
        { batchNorm: true },
      ],
    },
    optimizer: 'sgd',
    learningRate: 0.05,
    weightDecay: 0.05,
    weightDecayMode: 'decoupled',
    init: 'kaiming',
  },
];
for (const overrides of CNNS) {
  test(`native CNN training matches cpu: ${JSON.stringify(overrides)}`, { skip }, async () => {
    const image = { dataset: 'digits', limit: 300, epochs: 2, ...overrides };
    const cpu = await run('cpu', image);
    const native = await run('native', image);
    assert.equal(native.initialWeightsDigest, cpu.initialWeightsDigest);
    native.arms.forEach((arm, a) => {
      const reference = cpu.arms[a]!;
      arm.history.forEach((r, e) => {
        const c = reference.history[e]!;
        near(r.trainLoss, c.trainLoss, `${arm.label} epoch ${e + 1} trainLoss`);
        near(r.testNll, c.testNll, `${arm.label} epoch ${e + 1} testNll`);
        assert.ok(Math.abs(r.testAccuracy - c.testAccuracy) <= 2 / arm.testPredictions.length, `${arm.label} epoch ${e + 1} accuracy`);
      });
    });
    assert.notEqual(native.arms[0]!.finalWeightsDigest, native.arms[1]!.finalWeightsDigest);
  });
}

test('native CNN with ε = 0: the two arms are identical, bit for bit, and arms on threads give exactly the sequential results', { skip }, async () => {
  const result = await run('native', { dataset: 'digits', limit: 200, epochs: 2, epsilon: [0], ...CNNS[0]! });
  const [hard, smoothed] = result.arms;
  assert.equal(hard!.finalWeightsDigest, smoothed!.finalWeightsDigest);
  assert.deepEqual(hard!.history.map(({ seconds: _s, ...r }) => r), smoothed!.history.map(({ seconds: _s, ...r }) => r));
  assert.deepEqual(hard!.testPredictions, smoothed!.testPredictions);
  const overrides: Partial<TrainConfig> = { dataset: 'digits', limit: 200, epochs: 2, epsilon: [0.1, 0.2], ...CNNS[1]! };
  const [parallel, sequential] = [await run('native', { ...overrides, parallelArms: 'auto' }), await run('native', { ...overrides, parallelArms: 'off' })];
  assert.deepEqual(parallel.arms.map((a) => a.finalWeightsDigest), sequential.arms.map((a) => a.finalWeightsDigest));
  assert.deepEqual(parallel.arms.map((a) => a.testPredictions), sequential.arms.map((a) => a.testPredictions));
});

test('native and TF.js give the same penultimate activations (the output layer\'s input) and log-probabilities, after training too', { skip }, async () => {
  const config = resolveTrainConfig({ flags: { dataset: 'digits', limit: 200, batchSize: 50, ...CNNS[0]! } });
  const dataset = await loadDataset(config);
  const spec = resolveModelSpec(config, dataset);
  const initial = initialWeights(spec, config.seed);
  const models = [await selectBackend('native'), await selectBackend('cpu')].map((engine) => engine.createModel(spec, initial, config));
  try {
    const rows = dataset.train.x.subarray(0, 50 * dataset.numFeatures);
    const targets = smoothTargets(dataset.train.y.subarray(0, 50), dataset.numClasses, { epsilon: 0.1 }, new Float32Array(50 * dataset.numClasses));
    for (let step = 0; step <= 3; step++) {
      const [native, tfjs] = models.map((m) => m.predict(dataset.test.x, dataset.test.count, { penultimate: true }));
      assert.equal(native!.penultimate!.length, dataset.test.count * 12, 'the width of dense 12');
      native!.penultimate!.forEach((v, i) => assert.ok(Math.abs(v - tfjs!.penultimate![i]!) <= 1e-4 * (1 + Math.abs(v)), `step ${step}: penultimate[${i}] native ${v}, cpu ${tfjs!.penultimate![i]}`));
      native!.logProbs.forEach((v, i) => assert.ok(Math.abs(v - tfjs!.logProbs[i]!) <= 1e-4 * (1 + Math.abs(v)), `step ${step}: logProbs[${i}]`));
      assert.equal(models[0]!.predict(dataset.test.x, 3).penultimate, undefined, 'only when asked for');
      for (const m of models) m.trainBatch({ x: rows, targets, size: 50 });
    }
  } finally {
    for (const m of models) m.dispose();
  }
});

test('native: selectBackend(native) reports the OpenBLAS backend and trains both arms', { skip }, async () => {
  const choice = await selectBackend('native');
  assert.match(choice.label, /OpenBLAS/);
  const result = await run('native', { hidden: [4], epochs: 1 });
  assert.equal(result.arms.length, 2);
  await selectBackend('cpu');
});

test('native: arms trained at the same time (one thread per arm) give exactly the sequential results', { skip: skip ?? (os.availableParallelism() < 2 && 'needs 2 cores') }, async () => {
  const overrides: Partial<TrainConfig> = { hidden: [16, 8], epsilon: [0.1, 0.3], dropout: 0.2, epochs: 3 };
  const parallel = await run('native', { ...overrides, parallelArms: 'auto' });
  const sequential = await run('native', { ...overrides, parallelArms: 'off' });
  assert.equal(parallel.parallelArms, Math.min(3, os.availableParallelism()));
  assert.equal(sequential.parallelArms, 1);
  assert.equal(parallel.arms.length, 3);
  parallel.arms.forEach((arm, a) => {
    const reference = sequential.arms[a]!;
    assert.equal(arm.initialWeightsDigest, reference.initialWeightsDigest);
    assert.equal(arm.finalWeightsDigest, reference.finalWeightsDigest, `${arm.label}: final weights`);
    assert.deepEqual(
      arm.history.map(({ seconds: _s, ...r }) => r),
      reference.history.map(({ seconds: _s, ...r }) => r),
    );
    assert.deepEqual(arm.test, reference.test);
    assert.deepEqual(arm.testPredictions, reference.testPredictions);
  });
  assert.equal(new Set(parallel.arms.map((a) => a.finalWeightsDigest)).size, 3, 'the arms differ');
});
