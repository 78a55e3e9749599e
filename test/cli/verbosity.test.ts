import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { COMMANDS } from '../../src/cli/main';
import { threeRuns } from '../helpers/fixtureRuns';
import { runCli, spawnCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

const TINY = ['--samples', '240', '--features', '6', '--hidden', '12', '--epochs', '2', '--batch-size', '32', '--learning-rate', '0.01'];

test('train --quiet: the results on stdout, nothing on stderr; --verbose: the backend\'s choice in full and each stage\'s time', async () => {
  const runs = tempDir();
  const quiet = await runCli(['train', '--quiet', '--runs-dir', runs, ...TINY], { tty: true, columns: 100 });
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.equal(quiet.stderr, '', 'no progress, no notes');
  assert.match(quiet.stdout, /^Final test metrics$/m);
  const verbose = await runCli(['train', '-v', '--runs-dir', runs, ...TINY]);
  assert.equal(verbose.code, 0, verbose.stderr);
  assert.match(verbose.stderr, /^backend: (native|wasm|cpu|tensorflow) \(.+\)$/m);
  for (const stage of ['load TensorFlow.js', 'select the backend (--backend auto)', 'load the data set (synthetic)', 'training, with the per-epoch test evaluation', 'final metrics', 'write the run', 'the whole command']) {
    assert.match(verbose.stderr, new RegExp(`^timing: ${stage.replace(/[()]/g, '\\$&')}: [\\d.]+ m?s$`, 'm'), stage);
  }
  assert.match(verbose.stdout, /^time: training [\d.]+ s \(2 arms, with the per-epoch test evaluation\); the whole command [\d.]+ s/m);
});

test('every command takes --quiet and --verbose, not both', async () => {
  const runs = tempDir();
  threeRuns(runs);
  const listed = await runCli(['runs', '--verbose', '--runs-dir', runs]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stderr, /^timing: the whole command: [\d.]+ m?s$/m);
  assert.equal((await runCli(['runs', '-q', '--runs-dir', runs])).stderr, '');
  for (const argv of [['show', 'latest'], ['compare', 'eps0', 'eps01'], ['datasets'], ['configs'], ['sweep', 'show', 'x'], ['completion', 'bash']]) {
    const both = await runCli([...argv, '--quiet', '--verbose', '--runs-dir', runs].filter((a) => argv[0] !== 'datasets' && argv[0] !== 'configs' && argv[0] !== 'completion' ? true : a !== '--runs-dir' && a !== runs));
    assert.equal(both.code, 2, `${argv.join(' ')}: ${both.stderr}`);
    assert.equal(both.stderr, 'ls-bench: --quiet and --verbose: choose one\n');
  }
});

test('bad input is one line on stderr, before anything else is said (child process, as a user sees it)', () => {
  const runs = tempDir();
  for (const argv of [['--dataset', 'csv:/nonexistent.csv'], ['--config', 'fashion-mnistt'], ['--epochs', '0']]) {
    const r = spawnCli(['train', '--runs-dir', runs, ...argv]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, `one line: ${r.stderr}`);
    assert.match(r.stderr, /^ls-bench: /);
  }
});

test('--help: every command has examples and shows defaults as [default: x]', async () => {
  for (const argv of [...COMMANDS.map((c) => [c.name]), ['sweep', 'show'], ['sweep', 'merge'], ['runs', 'rm']]) {
    const r = await runCli([...argv, '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nExamples:\n {2}\$ .*ls-bench /, `${argv.join(' ')} --help has examples`);
    assert.doesNotMatch(r.stdout, /\(default: /, `${argv.join(' ')}: defaults as [default: x]`);
    assert.match(r.stdout, /-q, --quiet/);
  }
  const train = await runCli(['train', '--help']);
  assert.match(train.stdout, /--epochs <number> +number of epochs \[default: 15\]/);
  const compare = await runCli(['compare', '--help']);
  assert.match(compare.stdout.replace(/\s+/g, ' '), /--metric <name> per-epoch metric to chart: testAccuracy, testNll, trainLoss, trainNll \[default: testAccuracy\]/);
  const root = await runCli(['--help']);
  for (const c of COMMANDS) assert.match(root.stdout, new RegExp(`^ {2}${c.name} `, 'm'), `${c.name} listed without loading it`);
});

test('--version: the package version', async () => {
  const r = await runCli(['--version']);
  assert.equal(r.stdout, `${require(path.join(__dirname, '..', '..', '..', 'package.json')).version}\n`);
});
