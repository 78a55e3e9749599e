import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { FIXTURES, tempDir } from '../helpers/tempDir';
import { idxBytes } from '../helpers/idxFiles';

const CSV = path.join(FIXTURES, 'csv');
const QUICK = ['--epochs', '2', '--hidden', '8', '--backend', 'cpu'];

function onlyRun(runs: string): string {
  const ids = readdirSync(runs);
  assert.equal(ids.length, 1);
  return path.join(runs, ids[0]!);
}

test('ls-bench datasets lists the built-in and bundled sets with sizes and class counts (--json)', async () => {
  const r = await runCli(['datasets', '--json', '--data-dir', tempDir()]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  const byName = Object.fromEntries(doc.datasets.map((d: { name: string }) => [d.name, d]));
  assert.deepEqual(Object.keys(byName), ['synthetic', 'iris', 'wine', 'breast-cancer', 'digits'], 'fashion-mnist not in an empty --data-dir');
  assert.deepEqual(byName.iris.classCounts, [50, 50, 50]);
  assert.deepEqual(byName.wine.classCounts, [59, 71, 48]);
  assert.deepEqual(byName['breast-cancer'].classCounts, [357, 212]);
  assert.equal(byName.digits.samples, 1797);
  assert.equal(byName.digits.features, 64);
  const text = await runCli(['datasets', '--data-dir', tempDir()]);
  assert.match(text.stdout, /breast-cancer +│ bundled +│ +569 │/);
  // the split a run gets, by the run's own code: 1000 synthetic samples → 201 test (67 per class), then 10% of
  // each class of the remaining 799 to validation (27 each) → 718 / 81 / 201, not 800 / 200
  assert.deepEqual([byName.synthetic.trainSamples, byName.synthetic.validationSamples, byName.synthetic.testSamples], [718, 81, 201]);
  assert.match(text.stdout, /synthetic +│ built-in +│ +1000 │ 718 \/ 81 \/ 201 /);
  const run = await runCli(['train', '--runs-dir', tempDir(), '--json', '--epochs', '1', '--backend', 'cpu']);
  const dataset = JSON.parse(run.stdout).dataset;
  assert.deepEqual([dataset.trainSamples, dataset.validationSamples, dataset.testSamples], [718, 81, 201], 'what the listing says');
  assert.match(text.stdout, /fashion-mnist: not found/);
});

test('a CSV of string labels trains, and its class names are stored and shown', async () => {
  const runs = tempDir();
  const r = await runCli(['train', '--runs-dir', runs, '--dataset', `csv:${path.join(CSV, 'stratify.csv')}`, '--test-fraction', '0.3', ...QUICK]);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(readFileSync(path.join(onlyRun(runs), 'summary.json'), 'utf8'));
  assert.deepEqual(summary.dataset.classNames, ['a', 'b']);
  // 30 rows (a: 18, b: 12); test 0.3 → 5 + 4; validation 10% of the remaining 13 + 8 → 1 + 1
  assert.deepEqual(summary.dataset.trainClassCounts, [12, 7]);
  assert.deepEqual(summary.dataset.validationClassCounts, [1, 1]);
  assert.match(r.stdout, /Confusion matrix, hard[^\n]*\n[^\n]*\n│ true \\ predicted │ a +│ b +│/);
  assert.match(summary.warnings.join(' '), /two classes/, 'the binary caveat is kept with the run');
  assert.match(r.stdout, /warning +two classes: a smoothed arm is trained towards a confidence of at most 1 − ε\/2 \(uniform\) or 1 − ε \(others\) — here 0\.950 at ε=0\.1 — so on a well-separated binary task it becomes under-confident/);
});

test('label noise: the flipped samples are recorded, and each arm reports how many it memorised', async () => {
  const runs = tempDir();
  const r = await runCli(['train', '--json', '--runs-dir', runs, '--dataset', 'iris', '--label-noise', '0.2', '--noise-kind', 'pairwise', ...QUICK]);
  assert.equal(r.code, 0, r.stderr);
  const dir = onlyRun(runs);
  const noise = JSON.parse(readFileSync(path.join(dir, 'label-noise.json'), 'utf8'));
  assert.equal(noise.indices.length, 22, '20% of the 108 training samples (120 less 12 held out for validation, which keep their clean labels)');
  noise.cleanLabels.forEach((c: number, i: number) => assert.equal(noise.noisyLabels[i], (c + 1) % 3));
  const summary = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8'));
  assert.deepEqual(summary.labelNoise, { kind: 'pairwise', fraction: 0.2, flipped: 22, file: 'label-noise.json' });
  assert.deepEqual(summary.dataset.trainClassCounts, [36, 36, 36], 'class counts of the true labels');
  assert.deepEqual(summary.dataset.validationClassCounts, [4, 4, 4]);
  for (const arm of summary.arms) {
    assert.equal(arm.flippedTrainLabels.count, 22);
    assert.ok(arm.flippedTrainLabels.memorised >= 0 && arm.flippedTrainLabels.memorised <= 1);
    assert.ok(arm.flippedTrainLabels.memorised + arm.flippedTrainLabels.predictedClean <= 1 + 1e-12, 'a prediction is one class');
  }
});

test('imbalance: per-class recall and macro F1 come first in the report', async () => {
  const runs = tempDir();
  const r = await runCli(['train', '--runs-dir', runs, '--dataset', 'wine', '--imbalance', '0.2', ...QUICK]);
  assert.equal(r.code, 0, r.stderr);
  const first = r.stdout.search(/Imbalanced training set \(ratio 0\.2: \d+\/\d+\/\d+ training samples per class\): per-class test recall and macro F1/);
  assert.ok(first > 0 && first < r.stdout.indexOf('Per epoch'), 'before the epoch table');
  // wine's test set is not subsampled: 12/14/10 per class, so accuracy weighs the classes by those counts
  assert.match(r.stdout, /The test set is not subsampled: it keeps its own class counts \(10–14 per class\)[^\n]*prior shift/);
  assert.match(r.stdout, /│ class_2 +│ +\d+ │/);
  const summary = JSON.parse(readFileSync(path.join(onlyRun(runs), 'summary.json'), 'utf8'));
  assert.deepEqual(summary.imbalance, { ratio: 0.2 });
  const [most, , rarest] = summary.dataset.trainClassCounts;
  assert.equal(rarest, Math.round(most * 0.2));
});

test('bad data input: one line, exit 2, no run directory', async () => {
  const runs = tempDir();
  const idxDir = tempDir();
  const idx = (name: string, dims: number[], body: number[]) => {
    const p = path.join(idxDir, name);
    writeFileSync(p, idxBytes(dims, body));
    return p;
  };
  const images = idx('images', [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  const labels = idx('labels', [3], [0, 1, 0]);
  const cases: [string[], RegExp][] = [
    [['--dataset', `csv:${path.join(CSV, 'nope.csv')}`], /nope\.csv: cannot read CSV file \(no such file\)/],
    [['--dataset', `csv:${path.join(CSV, 'ragged.csv')}`], /ragged\.csv:4: 2 field\(s\), expected 3/],
    [['--dataset', `csv:${path.join(CSV, 'non-numeric.csv')}`], /non-numeric\.csv:3: column 2 \("b"\) is "abc"/],
    [['--dataset', `csv:${path.join(CSV, 'train-small.csv')}`, '--label-column', 'species'], /label column "species" does not exist/],
    [['--dataset', `csv:${path.join(CSV, 'singleton-class.csv')}`, '--test-fraction', '0.5'], /no training samples for class "lonely"/],
    [['--dataset', `idx:${images},${labels}`], /3 labels but .*images has 4 samples/],
    [['--dataset', 'iris', '--header', 'maybe'], /--header: expected true or false, got "maybe"/],
    [['--dataset', 'iris', '--label-noise', '1'], /--label-noise: expected a value < 1/],
    [['--dataset', 'iris', '--noise-kind', 'random'], /--noise-kind: expected one of "symmetric", "pairwise"/],
    [['--dataset', 'iris', '--imbalance', '0'], /--imbalance: expected a value > 0/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runCli(['train', '--runs-dir', runs, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')} → exit ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('ls-bench:')).length, 1);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.ok(!existsSync(runs) || readdirSync(runs).length === 0, 'no run directory');
});

test('the shipped csv/noise config validates', async () => {
  const { resolveTrainConfig } = await import('../../src/config/loadConfig');
  const { PROJECT_ROOT } = await import('../helpers/tempDir');
  const config = resolveTrainConfig({ configFile: path.join(PROJECT_ROOT, 'configs', 'digits-label-noise.yaml') });
  assert.equal(config.dataset, 'digits');
  assert.equal(config.labelNoise, 0.3);
});
