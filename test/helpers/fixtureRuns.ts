import { readFileSync, writeFileSync } from 'node:fs';
import { TrainConfigSchema, type TrainConfigInput } from '../../src/config/schema';
import { evaluatePredictions, HISTOGRAM_BINS } from '../../src/metrics/evaluate';
import { encodeProbabilities } from '../../src/store/probabilitiesFile';
import { RunStore } from '../../src/store/RunStore';
import type { RunWriter } from '../../src/store/runWriter';
import { SCHEMA_VERSION, type EnvironmentInfo, type HistogramsFile, type RunSummary, type SweepCellRef } from '../../src/store/runFiles';
import type { EpochRecord } from '../../src/train/pairedTrainer';

/**
 * Fixture runs written through RunStore (the same code path as `train`), with hand-made numbers, so the
 * commands that read runs are tested without training anything.
 */

export const FIXTURE_ENVIRONMENT: EnvironmentInfo = {
  lsBenchVersion: '0.1.0',
  node: 'v20.0.0',
  platform: 'linux test',
  arch: 'x64',
  cpu: 'test cpu',
  cpuCount: 2,
  backend: 'cpu',
  backendLabel: 'tfjs-core cpu (fixture)',
  backendFallbackReason: null,
  gitCommit: null,
};

export interface FixtureRun {
  epsilon: number;
  name?: string;
  tags?: string[];
  createdAt: string;
  dataset?: 'synthetic' | 'fashion-mnist';
  epochs?: number;
  /** How far the run gets: completed (default), interrupted after `epochs - 1` epochs, or still running. */
  outcome?: 'completed' | 'interrupted' | 'running' | 'failed';
  config?: Partial<TrainConfigInput>;
  /** The sweep cell the run is (run.json's `sweep`). */
  sweep?: SweepCellRef;
}

/** Per-epoch numbers: plain functions of (epoch, ε) so tests can compute what to expect. */
export function fixtureHistory(epochs: number, epsilon: number): EpochRecord[] {
  return Array.from({ length: epochs }, (_, i) => ({
    epoch: i + 1,
    trainLoss: 1 / (i + 1) + epsilon,
    trainNll: 1 / (i + 1),
    testNll: 1.1 / (i + 1) + epsilon / 2,
    testAccuracy: 0.5 + 0.1 * i - epsilon / 10,
    seconds: 0.5,
  }));
}

/**
 * Six test samples of three classes; sample 5 is misclassified. The true class gets probability 0.9 − ε
 * (so a larger ε means lower confidence), the rest is split evenly.
 */
export function fixtureEvaluation(epsilon: number) {
  const labels = [0, 1, 2, 0, 1, 2];
  const predicted = [0, 1, 2, 0, 1, 0];
  const top = 0.9 - epsilon;
  const logProbs = new Float32Array(labels.length * 3);
  predicted.forEach((p, i) => {
    for (let c = 0; c < 3; c++) logProbs[i * 3 + c] = Math.log(c === p ? top : (1 - top) / 2);
  });
  return { labels, predicted, logProbs, metrics: evaluatePredictions(logProbs, labels, 3) };
}

