import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resolveTrainConfig } from '../../src/config/loadConfig';
import { loadDataset } from '../../src/data/loadDataset';
import { selectBackend } from '../../src/engine/backend';
import { resolveModelSpec } from '../../src/engine/modelSpec';
import { CliError } from '../../src/errors';
import { evaluatePredictions } from '../../src/metrics/evaluate';
import { scaleLogProbs } from '../../src/metrics/temperature';
import { mcnemarExact } from '../../src/stats/mcnemar';
import { pairedBootstrapIntervals, sampleScores } from '../../src/stats/pairedBootstrap';
import { argmaxRows } from '../../src/metrics/classification';
import { decodeProbabilities, encodeProbabilities, readProbabilitiesFile, readRunProbabilities, type StoredProbabilities } from '../../src/store/probabilitiesFile';
import { RUN_FILES } from '../../src/store/runFiles';
import { readValidRunDirectory } from '../../src/store/runReader';
import { runResults } from '../../src/store/runResults';
import { RunStore } from '../../src/store/RunStore';
import { armsFromConfig } from '../../src/train/arms';
import { trainPaired } from '../../src/train/pairedTrainer';
import { FIXTURE_ENVIRONMENT, writeFixtureRun } from '../helpers/fixtureRuns';
import { tempDir } from '../helpers/tempDir';

function stored(): StoredProbabilities {
  return {
    samples: 2,
    classes: 3,
    classNames: ['a', 'b', 'c'],
    labels: Int32Array.from([2, 0]),
    arms: [
      { label: 'hard', epsilon: 0, smoothing: 'uniform', logProbs: Float32Array.from([-3, -2, -0.2, -0.1, -3, -4]) },
      { label: 'smoothed', epsilon: 0.1, smoothing: 'uniform', logProbs: Float32Array.from([-2, -1.5, -0.5, -0.3, -2, -2.5]) },
    ],
  };
}

test('probabilities.bin reads back exactly as written: labels, arms in order, float32 values', () => {
  const file = path.join(tempDir(), 'probabilities.bin');
  writeFileSync(file, encodeProbabilities(stored()));
  assert.deepEqual(readProbabilitiesFile(file), stored());
  // the payload is 4 bytes per label and per value, after a header aligned to 4 bytes
  const bytes = readFileSync(file);
  assert.equal(bytes.length % 4, 0);
  assert.equal(bytes.length - Math.ceil((12 + bytes.readUInt32LE(8)) / 4) * 4, 4 * 2 + 4 * 2 * 2 * 3);
});

test('a damaged probabilities file is an error saying what is wrong, never a crash or wrong numbers', () => {
  const good = Buffer.from(encodeProbabilities(stored()));
  const headerLength = good.readUInt32LE(8);
  const withHeader = (edit: (text: string) => string) => {
    const bytes = Buffer.from(good);
    const text = edit(bytes.toString('utf8', 12, 12 + headerLength));
    assert.equal(Buffer.byteLength(text), headerLength, 'the same length keeps the layout intact');
    bytes.write(text, 12, 'utf8');
    return bytes;
  };
  const flipped = Buffer.from(good);
  flipped[flipped.length - 1]! ^= 0xff;
  const cases: [Buffer, RegExp][] = [
    [Buffer.from('not a probabilities file'), /^not an ls-bench probabilities file/],
    [good.subarray(0, good.length - 4), /^truncated: 52 bytes of values, expected 56 \(2 samples × 3 classes × 2 arms, and the labels\)$/],
    [Buffer.concat([good, Buffer.alloc(4)]), /^too long: 60 bytes of values, expected 56/],
    [flipped, /^its values do not match their digest/],
    [withHeader((t) => t.replace('"split":"test"', '"split":"tset"')), /^damaged header \("split": expected one of test, got "tset"\)$/],
    [withHeader((t) => t.replace('"schemaVersion":1', '"schemaVersion":9')), /^schemaVersion 9 is newer than this ls-bench reads \(1\)/],
    [good.subarray(0, 20), /^truncated: the header says/],
  ];
  for (const [bytes, expected] of cases) assert.throws(() => decodeProbabilities(bytes), (e: unknown) => e instanceof Error && expected.test(e.message), String(expected));
  const file = path.join(tempDir(), 'probabilities.bin');
  writeFileSync(file, flipped);
  assert.throws(() => readProbabilitiesFile(file), { message: `${file}: its values do not match their digest (modified or damaged)` });
});

