import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrainConfigSchema } from '../../src/config/schema';
import { SCHEMA_VERSION, type HistogramsFile, type RunSummary } from '../../src/store/runFiles';
import { fixed, percent } from '../../src/text/format';
import { displayWidth } from '../../src/text/layout';
import { renderRunMarkdown } from '../../src/text/runMarkdown';
import { renderRun } from '../../src/text/runReport';
import { FIXTURE_ENVIRONMENT, fixtureHistory } from '../helpers/fixtureRuns';

const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** A completed run of `epsilons` (0 first) on ten Fashion-MNIST classes, its numbers plain functions of arm and class. */
function fashionRun(epsilons: number[], epochs = 10): { summary: RunSummary; histograms: HistogramsFile } {
  const k = FASHION.length;
  const arms = epsilons.map((epsilon, a) => ({
    label: epsilon === 0 ? 'hard' : epsilons.length > 2 ? `smoothed-${epsilon}` : 'smoothed',
    epsilon,
    smoothing: 'uniform' as const,
    initialWeightsDigest: 'w0',
    finalWeightsDigest: `w${a + 1}`,
    history: fixtureHistory(epochs, epsilon),
    test: {
      accuracy: 0.88 - a / 100,
      nll: 0.33 + a / 50,
      ece: 0.02 + a / 100,
      meanConfidence: 0.9 - a / 20,
      confusionMatrix: Array.from({ length: k }, (_, r) => Array.from({ length: k }, (_, c) => (r === c ? 900 - a : 11 + c))),
      perClass: FASHION.map((_, c) => ({ precision: 0.8 + c / 100, recall: 0.7 + c / 100 + a / 1000, f1: 0.75 + c / 100, support: 1000 })),
      macro: { precision: 0.85, recall: 0.84, f1: 0.845 + a / 1000 },
    },
  }));
  const summary: RunSummary = {
    schemaVersion: SCHEMA_VERSION,
    runId: '20261126-000000-abcd',
    dataset: { name: 'fashion-mnist', description: 'Fashion-MNIST, IDX files in /usr/share/datasets/fashion-mnist', trainSamples: 60000, testSamples: 10000, features: 784, classes: k, classNames: FASHION, digest: 'd' },
    backend: 'native',
    model: 'MLP 784-256-128-10, relu',
    optimizer: 'Adam, learning rate 0.001',
    config: TrainConfigSchema.parse({ dataset: 'fashion-mnist', epsilon: epsilons.slice(1), epochs, hidden: [256, 128] }),
    arms,
    comparisons: arms.slice(1).map((a) => ({
      arm: a.label,
      epsilon: a.epsilon,
      baseline: 'hard',
      deltaAccuracy: a.test.accuracy - arms[0]!.test.accuracy,
      deltaNll: a.test.nll - arms[0]!.test.nll,
      deltaEce: a.test.ece - arms[0]!.test.ece,
      deltaMeanConfidence: a.test.meanConfidence - arms[0]!.test.meanConfidence,
      mcnemar: { onlyBaselineCorrect: 120, onlyArmCorrect: 101, pValue: 0.226 },
    })),
    seconds: 61.2,
    completedAt: '2026-11-26T00:00:00.000Z',
  };
  const histograms: HistogramsFile = {
    schemaVersion: SCHEMA_VERSION,
    confidenceBins: Array.from({ length: 11 }, (_, i) => i / 10),
    arms: arms.map((a, i) => ({ label: a.label, confidenceHistogram: Array.from({ length: 10 }, (_, b) => (b + 1) * (100 - i * 10)), reliability: [] })),
  };
  return { summary, histograms };
}

const environment = { ...FIXTURE_ENVIRONMENT, backend: 'native', backendLabel: 'ls-bench native (C, OpenBLAS sgemm, fused MLP training step)' };

for (const width of [80, 120]) {
  for (const epsilons of [[0, 0.1], [0, 0.05, 0.1, 0.2]]) {
    test(`a ${epsilons.length}-arm run at ${width} columns: every line fits, every number is there`, () => {
      const { summary, histograms } = fashionRun(epsilons);
      const text = renderRun(summary, histograms, environment, { width });
      for (const line of text.split('\n')) assert.ok(displayWidth(line) <= width, `${displayWidth(line)} > ${width}: ${line}`);
      const cells = new Set(text.split(/[│\n]/).map((c) => c.trim()));
      for (const arm of summary.arms) {
        for (const h of arm.history) for (const v of [fixed(h.trainLoss), fixed(h.trainNll), fixed(h.testNll), percent(h.testAccuracy)]) assert.ok(cells.has(v), `epoch ${h.epoch} of ${arm.label}: ${v}`);
        assert.ok(cells.has(percent(arm.test.accuracy)), `${arm.label} accuracy`);
        assert.ok(cells.has(fixed(arm.test.perClass[9]!.recall, 3)), `${arm.label} recall of Ankle boot`);
      }
      assert.ok(text.includes('Verdict (smoothed'), 'the verdict');
    });
  }
}

