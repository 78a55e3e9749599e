import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BIN } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

/** Starts a long training as a child process and sends `signals` once the first epoch line appears. */
function trainAndSignal(runs: string, signals: NodeJS.Signals[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'train', '--runs-dir', runs, '--epochs', '400', '--backend', 'cpu'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sent = false;
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!sent && /^epoch 1 /m.test(stderr)) {
        sent = true;
        for (const s of signals) child.kill(s);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stderr });
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
    assert.equal(r.code, exitCode, r.stderr);
    assert.match(r.stderr, new RegExp(`${signal} received, stopping after the current batch`));
    assert.match(r.stderr, /marked interrupted .* continue it with: ls-bench train --resume /);
    const dir = onlyRun(runs);
    const status = JSON.parse(readFileSync(path.join(dir, 'status.json'), 'utf8'));
    assert.equal(status.status, 'interrupted');
    assert.ok(status.completedEpochs >= 1 && status.completedEpochs < 400);
    assert.ok(!existsSync(path.join(dir, 'summary.json')));
    const lines = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 2 * status.completedEpochs, 'every completed epoch kept, both arms');
    lines.forEach((l) => JSON.parse(l));
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