export function writeFixtureRun(store: RunStore, f: FixtureRun): RunWriter {
  const epochs = f.epochs ?? 3;
  const config = TrainConfigSchema.parse({ epsilon: [f.epsilon], epochs, dataset: f.dataset ?? 'synthetic', ...f.config });
  const writer = store.create({
    ...(f.name !== undefined ? { name: f.name } : {}),
    tags: f.tags ?? [],
    config,
    environment: FIXTURE_ENVIRONMENT,
    command: ['train', '--epsilon', String(f.epsilon)],
    ...(f.sweep ? { sweep: f.sweep } : {}),
    now: new Date(f.createdAt),
  });
  const outcome = f.outcome ?? 'completed';
  const done = outcome === 'completed' ? epochs : Math.max(0, epochs - 1);
  const hardHistory = fixtureHistory(epochs, 0);
  const smoothHistory = fixtureHistory(epochs, f.epsilon);
  for (let e = 0; e < done; e++) {
    writer.appendEpoch([
      { arm: 'hard', epsilon: 0, ...hardHistory[e]! },
      { arm: 'smoothed', epsilon: f.epsilon, ...smoothHistory[e]! },
    ]);
  }
  if (outcome === 'interrupted' || outcome === 'failed') writer.end(outcome, outcome === 'failed' ? 'out of memory (fixture)' : 'SIGINT');
  // A running fixture keeps its lock, as a live training process does; the others end as train does, without one.
  if (outcome === 'running') return writer;
  if (outcome !== 'completed') {
    writer.release();
    return writer;
  }

  const hard = fixtureEvaluation(0);
  const smooth = fixtureEvaluation(f.epsilon);
  const strip = (m: typeof hard.metrics) => {
    const { reliability: _r, confidenceHistogram: _h, ...test } = m;
    return test;
  };
  const datasetName = f.dataset ?? 'synthetic';
  const summary: RunSummary = {
    schemaVersion: SCHEMA_VERSION,
    runId: writer.id,
    dataset: {
      name: datasetName,
      description: `${datasetName} fixture`,
      trainSamples: 24,
      testSamples: 6,
      features: 4,
      classes: 3,
      classNames: ['a', 'b', 'c'],
      digest: `digest-${datasetName}`,
    },
    backend: 'cpu',
    model: 'MLP 4-8-3, relu',
    optimizer: 'Adam, learning rate 0.003',
    config,
    arms: [
      { label: 'hard', epsilon: 0, smoothing: 'uniform', initialWeightsDigest: 'w0', finalWeightsDigest: 'w1', history: hardHistory, test: strip(hard.metrics) },
      { label: 'smoothed', epsilon: f.epsilon, smoothing: 'uniform', initialWeightsDigest: 'w0', finalWeightsDigest: 'w2', history: smoothHistory, test: strip(smooth.metrics) },
    ],
    comparisons: [
      {
        arm: 'smoothed',
        epsilon: f.epsilon,
        baseline: 'hard',
        deltaAccuracy: smooth.metrics.accuracy - hard.metrics.accuracy,
        deltaNll: smooth.metrics.nll - hard.metrics.nll,
        deltaEce: smooth.metrics.ece - hard.metrics.ece,
        deltaMeanConfidence: smooth.metrics.meanConfidence - hard.metrics.meanConfidence,
        mcnemar: { onlyBaselineCorrect: 0, onlyArmCorrect: 0, pValue: 1 },
      },
    ],
    seconds: 12.5,
    completedAt: f.createdAt,
  };
  const histograms: HistogramsFile = {
    schemaVersion: SCHEMA_VERSION,
    confidenceBins: Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => i / HISTOGRAM_BINS),
    arms: [
      { label: 'hard', confidenceHistogram: hard.metrics.confidenceHistogram, reliability: hard.metrics.reliability },
      { label: 'smoothed', confidenceHistogram: smooth.metrics.confidenceHistogram, reliability: smooth.metrics.reliability },
    ],
  };
  const probabilities = encodeProbabilities({
    samples: hard.labels.length,
    classes: 3,
    classNames: summary.dataset.classNames,
    labels: Int32Array.from(hard.labels),
    arms: summary.arms.map((arm, a) => ({ label: arm.label, epsilon: arm.epsilon, smoothing: arm.smoothing, logProbs: [hard, smooth][a]!.logProbs })),
  });
  const predictions = { schemaVersion: SCHEMA_VERSION, labels: hard.labels, arms: [{ label: 'hard', predictions: hard.predicted }, { label: 'smoothed', predictions: smooth.predicted }] };
  writer.complete(summary, histograms, predictions, probabilities);
  writer.release();
  return writer;
}

/** Three completed runs (ε = 0, 0.1, 0.2, one minute apart) and what they are called. */
export function threeRuns(root: string) {
  const store = new RunStore(root);
  const a = writeFixtureRun(store, { epsilon: 0, name: 'eps0', tags: ['sweep'], createdAt: '2026-11-20T10:00:00.000Z' });
  const b = writeFixtureRun(store, { epsilon: 0.1, name: 'eps01', tags: ['sweep'], createdAt: '2026-11-20T10:01:00.000Z' });
  const c = writeFixtureRun(store, { epsilon: 0.2, name: 'eps02', createdAt: '2026-11-20T10:02:00.000Z' });
  return { store, a, b, c };
}

/** Edits a JSON file of a run by hand, as a user (or a damaged disk) might. */
export function editJson(file: string, edit: (value: Record<string, unknown>) => void): void {
  const value = JSON.parse(readFileSync(file, 'utf8'));
  edit(value);
  writeFileSync(file, JSON.stringify(value));
}
