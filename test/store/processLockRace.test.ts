import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tempDir } from '../helpers/tempDir';

/**
 * Several processes take one lock at the same moment, over a stale lock left by a dead process: exactly
 * one wins, whatever the interleaving of their create, read, break and create again.
 */
const LOCK_MODULE = path.resolve(__dirname, '..', '..', 'src', 'store', 'processLock.js');

/**
 * A process that tries to take the lock at `startAt` and says "won" or "refused" at once; a winner keeps
 * the lock until its stdin closes, so that every contender tries while it is held, however slowly the
 * processes start on a busy machine.
 */
function contender(file: string, startAt: number): { outcome: Promise<string>; release(): Promise<void> } {
  const script = `
    const { ProcessLock } = require(${JSON.stringify(LOCK_MODULE)});
    while (Date.now() < ${startAt}) {}
    try {
      const lock = ProcessLock.acquire(${JSON.stringify(file)}, 'race', 'refused');
      process.stdout.write('won\\n');
      process.stdin.resume();
      process.stdin.on('end', () => lock.release());
    } catch (e) { process.stdout.write(e.exitCode === 2 ? 'refused\\n' : 'error ' + e.message + '\\n'); }`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const outcome = new Promise<string>((resolve) => {
    let out = '';
    child.stdout.on('data', (s: Buffer) => {
      out += s.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', () => resolve(out.trim() || 'exited'));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    outcome,
    release: () => {
      child.stdin.end();
      return exited;
    },
  };
}

for (const [name, stale] of [['free', false], ['stale', true]] as const) {
  test(`six processes take a ${name} lock at once: exactly one wins`, async () => {
    const file = path.join(tempDir(), 'run.lock');
    if (stale) {
      const dead = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }).pid!;
      writeFileSync(file, JSON.stringify({ pid: dead, hostname: os.hostname(), token: 'dead', purpose: 'x', acquiredAt: 'x' }));
    }
    const startAt = Date.now() + 1500;
    const contenders = Array.from({ length: 6 }, () => contender(file, startAt));
    const outcomes = await Promise.all(contenders.map((c) => c.outcome));
    await Promise.all(contenders.map((c) => c.release()));
    assert.equal(outcomes.filter((o) => o === 'won').length, 1, outcomes.join(', '));
    assert.equal(outcomes.filter((o) => o === 'refused').length, 5, outcomes.join(', '));
  });
}
