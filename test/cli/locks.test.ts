import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '../../src/cli/main';
import { readMetricsFile } from '../../src/store/runReader';
import { BIN, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

/**
 * The locks on shared state, between real processes: two resumes of one run, two sweeps of one directory.
 */
const TINY = ['--samples', '300', '--features', '6', '--hidden', '12', '--batch-size', '16', '--learning-rate', '0.01', '--backend', 'cpu'];

function start(args: string[]): { done: Promise<{ code: number | null; stdout: string; stderr: string }>; stderr: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (s: Buffer) => (stdout += s.toString()));
  child.stderr.on('data', (s: Buffer) => (stderr += s.toString()));
  return { done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))), stderr: () => stderr };
}

test('two `train --resume` of one run at once: one continues it, the other is refused naming the first; no epoch is trained twice', async () => {
  const runs = tempDir();
  const controller = new AbortController();
  const code = await run(['train', '--runs-dir', runs, ...TINY, '--epochs', '30'], {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (/^epoch 1 /m.test(s) && controller.abort('SIGINT'), true) },
    signal: controller.signal,
  });
  assert.equal(code, 130);
  const [id] = readdirSync(runs);
  const [a, b] = [start(['train', '--runs-dir', runs, '--resume', id!]), start(['train', '--runs-dir', runs, '--resume', id!])];
  const results = await Promise.all([a.done, b.done]);
  const codes = results.map((r) => r.code).sort();
  assert.deepEqual(codes, [0, 2], results.map((r) => r.stderr).join('\n---\n'));
  const refused = results.find((r) => r.code === 2)!;
  assert.match(refused.stderr, new RegExp(`^ls-bench: --resume ${id}: run ${id} is being trained: locked by pid \\d+ on \\S+ \\(training run ${id}, since [^)]+\\)`, 'm'));
  const rows = readMetricsFile(path.join(runs, id!, 'metrics.jsonl'));
  const keys = rows.map((r) => `${r.epoch}/${r.arm}`);
  assert.equal(new Set(keys).size, keys.length, 'no (epoch, arm) row twice');
  assert.equal(rows.length, 30 * 2);
  assert.equal(JSON.parse(readFileSync(path.join(runs, id!, 'status.json'), 'utf8')).status, 'completed');
  assert.ok(!existsSync(path.join(runs, id!, 'run.lock')), 'the lock is gone with its process');
});

test('a second `sweep` on a directory another sweep is running is refused; the first finishes', async () => {
  const runs = tempDir();
  const dir = path.join(runs, 'the-sweep');
  const args = ['sweep', '--epsilon', '0,0.1', '--seeds', '0-3', '--jobs', '1', '--runs-dir', runs, '--sweep-dir', dir, ...TINY, '--epochs', '3'];
  const first = start(args);
  while (!/^sweep dir: /m.test(first.stderr())) await new Promise((r) => setTimeout(r, 50));
  const second = await runCli(args);
  assert.equal(second.code, 2, second.stderr);
  assert.match(second.stderr, new RegExp(`^ls-bench: ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: another ls-bench is running this sweep: locked by pid \\d+ on \\S+ \\(sweep sweep-[0-9a-f]{12}, since [^)]+\\); sweep\\.lock is removed when that process ends\\n$`));
  const r = await first.done;
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!existsSync(path.join(dir, 'sweep.lock')), 'the lock is gone with its process');
  assert.equal(JSON.parse(readFileSync(path.join(dir, 'aggregate.json'), 'utf8')).missingCells.length, 0);
});
