import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classTemplate, confusionOf, logitGapBound, meanLogitGap, mostConfusedTriple, projectOnPlane, templatePlane } from '../../src/metrics/projection';

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol;

// a [width 3 × 4 classes] kernel: the templates are its columns
const kernel = Float32Array.from([
  [1, 0, 0, 5],
  [0, 2, 0, 5],
  [0, 0, 3, 5],
].flat());

test('the templates are the columns of the [width × classes] kernel', () => {
  assert.deepEqual([...classTemplate(kernel, 3, 4, 1)], [0, 2, 0]);
  assert.deepEqual([...classTemplate(kernel, 3, 4, 3)], [5, 5, 5]);
  assert.throws(() => classTemplate(kernel, 3, 3, 0), RangeError);
});

test('the plane through three templates: an orthonormal basis, the templates at their distances, points projected from the first', () => {
  const plane = templatePlane(kernel, 3, 4, [0, 1, 2])!;
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
  assert.ok(close(dot(plane.u, plane.u), 1) && close(dot(plane.v, plane.v), 1) && close(dot(plane.u, plane.v), 0), 'orthonormal');
  const [t0, t1, t2] = plane.templates;
  assert.deepEqual(t0, [0, 0]);
  assert.ok(close(t1![0], Math.sqrt(5)) && close(t1![1], 0), '|w1 − w0| = √5 along u');
  assert.ok(close(Math.hypot(t2![0], t2![1]), Math.sqrt(10)) && t2![1] > 0, '|w2 − w0| = √10, on the positive side of v');
  // each template projects onto its own place; a point off the plane projects onto its foot
  const templates = Float32Array.from([1, 0, 0, 0, 2, 0, 0, 0, 3]);
  const xy = projectOnPlane(templates, 3, 3, plane);
  plane.templates.forEach(([x, y], i) => assert.ok(close(xy[2 * i]!, x, 1e-6) && close(xy[2 * i + 1]!, y, 1e-6), `template ${i}`));
  const normal = [6, 3, 2].map((n) => n / 7); // orthogonal to (−1, 2, 0) and (−1, 0, 3)
  const off = Float32Array.from([1 + 4 * normal[0]!, 4 * normal[1]!, 4 * normal[2]!]);
  const p = projectOnPlane(off, 1, 3, plane);
  assert.ok(close(p[0]!, 0, 1e-6) && close(p[1]!, 0, 1e-6), 'moving along the normal does not move the projection');
});

test('no plane through templates on one line', () => {
  const collinear = Float32Array.from([[1, 2, 3], [1, 2, 3]].flat());
  assert.equal(templatePlane(collinear, 2, 3, [0, 1, 2]), null);
  const same = Float32Array.from([[1, 1, 3], [0, 0, 1]].flat());
  assert.equal(templatePlane(same, 2, 3, [0, 1, 2]), null);
});

test('the three most confused classes: most samples of one predicted as another, summed over arms and both directions', () => {
  const m = (pairs: [number, number, number][]) => {
    const out: number[][] = Array.from({ length: 5 }, (_, i) => Array.from({ length: 5 }, (_, j) => (i === j ? 100 : 0)));
    for (const [i, j, n] of pairs) out[i]![j] = n;
    return out;
  };
  // 1↔3 and 3↔4 confused in the hard arm, 1↔4 in the smoothed one; 0↔2 a lot, but with no third
  assert.deepEqual(mostConfusedTriple([m([[1, 3, 10], [4, 3, 8], [0, 2, 15]]), m([[1, 4, 6]])]), [1, 3, 4]);
  assert.deepEqual(mostConfusedTriple([m([])]), [0, 1, 2], 'nothing confused: the first three');
  assert.throws(() => mostConfusedTriple([[[1, 0], [0, 1]]]), RangeError);
});

test('the mean logit gap, and the bound smoothing sets: log((1 − ε + ε/K)/(ε/K)), 4.51 for K = 10, ε = 0.1', () => {
  // logits (3, 1, −1) and (0, 0, 3): gaps 3 − 0 = 3 and 3 − 0 = 3; as log-probabilities, the same
  const logits = [[3, 1, -1], [0, 0, 3]];
  const logProbs = logits.flatMap((row) => {
    const lse = Math.log(row.reduce((s, x) => s + Math.exp(x), 0));
    return row.map((x) => x - lse);
  });
  assert.ok(close(meanLogitGap(logProbs, 3), 3, 1e-12));
  assert.ok(close(logitGapBound(0.1, 10), Math.log(0.91 / 0.01), 1e-12));
  assert.equal(logitGapBound(0.1, 10).toFixed(2), '4.51');
  assert.ok(close(logitGapBound(0.1, 10, 'others'), Math.log(0.9 / (0.1 / 9)), 1e-12));
  assert.equal(logitGapBound(0, 10), Infinity);
  // a model trained to its smoothed targets exactly has the bound as its gap
  const q = [0.91, ...Array(9).fill(0.01)];
  assert.ok(close(meanLogitGap(q.map(Math.log), 10), logitGapBound(0.1, 10), 1e-12));
});

test('many classes: the most confused triple among the most confused classes; confusionOf counts [true][predicted]', () => {
  const k = 60;
  const labels: number[] = [];
  const predicted: number[] = [];
  const add = (t: number, p: number, n: number) => {
    for (let i = 0; i < n; i++) [labels.push(t), predicted.push(p)];
  };
  for (let c = 0; c < k; c++) add(c, c, 5);
  add(45, 47, 6);
  add(49, 45, 5);
  add(47, 49, 4);
  add(3, 4, 9); // one pair confused more, but no third class with them
  const m = confusionOf(predicted, labels, k);
  assert.equal(m[45]![47], 6);
  assert.equal(m[45]![45], 5);
  assert.deepEqual(mostConfusedTriple([m]), [45, 47, 49]);
});
