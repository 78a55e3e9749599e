import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { labelSmoothingCrossEntropy, smoothTargets, logSoftmax } from '../../src/smoothing/labelSmoothing';
import { FIXTURES, PROJECT_ROOT } from '../helpers/tempDir';

interface ConformanceCase {
  logits: number[][];
  targets: number[];
  numClasses: number;
  epsilon: number;
  uniformLoss: number;
  othersLoss: number;
  unsmoothedNll: number;
}

const conformance = JSON.parse(readFileSync(path.join(FIXTURES, 'label-smoothing-cross-entropy.json'), 'utf8')) as { cases: ConformanceCase[] };

function assertRelClose(actual: number, expected: number, rel: number, what: string): void {
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
  assert.ok(err <= rel, `${what}: got ${actual}, expected ${expected} (relative error ${err})`);
}

test('conformance file has cases for every ε and both variants', () => {
  assert.ok(conformance.cases.length >= 20);
  assert.deepEqual([...new Set(conformance.cases.map((c) => c.epsilon))].sort(), [0, 0.05, 0.1, 0.3, 1]);
});

conformance.cases.forEach((c, i) => {
  test(`PyTorch conformance case ${i} (K=${c.numClasses}, ε=${c.epsilon}, n=${c.logits.length})`, () => {
    assertRelClose(labelSmoothingCrossEntropy(c.logits, c.targets, { epsilon: c.epsilon }), c.uniformLoss, 1e-5, 'uniform (default)');
    assertRelClose(labelSmoothingCrossEntropy(c.logits, c.targets, { epsilon: c.epsilon, smoothing: 'uniform' }), c.uniformLoss, 1e-5, 'uniform');
    assertRelClose(labelSmoothingCrossEntropy(c.logits, c.targets, { epsilon: c.epsilon, smoothing: 'others' }), c.othersLoss, 1e-5, 'others');
    assertRelClose(labelSmoothingCrossEntropy(c.logits, c.targets, { epsilon: 0 }), c.unsmoothedNll, 1e-5, 'unsmoothed NLL');
  });
});

test('the package entry (package.json "main", as built) exports the math and computes the conformance values', () => {
  // Load the entry the way a user of the package would reach it, through package.json's "main" and
  // "types", so a wrong path there or a function dropped from src/index.ts fails here.
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { main: string; types: string };
  const mainFile = path.join(PROJECT_ROOT, pkg.main);
  assert.ok(existsSync(mainFile), `package.json "main" is ${pkg.main}, which does not exist after the build`);
  const declarations = readFileSync(path.join(PROJECT_ROOT, pkg.types), 'utf8');
  const entry = require(mainFile) as Record<string, unknown>;
  for (const name of ['labelSmoothingCrossEntropy', 'smoothTargets', 'logSoftmax']) {
    assert.equal(typeof entry[name], 'function', `the package entry ${pkg.main} exports ${name}`);
    assert.match(declarations, new RegExp(`\\b${name}\\b`), `${pkg.types} declares ${name}`);
  }
  const crossEntropy = entry.labelSmoothingCrossEntropy as typeof labelSmoothingCrossEntropy;
  for (const c of conformance.cases) {
    assertRelClose(crossEntropy(c.logits, c.targets, { epsilon: c.epsilon, smoothing: 'uniform' }), c.uniformLoss, 1e-5, `entry, uniform, ε=${c.epsilon}`);
    assertRelClose(crossEntropy(c.logits, c.targets, { epsilon: c.epsilon, smoothing: 'others' }), c.othersLoss, 1e-5, `entry, others, ε=${c.epsilon}`);
  }
  const targets = Array.from((entry.smoothTargets as typeof smoothTargets)([1], 3, { epsilon: 0.1, smoothing: 'others' }));
  targets.forEach((v, k) => assert.ok(Math.abs(v - [0.05, 0.9, 0.05][k]!) < 1e-12, `entry smoothTargets: ${targets}`));
});

