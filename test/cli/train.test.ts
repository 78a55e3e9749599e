import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, spawnCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

const TINY = ['--samples', '240', '--features', '6', '--hidden', '12', '--epochs', '3', '--batch-size', '32', '--learning-rate', '0.01'];

test('ls-bench train end to end (child process): tables, verdict, a complete run directory', () => {
  const runs = tempDir();
  const r = spawnCli(['train', '--epsilon', '0.1', '--runs-dir', runs, ...TINY]);
  assert.equal(r.code, 0, r.stderr);
  for (const heading of ['data set   synthetic', 'backend    ', 'Per epoch', 'Final test metrics', 'Per class', 'Confusion matrix, hard', 'Confusion matrix, smoothed', 'Confidence of the predicted class', 'Verdict (smoothed, ε=0.1']) {
    assert.ok(r.stdout.includes(heading), `stdout lacks "${heading}"`);
  }
  assert.match(r.stdout, /^backend    (wasm-fused|wasm|cpu|tensorflow|native) — /m, 'the backend in use is said, in the header');
  assert.doesNotMatch(r.stderr, /backend|tfjs-node/, 'and only there: not on stderr without --verbose');
  assert.match(r.stderr, /^epoch 3 /m, 'line-oriented progress when not a terminal');
  assert.doesNotMatch(r.stderr, /\r/, 'no carriage returns when not a terminal');
  const [id] = readdirSync(runs);
  const dir = path.join(runs, id!);
  assert.match(r.stdout, new RegExp(`run saved to ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  for (const f of ['run.json', 'config.json', 'environment.json', 'status.json', 'metrics.jsonl', 'metrics.csv', 'summary.json', 'histograms.json', 'predictions.json']) {
    assert.ok(existsSync(path.join(dir, f)), `${f} written`);
  }
  assert.equal(JSON.parse(readFileSync(path.join(dir, 'status.json'), 'utf8')).status, 'completed');
  const jsonl = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n');
  assert.equal(jsonl.length, 6, 'one line per epoch and arm');
  const csv = readFileSync(path.join(dir, 'metrics.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'epoch,arm,epsilon,trainLoss,trainNll,testNll,testAccuracy,seconds');
  assert.equal(csv.length, 7);
});

test('--json prints one JSON document with the documented keys, logs on stderr', async () => {
  const runs = tempDir();
  const r = await runCli(['train', '--json', '--runs-dir', runs, '--epsilon', '0.2', '--smoothing', 'others', ...TINY]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.ok(['wasm-fused', 'wasm', 'cpu', 'tensorflow', 'native'].includes(doc.backend));
  assert.equal(doc.dataset.name, 'synthetic');
  assert.equal(doc.config.epochs, 3);
  assert.equal(doc.runDir, path.join(runs, readdirSync(runs)[0]!));
  assert.equal(doc.arms.length, 2);
  for (const arm of doc.arms) {
    for (const k of ['label', 'epsilon', 'smoothing', 'initialWeightsDigest', 'history', 'test']) assert.ok(k in arm, `arm.${k}`);
    assert.deepEqual(Object.keys(arm.history[0]).slice(0, 5), ['epoch', 'trainLoss', 'trainNll', 'testNll', 'testAccuracy']);
    for (const k of ['accuracy', 'nll', 'ece', 'meanConfidence', 'confusionMatrix', 'perClass']) assert.ok(k in arm.test, `test.${k}`);
    assert.deepEqual(Object.keys(arm.test.perClass[0]), ['precision', 'recall', 'f1', 'support']);
  }
  assert.equal(doc.arms[1].smoothing, 'others');
  assert.equal(doc.arms[0].initialWeightsDigest, doc.arms[1].initialWeightsDigest);
  assert.match(r.stderr, /epoch 1 /);
  // calibration, temperature scaling and intervals, as the issue documents them
  for (const arm of doc.arms) {
    for (const k of ['brier', 'mce', 'adaptiveEce', 'classwiseEce', 'calibrationGap']) assert.equal(typeof arm.test[k], 'number', `test.${k}`);
    assert.ok(Math.abs(arm.test.calibrationGap - (arm.test.meanConfidence - arm.test.accuracy)) < 1e-12);
    const ts = arm.temperatureScaled;
    assert.ok(ts.temperature > 0 && ts.validationNll <= ts.validationNllUnscaled + 1e-12, 'T minimises the validation NLL');
    assert.equal(ts.validationSamples, doc.dataset.validationSamples);
    assert.deepEqual(Object.keys(ts.test), ['accuracy', 'nll', 'ece', 'brier', 'meanConfidence', 'calibrationGap']);
  }
  // 240 samples: 48 test (16 per class), 10% of the other 192 for validation (6 per class)
  assert.deepEqual([doc.dataset.trainSamples, doc.dataset.validationSamples, doc.dataset.testSamples], [174, 18, 48]);
  const [comparison] = doc.comparisons;
  assert.deepEqual(Object.keys(comparison.intervals), ['accuracy', 'nll', 'ece', 'brier', 'meanConfidence']);
  for (const [key, delta] of [['nll', comparison.deltaNll], ['ece', comparison.deltaEce], ['brier', comparison.deltaBrier], ['meanConfidence', comparison.deltaMeanConfidence]]) {
    const [low, high] = comparison.intervals[key];
    assert.ok(low <= delta + 1e-12 && delta <= high + 1e-12, `${key}: the interval holds the point estimate`);
  }
  assert.deepEqual(comparison.bootstrap, { resamples: 2000, level: 0.95, seed: 0 });
  assert.deepEqual(Object.keys(comparison.temperatureScaled), ['armVsScaledBaseline', 'scaledArmVsScaledBaseline']);
});

test('the verdict says in which direction each arm is wrong and answers smoothing against temperature scaling; --val-fraction 0 turns it off', async () => {
  const runs = tempDir();
  const r = await runCli(['train', '--runs-dir', runs, ...TINY]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^validation 18 samples held out of the training set/m);
  assert.match(r.stdout, /Calibration: hard (over|under)-confident by \d+\.\d points, smoothed (over|under)-confident by \d+\.\d points/);
  assert.match(r.stdout, /ΔNLL [−+±][\d.]+ \[[−+±][\d.]+, [−+±][\d.]+\] → (no detectable difference|detectable: smoothed is (better|worse))/);
  assert.match(r.stdout, /Temperature scaling \(T fitted on 18 validation samples: hard [\d.]+, smoothed [\d.]+\): /);
  assert.match(r.stdout, /After temperature scaling: each arm's logits divided by its own T/);
  assert.match(r.stdout, /one seed is one seed/);
  const off = await runCli(['train', '--runs-dir', runs, '--val-fraction', '0', '--json', ...TINY]);
  assert.equal(off.code, 0, off.stderr);
  const doc = JSON.parse(off.stdout);
  assert.equal(doc.arms[0].temperatureScaled, null);
  assert.equal(doc.comparisons[0].temperatureScaled, null);
  assert.equal(doc.dataset.trainSamples, 192, 'nothing held out');
});

test('--smoothing others refuses an ε at which a wrong class gets the true class\'s target (exit 2, the bound in the message, no run)', async () => {
  const runs = tempDir();
  const r = await runCli(['train', '--runs-dir', runs, '--smoothing', 'others', '--epsilon', '0.8', ...TINY]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--epsilon 0\.8: with --smoothing others and 3 classes, expected ε < \(K−1\)\/K = 0\.6667; at ε = 0\.8 a wrong class gets target 0\.400 against the true class's 0\.200/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.ok(!existsSync(runs) || readdirSync(runs).length === 0, 'no run directory');
  // just below the bound trains; uniform allows any ε < 1
  assert.equal((await runCli(['train', '--runs-dir', runs, '--smoothing', 'others', '--epsilon', '0.6', '--epochs', '1', ...TINY.slice(0, 6)])).code, 0);
  assert.equal((await runCli(['train', '--runs-dir', runs, '--epsilon', '0.8', '--epochs', '1', ...TINY.slice(0, 6)])).code, 0);
});

test('a terminal gets a live progress display: bar, batches, samples/s, the ETAs, each arm\'s running loss', async () => {
  const runs = tempDir();
  const r = await runCli(['train', '--runs-dir', runs, '--epsilon', '0.05,0.1,0.2', ...TINY], { tty: true, columns: 100 });
  assert.equal(r.code, 0, r.stderr);
  // 240 samples: 48 to test, 20 to validation, 172 to train in batches of 32
  assert.match(r.stderr, /epoch 1\/3 [█░]{10,30} \d\/6 · [\d.]+k? samples\/s · ETA \d+:\d\d, run \d+:\d\d\n {2}train loss so far: hard \d\.\d{4}/);
  assert.match(r.stderr, /train loss so far: hard \d\.\d{4} · ε=0\.05 \d\.\d{4} · ε=0\.1 \d\.\d{4} · ε=0\.2 \d\.\d{4}/, 'every arm by name');
  assert.match(r.stderr, /\r\x1b\[2K\x1b\[1A\x1b\[2Kepoch 1  hard: loss/, 'redrawn in place, then the epoch line replaces it');
  for (const line of r.stderr.split(/\r|\n|\x1b\[1A|\x1b\[2K/)) assert.ok([...line].length < 100, `fits 100 columns: ${line}`);
});

test('bad input: one line, exit 2, and no run directory left behind', async () => {
  const runs = tempDir();
  const cases: [string[], RegExp][] = [
    [['--epsilon', '1'], /--epsilon: expected a value < 1/],
    [['--epsilon', '-0.2'], /--epsilon: expected a value ≥ 0/],
    [['--classes', '1'], /--classes: expected a value ≥ 2/],
    [['--dataset', 'imagenet'], /--dataset: unknown data set "imagenet"/],
    [['--epochs', 'ten'], /--epochs: expected a number, got "ten"/],
    [['--config', path.join(runs, 'nope.yaml')], /nope\.yaml: cannot read config file/],
    [['--dataset', 'fashion-mnist', '--data-dir', runs], /fashion-mnist: .* lacks train-images-idx3-ubyte\.gz/],
    [['--name', '../../etc'], /--name "\.\.\/\.\.\/etc": expected/],
    [['--no-such-flag'], /unknown option '--no-such-flag'/],
    // a conv layer on tabular (1-D) data, a dense layer on images without flatten, a malformed --model
    [['--dataset', 'iris', '--model', '{layers: [{conv: 4, kernel: 3}]}'], /^ls-bench: model\.layers\[0\]\.conv: its input is flat \(4 values per sample\); a conv layer needs images/m],
    [['--dataset', 'digits', '--model', '{layers: [{dense: 8}]}'], /model\.layers\[0\]\.dense: its input is 8×8×1; add \{ flatten: true \}/],
    [['--model', '{layers: [{conv: 0}]}'], /--model: model\.layers\[0\]\.conv: expected a positive integer/],
    [['--model', 'layers'], /--model: expected a mapping in YAML or JSON/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runCli(['train', '--runs-dir', runs, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')} → exit ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.deepEqual(readdirSync(runs), [], 'no run directory');
});

test('an interrupted run is marked interrupted with exit 130, its completed epochs kept', async () => {
  const runs = tempDir();
  const { id } = await interruptedRun(runs);
  const dir = path.join(runs, id);
  const status = JSON.parse(readFileSync(path.join(dir, 'status.json'), 'utf8'));
  assert.equal(status.status, 'interrupted');
  assert.equal(status.completedEpochs, 2);
  assert.ok(!existsSync(path.join(dir, 'summary.json')), 'no summary for an unfinished run');
  assert.equal(readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').length, 4);
});

/** Trains in process until epoch 2 is done, then interrupts (as Ctrl-C would); returns the run's id. */
async function interruptedRun(runs: string, extra: string[] = []): Promise<{ id: string; stderr: string }> {
  const controller = new AbortController();
  let stderr = '';
  const { run } = await import('../../src/cli/main');
  const before = new Set(readdirSync(runs));
  const code = await run(['train', '--runs-dir', runs, ...TINY, '--epochs', '5', ...extra], {
    stdout: { write: () => true },
    stderr: {
      write: (s: string) => {
        stderr += s;
        if (/^epoch 2 /m.test(s)) controller.abort('SIGINT');
        return true;
      },
    },
    signal: controller.signal,
    invocation: 'npx ls-bench',
  });
  assert.equal(code, 130, stderr);
  return { id: readdirSync(runs).find((n) => !before.has(n))!, stderr };
}

test('--resume latest: the newest run that can be resumed, past completed runs and sweep cells; the hint runs as the user ran ls-bench', async () => {
  const runs = tempDir();
  const { id, stderr } = await interruptedRun(runs);
  assert.ok(stderr.includes(`continue it with: npx ls-bench train --resume ${id} --runs-dir ${runs}\n`), stderr);
  // newer: a completed run, and an interrupted cell of a sweep (its sweep resumes it)
  assert.equal((await runCli(['train', '--runs-dir', runs, ...TINY])).code, 0);
  await interruptedRun(runs, ['--tag', 'sweep-0123456789ab', '--name', 'sweep-0123456789ab-s0-uniform']);
  const resumed = await runCli(['train', '--resume', 'latest', '--runs-dir', runs]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`^run: ${path.join(runs, id).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(resuming after epoch 2 of 5\\)$`, 'm'));
  assert.equal(JSON.parse(readFileSync(path.join(runs, id, 'status.json'), 'utf8')).status, 'completed');
  const none = await runCli(['train', '--resume', 'latest', '--runs-dir', runs]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^ls-bench: --resume latest: no run in .* can be resumed \(one that was interrupted, failed or died after completing an epoch, and is not a sweep's cell: rerun the sweep to resume those\)/);
});
