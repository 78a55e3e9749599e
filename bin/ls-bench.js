#!/usr/bin/env node
'use strict';
// The entry point: the only place that installs signal handlers and calls process.exit.
const path = require('node:path');
let cli;
try {
  cli = require(path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js'));
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes('dist')) {
    process.stderr.write('ls-bench: not built yet; run `npm ci` (or `npm run build`) in the project folder first\n');
    process.exit(2);
  }
  throw error;
}

const controller = new AbortController();
let signals = 0;
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(signal, () => {
    signals += 1;
    // The first signal stops training between two batches and lets the run be marked interrupted;
    // a second one exits at once (every file is written atomically, so none is left half-written).
    if (signals > 1) process.exit(code);
    process.stderr.write(`\nls-bench: ${signal} received, stopping after the current batch (again to exit at once)\n`);
    controller.abort(signal);
  });
}

cli
  // startedAt 0: the whole command's time counts from the process's start (Node's own start-up included)
  .run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, signal: controller.signal, startedAt: 0 })
  .then((code) => {
    process.exitCode = code;
    // Exit explicitly: the wasm backend can keep the event loop alive.
    process.stdout.write('', () => process.exit(code));
  })
  .catch((error) => {
    process.stderr.write(`ls-bench: internal error\n${error && error.stack ? error.stack : String(error)}\n`);
    process.exit(1);
  });
