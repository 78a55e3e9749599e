import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveTrainConfig } from '../../src/config/loadConfig';
import { loadDataset } from '../../src/data/loadDataset';
import { selectBackend } from '../../src/engine/backend';
import { initialWeights } from '../../src/engine/initialWeights';
import { resolveModelSpec } from '../../src/engine/modelSpec';
import { tf } from '../../src/engine/tf';
import { smoothTargets } from '../../src/smoothing/labelSmoothing';

// TF.js's wasm backend has no Conv2DBackpropFilter kernel: its conv layers take their kernel gradient
// from im2col slices (tfjsLayers.ts). Training there must follow the cpu backend step for step.
test('a CNN trains on the wasm backend as on the cpu backend (conv kernel gradient without Conv2DBackpropFilter), batch norm and dropout included', async () => {
  const config = resolveTrainConfig({
    flags: {
      dataset: 'digits',
      limit: 120,
      weightDecay: 0.01,
      model: { layers: [{ conv: 3, kernel: 3, stride: 2, padding: 'same', activation: 'relu' }, { batchNorm: true }, { avgPool: 2 }, { flatten: true }, { dense: 6, activation: 'gelu' }, { dropout: 0.25 }] },
    },
  });
  const dataset = await loadDataset(config);
  const spec = resolveModelSpec(config, dataset);
  const initial = initialWeights(spec, 2);
  const rows = 40;
  const x = dataset.train.x.subarray(0, rows * dataset.numFeatures);
  const targets = smoothTargets(dataset.train.y.subarray(0, rows), dataset.numClasses, { epsilon: 0.1 }, new Float32Array(rows * dataset.numClasses));
  const masks = [Float32Array.from({ length: rows * 6 }, (_, i) => (i % 4 === 0 ? 0 : 1))];
  const trainOn = async (backend: 'cpu' | 'wasm') => {
    const engine = await selectBackend(backend);
    const model = engine.createModel(spec, initial, config);
    try {
      const losses = [0, 1, 2].map(() => model.trainBatch({ x, targets, size: rows, dropoutMasks: masks }).loss);
      return { losses, weights: model.readWeights(), logProbs: model.predict(dataset.test.x, dataset.test.count).logProbs };
    } finally {
      model.dispose();
    }
  };
  const wasm = await trainOn('wasm');
  assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), undefined, 'still no Conv2DBackpropFilter on wasm: the slices are what ran');
  const cpu = await trainOn('cpu');
  wasm.losses.forEach((l, i) => assert.ok(Math.abs(l - cpu.losses[i]!) <= 1e-5 * (1 + l), `step ${i + 1}: loss ${l} vs ${cpu.losses[i]}`));
  wasm.weights.forEach((w, t) => w.forEach((v, j) => assert.ok(Math.abs(v - cpu.weights[t]![j]!) <= 1e-4 * (1 + Math.abs(v)), `weight ${t}[${j}]: wasm ${v}, cpu ${cpu.weights[t]![j]}`)));
  wasm.logProbs.forEach((v, i) => assert.ok(Math.abs(v - cpu.logProbs[i]!) <= 1e-4 * (1 + Math.abs(v)), `logProbs[${i}]`));
});