test("a run's probabilities are read against its summary: missing, damaged or foreign files are one line naming the run and the file", () => {
  const store = new RunStore(tempDir());
  const writer = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:00:00.000Z' });
  const record = readValidRunDirectory(writer.dir);
  const run = { id: record.id, dir: record.dir, summary: record.summary! };
  const probabilities = readRunProbabilities(run);
  assert.deepEqual(probabilities.arms.map((a) => a.label), ['hard', 'smoothed']);
  assert.deepEqual(Array.from(probabilities.labels), [0, 1, 2, 0, 1, 2]);

  const file = path.join(writer.dir, RUN_FILES.probabilities);
  const refused = (pattern: RegExp) => assert.throws(() => readRunProbabilities(run), (e: unknown) => e instanceof CliError && e.exitCode === 2 && pattern.test(e.message) && !e.message.includes('\n'));
  writeFileSync(file, encodeProbabilities({ ...stored(), arms: stored().arms.slice(0, 1) }));
  refused(new RegExp(`^run ${record.id}: probabilities.bin: holds 2 test samples, but summary.json says 6; the run's files do not belong together$`));
  writeFileSync(file, readFileSync(file).subarray(0, 30));
  refused(/^run \S+: probabilities.bin: truncated/);
  rmSync(file);
  refused(/^run \S+: probabilities.bin: missing \(the run was written before ls-bench kept per-sample probabilities/);
});

test('the stored summary is recomputed from probabilities.bin alone: every test metric, the histograms, reliability, temperature scaling, bootstrap intervals and McNemar, to 1e-6', async () => {
  // the train command's own path, in process: train, compute the results, write them through the store
  const config = resolveTrainConfig({ flags: { samples: 300, features: 6, hidden: [12], epochs: 3, batchSize: 32, learningRate: 0.02, epsilon: [0.1, 0.3] } });
  const dataset = await loadDataset(config);
  const result = await trainPaired({ config, dataset, arms: armsFromConfig(config), engine: await selectBackend('cpu') });
  const writer = new RunStore(tempDir()).create({ config, environment: FIXTURE_ENVIRONMENT, command: ['train'] });
  const files = runResults({ runId: writer.id, config, dataset, spec: resolveModelSpec(config, dataset), backend: 'cpu', result });
  writer.complete(files.summary, files.histograms, files.predictions, files.probabilities);

  const record = readValidRunDirectory(writer.dir);
  const summary = record.summary!;
  const histograms = record.histograms!;
  const stored = readRunProbabilities({ id: record.id, dir: record.dir, summary });
  const k = stored.classes;
  const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) <= 1e-6, `${what}: recomputed ${actual}, stored ${expected}`);
  const recomputed = stored.arms.map((arm) => evaluatePredictions(arm.logProbs, stored.labels, k));
  stored.arms.forEach((arm, a) => {
    const again = recomputed[a]!;
    const test = summary.arms[a]!.test;
    for (const key of ['accuracy', 'nll', 'ece', 'meanConfidence', 'brier', 'mce', 'adaptiveEce', 'classwiseEce', 'calibrationGap'] as const) close(again[key], test[key]!, `${arm.label} ${key}`);
    assert.deepEqual(again.confusionMatrix, test.confusionMatrix);
    assert.deepEqual(again.confidenceHistogram, histograms.arms[a]!.confidenceHistogram, `${arm.label}: confidence histogram`);
    again.reliability.forEach((bin, b) => {
      const kept = histograms.arms[a]!.reliability[b]!;
      assert.equal(bin.count, kept.count);
      for (const key of ['meanConfidence', 'accuracy'] as const) if (bin[key] !== null) close(bin[key]!, kept[key]!, `${arm.label} reliability bin ${b} ${key}`);
    });
    const scaled = summary.arms[a]!.temperatureScaled!;
    const scaledAgain = evaluatePredictions(scaleLogProbs(arm.logProbs, k, scaled.temperature), stored.labels, k);
    for (const key of ['accuracy', 'nll', 'ece', 'brier', 'meanConfidence'] as const) close(scaledAgain[key], scaled.test[key], `${arm.label} after temperature scaling, ${key}`);
    assert.deepEqual(scaledAgain.reliability.map((b) => b.count), histograms.arms[a]!.temperatureScaledReliability!.map((b) => b.count));
  });
  const hardScores = sampleScores(stored.arms[0]!.logProbs, stored.labels, k);
  summary.comparisons.forEach((comparison, c) => {
    const arm = stored.arms[c + 1]!;
    const intervals = pairedBootstrapIntervals(hardScores, sampleScores(arm.logProbs, stored.labels, k), comparison.bootstrap!);
    for (const [metric, [low, high]] of Object.entries(intervals)) {
      close(low, comparison.intervals![metric as keyof typeof intervals][0], `${arm.label} ${metric} interval low`);
      close(high, comparison.intervals![metric as keyof typeof intervals][1], `${arm.label} ${metric} interval high`);
    }
    const m = mcnemarExact(argmaxRows(stored.arms[0]!.logProbs, k), argmaxRows(arm.logProbs, k), stored.labels);
    assert.deepEqual([m.onlyFirstCorrect, m.onlySecondCorrect], [comparison.mcnemar.onlyBaselineCorrect, comparison.mcnemar.onlyArmCorrect]);
  });
});
