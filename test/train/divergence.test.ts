import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveTrainConfig } from '../../src/config/loadConfig';
import { loadDataset } from '../../src/data/loadDataset';
import { selectBackend } from '../../src/engine/backend';
import type { Engine } from '../../src/engine/engine';
import type { Model } from '../../src/engine/model';
import { resolveModelSpec } from '../../src/engine/modelSpec';
import { armsFromConfig } from '../../src/train/arms';
import { trainPaired } from '../../src/train/pairedTrainer';
import { runResults } from '../../src/store/runResults';
import { renderVerdict } from '../../src/text/runReport';
import { runCharts } from '../../src/html/runCharts';
import { runReportHtml } from '../../src/html/runReportHtml';

const config = resolveTrainConfig({ flags: { samples: 240, features: 6, hidden: [12], epochs: 4, batchSize: 32, learningRate: 0.01 } });

/** `model`, except that it reports a NaN loss from its `from`-th training step on (counted over the whole run). */
function nanLossFrom(model: Model, from: number): Model {
  return misreportFrom(model, from, (r) => ({ ...r, loss: NaN }));
}

/** `model`, except that from its `from`-th training step on its batch results pass through `change`. */
function misreportFrom(model: Model, from: number, change: (r: ReturnType<Model['trainBatch']>) => ReturnType<Model['trainBatch']>): Model {
  let calls = 0;
  return {
    trainBatch(batch) {
      const r = model.trainBatch(batch);
      calls++;
      return calls >= from ? change(r) : r;
    },
    predict: (x, count, options) => model.predict(x, count, options),
    readWeights: () => model.readWeights(),
    weightsDigest: () => model.weightsDigest(),
    weightsFinite: () => model.weightsFinite(),
    snapshot: () => model.snapshot(),
    restore: (state) => model.restore(state),
    dispose: () => model.dispose(),
  };
}

test('an arm whose loss turns non-finite stops with epoch, batch and last finite loss; the other arm goes on', async () => {
  const cpu = await selectBackend('cpu');
  const dataset = (await loadDataset(config));
  const batchesPerEpoch = Math.ceil(dataset.train.count / config.batchSize);
  let built = 0;
  // The engine is the seam: its second model (the smoothed arm) reports a NaN loss from its 3rd batch of epoch 2 on.
  const engine: Engine = {
    ...cpu,
    createModel(...args) {
      const model = cpu.createModel(...args);
      return built++ === 1 ? nanLossFrom(model, batchesPerEpoch + 3) : model;
    },
  };
  const diverged: string[] = [];
  const result = await trainPaired({ config, dataset, arms: armsFromConfig(config), engine, events: { onDiverged: (arm, info) => diverged.push(`${arm.label}:${info.epoch}:${info.batch}`) } });
  const [hard, smoothed] = result.arms;
  assert.deepEqual(diverged, ['smoothed:2:3']);
  assert.equal(hard!.diverged, null);
  assert.equal(hard!.history.length, 4, 'the hard arm trained all epochs');
  assert.equal(smoothed!.history.length, 1, 'the smoothed arm kept only its complete epoch');
  assert.equal(smoothed!.diverged!.epoch, 2);
  assert.equal(smoothed!.diverged!.batch, 3);
  assert.ok(Number.isFinite(smoothed!.diverged!.lastFiniteLoss));
  assert.match(smoothed!.diverged!.message, /non-finite loss \(NaN\) at epoch 2, batch 3 \(last finite loss [\d.]+\)/);
  assert.ok(Number.isFinite(smoothed!.test.accuracy) && Number.isFinite(smoothed!.test.nll), 'metrics from the last finite weights');
  const { summary } = runResults({ runId: 'x', config, dataset, spec: resolveModelSpec(config, dataset), backend: 'cpu', result });
  const verdict = renderVerdict(summary);
  assert.match(verdict, /not comparable — smoothed diverged/);
  assert.doesNotMatch(verdict, /Δ/, 'no deltas between a diverged arm and a healthy one');
});

test('a real divergence (SGD at a huge learning rate) is caught, not reported as NaN metrics', async () => {
  const engine = await selectBackend('cpu');
  const wild = resolveTrainConfig({ flags: { samples: 240, features: 6, hidden: [64, 64, 64], epochs: 3, batchSize: 32, optimizer: 'sgd', learningRate: 10, momentum: 0.9 } });
  const result = await trainPaired({ config: wild, dataset: (await loadDataset(wild)), arms: armsFromConfig(wild), engine });
  assert.ok(result.arms.some((a) => a.diverged), 'at least one arm diverged');
  for (const arm of result.arms) {
    assert.ok(Number.isFinite(arm.test.nll) && Number.isFinite(arm.test.meanConfidence), `${arm.label}: finite metrics from the last finite weights`);
    assert.ok(arm.history.every((r) => Number.isFinite(r.testNll) && Number.isFinite(r.trainLoss)));
  }
});

test('a finite but absurd loss is divergence, with the bound in the reason; the HTML report says what the terminal says', async () => {
  const cpu = await selectBackend('cpu');
  const dataset = await loadDataset(config);
  let built = 0;
  // from its 5th step the smoothed arm's log-probabilities are 10⁴ times too negative: a finite NLL in the thousands
  const engine: Engine = {
    ...cpu,
    createModel(...args) {
      const model = cpu.createModel(...args);
      return built++ === 1 ? misreportFrom(model, 5, (r) => ({ ...r, logProbs: r.logProbs.map((v) => v * 1e4 - 1) })) : model;
    },
  };
  const result = await trainPaired({ config, dataset, arms: armsFromConfig(config), engine });
  const [hard, smoothed] = result.arms;
  assert.equal(hard!.diverged, null);
  assert.equal(smoothed!.diverged!.epoch, 1);
  assert.equal(smoothed!.diverged!.batch, 5);
  assert.match(smoothed!.diverged!.message, /smoothed diverged: training NLL [\d.e+]+ at epoch 1, batch 5, above 100 × ln K = 109\.9/);
  assert.equal(smoothed!.history.length, 0, 'no epoch of it completed');
  const { summary, histograms } = runResults({ runId: 'x', config, dataset, spec: resolveModelSpec(config, dataset), backend: 'cpu', result });
  assert.match(renderVerdict(summary), /not comparable — smoothed diverged/);
  const input = { dir: '/runs/x', meta: { schemaVersion: 1, id: 'x', name: null, tags: [], createdAt: '2026-01-01T00:00:00Z', command: ['train'] }, status: null, environment: null, config, summary, histograms };
  const html = runReportHtml(input, runCharts(input).map((chart) => ({ chart, svg: '<svg width="10"></svg>' })));
  assert.match(html, /not comparable — smoothed diverged/);
  assert.doesNotMatch(html, /no detectable difference/, 'the report does not contradict the terminal');
  assert.match(html, /class="warning"><strong>warning:<\/strong> smoothed diverged: training NLL/);
});
