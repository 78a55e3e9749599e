import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelConfig } from '../../src/config/modelSchema';
import { describeModel, describeModelConfig } from '../../src/engine/describeModel';
import { initialWeights } from '../../src/engine/initialWeights';
import { checkModelSize, modelFootprint, predictionChunk } from '../../src/engine/modelSize';
import { dropoutLayers, resolveModelSpec, weightTensors, type ModelConfigKeys } from '../../src/engine/modelSpec';
import { CliError } from '../../src/errors';

const FASHION = { name: 'fashion-mnist', numFeatures: 784, numClasses: 10, sampleShape: [28, 28, 1] };
const TABULAR = { name: 'csv:wine.csv', numFeatures: 13, numClasses: 3 };
const MLP: ModelConfigKeys = { hidden: [32], activation: 'relu', dropout: 0, init: 'glorot' };
const layers = (l: ModelConfig['layers'], input?: number[]): ModelConfigKeys => ({ ...MLP, model: { layers: l, ...(input ? { input } : {}) } });
const CNN = layers([
  { conv: 32, kernel: 3, padding: 'same', activation: 'relu' },
  { maxPool: 2 },
  { conv: 64, kernel: 3, padding: 'same', activation: 'relu' },
  { maxPool: 2 },
  { flatten: true },
  { dense: 128, activation: 'relu' },
  { dropout: 0.3 },
]);

function cliError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof CliError, String(error));
    assert.equal(error.exitCode, 2);
    assert.ok(!error.message.includes('\n'), 'one line');
    return error.message;
  }
  assert.fail('expected an error');
}

test('the classic CNN resolves with the shapes and parameter count Keras gives it (421,642)', () => {
  const spec = resolveModelSpec(CNN, FASHION);
  assert.deepEqual(spec.input, [28, 28, 1]);
  assert.deepEqual(spec.layers.map((l) => l.outShape), [[28, 28, 32], [14, 14, 32], [14, 14, 64], [7, 7, 64], [3136], [128], [128], [10]]);
  assert.deepEqual(spec.layers.at(-1)!.layer, { kind: 'dense', units: 10, activation: null });
  const footprint = modelFootprint(spec);
  assert.equal(footprint.parameters, 421_642);
  assert.equal(footprint.trainableParameters, 421_642);
  // forward: conv1 28·28·9·32 + conv2 14·14·288·64 + dense 3136·128 + 128·10 multiply-adds, ×2
  assert.equal(footprint.forwardFlopsPerSample, 2 * (28 * 28 * 9 * 32 + 14 * 14 * 288 * 64 + 3136 * 128 + 128 * 10));
  // training: the forward pass, every weight gradient, every input gradient but the first layer's
  assert.equal(footprint.trainingFlopsPerSample, 3 * footprint.forwardFlopsPerSample - 2 * 28 * 28 * 9 * 32);
  assert.ok(footprint.activationsPerSample > 200_000 && footprint.activationsPerSample < 300_000, String(footprint.activationsPerSample));
  assert.equal(predictionChunk(spec), Math.max(64, Math.floor((16 * 2 ** 20) / footprint.activationsPerSample)));
  assert.deepEqual(dropoutLayers(spec), [{ rate: 0.3, inShape: [128] }]);
  assert.match(describeModel(spec), /^28×28×1 → conv 32 3×3 same relu → maxPool 2 → conv 64 3×3 same relu → maxPool 2 → flatten → dense 128 relu → dropout 0\.3 → dense 10 \(421,642 parameters\)$/);
  assert.equal(describeModelConfig(CNN), 'conv 32 3×3 same relu → maxPool 2 → conv 64 3×3 same relu → maxPool 2 → flatten → dense 128 relu → dropout 0.3 → output');
});

