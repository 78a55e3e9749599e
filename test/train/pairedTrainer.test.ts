import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveTrainConfig } from '../../src/config/loadConfig';
import { loadDataset } from '../../src/data/loadDataset';
import { selectBackend, type Engine } from '../../src/engine/backend';
import { tf } from '../../src/engine/tf';
import { armsFromConfig } from '../../src/train/arms';
import { trainPaired, TrainingInterrupted, type PairedResult } from '../../src/train/pairedTrainer';
import type { TrainConfig } from '../../src/config/schema';
import { nativeForTests } from '../helpers/native';

const small = (overrides: Partial<TrainConfig> = {}): TrainConfig =>
  resolveTrainConfig({ flags: { samples: 240, features: 6, hidden: [12], epochs: 3, batchSize: 32, learningRate: 0.01, ...overrides } });

const nativeSkip = nativeForTests().skip;
for (const backend of ['cpu', 'wasm', 'native'] as const) {
  test(`${backend}: with ε = 0 the smoothed arm's history equals the hard arm's, bit for bit`, { skip: backend === 'native' && nativeSkip }, async () => {
    const engine = await selectBackend(backend);
    const config = small({ epsilon: [0], dropout: 0.2 });
    const result = await trainPaired({ config, dataset: (await loadDataset(config)), arms: armsFromConfig(config), engine });
    const [hard, smoothed] = result.arms;
    assert.equal(hard!.initialWeightsDigest, smoothed!.initialWeightsDigest);
    assert.deepEqual(
      smoothed!.history.map(({ seconds: _s, ...r }) => r),
      hard!.history.map(({ seconds: _s, ...r }) => r),
    );
    assert.equal(hard!.finalWeightsDigest, smoothed!.finalWeightsDigest);
    assert.deepEqual(smoothed!.test, hard!.test);
  });
}

test('every arm starts from the same initial weights, recorded as equal digests, and ε changes the outcome', async () => {
  const engine = await selectBackend('cpu');
  const config = small({ epsilon: [0.1, 0.3] });
  const result = await trainPaired({ config, dataset: (await loadDataset(config)), arms: armsFromConfig(config), engine });
  assert.deepEqual(result.arms.map((a) => a.label), ['hard', 'smoothed-0.1', 'smoothed-0.3']);
  assert.equal(new Set(result.arms.map((a) => a.initialWeightsDigest)).size, 1);
  assert.equal(result.arms[0]!.initialWeightsDigest, result.initialWeightsDigest);
  assert.equal(new Set(result.arms.map((a) => a.finalWeightsDigest)).size, 3);
  // the smoothed objective is not the NLL; for the hard arm they coincide
  for (const r of result.arms[0]!.history) assert.ok(Math.abs(r.trainLoss - r.trainNll) < 1e-6);
  for (const r of result.arms[2]!.history) assert.ok(r.trainLoss > r.trainNll);
  // smoothing lowers confidence
  assert.ok(result.arms[2]!.test.meanConfidence < result.arms[0]!.test.meanConfidence);
});

test('the same seed gives the same run; another seed a different one', async () => {
  const engine = await selectBackend('cpu');
  const run = async (seed: number) => {
    const config = small({ seed });
    return (await trainPaired({ config, dataset: (await loadDataset(config)), arms: armsFromConfig(config), engine })).arms.map((a) => a.finalWeightsDigest);
  };
  assert.deepEqual(await run(3), await run(3));
  assert.notDeepEqual(await run(3), await run(4));
});

test('no tensor leaks: the live tensor count is the same after every epoch', async () => {
  const engine = await selectBackend('cpu');
  const config = small({ epochs: 4, dropout: 0.1 });
  const counts: number[] = [];
  const before = tf.memory().numTensors;
  await trainPaired({ config, dataset: (await loadDataset(config)), arms: armsFromConfig(config), engine, events: { onEpoch: () => counts.push(tf.memory().numTensors) } });
  assert.equal(new Set(counts).size, 1, `tensors after each epoch: ${counts.join(', ')}`);
  assert.equal(tf.memory().numTensors, before, 'everything is disposed at the end');
});

test('an aborted signal stops training between batches', async () => {
  const engine = await selectBackend('cpu');
  const config = small({ epochs: 5 });
  const controller = new AbortController();
  const dataset = await loadDataset(config);
  await assert.rejects(
    () =>
      trainPaired({
        config,
        dataset,
        arms: armsFromConfig(config),
        engine,
        signal: controller.signal,
        events: { onEpoch: (epoch) => epoch === 2 && controller.abort() },
      }),
    (e: unknown) => e instanceof TrainingInterrupted && e.completedEpochs === 2,
  );
});

test('the default run visibly learns: accuracy rises from about 0.5 to about 0.8, never 100% after one epoch', async () => {
  const engine = await selectBackend('cpu');
  const config = resolveTrainConfig({});
  const result = await trainPaired({ config, dataset: (await loadDataset(config)), arms: armsFromConfig(config), engine });
  const hard = result.arms[0]!.history;
  assert.ok(hard[0]!.testAccuracy < 0.65, `epoch 1: ${hard[0]!.testAccuracy}`);
  assert.ok(hard.at(-1)!.testAccuracy > 0.72, `last epoch: ${hard.at(-1)!.testAccuracy}`);
  assert.ok(hard.every((r) => r.testAccuracy < 0.95));
});

test('an aborted signal stops training within one batch, mid-epoch', async () => {
  const engine = await selectBackend('cpu');
  const config = small({ epochs: 3 });
  const controller = new AbortController();
  const dataset = await loadDataset(config);
  let afterAbort = 0;
  await assert.rejects(
    () =>
      trainPaired({
        config,
        dataset,
        arms: armsFromConfig(config),
        engine,
        signal: controller.signal,
        events: {
          onBatch({ epoch, batch }) {
            if (controller.signal.aborted) afterAbort++;
            if (epoch === 2 && batch === 3) controller.abort();
          },
        },
      }),
    (e: unknown) => e instanceof TrainingInterrupted && e.completedEpochs === 1,
  );
  // The batch the signal came in finishes for the other arm; no batch starts after it.
  assert.equal(afterAbort, 1);
});

test('two engines in one process do not interfere: cpu and native runs side by side equal each run alone', { skip: nativeSkip }, async () => {
  const config = small({ epsilon: [0.1, 0.3], dropout: 0.2, parallelArms: 'auto' });
  const dataset = await loadDataset(config);
  const cpu = await selectBackend('cpu');
  const native = await selectBackend('native');
  const fingerprint = (r: PairedResult) => r.arms.map((a) => ({ final: a.finalWeightsDigest, history: a.history.map(({ seconds: _s, ...h }) => h), test: a.test }));
  const trainOn = async (engine: Engine) => fingerprint(await trainPaired({ config, dataset, arms: armsFromConfig(config), engine, signal: new AbortController().signal }));
  const cpuAlone = await trainOn(cpu);
  const nativeAlone = await trainOn(native);
  // At the same time: with a signal each run yields to the event loop between batches, so their batches interleave.
  const [cpuBeside, nativeBeside] = await Promise.all([trainOn(cpu), trainOn(native)]);
  assert.deepEqual(cpuBeside, cpuAlone);
  assert.deepEqual(nativeBeside, nativeAlone);
  // and the other way round: the engine selected first is not replaced by the one selected after it
  assert.deepEqual(await trainOn(cpu), cpuAlone);
});