test('smoothTargets: the brief\'s example [0.05, 0.9, 0.05] for others, K=3, ε=0.1', () => {
  const q = Array.from(smoothTargets([1], 3, { epsilon: 0.1, smoothing: 'others' }));
  q.forEach((v, k) => assert.ok(Math.abs(v - [0.05, 0.9, 0.05][k]!) < 1e-12));
});

test('smoothTargets: uniform gives (1-ε)+ε/K on the true class and ε/K elsewhere; rows sum to 1', () => {
  const q = smoothTargets([0, 2], 4, { epsilon: 0.2 });
  assert.deepEqual(Array.from(q.subarray(0, 4)).map((v) => +v.toFixed(12)), [0.85, 0.05, 0.05, 0.05]);
  assert.deepEqual(Array.from(q.subarray(4, 8)).map((v) => +v.toFixed(12)), [0.05, 0.05, 0.85, 0.05]);
  for (const row of [0, 1]) assert.ok(Math.abs(Array.from(q.subarray(row * 4, row * 4 + 4)).reduce((a, b) => a + b, 0) - 1) < 1e-12);
});

test('ε = 0 gives one-hot targets for both variants', () => {
  for (const smoothing of ['uniform', 'others'] as const) {
    assert.deepEqual(Array.from(smoothTargets([1], 3, { epsilon: 0, smoothing })), [0, 1, 0]);
  }
});

test('closed form: uniform logits give log K whatever ε', () => {
  for (const epsilon of [0, 0.1, 0.5]) {
    for (const smoothing of ['uniform', 'others'] as const) {
      assertRelClose(labelSmoothingCrossEntropy([[3, 3, 3, 3]], [2], { epsilon, smoothing }), Math.log(4), 1e-12, `ε=${epsilon} ${smoothing}`);
    }
  }
});

test('numerically stable at logits of ±50 and beyond', () => {
  const loss = labelSmoothingCrossEntropy([[50, -50, 0]], [1], { epsilon: 0.1 });
  // log-softmax: [0, -100, -50] up to exp(-50); loss = -(ε/3·0 + (1-ε+ε/3)(-100) + ε/3·(-50))
  const expected = (1 - 0.1 + 0.1 / 3) * 100 + (0.1 / 3) * 50;
  assert.ok(Number.isFinite(loss));
  assertRelClose(loss, expected, 1e-12, 'large logits');
  assert.ok(Number.isFinite(labelSmoothingCrossEntropy([[1000, -1000]], [0], { epsilon: 0.3 })));
  const lp = logSoftmax([800, 0]);
  assert.equal(lp[0], 0);
  assert.equal(lp[1], -800);
});

test('bad arguments are refused with a message that says what was expected', () => {
  assert.throws(() => labelSmoothingCrossEntropy([[1, 2]], [0], { epsilon: -0.1 }), /epsilon must be a number in \[0, 1\]/);
  assert.throws(() => labelSmoothingCrossEntropy([[1, 2]], [0], { epsilon: 1.5 }), /epsilon/);
  assert.throws(() => labelSmoothingCrossEntropy([[1]], [0], { epsilon: 0.1 }), /at least 2 classes/);
  assert.throws(() => labelSmoothingCrossEntropy([[1, 2]], [2], { epsilon: 0.1 }), /target 0 is 2/);
  assert.throws(() => labelSmoothingCrossEntropy([[1, 2], [1]], [0, 1], { epsilon: 0.1 }), /row 1 has 1 classes/);
  assert.throws(() => labelSmoothingCrossEntropy([[1, 2]], [0, 1], { epsilon: 0.1 }), /1 rows but targets has 2/);
  assert.throws(() => labelSmoothingCrossEntropy([[1, 2]], [0], { epsilon: 0.1, smoothing: 'label' as never }), /smoothing must be one of/);
});
