import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveTrainConfig } from '../../src/config/loadConfig';
import { loadDataset } from '../../src/data/loadDataset';
import { resolveModelSpec } from '../../src/engine/modelSpec';
import { batchOrder, dropoutMasks, sharedBatchAt } from '../../src/train/batches';
import type { TrainConfig } from '../../src/config/schema';

const small = (overrides: Partial<TrainConfig> = {}): TrainConfig =>
  resolveTrainConfig({ flags: { samples: 240, features: 6, hidden: [12], epochs: 3, batchSize: 32, learningRate: 0.01, ...overrides } });

test('batch order and dropout masks depend only on (seed, epoch, batch)', async () => {
  assert.deepEqual(batchOrder(1, 2, 50), batchOrder(1, 2, 50));
  assert.notDeepEqual(batchOrder(1, 2, 50), batchOrder(1, 3, 50));
  assert.deepEqual(Array.from(batchOrder(1, 2, 50)).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  const config = small({ dropout: 0.5 });
  const spec = resolveModelSpec(config, await loadDataset(config));
  const masks = dropoutMasks(1, 1, 0, 32, spec)!;
  assert.deepEqual(masks, dropoutMasks(1, 1, 0, 32, spec));
  const kept = masks[0]!.reduce((a, b) => a + b, 0) / masks[0]!.length;
  assert.ok(kept > 0.35 && kept < 0.65, `kept ${kept}`);
  assert.equal(dropoutMasks(1, 1, 0, 32, resolveModelSpec({ ...config, dropout: 0 }, await loadDataset(config))), undefined);
});

test('a shared batch holds the epoch order\'s rows once, one set of dropout masks, and each arm\'s own targets', async () => {
  const config = small({ dropout: 0.5, samples: 100 });
  const dataset = await loadDataset(config);
  const spec = resolveModelSpec(config, dataset);
  const { train, numFeatures: f, numClasses: k } = dataset;
  const order = batchOrder(config.seed, 2, train.count);
  const source = { dataset, spec, seed: config.seed, batchSize: 32, epoch: 2, order };
  const last = Math.ceil(train.count / 32) - 1;
  for (const b of [0, last]) {
    const { batch, labels } = sharedBatchAt(source, b, [{ epsilon: 0 }, { epsilon: 0.3 }]);
    const size = Math.min(32, train.count - b * 32);
    assert.equal(batch.size, size);
    for (let i = 0; i < size; i++) {
      const row = order[b * 32 + i]!;
      assert.deepEqual(batch.x.subarray(i * f, (i + 1) * f), train.x.subarray(row * f, (row + 1) * f));
      assert.equal(labels[i], train.y[row]);
      // ε = 0: one-hot; ε = 0.3 (uniform): 1 − ε + ε/K on the label, ε/K elsewhere
      assert.equal(batch.targets[0]![i * k + labels[i]!], 1);
      assert.ok(Math.abs(batch.targets[1]![i * k + labels[i]!]! - (0.7 + 0.3 / k)) < 1e-6);
      assert.ok(Math.abs(batch.targets[1]![i * k + ((labels[i]! + 1) % k)]! - 0.3 / k) < 1e-6);
    }
    assert.deepEqual(batch.dropoutMasks, dropoutMasks(config.seed, 2, b, size, spec));
  }
  assert.equal(sharedBatchAt({ ...source, spec: resolveModelSpec({ ...config, dropout: 0 }, dataset) }, 0, [{ epsilon: 0 }]).batch.dropoutMasks, undefined);
});
