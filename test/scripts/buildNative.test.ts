import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, tempDir } from '../helpers/tempDir';

/**
 * scripts/build-native.js leaves an addon built from the same sources in place: npm reruns the install
 * script on `npx ls-bench` in the project folder, and a rebuild removed the addon for seconds, so runs
 * started meanwhile (a sweep's cells) quietly trained on wasm-fused. Checked on a copy of the build inputs
 * with a stand-in node-gyp that records its calls and writes an addon, so no compiler runs here.
 */
test('build-native rebuilds only when the sources, the Node ABI or the CBLAS change, or with --force', (t) => {
  const root = tempDir();
  for (const part of ['scripts/build-native.js', 'scripts/cblas.js', 'native', 'binding.gyp']) cpSync(path.join(PROJECT_ROOT, part), path.join(root, part), { recursive: true });
  const calls = path.join(root, 'gyp-calls.log');
  const fakeGyp = path.join(root, 'fake-node-gyp.js');
  writeFileSync(
    fakeGyp,
    `const fs = require('node:fs');
fs.appendFileSync(${JSON.stringify(calls)}, process.argv.slice(2, 3).join(' ') + '\\n');
fs.rmSync('build', { recursive: true, force: true });
fs.mkdirSync('build/Release', { recursive: true });
fs.writeFileSync('build/Release/ls_bench_native.node', 'addon');
`,
  );
  const build = (...args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, npm_config_node_gyp: fakeGyp };
    delete env.LS_BENCH_SKIP_NATIVE;
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-native.js'), ...args], { cwd: root, env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return { out: r.stdout, gypRuns: existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n').length : 0 };
  };
  const first = build();
  if (/native backend not built/.test(first.out)) {
    t.skip(`nothing to build on this machine: ${first.out.trim()}`);
    return;
  }
  assert.equal(first.gypRuns, 1, first.out);
  assert.match(first.out, /native backend built with /);
  const second = build();
  assert.equal(second.gypRuns, 1, 'the same sources: node-gyp not run again');
  assert.match(second.out, /native backend up to date/);
  appendFileSync(path.join(root, 'native', 'kernels', 'dense.c'), '\n/* changed */\n');
  assert.equal(build().gypRuns, 2, 'a changed kernel source is rebuilt');
  assert.equal(build().gypRuns, 2);
  assert.equal(build('--force').gypRuns, 3, '--force rebuilds');
  writeFileSync(path.join(root, 'native', 'wasm', 'ls_bench.wasm'), 'another module');
  assert.equal(build().gypRuns, 3, 'the WebAssembly build is not an input of the addon');
});
