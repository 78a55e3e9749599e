import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePredictions, HISTOGRAM_BINS } from '../../src/metrics/evaluate';
import { SCHEMA_VERSION, type HistogramsFile, type RunSummary } from '../../src/store/runFiles';
import { RunSummarySchema } from '../../src/store/runFiles';
import { armTopConfusions, worstClasses } from '../../src/text/classTables';
import { renderRunMarkdown } from '../../src/text/runMarkdown';
import { renderRun } from '../../src/text/runReport';
import { TrainConfigSchema } from '../../src/config/schema';
import { fixtureHistory } from '../helpers/fixtureRuns';

/** A completed run's summary with `k` classes and `n` test samples, predictions from a fixed rule. */
function manyClassRun(k: number, n: number): { summary: RunSummary; histograms: HistogramsFile } {
  const labels = Int32Array.from({ length: n }, (_, i) => i % k);
  const arm = (shift: number) => {
    const logProbs = new Float32Array(n * k).fill(-30);
    for (let i = 0; i < n; i++) logProbs[i * k + (i % 3 === 0 ? (i * shift) % k : labels[i]!)] = -0.05;
    return evaluatePredictions(logProbs, labels, k);
  };
  const metrics = [arm(7), arm(11)];
  const strip = (m: (typeof metrics)[number]) => {
    const { reliability: _r, confidenceHistogram: _h, confusionEntries: _c, ...test } = m;
    return test;
  };
  const summary: RunSummary = {
    schemaVersion: SCHEMA_VERSION,
    runId: 'r',
    dataset: { name: 'many', description: 'many classes', trainSamples: n, testSamples: n, features: 4, classes: k, classNames: Array.from({ length: k }, (_, c) => `class ${c}`), digest: 'd' },
    backend: 'cpu',
    model: 'MLP',
    optimizer: 'Adam',
    config: TrainConfigSchema.parse({}),
    arms: [
      { label: 'hard', epsilon: 0, smoothing: 'uniform', initialWeightsDigest: 'w', finalWeightsDigest: 'a', history: fixtureHistory(3, 0), test: strip(metrics[0]!) },
      { label: 'smoothed', epsilon: 0.1, smoothing: 'uniform', initialWeightsDigest: 'w', finalWeightsDigest: 'b', history: fixtureHistory(3, 0.1), test: strip(metrics[1]!) },
    ],
    comparisons: [{ arm: 'smoothed', epsilon: 0.1, baseline: 'hard', deltaAccuracy: 0, deltaNll: 0, deltaEce: 0, deltaMeanConfidence: 0, mcnemar: { onlyBaselineCorrect: 1, onlyArmCorrect: 1, pValue: 1 } }],
    seconds: 1,
    completedAt: 'now',
  };
  const histograms: HistogramsFile = {
    schemaVersion: SCHEMA_VERSION,
    confidenceBins: Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => i / HISTOGRAM_BINS),
    arms: metrics.map((m, i) => ({ label: summary.arms[i]!.label, confidenceHistogram: m.confidenceHistogram, reliability: m.reliability })),
  };
  return { summary, histograms };
}

test('1000 classes: the terminal and markdown views show the worst classes and the most confused pairs, fast and bounded', () => {
  const { summary, histograms } = manyClassRun(1000, 5000);
  assert.equal(RunSummarySchema.safeParse(summary).success, true, 'a valid summary without dense matrices');
  assert.ok(JSON.stringify(summary).length < 2_000_000, 'summary.json stays small');
  for (const render of [renderRun, renderRunMarkdown]) {
    const started = Date.now();
    const text = render(summary, histograms);
    assert.ok(Date.now() - started < 1000, `${render.name} took ${Date.now() - started} ms`);
    assert.ok(text.split('\n').length < 200, `${render.name}: ${text.split('\n').length} lines`);
    assert.match(text, /The 20 of 1000 classes with the lowest F1 in any arm/);
    assert.match(text, /Most confused pairs, hard \(ε=0\) \(the top 20 of \d+ misclassified test samples; every cell is in confusion\.json\)/);
  }
});

test('the worst classes come first (lowest F1 in any arm, then most test samples); the top confusions are stored or derived from an old matrix', () => {
  const { summary } = manyClassRun(40, 400);
  const worst = worstClasses(summary, 40);
  const f1 = (c: number) => Math.min(...summary.arms.map((a) => a.test.perClass[c]!.f1 ?? Infinity));
  for (let i = 1; i < worst.length; i++) assert.ok(f1(worst[i - 1]!) <= f1(worst[i]!));
  const few = manyClassRun(5, 60).summary.arms[0]!;
  const derived = armTopConfusions({ ...few, test: { ...few.test, topConfusions: undefined as never } });
  assert.deepEqual(derived, few.test.topConfusions, 'runs written before topConfusions get the same pairs from their matrix');
});
