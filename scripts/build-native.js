#!/usr/bin/env node
/**
 * Builds ls-bench's native backend (native/ls_bench_native.c → build/Release/ls_bench_native.node) with
 * node-gyp, against Node's installed headers and the CBLAS scripts/cblas.js finds (OpenBLAS through
 * pkg-config or its usual paths, Apple's Accelerate, Homebrew's OpenBLAS, another CBLAS), and says which.
 * Runs as the package's `install` script. It never fails the install: without a compiler, Node's headers
 * or a CBLAS it prints one line saying how to enable the backend and exits 0; `--backend auto` then
 * trains on wasm-fused (the same C as WebAssembly, shipped with the package).
 * Nothing is downloaded: node-gyp is only run when Node's headers are on this machine.
 *
 * An addon built from the same sources, for the same Node ABI and CBLAS, is left in place (its fingerprint
 * is in build/Release/ls_bench_native.stamp): npm reruns the install script on `npx ls-bench` in the project
 * folder, and a rebuild removes the addon for a few seconds, so an ls-bench started meanwhile would quietly
 * train on another backend. `npm run build:native -- --force` rebuilds anyway.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { detectCblas, pkgConfigOf } = require('./cblas');

const root = path.resolve(__dirname, '..');
const ADDON = path.join(root, 'build', 'Release', 'ls_bench_native.node');
const STAMP = path.join(root, 'build', 'Release', 'ls_bench_native.stamp');
const HINT = 'to enable it: apt-get install build-essential python3 libopenblas-dev (macOS: xcode-select --install), then `npm run build:native`';

function skip(reason, hint = HINT) {
  console.warn(`ls-bench: native backend not built (${reason}); ${hint}`);
  process.exit(0);
}

if (process.env.LS_BENCH_SKIP_NATIVE) skip('LS_BENCH_SKIP_NATIVE is set');

/** npm passes its bundled node-gyp to lifecycle scripts; outside npm, look next to this Node's npm. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    '/usr/share/nodejs/node-gyp/bin/node-gyp.js',
  ];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    /* not installed as a package: fine */
  }
  return candidates.find((p) => p && fs.existsSync(p));
}

/** A Node prefix whose include/node has node_api.h, so node-gyp needs no download. */
function findNodeDir() {
  const candidates = [process.env.npm_config_nodedir, path.resolve(path.dirname(process.execPath), '..'), '/usr', '/usr/local'];
  return candidates.find((dir) => dir && fs.existsSync(path.join(dir, 'include', 'node', 'node_api.h')));
}

/** What the addon is built from: every file under native/ but the WebAssembly build's, binding.gyp, the Node ABI, the CBLAS. */
function buildFingerprint(gypVariables) {
  const hash = crypto.createHash('sha256');
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (full !== path.join(root, 'native', 'wasm')) walk(full);
      } else files.push(full);
    }
  };
  walk(path.join(root, 'native'));
  files.push(path.join(root, 'binding.gyp'));
  for (const file of files.sort()) hash.update(path.relative(root, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  hash.update(JSON.stringify({ abi: process.versions.modules, napi: process.versions.napi, arch: process.arch, gypVariables }));
  return hash.digest('hex');
}

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

const nodeGyp = findNodeGyp();
if (!nodeGyp) skip('node-gyp not found');
const nodeDir = findNodeDir();
if (!nodeDir) skip("Node's C headers (include/node/node_api.h) not found");
const cblas = detectCblas({ platform: process.platform, env: process.env, exists: fs.existsSync, pkgConfig: pkgConfigOf(spawnSync) });
if (cblas.problem) skip(cblas.problem, `to enable it: ${cblas.hint}, then \`npm run build:native\``);

// binding.gyp's variables (node-gyp hands unknown --options to gyp as variables)
const variables = [
  `--ls_cblas_kind=${cblas.kind.toUpperCase()}`,
  `--ls_cblas_include_dirs=${cblas.includeDirs.join(' ')}`,
  `--ls_cblas_libraries=${cblas.libraries.join(' ')}`,
  `--ls_cblas_ldflags=${cblas.ldflags.join(' ')}`,
];
const fingerprint = buildFingerprint(variables);
if (!process.argv.includes('--force') && fs.existsSync(ADDON) && readText(STAMP) === fingerprint) {
  console.log(`ls-bench: native backend up to date (built with ${cblas.name}): build/Release/ls_bench_native.node`);
  process.exit(0);
}
const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`, ...variables], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, npm_config_nodedir: nodeDir },
});
if (result.status !== 0) {
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n');
  const firstError = output.find((line) => /error/i.test(line)) ?? output.at(-1) ?? String(result.error ?? 'unknown error');
  skip(`node-gyp failed: ${firstError.trim()}`);
}
fs.writeFileSync(STAMP, fingerprint);
console.log(`ls-bench: native backend built with ${cblas.name} (found by ${cblas.via}): build/Release/ls_bench_native.node`);
