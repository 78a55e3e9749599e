import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN, runCli, spawnCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

const TINY = ['--samples', '240', '--features', '6', '--hidden', '12', '--batch-size', '32', '--learning-rate', '0.01'];

/**
 * Starts `ls-bench train`, SIGKILLs it midway, resolves when it is gone. It waits for the "epoch 2" line:
 * train prints an epoch's line just before appending it to metrics.jsonl, so at "epoch 2" epoch 1 is on disk.
 */
function trainAndKill(args: string[]): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'train', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no "epoch 2" line within 90 s; stderr: ${stderr}`));
    }, 90_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (/^epoch 2 /m.test(stderr) && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    // 'close' comes after the child is reaped, so its pid is really gone when we look
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      resolve({ signal, stderr });
    });
  });
}

test('a training killed with SIGKILL is listed as died, not completed, and an earlier run is intact', async () => {
  const runs = tempDir();
  const earlier = spawnCli(['train', '--runs-dir', runs, '--name', 'earlier', '--epochs', '2', ...TINY]);
  assert.equal(earlier.code, 0, earlier.stderr);
  const before = (await runCli(['show', 'earlier', '--runs-dir', runs])).stdout;

  // far more epochs than it can finish before the kill arrives
  const killed = await trainAndKill(['--runs-dir', runs, '--name', 'killed', '--epochs', '5000', ...TINY]);
  assert.equal(killed.signal, 'SIGKILL', killed.stderr);

  const list = await runCli(['runs', '--runs-dir', runs, '--json']);
  assert.equal(list.code, 0, list.stderr);
  const byName = new Map<string, { status: string; statusNote: string; epochs: { completed: number; total: number } }>(
    JSON.parse(list.stdout).runs.map((r: { name: string }) => [r.name, r]),
  );
  const dead = byName.get('killed')!;
  assert.equal(dead.status, 'died');
  assert.match(dead.statusNote, /status\.json says running, but its process \(pid \d+ on [^)]+\) is gone/);
  assert.ok(dead.epochs.completed >= 1 && dead.epochs.completed < 5000, JSON.stringify(dead.epochs));
  assert.equal(byName.get('earlier')!.status, 'completed');

  const table = await runCli(['runs', '--runs-dir', runs]);
  assert.match(table.stdout, /│ killed +│ died +│/);
  const shownDead = await runCli(['show', 'killed', '--runs-dir', runs]);
  assert.equal(shownDead.code, 0, shownDead.stderr);
  assert.match(shownDead.stdout, /: died \(.*\)\ncompleted \d+ of 5000 epochs; no final results/);
  const after = await runCli(['show', 'earlier', '--runs-dir', runs]);
  assert.equal(after.stdout, before, 'the completed run reads exactly as before');
});
