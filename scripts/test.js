#!/usr/bin/env node
'use strict';
/**
 * Compiles and runs the tests. `npm test` runs them all from a freshly emptied dist/ (what CI calls);
 * `npm run test:unit` runs the fast set (pure and in-process tests) for the edit-run loop; `npm run
 * test:slow` the rest. Usage: node scripts/test.js [--unit | --slow]
 *
 * The test files are listed from test/ (the .ts sources), never by scanning dist/, so a renamed or deleted
 * test cannot run as a stale compiled copy even when dist/ is kept between runs.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

/**
 * The slow set: tests that drive the command line (test/cli/: every command end to end, in process and as
 * child processes, signals, killed runs; test/fuzz/: random configs and flags through the front door),
 * start Chromium, or start ls-bench processes of their own. A new test that drives the CLI, starts a browser
 * or a child process, or sends a signal goes into test/cli/ if it tests a command, else its path goes here.
 * Every entry must exist, so a renamed file cannot drop out of this list unnoticed.
 */
const SLOW = ['test/cli/', 'test/fuzz/', 'test/html/browser.test.ts', 'test/store/runWriter.test.ts', 'test/store/processLockRace.test.ts', 'test/sweep/cellWorker.test.ts'];

const ROOT = path.resolve(__dirname, '..');

function testSources(dir) {
  const out = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...testSources(rel));
    else if (entry.name.endsWith('.test.ts')) out.push(rel);
  }
  return out;
}

function isSlow(file) {
  return SLOW.some((slow) => (slow.endsWith('/') ? file.startsWith(slow) : file === slow));
}

function main(args) {
  const mode = args.includes('--unit') ? 'unit' : args.includes('--slow') ? 'slow' : 'all';
  const unknown = args.filter((a) => a !== '--unit' && a !== '--slow');
  if (unknown.length > 0 || (args.includes('--unit') && args.includes('--slow'))) {
    console.error(`scripts/test.js: expected no argument, --unit or --slow, got ${args.join(' ')}`);
    return 2;
  }
  for (const slow of SLOW) {
    if (!fs.existsSync(path.join(ROOT, slow))) {
      console.error(`scripts/test.js: the slow test ${slow} does not exist; update SLOW`);
      return 2;
    }
  }

  // The full run starts from an empty dist/, as CI does; the fast set keeps dist/ and compiles
  // incrementally (the build info lives in dist/, so emptying it forces a full build).
  if (mode === 'all') fs.rmSync(path.join(ROOT, 'dist'), { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--incremental'], { cwd: ROOT, stdio: 'inherit' });
  if (tsc.status !== 0) return tsc.status ?? 1;

  const sources = testSources('test').filter((f) => mode === 'all' || (mode === 'slow') === isSlow(f)).sort();
  const compiled = sources.map((f) => path.join('dist', f.replace(/\.ts$/, '.js')));
  const missing = compiled.filter((f) => !fs.existsSync(path.join(ROOT, f)));
  if (missing.length > 0) {
    console.error(`scripts/test.js: ${missing.join(', ')} missing after compiling; delete dist/ (or run npm test) to rebuild it from scratch`);
    return 1;
  }
  const run = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...compiled], { cwd: ROOT, stdio: 'inherit' });
  return run.status ?? 1;
}

process.exitCode = main(process.argv.slice(2));
