import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunSummary } from '../../src/store/runFiles';
import { spawnCli } from '../helpers/cli';
import { nativeForTests } from '../helpers/native';
import { tempDir } from '../helpers/tempDir';

// The "done means", on a small data set: with the native backend switched off (as after an
// install with LS_BENCH_SKIP_NATIVE=1), auto trains on wasm-fused, says why in the header, and its
// metrics follow the native backend's within float32 rounding.
const ARGS = ['--dataset', 'digits', '--limit', '400', '--epochs', '2', '--hidden', '32,16', '--batch-size', '32', '--json'];
const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 5e-4 * (1 + Math.abs(b)), `${what}: wasm-fused ${a}, native ${b}`);

test('without the native backend, auto trains on wasm-fused, says why, and matches the native backend to float32 rounding', { skip: nativeForTests().skip }, () => {
  const fused = spawnCli(['train', '--runs-dir', tempDir(), ...ARGS], { LS_BENCH_SKIP_NATIVE: '1' });
  assert.equal(fused.code, 0, fused.stderr);
  const native = spawnCli(['train', '--runs-dir', tempDir(), ...ARGS, '--backend', 'native']);
  assert.equal(native.code, 0, native.stderr);
  const [a, b] = [fused, native].map((r) => JSON.parse(r.stdout) as RunSummary);
  assert.equal(a!.backend, 'wasm-fused');
  assert.equal((a as RunSummary & { backendFallbackReason: string }).backendFallbackReason, 'the native backend is switched off (LS_BENCH_SKIP_NATIVE is set)');
  assert.equal(b!.backend, 'native');
  a!.arms.forEach((arm, i) => {
    const reference = b!.arms[i]!;
    assert.equal(arm.initialWeightsDigest, reference.initialWeightsDigest);
    arm.history.forEach((r, e) => {
      near(r.trainLoss, reference.history[e]!.trainLoss, `${arm.label} epoch ${e + 1} train loss`);
      near(r.testNll, reference.history[e]!.testNll, `${arm.label} epoch ${e + 1} test NLL`);
    });
    const testCount = reference.test.confusionMatrix!.flat().reduce((x: number, y: number) => x + y, 0);
    assert.ok(Math.abs(arm.test.accuracy - reference.test.accuracy) <= 2 / testCount, `${arm.label} accuracy: at most two near-ties apart`);
  });
});

test('the header says auto fell back to wasm-fused and why in a few words; --verbose gives the reason in full', { skip: nativeForTests().skip }, () => {
  const args = ['train', '--runs-dir', tempDir(), '--samples', '200', '--features', '5', '--hidden', '8', '--epochs', '1'];
  const r = spawnCli(args, { LS_BENCH_SKIP_NATIVE: '1' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^backend    wasm-fused — ls-bench wasm-fused/m);
  assert.match(r.stdout, /auto: the native backend is switched off \(--verbose says more\)/);
  const verbose = spawnCli([...args, '--verbose'], { LS_BENCH_SKIP_NATIVE: '1' });
  assert.match(verbose.stderr, /backend: auto fell back to wasm-fused: the native backend is switched off \(LS_BENCH_SKIP_NATIVE is set\)/);
});

test('--backend wasm-fused with a missing module: one line saying what is missing, exit 1', () => {
  const r = spawnCli(['train', '--runs-dir', tempDir(), ...ARGS, '--backend', 'wasm-fused'], { LS_BENCH_WASM_PATH: '/nonexistent/ls_bench.wasm' });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--backend wasm-fused: the WebAssembly module \/nonexistent\/ls_bench.wasm is missing/);
  assert.ok(!/at .*\.js:\d+/.test(r.stderr), 'no stack trace');
});
