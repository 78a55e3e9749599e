import assert from 'node:assert/strict';
import { loadNativeAddon, type NativeAddon } from '../../src/engine/nativeAddon';
import { loadWasmAddon } from '../../src/engine/wasmAddon';
import { tf } from '../../src/engine/tf';

/**
 * The native addon for tests, or a reason to skip. CI sets LS_BENCH_REQUIRE_NATIVE=1 (.ci/run), so a
 * missing or broken build fails there instead of silently skipping the native tests.
 */
export function nativeForTests(): { addon?: NativeAddon; skip?: string } {
  const { addon, problem } = loadNativeAddon();
  if (addon) return { addon };
  if (process.env.LS_BENCH_REQUIRE_NATIVE === '1') throw new Error(`LS_BENCH_REQUIRE_NATIVE=1 but ${problem}`);
  return { skip: problem ?? 'native backend unavailable' };
}

/**
 * The two builds of the C kernels, for tests that check both against TensorFlow.js: the native addon (or
 * a reason to skip, as nativeForTests) and the committed WebAssembly module, which is always there.
 */
export function kernelAddons(): { label: string; addon?: NativeAddon; skip?: string }[] {
  const wasm = loadWasmAddon();
  if (!wasm.addon) throw new Error(`the WebAssembly module must load in tests: ${wasm.problem}`);
  return [{ label: 'native', ...nativeForTests() }, { label: 'wasm', addon: wasm.addon }];
}

/** |a − b| ≤ atol + rtol·|b| element-wise, naming the first element that is not (a kernel's result against TF.js cpu's). */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) assert.fail(`${what}[${i}]: kernel ${a}, cpu ${e}`);
  }
}

/** The TF.js cpu backend, the reference the kernels are checked against. */
export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}
