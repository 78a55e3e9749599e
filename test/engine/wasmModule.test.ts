import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { WASM_MODULE_PATH, wasmModule } from '../../src/engine/wasmInstance';

// The committed WebAssembly module is built from the C source as it is now (CI also rebuilds it byte for
// byte: `node scripts/build-wasm.js --check`), and from the same kernels as the native addon.
const ROOT = path.resolve(__dirname, '..', '..', '..');
const info = JSON.parse(readFileSync(path.join(ROOT, 'native', 'wasm', 'build-info.json'), 'utf8')) as {
  compiler: string;
  module: { path: string; sha256: string };
  sources: Record<string, string>;
};
const sha256 = (file: string) => crypto.createHash('sha256').update(readFileSync(path.join(ROOT, file))).digest('hex');

test('the committed WebAssembly module was built from the current C source (else: npm run build:wasm)', () => {
  for (const [file, digest] of Object.entries(info.sources)) assert.equal(sha256(file), digest, `${file} changed since ${info.module.path} was built: run \`npm run build:wasm\` and commit the module`);
  assert.equal(sha256(info.module.path), info.module.sha256, `${info.module.path} is not the module build-info.json describes`);
  assert.equal(path.resolve(ROOT, info.module.path), WASM_MODULE_PATH);
});

test('one source of truth: the WebAssembly module and the native addon compile the same kernels and network', () => {
  const kernels = readdirSync(path.join(ROOT, 'native', 'kernels')).filter((f) => f.endsWith('.c')).map((f) => `native/kernels/${f}`);
  const wasm = Object.keys(info.sources).filter((f) => f.endsWith('.c'));
  const gyp = JSON.parse(readFileSync(path.join(ROOT, 'binding.gyp'), 'utf8')) as { targets: { sources: string[] }[] };
  const native = gyp.targets[0]!.sources;
  for (const file of [...kernels, 'native/network.c']) assert.ok(wasm.includes(file), `${file} is not in the WebAssembly build`);
  // the only differences: the glue of each, and the wasm build's own sgemm
  assert.deepEqual(native.filter((f) => !wasm.includes(f)), ['native/ls_bench_native.c']);
  assert.deepEqual(wasm.filter((f) => !native.includes(f)).sort(), ['native/kernels/sgemm_wasm.c', 'native/wasm/ls_bench_wasm.c']);
});

test('the module asks its host for a clock only, and exports what wasmAddon.ts calls', () => {
  const { module } = wasmModule();
  assert.ok(module);
  assert.deepEqual(WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`), ['wasi_snapshot_preview1.clock_time_get']);
  const exported = WebAssembly.Module.exports(module).map((e) => e.name);
  for (const name of ['memory', 'matmul', 'networkCreate', 'networkTrainStep', 'networkPredict']) assert.ok(exported.includes(name), name);
});