test('the per-epoch table splits between arms, never inside one: 2 arms at 120 columns are one table; 4 arms at 80 are four, each its own arm', () => {
  const epochTable = (text: string) => text.slice(text.indexOf('Per epoch'), text.indexOf('Final test metrics'));
  const two = epochTable(renderRun(fashionRun([0, 0.1]).summary, fashionRun([0, 0.1]).histograms, environment, { width: 120 }));
  assert.equal(two.match(/┌/g)?.length, 1);
  const four = epochTable(renderRun(fashionRun([0, 0.05, 0.1, 0.2]).summary, fashionRun([0, 0.05, 0.1, 0.2]).histograms, environment, { width: 80 }));
  const parts = four.split('┌').slice(1);
  assert.equal(parts.length, 4);
  ['hard (ε=0)', 'smoothed-0.05 (ε=0.05)', 'smoothed-0.1 (ε=0.1)', 'smoothed-0.2 (ε=0.2)'].forEach((arm, i) => {
    assert.ok(parts[i]!.includes(arm), `part ${i + 1}: ${arm}`);
    assert.match(parts[i]!, /│ +epoch │/, 'the epoch column in every part');
  });
  // and at 120 columns two arms side by side in each of two parts
  const wide = epochTable(renderRun(fashionRun([0, 0.05, 0.1, 0.2]).summary, fashionRun([0, 0.05, 0.1, 0.2]).histograms, environment, { width: 120 }));
  assert.equal(wide.split('┌').length - 1, 2);
});

test('without a width (a pipe) nothing is wrapped or split; markdown never is', () => {
  const { summary, histograms } = fashionRun([0, 0.05, 0.1, 0.2]);
  const text = renderRun(summary, histograms, environment);
  assert.ok(Math.max(...text.split('\n').map(displayWidth)) > 150, 'one wide table');
  assert.equal(renderRunMarkdown(summary, histograms, environment), renderRunMarkdown(summary, histograms, environment));
  assert.match(renderRunMarkdown(summary, histograms, environment), /\| epoch \| hard \(ε=0\) train loss \| hard \(ε=0\) train NLL \|/);
});

test('the header names the backend once; auto\'s fallback in a few words, in full only with verbose', () => {
  const { summary, histograms } = fashionRun([0, 0.1]);
  const fell = { ...environment, backendFallbackReason: '@tensorflow/tfjs-node is not installed (its install downloads libtensorflow, which fails offline); with network access run `npm install @tensorflow/tfjs-node` to enable it', backendFallbackNote: 'tfjs-node is not installed' };
  const short = renderRun(summary, histograms, fell, { width: 100 });
  assert.match(short, /^backend {4}native — ls-bench native/m);
  assert.match(short, /^ {11}auto: tfjs-node is not installed \(--verbose says more\)$/m);
  assert.doesNotMatch(short, /libtensorflow/);
  const full = renderRun(summary, histograms, fell, { width: 100, verbose: true });
  assert.match(full.replace(/\n {11}/g, ' '), /fell back: @tensorflow\/tfjs-node is not installed \(its install downloads libtensorflow/);
});

test('the time line says what it measures, and the whole command when train knows it', () => {
  const { summary, histograms } = fashionRun([0, 0.1]);
  assert.match(renderRun(summary, histograms, environment), /^time: training 1 min 1 s \(2 arms, with the per-epoch test evaluation\)$/m);
  assert.match(renderRun(summary, histograms, environment, { commandSeconds: 64.5 }), /^time: training 1 min 1 s .*; the whole command 1 min 5 s \(start-up, data, training, final metrics, writing the run\)$/m);
});

test('the verdict says which way each difference is better, once after all arms', () => {
  const { summary, histograms } = fashionRun([0, 0.1]);
  const text = renderRun(summary, histograms, environment);
  assert.match(text, /^ {2}ΔNLL \+0\.0200$/m);
  assert.match(text, /^\(Δ: the arm − hard; better: higher accuracy, lower NLL, ECE and Brier; mean confidence has no better direction\.\)$/m, 'the key');
  const four = renderRun(fashionRun([0, 0.05, 0.1, 0.2]).summary, fashionRun([0, 0.05, 0.1, 0.2]).histograms, environment, { width: 80 });
  assert.equal(four.split('better: higher accuracy').length - 1, 1, 'once for three smoothed arms');
  assert.equal(four.split('Verdict (smoothed').length - 1, 3);
});
