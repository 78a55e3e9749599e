#!/usr/bin/env node
'use strict';
// The entry point: the only place that installs signal handlers and calls process.exit.
const fs = require('node:fs');
const path = require('node:path');
// Installed first, before the rest loads: a signal that comes while ls-bench starts is honoured too.
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

// `npx ls-bench` and `npm exec` run ls-bench under `npm` and a shell that do not pass SIGTERM on: killing
// npm (what a CI runner or a container manager does) leaves ls-bench running as an orphan. Under npm, an
// orphaned ls-bench stops as on SIGTERM. (Better still, run the installed bin or `exec node …`: see the
// README's "Reliability" section; then the signal itself arrives.)
if (process.env.npm_command === 'exec' || process.env.npm_lifecycle_event === 'npx') {
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent || controller.signal.aborted) return;
    clearInterval(watch);
    process.stderr.write('\nls-bench: the npm process that started it (npx / npm exec) is gone; stopping as on SIGTERM, after the current batch\n');
    signals += 1;
    controller.abort('SIGTERM');
  }, 500);
  watch.unref();
}

let cli;
let safeText;
try {
  cli = require(path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js'));
  safeText = require(path.join(__dirname, '..', 'dist', 'src', 'text', 'safeText.js'));
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes('dist')) {
    process.stderr.write('ls-bench: not built yet; run `npm ci` (or `npm run build`) in the project folder first\n');
    process.exit(2);
  }
  throw error;
}

// stdout is checked, not trusted: a full disk or /dev/full is one line and a non-zero exit, never an
// "Unhandled 'error' event" or a silent exit 0 with an empty file. A reader that went away (EPIPE, as
// `ls-bench runs | head -1` does) is no failure of ls-bench's.
let stdoutError;
let stdoutClosed = false;
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') stdoutClosed = true;
  else stdoutError ??= error;
});
// Nowhere left to report a failing stderr: ignore it rather than crash.
process.stderr.on('error', () => {});

const REASONS = { ENOSPC: 'no space left on device', EDQUOT: 'disk quota exceeded', EIO: 'input/output error', EBADF: 'not open for writing', EROFS: 'read-only file system' };

/** Flushes stdout to where it goes (and to the disk, for a file), then exits with `code`, or 1 if stdout failed. */
function finish(code) {
  process.stdout.write('', (error) => {
    if (error && error.code !== 'EPIPE') stdoutError ??= error;
    if (!stdoutError && !stdoutClosed) {
      try {
        // A file's blocks may be allocated only when flushed: a full disk can fail here after every write "succeeded".
        if (fs.fstatSync(1).isFile()) fs.fsyncSync(1);
      } catch (syncError) {
        if (syncError.code !== 'EINVAL' && syncError.code !== 'ENOTSUP') stdoutError = syncError;
      }
    }
    if (stdoutError) {
      process.stderr.write(`ls-bench: cannot write the output to stdout (${REASONS[stdoutError.code] ?? stdoutError.code ?? stdoutError.message})\n`);
      process.exit(code === 0 ? 1 : code);
    }
    // Exit explicitly: the wasm backend can keep the event loop alive.
    process.exit(code);
  });
}

cli
  // startedAt 0: the whole command's time counts from the process's start (Node's own start-up included)
  .run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, signal: controller.signal, startedAt: 0 })
  .then((code) => {
    process.exitCode = code;
    finish(code);
  })
  .catch((error) => {
    process.stderr.write(safeText.terminalText(`ls-bench: internal error\n${error && error.stack ? error.stack : String(error)}\n`));
    process.exit(1);
  });
