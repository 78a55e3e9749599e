import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BIN, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

/**
 * Output scales with the number of classes: a 1000-class run is printed, shown and reported in seconds,
 * its summary.json stays small (the matrices go to confusion.json, sparse), and a report being rendered
 * stops on Ctrl-C.
 */
const runs = tempDir();
const ARGS = ['train', '--runs-dir', runs, '--epochs', '1', '--samples', '5000', '--classes', '1000', '--hidden', '16', '--backend', 'cpu'];

test('train, show and report of a 1000-class run: seconds, not minutes; summary.json small, the sparse matrices in confusion.json', async () => {
  let started = Date.now();
  const trained = await runCli(ARGS);
  assert.equal(trained.code, 0, trained.stderr);
  const trainMs = Date.now() - started;
  assert.ok(trained.stdout.split('\n').length < 200, `${trained.stdout.split('\n').length} lines`);
  assert.match(trained.stdout, /Most confused pairs, smoothed \(ε=0\.1\)/);
  const [id] = readdirSync(runs);
  const dir = path.join(runs, id!);
  assert.ok(statSync(path.join(dir, 'summary.json')).size < 1_000_000, `summary.json ${statSync(path.join(dir, 'summary.json')).size} bytes`);
  const confusion = JSON.parse(readFileSync(path.join(dir, 'confusion.json'), 'utf8'));
  assert.equal(confusion.classes, 1000);
  for (const arm of confusion.arms) assert.equal(arm.cells.reduce((n: number, c: number[]) => n + c[2]!, 0), 1000, 'every test sample in one cell');
  for (const args of [['show', id!], ['show', id!, '--format', 'markdown']]) {
    started = Date.now();
    const r = await runCli([...args, '--runs-dir', runs]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - started < 5000, `${args.join(' ')}: ${Date.now() - started} ms`);
  }
  started = Date.now();
  const report = await runCli(['report', id!, '--runs-dir', runs]);
  assert.equal(report.code, 0, report.stderr);
  const reportMs = Date.now() - started;
  const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
  assert.match(html, /Most confused classes/);
  assert.ok(html.length < 2_000_000);
  // Budgets well above what is measured on a quiet machine (train ≈ 3 s, report ≈ 2 s), for a busy CI.
  assert.ok(trainMs < 60_000 && reportMs < 30_000, `train ${trainMs} ms, report ${reportMs} ms`);
});

test('Ctrl-C while a report is rendered: exit 130, one line, no report written', async () => {
  const [id] = readdirSync(runs);
  const out = path.join(tempDir(), 'r.html');
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, 'report', id!, '--runs-dir', runs, '--out', out, '--png', '--verbose'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sent = false;
    // With --verbose, the start-up line comes just before the command runs: the handlers are installed by
    // then (bin/ls-bench.js does it first), and loading vega and rendering the PNGs take seconds after it.
    // (A fixed delay from spawn raced node's own start-up on a busy machine.)
    child.stderr.on('data', (s: Buffer) => {
      stderr += s.toString();
      if (!sent && /timing: start-up/.test(stderr)) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 100);
      }
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /ls-bench: interrupted: interrupted while rendering the report; nothing was written\n$/);
  assert.ok(!existsSync(out));
});
