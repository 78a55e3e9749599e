import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
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

/**
 * The invocations the README gives for CI and containers, each sent SIGTERM as a CI runner or a container
 * manager sends it (to the process it started, not to its process group): the training stops within a
 * batch and the run is marked interrupted, with no ls-bench left running.
 */
function launchAndTerminate(command: string, args: string[], runs: string, cwd: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    const poll = setInterval(() => {
      if (/^epoch 1 /m.test(stderr)) {
        clearInterval(poll);
        child.kill('SIGTERM');
      }
    }, 50);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      clearInterval(poll);
      resolve({ code, signal, stderr });
    });
  });
}

/** Waits until the run's status is no longer `running` (an orphan under npx needs a moment to notice). */
async function settledStatus(runs: string): Promise<string> {
  const started = Date.now();
  for (;;) {
    const status = JSON.parse(readFileSync(path.join(onlyRun(runs), 'status.json'), 'utf8')).status as string;
    if (status !== 'running' || Date.now() - started > 30_000) return status;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const TRAIN = ['train', '--epochs', '400', '--samples', '300', '--backend', 'cpu'];
const PROJECT = path.resolve(BIN, '..', '..');

test('SIGTERM to `exec node bin/ls-bench.js` in a shell script (the README\'s CI invocation): the run is marked interrupted', async () => {
  const runs = tempDir();
  const r = await launchAndTerminate('sh', ['-c', `exec node bin/ls-bench.js ${TRAIN.join(' ')} --runs-dir '${runs}'`], runs, PROJECT);
  assert.equal(r.code, 143, r.stderr);
  assert.equal(await settledStatus(runs), 'interrupted');
});

test('SIGTERM to the installed bin (node_modules/.bin/ls-bench, as in a project that depends on ls-bench): interrupted', async () => {
  const project = tempDir();
  mkdirSync(path.join(project, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(BIN, path.join(project, 'node_modules', '.bin', 'ls-bench'));
  const runs = tempDir();
  const r = await launchAndTerminate(path.join(project, 'node_modules', '.bin', 'ls-bench'), [...TRAIN, '--runs-dir', runs], runs, project);
  assert.equal(r.code, 143, r.stderr);
  assert.equal(await settledStatus(runs), 'interrupted');
});

test('SIGTERM to `npx ls-bench` (npx does not pass it on): ls-bench notices npm is gone and stops as on SIGTERM', async () => {
  const runs = tempDir();
  const r = await launchAndTerminate('npx', ['--no-install', 'ls-bench', ...TRAIN, '--runs-dir', runs], runs, PROJECT);
  assert.ok(r.code === 143 || r.signal === 'SIGTERM', `npx itself ends at once (${r.code ?? r.signal})`);
  assert.equal(await settledStatus(runs), 'interrupted', 'the orphaned training stopped and marked its run');
});
