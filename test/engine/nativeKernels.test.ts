import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/engine/tf';
import { smoothedCrossEntropy } from '../../src/engine/loss';
import { ACTIVATION_CODES, LAYER_CODES, NO_ACTIVATION } from '../../src/engine/nativeAddon';
import { activate } from '../../src/engine/tfjsLayers';
import { SeededRandom } from '../../src/random/SeededRandom';
import { assertClose, kernelAddons, useCpuBackend as cpu } from '../helpers/native';

// Every native kernel against the TensorFlow.js cpu backend's result for the same inputs, on random
// shapes including 1-wide edges and sizes that are not multiples of any SIMD width.
const rng = new SeededRandom(7, 'native-kernel-tests');
const randomArray = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (rng.nextFloat() * 2 - 1) * scale);
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 3],
  [5, 1, 9],
  [17, 33, 1],
  [128, 784, 256],
  [3, 10, 130],
  [63, 65, 31],
];

for (const { label, addon, skip } of kernelAddons()) {
  test(`${label} matmul equals tf.matMul for every transpose combination`, { skip }, async () => {
    await cpu();
    for (const [m, k, n] of SHAPES) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const a = randomArray(m * k);
          const b = randomArray(k * n);
          const expected = tf.tidy(() =>
            tf.matMul(tf.tensor2d(a, transA ? [k, m] : [m, k]), tf.tensor2d(b, transB ? [n, k] : [k, n]), transA, transB).dataSync(),
          );
          const c = new Float32Array(m * n);
          addon!.matmul(transA ? 1 : 0, transB ? 1 : 0, m, n, k, a, b, c);
          assertClose(c, expected, 1e-5, 1e-5 * Math.sqrt(k), `matmul ${m}x${k}x${n} tA=${transA} tB=${transB}`);
        }
      }
    }
  });

  test(`${label} dense forward equals add(matMul(x, w), b) → activation → dropout mask, bias broadcast over rows`, { skip }, async () => {
    await cpu();
    const keepScale = 1 / (1 - 0.3);
    for (const [n, inWidth, outWidth] of SHAPES) {
      for (const [name, code] of Object.entries(ACTIVATION_CODES)) {
        const x = randomArray(n * inWidth);
        const w = randomArray(inWidth * outWidth, 0.5);
        const b = randomArray(outWidth);
        const mask = Float32Array.from({ length: n * outWidth }, () => (rng.nextFloat() < 0.3 ? 0 : 1));
        const [zExpected, hExpected] = tf.tidy(() => {
          const z = tf.add(tf.matMul(tf.tensor2d(x, [n, inWidth]), tf.tensor2d(w, [inWidth, outWidth])), tf.tensor1d(b));
          const act = activate(z, name as keyof typeof ACTIVATION_CODES);
          return [z.dataSync(), tf.mul(act, tf.mul(tf.tensor2d(mask, [n, outWidth]), keepScale)).dataSync()];
        });
        const z = new Float32Array(n * outWidth);
        const h = new Float32Array(n * outWidth);
        addon!.denseForward(n, inWidth, outWidth, x, w, b, code, mask, keepScale, z, h);
        const atol = 1e-5 * Math.sqrt(inWidth);
        assertClose(z, zExpected!, 1e-5, atol, `dense z ${n}x${inWidth}x${outWidth}`);
        assertClose(h, hExpected!, 1e-5, atol, `dense ${name} ${n}x${inWidth}x${outWidth}`);
        // without a mask: the activation alone
        const hNoMask = new Float32Array(n * outWidth);
        addon!.denseForward(n, inWidth, outWidth, x, w, b, code, null, 1, z, hNoMask);
        for (let i = 0; i < mask.length; i++) {
          if (mask[i] === 1) assert.ok(Math.abs(hNoMask[i]! * keepScale - h[i]!) <= 1e-5 * (1 + Math.abs(h[i]!)));
        }
      }
    }
  });

  test(`${label} activations and their gradients equal TF.js relu, tanh, sigmoid, elu and gelu and tf.grad of them (zero and large inputs included)`, { skip }, async () => {
    await cpu();
    for (const [name, code] of Object.entries(ACTIVATION_CODES)) {
      const z = Float32Array.from([0, -0, 1e-8, -1e-8, 30, -30, ...randomArray(257, 4)]);
      const dh = randomArray(z.length);
      const fn = (t: tf.Tensor) => activate(t, name as keyof typeof ACTIVATION_CODES);
      const [value, grad] = tf.tidy(() => [fn(tf.tensor1d(z)).dataSync(), tf.grad(fn)(tf.tensor1d(z), tf.tensor1d(dh)).dataSync()]);
      const h = new Float32Array(z.length);
      addon!.activationForward(code, z, h);
      // TF.js computes erf with a polynomial good to ~1e-7, C with libm's erff
      assertClose(h, value!, 1e-5, name === 'gelu' ? 1e-6 : 1e-7, name);
      const dz = new Float32Array(z.length);
      addon!.activationBackward(code, z, dh, dz);
      assertClose(dz, grad!, 1e-5, 1e-6, `${name}'`);
    }
  });

  test(`${label} smoothed cross-entropy: loss, log-softmax and gradient equal the TF.js loss and its gradient`, { skip }, async () => {
    await cpu();
    for (const [n, k] of [[1, 2], [3, 10], [128, 10], [7, 1], [33, 5]] as const) {
      const logits = randomArray(n * k, 8);
      if (n > 1) logits[0] = 60; // a large logit: log-softmax must stay finite
      const targets = new Float32Array(n * k);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < k; j++) targets[i * k + j] = 0.1 / k;
        targets[i * k + (i % k)]! += 0.9;
      }
      const [lossExpected, lpExpected, gradExpected] = tf.tidy(() => {
        const z = tf.tensor2d(logits, [n, k]);
        const t = tf.tensor2d(targets, [n, k]);
        const { value, grad } = tf.valueAndGrad((zz: tf.Tensor) => smoothedCrossEntropy(zz, t))(z);
        return [value.dataSync()[0]!, tf.logSoftmax(z).dataSync(), grad.dataSync()];
      });
      const logProbs = new Float32Array(n * k);
      const grad = new Float32Array(n * k);
      const loss = addon!.smoothedCrossEntropy(n, k, logits, targets, logProbs, grad);
      assert.ok(Math.abs(loss - (lossExpected as number)) <= 1e-5 * (1 + Math.abs(lossExpected as number)), `loss ${loss} vs ${lossExpected}`);
      assertClose(logProbs, lpExpected as Float32Array, 1e-5, 1e-5, `logSoftmax ${n}x${k}`);
      assertClose(grad, gradExpected as Float32Array, 1e-4, 1e-7, `grad ${n}x${k}`);
    }
  });

  test(`${label} column sums equal tf.sum(x, 0)`, { skip }, async () => {
    await cpu();
    for (const [rows, cols] of [[1, 1], [128, 256], [5, 1], [1, 9], [129, 10]] as const) {
      const x = randomArray(rows * cols);
      const expected = tf.tidy(() => tf.sum(tf.tensor2d(x, [rows, cols]), 0).dataSync());
      const out = new Float32Array(cols).fill(99); // overwritten, not accumulated
      addon!.columnSums(rows, cols, x, out);
      assertClose(out, expected, 1e-5, 1e-5 * Math.sqrt(rows), `columnSums ${rows}x${cols}`);
    }
  });

  test(`${label} Adam and momentum updates equal tf.train.adam and tf.train.momentum over several steps`, { skip }, async () => {
    await cpu();
    for (const size of [1, 3, 1000]) {
      const initial = randomArray(size);
      const grads = [randomArray(size), randomArray(size, 0.01), randomArray(size, 100), new Float32Array(size)];
      for (const kind of ['adam', 'momentum'] as const) {
        const variable = tf.variable(tf.tensor1d(initial));
        const optimizer = kind === 'adam' ? tf.train.adam(0.003) : tf.train.momentum(0.05, 0.9);
        const params = initial.slice();
        const m = new Float32Array(size);
        const v = new Float32Array(size);
        let acc1 = Math.fround(0.9);
        let acc2 = Math.fround(0.999);
        for (const g of grads) {
          tf.tidy(() => optimizer.applyGradients([{ name: variable.name, tensor: tf.tensor1d(g) }]));
          if (kind === 'adam') {
            addon!.adamUpdate(params, g, m, v, 0.003, 0.9, 0.999, 1e-7, acc1, acc2);
            acc1 = Math.fround(acc1 * Math.fround(0.9));
            acc2 = Math.fround(acc2 * Math.fround(0.999));
          } else {
            addon!.momentumUpdate(params, g, m, 0.05, 0.9);
          }
          assertClose(params, variable.dataSync(), 1e-5, 1e-6, `${kind} size ${size}`);
        }
        optimizer.dispose();
        variable.dispose();
      }
    }
  });

  /** A network of dense layers `widths[0] → … → widths[last]` (relu, the last linear) as native records, with dropout layers after the hidden ones when asked. */
  function denseNetwork(widths: number[], dropout = 0): { input: Int32Array; layers: Float64Array; paramCount: number } {
    const records: number[] = [];
    let paramCount = 0;
    for (let l = 1; l < widths.length; l++) {
      const last = l === widths.length - 1;
      records.push(LAYER_CODES.dense, widths[l]!, 0, 0, 0, last ? NO_ACTIVATION : ACTIVATION_CODES.relu, 0, 0);
      if (!last && dropout > 0) records.push(LAYER_CODES.dropout, 0, 0, 0, 0, NO_ACTIVATION, dropout, 0);
      paramCount += widths[l - 1]! * widths[l]! + widths[l]!;
    }
    return { input: Int32Array.from([1, 1, widths[0]!]), layers: Float64Array.from(records), paramCount };
  }
  const ADAM = Float64Array.from([0, 0.1, 0.9, 0, 0, 1]);
  const none = new Float32Array(0);

  test(`${label} kernels reject wrong array types and too-short arrays with an error, never a crash`, { skip }, () => {
    const a = new Float32Array(4);
    assert.throws(() => addon!.matmul(0, 0, 2, 2, 2, new Float64Array(4) as unknown as Float32Array, a, a), /Float32Array/);
    assert.throws(() => addon!.matmul(0, 0, 3, 2, 2, a, a, a), /needs 6/);
    assert.throws(() => addon!.columnSums(4, 4, a, a), /needs 16/);
    const net = denseNetwork([2, 1]);
    const handle = addon!.createNetwork(net.input, net.layers, ADAM, new Float32Array(3), none);
    assert.throws(() => addon!.trainStep(handle, 2, a, new Float32Array(1), null, new Float32Array(2)), /targets/);
    assert.throws(() => addon!.createNetwork(net.input, net.layers, ADAM, new Float32Array(4), none), /params length/);
    const two = new Float32Array(2);
    assert.throws(() => addon!.trainSteps([handle, handle], 1, a, [two, two], null, [two, two], 2), /appears twice/);
    const wider = denseNetwork([3, 1]);
    const other = addon!.createNetwork(wider.input, wider.layers, ADAM, new Float32Array(4), none);
    assert.throws(() => addon!.trainSteps([handle, other], 1, a, [two, two], null, [two, two], 2), /same layers/);
    addon!.disposeNetwork(handle);
    assert.throws(() => addon!.readState(handle, new Float32Array(3), none, null, null), /after disposeNetwork/);
    addon!.disposeNetwork(other);
  });

  test(`${label}: createNetwork refuses records that do not describe a network: one line naming what is wrong`, { skip }, () => {
    const record = (...r: number[]) => Float64Array.from(r);
    const create = (input: number[], layers: Float64Array, params = 0) => addon!.createNetwork(Int32Array.from(input), layers, ADAM, new Float32Array(params), none);
    // a conv layer on [1, 1, 4] with a 3×3 valid kernel has no output
    assert.throws(() => create([1, 1, 4], record(LAYER_CODES.conv, 2, 3, 1, 0, NO_ACTIVATION, 0, 0, LAYER_CODES.dense, 1, 0, 0, 0, NO_ACTIVATION, 0, 0)), /kernel is larger than its input/);
    assert.throws(() => create([2, 2, 1], record(LAYER_CODES.dense, 1, 0, 0, 0, NO_ACTIVATION, 0, 0), 5), /flat input/);
    assert.throws(() => create([1, 1, 2], record(LAYER_CODES.dense, 1, 0, 0, 0, ACTIVATION_CODES.relu, 0, 0), 3), /last layer must be a dense layer without activation/);
    assert.throws(() => create([1, 1, 2], record(9, 1, 0, 0, 0, NO_ACTIVATION, 0, 0)), /unknown layer type/);
    assert.throws(() => create([1, 1, 2], Float64Array.from([0, 1, 0])), /whole records/);
  });

  test(`${label}: trainStep and trainSteps read dropout masks alike: one Float32Array of n × (input size) per dropout layer, or an error`, { skip }, () => {
    // 2 → 3 → dropout → 2 → dropout → 1: two dropout layers, reading widths 3 and 2
    const net = denseNetwork([2, 3, 2, 1], 0.5);
    const params = new Float32Array(net.paramCount).fill(0.1);
    const [first, second] = [0, 1].map(() => addon!.createNetwork(net.input, net.layers, ADAM, params, none));
    const n = 2;
    const x = new Float32Array(n * 2).fill(1);
    const t = new Float32Array(n).fill(1);
    const lp = () => new Float32Array(n);
    const step = (masks: Float32Array[] | null) => addon!.trainStep(first!, n, x, t, masks, lp());
    const steps = (masks: Float32Array[] | null) => addon!.trainSteps([first!, second!], n, x, [t, t], masks, [lp(), lp()], 2);
    const full = [new Float32Array(n * 3).fill(1), new Float32Array(n * 2).fill(1)];
    for (const [name, call] of [['trainStep', step], ['trainSteps', steps]] as const) {
      assert.doesNotThrow(() => call(null));
      assert.doesNotThrow(() => call(full));
      assert.throws(() => call(full.slice(0, 1)), new RegExp(`^TypeError: ${name}: masks must be an array with one Float32Array per dropout layer`));
      assert.throws(() => call([full[0]!, new Float32Array(n * 2 - 1)]), /mask: has 3 values, needs 4/);
      assert.throws(() => call([full[0]!, new Float64Array(n * 2) as unknown as Float32Array]), /mask: expected a Float32Array/);
    }
    addon!.disposeNetwork(first!);
    addon!.disposeNetwork(second!);
  });
}
