import { test } from 'node:test';
import { tf } from '../../src/engine/tf';
import { windowOutput } from '../../src/engine/modelSpec';
import { avgPool, convKernelGradient } from '../../src/engine/tfjsLayers';
import { SeededRandom } from '../../src/random/SeededRandom';
import { assertClose, kernelAddons, useCpuBackend as cpu } from '../helpers/native';

// The native conv, pooling and batch-norm kernels against the TensorFlow.js cpu backend, forward and
// gradient, on random shapes with strides, both paddings, odd sizes, 1×1 and even kernels.
const rng = new SeededRandom(11, 'native-layer-tests');
const randomArray = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (rng.nextFloat() * 2 - 1) * scale);

/** [n, height, width, channels, filters, kernel, stride, padding] */
const CONVS: [number, number, number, number, number, number, number, 'same' | 'valid'][] = [
  [1, 5, 5, 1, 1, 3, 1, 'same'],
  [2, 7, 6, 3, 4, 3, 2, 'same'],
  [3, 8, 8, 2, 5, 1, 1, 'valid'],
  [2, 9, 7, 3, 2, 4, 3, 'valid'],
  [1, 6, 6, 4, 3, 5, 2, 'same'],
  [2, 4, 4, 2, 3, 4, 1, 'valid'],
  [1, 3, 5, 2, 2, 2, 2, 'same'],
  [4, 28, 28, 1, 8, 3, 1, 'same'],
];

