import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import { run } from '../../src/cli/main';
import { tempDir } from '../helpers/tempDir';

/**
 * The front door under random input: every config file and flag combination either runs or exits 2 with
 * one line naming what was wrong — never a stack trace, never exit 1, never a run directory left by a
 * refused input. Fixed seed and bounded case counts, so CI is repeatable and quick.
 */
const SEED = 20261125;
const dir = tempDir();
const runs = path.join(dir, 'runs');
mkdirSync(runs);

// An already-aborted signal: a config that is accepted stops at its first batch (exit 130), so valid
// random configs with 100 000 epochs cost nothing.
const aborted = AbortSignal.abort('SIGINT');

async function invoke(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await run(argv, { stdout: { write: () => true }, stderr: { write: (s: string) => ((stderr += s), true) }, signal: aborted });
  return { code, stderr };
}

function checkOutcome(argv: string[], outcome: { code: number; stderr: string }, runsBefore: number): void {
  const context = `argv: ${JSON.stringify(argv)}\nstderr: ${outcome.stderr}`;
  assert.ok([2, 130].includes(outcome.code), `exit ${outcome.code}\n${context}`);
  assert.doesNotMatch(outcome.stderr, /internal error|\n\s+at /, `no stack trace\n${context}`);
  if (outcome.code === 2) {
    const errorLines = outcome.stderr.split('\n').filter((l) => l.startsWith('ls-bench: ') || l.startsWith('error: '));
    assert.equal(errorLines.length, 1, `one error line\n${context}`);
    assert.equal(readdirSync(runs).length, runsBefore, `no run directory left behind\n${context}`);
  }
}

const KEYS = ['dataset', 'samples', 'features', 'classes', 'testFraction', 'hidden', 'activation', 'dropout', 'optimizer', 'learningRate', 'momentum', 'batchSize', 'epochs', 'seed', 'smoothing', 'epsilon', 'backend', 'limit'];
const anyValue = fc.oneof(
  fc.integer({ min: -5, max: 100_000 }),
  fc.double({ noNaN: false, min: -2, max: 2 }),
  fc.constantFrom(0, 1, 0.1, 0.99999, -0, 1e308, 'relu', 'adam', 'sgd', 'others', 'uniform', 'cpu', 'auto', 'synthetic', 'fashion-mnist', '', 'NaN'),
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer({ min: -3, max: 5000 }), fc.double({ min: -1, max: 2 }), fc.string({ maxLength: 3 })), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
);
const configObject = fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 10 })), anyValue, { maxKeys: 6 });

test('random YAML and JSON configs: run or one clear line with exit 2', async () => {
  let i = 0;
  await fc.assert(
    fc.asyncProperty(configObject, fc.boolean(), async (config, asJson) => {
      const file = path.join(dir, `c${i++}.${asJson ? 'json' : 'yaml'}`);
      writeFileSync(file, asJson ? JSON.stringify(config) : YAML.stringify(config));
      const argv = ['train', '--runs-dir', runs, '--config', file];
      const before = readdirSync(runs, { withFileTypes: true }).length;
      checkOutcome(argv, await invoke(argv), before);
    }),
    { seed: SEED, numRuns: 120 },
  );
});

test('mutated config text (deleted, inserted and swapped characters)', async () => {
  const base = 'dataset: synthetic\nsamples: 300\nhidden: [16, 8]\nepsilon: [0.1, 0.2]\nsmoothing: others\nlearningRate: 0.01\nepochs: 3\n';
  let i = 0;
  const mutation = fc.array(fc.tuple(fc.nat(base.length), fc.constantFrom('delete', 'insert', 'replace'), fc.constantFrom(':', '-', '[', ']', '{', '}', '&a', '*a', '!!binary', '\t', '\n', '"', "'", '#', '9', 'x', '%', '?', '|')), { minLength: 1, maxLength: 4 });
  await fc.assert(
    fc.asyncProperty(mutation, async (edits) => {
      let text = base;
      for (const [pos, kind, ch] of edits) {
        const p = pos % (text.length + 1);
        text = kind === 'delete' ? text.slice(0, p) + text.slice(p + 1) : kind === 'insert' ? text.slice(0, p) + ch + text.slice(p) : text.slice(0, p) + ch + text.slice(p + 1);
      }
      const file = path.join(dir, `m${i++}.yaml`);
      writeFileSync(file, text);
      const argv = ['train', '--runs-dir', runs, '--config', file];
      const before = readdirSync(runs, { withFileTypes: true }).length;
      checkOutcome(argv, await invoke(argv), before);
    }),
    { seed: SEED, numRuns: 120 },
  );
});

test('random command-line flag combinations', async () => {
  const flag = fc.oneof(
    fc.constantFrom('--epsilon', '--epochs', '--hidden', '--smoothing', '--batch-size', '--learning-rate', '--seed', '--classes', '--samples', '--features', '--dropout', '--backend', '--dataset', '--limit', '--optimizer', '--momentum', '--activation', '--test-fraction', '--name', '--tag', '--bogus', '-x', '--json', '--max-memory', '--config'),
  );
  const value = fc.oneof(
    fc.constantFrom('0', '1', '-1', '0.1', '0.05,0.1', '0.1,0.1', '1e400', 'NaN', 'abc', '', '3', '8,4', '../../etc', 'others', 'cpu', 'fashion-mnist', '1000', '512M', '/dev/zero', 'csv:/dev/zero', '\u001b]52;c;eA==\u0007'),
    fc.string({ maxLength: 6 }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(flag, value), { maxLength: 5 }), async (pairs) => {
      const argv = ['train', '--runs-dir', runs, '--data-dir', path.join(dir, 'no-data'), ...pairs.flat()];
      const before = readdirSync(runs, { withFileTypes: true }).length;
      checkOutcome(argv, await invoke(argv), before);
    }),
    { seed: SEED, numRuns: 150 },
  );
});

test('very deep nesting and alias bombs are refused quickly', async () => {
  const deep = path.join(dir, 'deep.yaml');
  writeFileSync(deep, `epsilon: ${'['.repeat(20000)}${']'.repeat(20000)}\n`);
  const deepJson = path.join(dir, 'deep.json');
  writeFileSync(deepJson, `{"epsilon": ${'['.repeat(20000)}${']'.repeat(20000)}}`);
  for (const file of [deep, deepJson]) {
    const started = Date.now();
    const argv = ['train', '--runs-dir', runs, '--config', file];
    const before = readdirSync(runs, { withFileTypes: true }).length;
    const outcome = await invoke(argv);
    assert.equal(outcome.code, 2, outcome.stderr);
    checkOutcome(argv, outcome, before);
    assert.ok(Date.now() - started < 3000, `${file} took ${Date.now() - started} ms`);
  }
});
