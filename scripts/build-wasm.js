#!/usr/bin/env node
/**
 * Builds ls-bench's WebAssembly module (native/wasm/ls_bench.wasm) from the same C kernels as the native
 * addon, with clang's wasm32-wasi target, SIMD128 and wasi-libc (Debian: apt-get install clang-14 lld-14
 * wasi-libc). The module is committed and shipped, so users never run this; it is for whoever changes the
 * C source. native/wasm/build-info.json records the compiler and the sha256 of every source and of the
 * module, so a test can tell a stale module without a compiler.
 *
 *   node scripts/build-wasm.js           rebuild the module and build-info.json
 *   node scripts/build-wasm.js --check   rebuild into a temporary file and fail (exit 1) unless it is
 *                                        byte-identical to the committed module (what CI runs)
 */
'use strict';
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const OUT = 'native/wasm/ls_bench.wasm';
const INFO = 'native/wasm/build-info.json';
/** Relative to the repository, in a fixed order: the paths and their order are part of what the compiler sees. */
const SOURCES = [
  'native/wasm/ls_bench_wasm.c',
  'native/network.c',
  'native/kernels/activation.c',
  'native/kernels/batchnorm.c',
  'native/kernels/blas.c',
  'native/kernels/conv.c',
  'native/kernels/dense.c',
  'native/kernels/loss.c',
  'native/kernels/optimizer.c',
  'native/kernels/pool.c',
  'native/kernels/sgemm_wasm.c',
];
const HEADERS = ['native/network.h', 'native/kernels/kernels.h'];
const FLAGS = [
  '--target=wasm32-wasi', '-O3', '-std=c11', '-msimd128', '-mbulk-memory', '-fno-math-errno', '-fno-trapping-math',
  '-Wall', '-Wextra', '-Wno-unused-parameter', '-mexec-model=reactor', '-nodefaultlibs', '-lc',
  '-Wl,--strip-all', '-Wl,-z,stack-size=1048576',
];

function fail(message) {
  console.error(`build-wasm: ${message}`);
  process.exit(1);
}

function findClang() {
  const candidates = [process.env.LS_BENCH_CLANG, 'clang-14', 'clang'].filter(Boolean);
  for (const name of candidates) {
    const r = spawnSync(name, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return { clang: name, version: r.stdout.split('\n')[0].trim() };
  }
  return undefined;
}

/** A wasi-libc sysroot: Debian's wasi-libc package puts it under /usr (include/wasm32-wasi, lib/wasm32-wasi). */
function findSysroot() {
  const candidates = [process.env.WASI_SYSROOT, '/usr', '/usr/share/wasi-sysroot', '/opt/wasi-sdk/share/wasi-sysroot'].filter(Boolean);
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'lib', 'wasm32-wasi', 'libc.a')));
}

const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(path.join(root, file))).digest('hex');

function build(out) {
  const found = findClang();
  if (!found) fail('no clang found (apt-get install clang-14 lld-14 wasi-libc, or set LS_BENCH_CLANG)');
  const sysroot = findSysroot();
  if (!sysroot) fail('no wasi-libc sysroot found (apt-get install wasi-libc, or set WASI_SYSROOT)');
  const r = spawnSync(found.clang, [...FLAGS, `--sysroot=${sysroot}`, '-o', out, ...SOURCES], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) fail(`${found.clang} failed:\n${r.stderr || r.stdout || r.error}`);
  if (r.stderr.trim()) process.stderr.write(r.stderr);
  return found.version;
}

function main(args) {
  if (args.some((a) => a !== '--check')) fail(`expected no argument or --check, got ${args.join(' ')}`);
  if (args.includes('--check')) {
    const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ls-bench-wasm-')), 'ls_bench.wasm');
    const version = build(tmp);
    const fresh = fs.readFileSync(tmp);
    fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
    const committed = fs.readFileSync(path.join(root, OUT));
    if (!fresh.equals(committed)) {
      const info = JSON.parse(fs.readFileSync(path.join(root, INFO), 'utf8'));
      fail(
        `${OUT} differs from a rebuild of the C source with ${version} (committed: built with ${info.compiler}); ` +
          'run `npm run build:wasm` and commit the module',
      );
    }
    console.log(`build-wasm: ${OUT} is byte-identical to a rebuild with ${version}`);
    return;
  }
  const version = build(path.join(root, OUT));
  const info = {
    compiler: version,
    flags: FLAGS,
    module: { path: OUT, sha256: sha256(OUT), bytes: fs.statSync(path.join(root, OUT)).size },
    sources: Object.fromEntries([...SOURCES, ...HEADERS].map((f) => [f, sha256(f)])),
  };
  fs.writeFileSync(path.join(root, INFO), `${JSON.stringify(info, null, 2)}\n`);
  console.log(`build-wasm: ${OUT} built with ${version} (${info.module.bytes} bytes)`);
}

main(process.argv.slice(2));
