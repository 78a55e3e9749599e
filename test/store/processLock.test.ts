import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from '../../src/errors';
import { currentProcess, processLiveness } from '../../src/store/processIdentity';
import { ProcessLock, readLock, STALE_AFTER_MS } from '../../src/store/processLock';
import { tempDir } from '../helpers/tempDir';

const deadPid = () => spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }).pid!;

function holderFile(file: string, holder: Record<string, unknown>, ageMs = 0): void {
  writeFileSync(file, JSON.stringify({ purpose: 'test', acquiredAt: 'then', token: 'theirs', startTime: null, bootId: null, pidNamespace: null, ...holder }));
  const at = new Date(Date.now() - ageMs);
  utimesSync(file, at, at);
}

const refused = (pattern: RegExp) => (e: unknown) => e instanceof CliError && e.exitCode === 2 && pattern.test(e.message);

test('this process: pid, start time, boot and pid namespace (on Linux); alive, and a reused pid is not', () => {
  const me = currentProcess();
  assert.equal(me.pid, process.pid);
  assert.equal(me.hostname, os.hostname());
  if (existsSync('/proc/self/stat')) {
    assert.match(me.startTime!, /^\d+$/);
    assert.match(me.bootId!, /^[0-9a-f-]{36}$/);
    assert.match(me.pidNamespace!, /^pid:\[\d+\]$/);
    assert.equal(processLiveness({ ...me, startTime: String(BigInt(me.startTime!) + 1n) }), 'dead', 'same pid, other start time');
  }
  assert.equal(processLiveness(me), 'alive');
  assert.equal(processLiveness({ pid: deadPid(), hostname: me.hostname }), 'dead');
  assert.equal(processLiveness({ pid: 1, hostname: 'another-host' }), 'elsewhere');
  assert.equal(processLiveness({ pid: 1, hostname: me.hostname, pidNamespace: 'pid:[42]' }), me.pidNamespace ? 'elsewhere' : 'alive');
  for (const pid of [0, -1, 1.5, Number.NaN]) assert.equal(processLiveness({ pid, hostname: me.hostname }), 'dead', `pid ${pid}`);
});

test('a lock is taken once: the second taker is refused with the holder named; release frees it', () => {
  const file = path.join(tempDir(), 'run.lock');
  const lock = ProcessLock.acquire(file, 'training run r1', 'run r1 is being trained');
  const content = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(content.pid, process.pid);
  assert.equal(content.purpose, 'training run r1');
  assert.throws(() => ProcessLock.acquire(file, 'resume', 'cannot resume r1'), refused(new RegExp(`^cannot resume r1: locked by pid ${process.pid} on .* \\(training run r1, since .*\\); run.lock is removed when that process ends$`)));
  assert.ok(lock.stillHeld());
  lock.release();
  lock.release();
  assert.ok(!existsSync(file));
  assert.deepEqual(readLock(file), { kind: 'free' });
  ProcessLock.acquire(file, 'again', 'x').release();
});

test('stale locks are taken over: a dead pid, a reused pid, a damaged file, a silent holder elsewhere', () => {
  const dir = tempDir();
  const me = currentProcess();
  const cases: [string, Record<string, unknown> | string, number][] = [
    ['dead pid', { pid: deadPid(), hostname: me.hostname }, 0],
    ['garbage', 'not json at all', 0],
    ['empty', '', 0],
    ['no heartbeat for longer than the limit', { pid: 1, hostname: 'gone-container' }, STALE_AFTER_MS + 1000],
  ];
  if (me.startTime) cases.push(['reused pid', { pid: process.pid, hostname: me.hostname, startTime: '1' }, 0]);
  for (const [name, holder, age] of cases) {
    const file = path.join(dir, `${name.replace(/ /g, '-')}.lock`);
    if (typeof holder === 'string') writeFileSync(file, holder);
    else holderFile(file, holder, age);
    assert.equal(readLock(file).kind, 'stale', name);
    const lock = ProcessLock.acquire(file, 'taker', 'refused');
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).token, lock.holder.token, name);
    assert.ok(!existsSync(`${file}.break`), `${name}: the break file is gone`);
    lock.release();
  }
});

test('a holder elsewhere with a fresh heartbeat, or a live local one, keeps its lock', () => {
  const dir = tempDir();
  const elsewhere = path.join(dir, 'elsewhere.lock');
  holderFile(elsewhere, { pid: 1, hostname: 'other-host' }, 5_000);
  assert.throws(() => ProcessLock.acquire(elsewhere, 'x', 'refused'), refused(/^refused: locked by pid 1 on other-host \(test, since then; last heartbeat \d s ago\)/));
  const live = path.join(dir, 'live.lock');
  holderFile(live, { ...currentProcess(), token: 'another-process-in-this-pid' });
  assert.throws(() => ProcessLock.acquire(live, 'x', 'refused'), refused(/locked by pid/));
  assert.equal(JSON.parse(readFileSync(live, 'utf8')).token, 'another-process-in-this-pid', 'untouched');
});

test('a lock broken by another process is no longer held: release leaves the new holder alone', () => {
  const file = path.join(tempDir(), 'x.lock');
  const lock = ProcessLock.acquire(file, 'first', 'x');
  holderFile(file, { pid: 1, hostname: 'other-host', token: 'usurper' });
  assert.equal(lock.stillHeld(), false);
  lock.release();
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).token, 'usurper');
});

test('a lock in a directory that cannot hold one: one line naming the file (exit 1)', () => {
  const dir = tempDir();
  const notDir = path.join(dir, 'file');
  writeFileSync(notDir, '');
  assert.throws(() => ProcessLock.acquire(path.join(notDir, 'run.lock'), 'x', 'x'), (e: unknown) => e instanceof CliError && e.exitCode === 1 && /run\.lock: cannot take the lock \(a part of the path is not a directory\)/.test(e.message));
  mkdirSync(path.join(dir, 'a-dir.lock'));
  assert.equal(readLock(path.join(dir, 'a-dir.lock')).kind, 'stale', 'a directory is no lock ls-bench wrote');
  assert.throws(() => ProcessLock.acquire(path.join(dir, 'a-dir.lock'), 'x', 'x'), (e: unknown) => e instanceof CliError && /a-dir\.lock: cannot take the lock/.test(e.message));
});
