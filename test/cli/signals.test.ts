import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readMetricsFile } from '../../src/store/runReader';
import { BIN } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

/**
 * Starts a long training as a child process and, at a random point after its run directory exists
 * (0 to 1.5 s later: before, during or after the first epochs), sends `signals`.
 */
function trainAndSignal(runs: string, signals: NodeJS.Signals[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; delay: number }> {
  const delay = Math.round(Math.random() * 1500);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'train', '--runs-dir', runs, '--epochs', '400', '--samples', '300', '--backend', 'cpu'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let armed = false;
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!armed && /^run: /m.test(stderr)) {
        armed = true;
        setTimeout(() => {
          for (const s of signals) child.kill(s);
        }, delay);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stderr, delay });
    });
  });
}

function onlyRun(runs: string): string {
  const ids = readdirSync(runs);
  assert.equal(ids.length, 1);
  return path.join(runs, ids[0]!);
}

for (const [signal, exitCode] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${signal} stops training within a batch, keeps what completed, marks the run interrupted, exits ${exitCode}`, async () => {
    const runs = tempDir();
    const r = await trainAndSignal(runs, [signal]);
    assert.equal(r.code, exitCode, `signal ${r.delay} ms after start: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${signal} received, stopping after the current batch`));
    const dir = onlyRun(runs);
    // the command as this process was started (node and the script's path), with the same runs directory
    const again = `node ${path.relative(process.cwd(), BIN)} train --resume ${path.basename(dir)} --runs-dir ${runs}`;
    assert.ok(r.stderr.includes(`marked interrupted (${dir}); continue it with: ${again}\n`), r.stderr);
    const status = JSON.parse(readFileSync(path.join(dir, 'status.json'), 'utf8'));
    assert.equal(status.status, 'interrupted');
    assert.ok(status.completedEpochs >= 0 && status.completedEpochs < 400);
    assert.ok(!existsSync(path.join(dir, 'summary.json')));
    const rows = readMetricsFile(path.join(dir, 'metrics.jsonl'));
    assert.equal(rows.length, 2 * status.completedEpochs, 'every completed epoch kept, both arms');
  });
}

test('a second Ctrl-C exits at once without corrupting files already written', async () => {
  const runs = tempDir();
  const r = await trainAndSignal(runs, ['SIGINT', 'SIGINT']);
  assert.equal(r.code, 130, r.stderr);
  const dir = onlyRun(runs);
  for (const f of ['run.json', 'config.json', 'environment.json', 'status.json']) JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
  const status = JSON.parse(readFileSync(path.join(dir, 'status.json'), 'utf8'));
  assert.notEqual(status.status, 'completed');
  assert.ok(!existsSync(path.join(dir, 'summary.json')));
});

test('SIGKILL at a random point: every file that exists parses, nothing claims completion, and the run resumes', async () => {
  const runs = tempDir();
  const r = await trainAndSignal(runs, ['SIGKILL']);
  assert.equal(r.signal, 'SIGKILL');
  const dir = onlyRun(runs);
  for (const f of ['run.json', 'config.json', 'environment.json', 'status.json']) JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
  const status = JSON.parse(readFileSync(path.join(dir, 'status.json'), 'utf8'));
  assert.equal(status.status, 'running', 'a killed process cannot mark itself; the status is left as running with its dead pid');
  assert.ok(!existsSync(path.join(dir, 'summary.json')));
  const rows = readMetricsFile(path.join(dir, 'metrics.jsonl'));
  if (existsSync(path.join(dir, 'checkpoint.bin'))) {
    const resumed = spawnSync(process.execPath, [BIN, 'train', '--runs-dir', runs, '--resume', path.basename(dir), '--json'], { encoding: 'utf8' });
    assert.equal(resumed.status, 0, resumed.stderr);
    const summary = JSON.parse(resumed.stdout);
    assert.ok(summary.resumedAfterEpoch >= Math.floor(rows.length / 2) - 1);
    assert.equal(summary.arms[0].history.length, 400);
  }
});
