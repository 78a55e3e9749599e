#!/usr/bin/env node
/**
 * Builds ls-bench's native backend (native/ls_bench_native.c → build/Release/ls_bench_native.node) with
 * node-gyp, against Node's installed headers and Debian's OpenBLAS. Runs as the package's `install`
 * script. It never fails the install: without a compiler, Node's headers or OpenBLAS it prints one line
 * saying how to enable the backend and exits 0; `--backend auto` then falls back to wasm.
 * Nothing is downloaded: node-gyp is only run when Node's headers are on this machine.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const HINT = 'to enable it: apt-get install build-essential python3 libopenblas-dev, then `npm run build:native`';

function skip(reason) {
  console.warn(`ls-bench: native backend not built (${reason}); ${HINT}`);
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

function hasOpenBlas() {
  const headers = ['/usr/include/x86_64-linux-gnu/cblas.h', '/usr/include/aarch64-linux-gnu/cblas.h', '/usr/include/cblas.h', '/usr/include/openblas/cblas.h'];
  return headers.some((h) => fs.existsSync(h));
}

const nodeGyp = findNodeGyp();
if (!nodeGyp) skip('node-gyp not found');
const nodeDir = findNodeDir();
if (!nodeDir) skip("Node's C headers (include/node/node_api.h) not found");
if (!hasOpenBlas()) skip('OpenBLAS headers (cblas.h) not found');

const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, npm_config_nodedir: nodeDir },
});
if (result.status !== 0) {
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n');
  const firstError = output.find((line) => /error/i.test(line)) ?? output.at(-1) ?? String(result.error ?? 'unknown error');
  skip(`node-gyp failed: ${firstError.trim()}`);
}
console.log('ls-bench: native backend built (build/Release/ls_bench_native.node)');