test('the MLP short form is the same list: dense layers with the activation, dropout after each, flat input even for images', () => {
  const spec = resolveModelSpec({ ...MLP, hidden: [256, 128], dropout: 0.2 }, FASHION);
  assert.deepEqual(spec.input, [784]);
  assert.deepEqual(spec.layers.map((l) => l.layer.kind), ['dense', 'dropout', 'dense', 'dropout', 'dense']);
  assert.equal(modelFootprint(spec).parameters, 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
  assert.equal(describeModel(spec), 'MLP 784-256-128-10, relu, dropout 0.2');
  assert.equal(describeModel(resolveModelSpec({ ...MLP, hidden: [] }, TABULAR)), 'MLP 13-3, linear');
  assert.equal(predictionChunk(spec), 4096);
});

test('strides, valid padding and pooling follow TensorFlow\'s output sizes', () => {
  const spec = resolveModelSpec(
    layers([{ conv: 4, kernel: 5, stride: 2 }, { avgPool: 3, stride: 2, padding: 'same' }, { batchNorm: true }, { activation: 'gelu' }, { flatten: true }]),
    FASHION,
  );
  // valid: floor((28 − 5)/2) + 1 = 12; same: ceil(12/2) = 6
  assert.deepEqual(spec.layers.map((l) => l.outShape), [[12, 12, 4], [6, 6, 4], [6, 6, 4], [6, 6, 4], [144], [10]]);
  assert.deepEqual(weightTensors(spec).map((t) => `${t.kind}:${t.shape.join('×')}:${t.trainable}`), [
    'kernel:5×5×1×4:true', 'bias:4:true', 'gamma:4:true', 'beta:4:true', 'movingMean:4:false', 'movingVariance:4:false', 'kernel:144×10:true', 'bias:10:true',
  ]);
});

test('a layer that does not fit its input names the layer and the key, with what to do; exit 2', () => {
  assert.match(cliError(() => resolveModelSpec(layers([{ conv: 8, kernel: 3 }]), TABULAR)), /^model\.layers\[0\]\.conv: its input is flat \(13 values per sample\); a conv layer needs images \[height, width, channels\]: image data \(fashion-mnist, digits, idx:\) or model\.input/);
  assert.match(cliError(() => resolveModelSpec(layers([{ dense: 8 }]), FASHION)), /^model\.layers\[0\]\.dense: its input is 28×28×1; add \{ flatten: true \}/);
  assert.match(cliError(() => resolveModelSpec(layers([{ flatten: true }, { maxPool: 2 }]), FASHION)), /^model\.layers\[1\]\.maxPool: its input is flat \(784 values/);
  assert.match(cliError(() => resolveModelSpec(layers([{ conv: 2, kernel: 30 }]), FASHION)), /^model\.layers\[0\]\.kernel: a 30×30 window does not fit its 28×28×1 input with padding valid/);
  assert.match(cliError(() => resolveModelSpec(layers([{ conv: 2, kernel: 3 }]), FASHION)), /^model\.layers\[0\]: the last layer writes 26×26×2 images; add \{ flatten: true \}/);
  assert.match(cliError(() => resolveModelSpec(layers([], [8, 8]), TABULAR)), /^model\.input: \[8, 8\] is 64 values per sample, but csv:wine\.csv has 13 features per sample/);
});

test('model.input reshapes flat data into images, [h, w] meaning one channel', () => {
  const digitsAsCsv = { name: 'csv:digits.csv', numFeatures: 64, numClasses: 10 };
  const spec = resolveModelSpec(layers([{ conv: 2, kernel: 3, padding: 'same' }, { flatten: true }], [8, 8]), digitsAsCsv);
  assert.deepEqual(spec.input, [8, 8, 1]);
  assert.deepEqual(spec.layers[0]!.outShape, [8, 8, 2]);
});

test('initial weights: the MLP draws exactly what it drew before the layer list (same digest); kaiming is PyTorch\'s U(±1/√fan-in) for kernels and biases', () => {
  // Runs started before the layer list must resume: the MLP's draws are unchanged (the digest main's glorotInitialWeights gave).
  const mlp = initialWeights(resolveModelSpec({ ...MLP, hidden: [5] }, { name: 'x', numFeatures: 4, numClasses: 3 }), 0);
  assert.equal(mlp.digest, '99a0f91c4b570a1f9c8d37d8af09d8537b510a816604ae41ae0a83039acfe7cb');
  const spec = resolveModelSpec({ ...CNN, init: 'kaiming' }, FASHION);
  const weights = initialWeights(spec, 1);
  weightTensors(spec).forEach((t, i) => {
    const values = weights.values[i]!;
    const fanIn = t.shape.length === 4 ? t.shape[0]! * t.shape[1]! * t.shape[2]! : t.kind === 'kernel' ? t.shape[0]! : NaN;
    if (t.kind === 'kernel') {
      const bound = 1 / Math.sqrt(fanIn);
      assert.ok(values.every((v) => Math.abs(v) <= bound), `kernel ${i} within ±${bound}`);
      assert.ok(values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) > 0.9 * bound, `kernel ${i} fills its range`);
    }
    if (t.kind === 'bias') assert.ok(values.some((v) => v !== 0), `kaiming draws the biases too (tensor ${i})`);
  });
  assert.ok(initialWeights(spec, 1).values[1]!.some((v) => v !== 0));
  assert.ok(initialWeights({ ...spec, init: 'glorot' }, 1).values[1]!.every((v) => v === 0), 'glorot biases are 0');
});

test('checkModelSize refuses a model over the parameter cap, naming the layer list or --hidden', () => {
  assert.match(cliError(() => checkModelSize(layers([{ flatten: true }, { dense: 16384 }, { dense: 16384 }]), FASHION)), /^model\.layers: the model would have 2\d\d,\d{3},\d{3} parameters on fashion-mnist; expected at most 50,000,000/);
  assert.match(cliError(() => checkModelSize({ ...MLP, hidden: [16384, 16384] }, FASHION)), /^--hidden 16384,16384: the model would have/);
  assert.equal(checkModelSize(CNN, FASHION).layers.length, 8);
});

test("describeModelConfig: a sweep's base config without the keys its grid sets says they vary by grid point", () => {
  assert.equal(describeModelConfig({ activation: 'relu', dropout: 0, init: 'glorot' }), 'MLP, hidden by grid point, relu');
  assert.equal(describeModelConfig({ hidden: [64], dropout: 0.2, init: 'kaiming' }), 'MLP, hidden 64, activation by grid point, dropout 0.2, kaiming init');
  assert.equal(describeModelConfig({ hidden: [], activation: 'tanh', dropout: 0 }), 'MLP, hidden none (linear), tanh, init by grid point');
});
