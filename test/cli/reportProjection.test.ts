import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { renderRunCharts } from '../../src/html/writeRunReport';
import { meanLogitGap, projectOnPlane, templatePlane } from '../../src/metrics/projection';
import { readCheckpoint } from '../../src/store/checkpointFile';
import { readRunProbabilities } from '../../src/store/probabilitiesFile';
import { loadRunDataset } from '../../src/store/runDataset';
import { readValidRunDirectory } from '../../src/store/runReader';
import { runCli } from '../helpers/cli';
import { trainSmallRun } from '../helpers/smallRun';
import { tempDir } from '../helpers/tempDir';

const runs = tempDir('ls-bench-projection-');

/** relu(x·W + b) for rows of x: the hidden layer of a one-hidden-layer MLP, computed here without any engine. */
function hiddenLayer(x: Float32Array, count: number, w: Float32Array, b: Float32Array): Float64Array {
  const inputs = w.length / b.length;
  const out = new Float64Array(count * b.length);
  for (let r = 0; r < count; r++) {
    for (let j = 0; j < b.length; j++) {
      let s = b[j]!;
      for (let i = 0; i < inputs; i++) s += x[r * inputs + i]! * w[i * b.length + j]!;
      out[r * b.length + j] = Math.max(0, s);
    }
  }
  return out;
}

test("the report's projection: each arm's final weights through the engine give the points this test computes by hand; logit gaps from probabilities.bin", { timeout: 120_000 }, async () => {
  const small = await trainSmallRun(runs);
  const record = readValidRunDirectory(small.dir);
  const summary = record.summary!;
  const { rendered, projection, sampleNotes } = await renderRunCharts(small.dir);
  assert.deepEqual(sampleNotes, []);
  assert.ok(projection, 'drawn');
  assert.deepEqual(projection.classes, [0, 1, 2], 'three classes: the only three');
  assert.ok(rendered.some((r) => r.chart.id === 'projection' && r.png), 'rendered as a PNG');
  const dataset = await loadRunDataset({ id: record.id, config: record.config!, summary }, '');
  const checkpoint = readCheckpoint(path.join(small.dir, 'checkpoint.bin'));
  const stored = readRunProbabilities({ id: record.id, dir: small.dir, summary });
  assert.equal(record.config!.activation, 'relu');
  for (const [a, arm] of projection.arms.entries()) {
    const [w1, b1, w2] = checkpoint.arms[a]!.state.weights as [Float32Array, Float32Array, Float32Array];
    const plane = templatePlane(w2, b1.length, 3, [0, 1, 2])!;
    const test = dataset.test;
    const expected = projectOnPlane(hiddenLayer(test.x, test.count, w1, b1), test.count, b1.length, plane);
    const points = arm.points.filter((p) => p.split === 'test');
    assert.equal(points.length, test.count, 'every test sample of the three classes (fewer than 1000 each)');
    // classRows takes the classes in turn, each in test order
    const order = [0, 1, 2].flatMap((c) => Array.from(test.y.keys()).filter((i) => test.y[i] === c));
    order.forEach((i, k) => {
      assert.equal(points[k]!.label, summary.dataset.classNames[test.y[i]!]);
      assert.ok(Math.abs(points[k]!.x - expected[2 * i]!) < 1e-4 && Math.abs(points[k]!.y - expected[2 * i + 1]!) < 1e-4, `${arm.arm.label}, test sample ${i}`);
    });
    assert.equal(arm.points.filter((p) => p.split === 'training').length, Math.min(dataset.train.count, 3000));
    assert.ok(Math.abs(arm.logitGap - meanLogitGap(stored.arms[a]!.logProbs, 3)) < 1e-12);
    assert.equal(arm.bound, a === 0 ? Infinity : Math.log((1 - summary.arms[a]!.epsilon + summary.arms[a]!.epsilon / 3) / (summary.arms[a]!.epsilon / 3)));
  }
});

test('report --classes: a mistake is one line, exit 2; a run without its final weights gets its report with a note instead of the projection', { timeout: 120_000 }, async () => {
  const small = await trainSmallRun(tempDir('ls-bench-projection-note-'));
  const bad = await runCli(['report', small.dir, '--classes', '0,1']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^ls-bench: --classes "0,1": 2 given; expected three different classes of the run's data set, by name or index 0–2, separated by commas: [^\n]+\n$/);
  rmSync(path.join(small.dir, 'checkpoint.bin'));
  const r = await runCli(['report', small.dir, '--classes', '2,0,1']);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(path.join(small.dir, 'report.html'), 'utf8');
  assert.match(html, /<p class="note">No penultimate-layer projection: run \S+: \S+checkpoint\.bin is missing \(the final weights\)\.<\/p>/);
  assert.ok(!html.includes('id="chart-projection"'));
  assert.ok(html.includes('id="chart-confidence-scatter"'), 'the rest is there');
});