for (const { label, addon, skip } of kernelAddons()) {
  test(`${label} conv2d forward and gradients (input, kernel, bias) equal tf.conv2d and tf.grads of it`, { skip }, async () => {
    await cpu();
    for (const [n, h, w, c, f, k, stride, padding] of CONVS) {
      const what = `conv ${n}×${h}×${w}×${c} → ${f}, ${k}×${k} stride ${stride} ${padding}`;
      const x = randomArray(n * h * w * c);
      const kernel = randomArray(k * k * c * f, 0.5);
      const bias = randomArray(f);
      const [z, dx, dk, db, dy] = tf.tidy(() => {
        const conv = (xs: tf.Tensor, ks: tf.Tensor, bs: tf.Tensor) => tf.add(tf.conv2d(xs as tf.Tensor4D, ks as tf.Tensor4D, stride, padding), bs);
        const args = [tf.tensor4d(x, [n, h, w, c]), tf.tensor4d(kernel, [k, k, c, f]), tf.tensor1d(bias)];
        const out = conv(args[0]!, args[1]!, args[2]!);
        const upstream = tf.tensor(randomArray(out.size), out.shape);
        const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => conv(a, b, d))(args, upstream);
        return [out, ...grads, upstream].map((t) => t.dataSync() as Float32Array);
      });
      const same = padding === 'same' ? 1 : 0;
      const zNative = new Float32Array(z!.length);
      addon!.conv2dForward(n, h, w, c, f, k, stride, same, x, kernel, bias, zNative);
      const atol = 1e-5 * Math.sqrt(k * k * c);
      assertClose(zNative, z!, 1e-5, atol, `${what}: output`);
      const [dxNative, dkNative, dbNative] = [new Float32Array(dx!.length), new Float32Array(dk!.length), new Float32Array(db!.length)];
      addon!.conv2dBackward(n, h, w, c, f, k, stride, same, x, kernel, dy!, dxNative, dkNative, dbNative);
      assertClose(dxNative, dx!, 1e-4, atol, `${what}: ∂x`);
      assertClose(dkNative, dk!, 1e-4, 1e-5 * Math.sqrt(z!.length), `${what}: ∂kernel`);
      assertClose(dbNative, db!, 1e-4, 1e-5 * Math.sqrt(z!.length), `${what}: ∂bias`);
      // the kernel gradient the TF.js cpu and wasm backends use (from slices, not Conv2DBackpropFilter) is the same math
      const [oh, ow] = [windowOutput(h, k, stride, padding), windowOutput(w, k, stride, padding)];
      const sliced = tf.tidy(() => convKernelGradient(tf.tensor4d(x, [n, h, w, c]), tf.tensor4d(dy!, [n, oh, ow, f]), k, stride, padding).dataSync());
      assertClose(sliced, dk!, 1e-4, 1e-5 * Math.sqrt(z!.length), `${what}: ∂kernel from slices`);
    }
  });

  /** [n, height, width, channels, size, stride, padding] */
  const POOLS: [number, number, number, number, number, number, 'same' | 'valid'][] = [
    [2, 8, 8, 3, 2, 2, 'valid'],
    [1, 7, 7, 2, 2, 2, 'same'],
    [2, 7, 5, 3, 3, 2, 'same'],
    [1, 9, 9, 1, 3, 3, 'valid'],
    [3, 5, 6, 4, 2, 1, 'valid'],
    [1, 6, 6, 2, 4, 3, 'same'],
  ];

  test(`${label} max and average pooling, forward and gradient, equal TF.js (average: over the pixels inside the image)`, { skip }, async () => {
    await cpu();
    for (const [n, h, w, c, size, stride, padding] of POOLS) {
      for (const kind of ['maxPool', 'avgPool'] as const) {
        const what = `${kind} ${n}×${h}×${w}×${c}, ${size}×${size} stride ${stride} ${padding}`;
        const x = randomArray(n * h * w * c);
        const pool = (t: tf.Tensor) => (kind === 'maxPool' ? tf.maxPool(t as tf.Tensor4D, size, stride, padding) : avgPool(t as tf.Tensor4D, { kind, size, stride, padding }));
        const [y, dx, dy] = tf.tidy(() => {
          const xs = tf.tensor4d(x, [n, h, w, c]);
          const out = pool(xs);
          const upstream = tf.tensor(randomArray(out.size), out.shape);
          return [out, tf.grad(pool)(xs, upstream), upstream].map((t) => t.dataSync() as Float32Array);
        });
        if (kind === 'avgPool') {
          // the rescaled valid pooling is TF.js's own same-padded average, going forward
          const direct = tf.tidy(() => tf.avgPool(tf.tensor4d(x, [n, h, w, c]), size, stride, padding).dataSync());
          assertClose(y!, direct, 1e-6, 1e-6, `${what}: TF.js formulation`);
        }
        const same = padding === 'same' ? 1 : 0;
        const max = kind === 'maxPool' ? 1 : 0;
        const yNative = new Float32Array(y!.length);
        addon!.poolForward(max, n, h, w, c, size, stride, same, x, yNative);
        assertClose(yNative, y!, 1e-6, 1e-6, `${what}: output`);
        const dxNative = new Float32Array(x.length);
        addon!.poolBackward(max, n, h, w, c, size, stride, same, x, dy!, dxNative);
        assertClose(dxNative, dx!, 1e-5, 1e-6, `${what}: ∂x`);
      }
    }
  });

  test(`${label} batch norm (training mode), forward and gradients (input, γ, β), equals the TF.js formulation and tf.grads of it`, { skip }, async () => {
    await cpu();
    for (const [rows, channels] of [[2, 1], [7, 3], [128, 16], [1568, 8]] as const) {
      const what = `batch norm ${rows}×${channels}`;
      const x = Float32Array.from(randomArray(rows * channels, 3), (v, i) => v + (i % channels)); // per-channel offsets
      const gamma = randomArray(channels);
      const beta = randomArray(channels);
      const eps = 1e-5;
      const norm = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(xs, [0]);
        return tf.add(tf.mul(tf.mul(tf.sub(xs, mean), tf.rsqrt(tf.add(variance, eps))), g), b);
      };
      const [y, dx, dg, db, dy] = tf.tidy(() => {
        const args = [tf.tensor2d(x, [rows, channels]), tf.tensor1d(gamma), tf.tensor1d(beta)];
        const out = norm(args[0]!, args[1]!, args[2]!);
        const upstream = tf.tensor2d(randomArray(rows * channels), [rows, channels]);
        return [out, ...tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => norm(a, b, c))(args, upstream), upstream].map((t) => t.dataSync() as Float32Array);
      });
      const [yN, dxN, dgN, dbN] = [y!, dx!, dg!, db!].map((a) => new Float32Array(a.length));
      addon!.batchNorm(rows, channels, x, gamma, beta, eps, yN!, dy!, dxN!, dgN!, dbN!);
      assertClose(yN!, y!, 1e-4, 1e-5, `${what}: output`);
      assertClose(dxN!, dx!, 1e-3, 1e-5, `${what}: ∂x`);
      assertClose(dgN!, dg!, 1e-4, 1e-5 * Math.sqrt(rows), `${what}: ∂γ`);
      assertClose(dbN!, db!, 1e-4, 1e-5 * Math.sqrt(rows), `${what}: ∂β`);
    }
  });
}
