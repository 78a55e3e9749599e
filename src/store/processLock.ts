import { closeSync, fsyncSync, linkSync, openSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { FileTooLarge, NotARegularFile, readRegularFile } from '../data/boundedRead';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CliError } from '../errors';
import { currentProcess, processLiveness, type ProcessIdentity } from './processIdentity';
import { fileSystemError } from './fileSystemError';

/**
 * A lock file owned by one process: a run being trained or resumed (run.lock), a sweep directory being
 * run or merged into (sweep.lock).
 *
 * - Created atomically with its content: written to a private temporary file, then hard-linked to the
 *   lock's name, which fails if the name exists (the classic lock that also works on NFS). A reader never
 *   sees a half-written lock.
 * - It names its holder (pid, start time, hostname, boot id, pid namespace: processIdentity.ts) and is
 *   stale when that process is gone — by pid and start time, so a reused pid does not keep it alive.
 * - The holder touches the file's mtime every HEARTBEAT_MS. A holder that cannot be checked from here (on
 *   another host, or in a container whose hostname changed) is alive while that heartbeat is younger than
 *   STALE_AFTER_MS; a killed container's lock goes stale after that.
 * - Only a stale lock is ever removed by another process, inside a short-lived break file (<lock>.break)
 *   and after reading it again, so two processes breaking the same stale lock cannot remove a fresh one.
 */
export const HEARTBEAT_MS = 10_000;
export const STALE_AFTER_MS = 120_000;
/** A break file older than this was left by a process that died while breaking: breaking takes milliseconds. */
const BREAK_STALE_MS = 30_000;
/** A lock file holds a few hundred bytes of JSON. */
const MAX_LOCK_BYTES = 64 * 1024;

export interface LockHolder extends ProcessIdentity {
  /** What the lock is for, for messages: "training run 2026…", "sweep …". */
  purpose: string;
  acquiredAt: string;
  token: string;
}

/** What a lock file says about its holder, as seen from this process. */
export type LockState =
  | { kind: 'free' }
  | { kind: 'held'; holder: LockHolder; by: 'this process' | 'a live process' | 'a process elsewhere'; heartbeatAgeMs: number }
  | { kind: 'stale'; holder: LockHolder | null; reason: string };

const heldTokens = new Set<string>();

function parseHolder(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.pid !== 'number' || typeof v.hostname !== 'string' || typeof v.token !== 'string') return null;
    return {
      pid: v.pid,
      startTime: typeof v.startTime === 'string' ? v.startTime : null,
      hostname: v.hostname,
      bootId: typeof v.bootId === 'string' ? v.bootId : null,
      pidNamespace: typeof v.pidNamespace === 'string' ? v.pidNamespace : null,
      purpose: typeof v.purpose === 'string' ? v.purpose : 'unknown',
      acquiredAt: typeof v.acquiredAt === 'string' ? v.acquiredAt : 'unknown',
      token: v.token,
    };
  } catch {
    return null;
  }
}

/** Reads a lock file (never following more than a small regular file) and judges its holder. */
export function readLock(file: string, now = Date.now()): LockState {
  let text: string;
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
    text = readRegularFile(file, MAX_LOCK_BYTES).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'free' };
    if (error instanceof NotARegularFile || error instanceof FileTooLarge) return { kind: 'stale', holder: null, reason: `${file} is not a lock file ls-bench wrote` };
    throw fileSystemError(error, 'read the lock', file);
  }
  const holder = parseHolder(text);
  // Locks are linked into place whole: one that does not parse was damaged, not caught half-written.
  if (!holder) return { kind: 'stale', holder: null, reason: `${file} does not parse` };
  const heartbeatAgeMs = Math.max(0, now - mtimeMs);
  if (heldTokens.has(holder.token)) return { kind: 'held', holder, by: 'this process', heartbeatAgeMs };
  const liveness = processLiveness(holder);
  if (liveness === 'alive') return { kind: 'held', holder, by: 'a live process', heartbeatAgeMs };
  if (liveness === 'dead') return { kind: 'stale', holder, reason: `its process (pid ${holder.pid} on ${holder.hostname}) is gone` };
  if (heartbeatAgeMs < STALE_AFTER_MS) return { kind: 'held', holder, by: 'a process elsewhere', heartbeatAgeMs };
  return { kind: 'stale', holder, reason: `no heartbeat from pid ${holder.pid} on ${holder.hostname} for ${Math.round(heartbeatAgeMs / 1000)} s` };
}

/** "pid 123 on host-a (training run x, since 2026-…; heartbeat 3 s ago)": who holds a lock, for messages. */
export function describeHolder(state: Extract<LockState, { kind: 'held' }>): string {
  const h = state.holder;
  const heartbeat = state.by === 'a process elsewhere' ? `; last heartbeat ${Math.round(state.heartbeatAgeMs / 1000)} s ago` : '';
  return `pid ${h.pid} on ${h.hostname} (${h.purpose}, since ${h.acquiredAt}${heartbeat})`;
}

/** Creates `file` holding `content`, atomically, failing with EEXIST if it exists. */
function createExclusive(file: string, content: string): boolean {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(tmp);
  }
}

/** Removes the stale lock whose holder had `token` (null: an unreadable lock), inside the break file. */
function breakStaleLock(file: string, token: string | null): void {
  const breakFile = `${file}.break`;
  if (!createExclusive(breakFile, String(process.pid))) {
    try {
      if (Date.now() - statSync(breakFile).mtimeMs > BREAK_STALE_MS) unlinkSync(breakFile);
      // another process is breaking it right now: give it the few milliseconds that takes
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    } catch {
      // gone already: another process finished breaking
    }
    return;
  }
  try {
    const again = readLock(file);
    const sameLock = again.kind === 'stale' && (again.holder?.token ?? null) === token;
    if (sameLock) unlinkSync(file);
  } finally {
    unlinkSync(breakFile);
  }
}

/** A lock this process holds: heartbeats until released. */
export class ProcessLock {
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {
    heldTokens.add(holder.token);
    this.timer = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  /**
   * Takes the lock at `file`, or throws a CliError (exit 2) naming its live holder: `refusal` says what
   * cannot be done, e.g. "run X is being trained". A stale lock is removed and taken over.
   */
  static acquire(file: string, purpose: string, refusal: string): ProcessLock {
    const holder: LockHolder = { ...currentProcess(), purpose, acquiredAt: new Date().toISOString(), token: randomBytes(12).toString('hex') };
    const content = `${JSON.stringify(holder, null, 2)}\n`;
    for (let attempt = 0; attempt < 5; attempt++) {
      let state: LockState;
      try {
        if (createExclusive(file, content)) return new ProcessLock(file, holder);
        state = readLock(file);
        if (state.kind === 'stale') breakStaleLock(file, state.holder?.token ?? null);
      } catch (error) {
        throw fileSystemError(error, 'take the lock', file);
      }
      if (state.kind === 'held') throw new CliError(`${refusal}: locked by ${describeHolder(state)}; ${path.basename(file)} is removed when that process ends`);
    }
    throw new CliError(`${refusal}: could not take ${file} (other processes kept taking it); try again`);
  }

  /** Is the lock file still ours? False when another process judged it stale and broke it. */
  stillHeld(): boolean {
    const state = readLock(this.file);
    return state.kind === 'held' && state.holder.token === this.holder.token;
  }

  private heartbeat(): void {
    try {
      if (this.stillHeld()) {
        const now = new Date();
        utimesSync(this.file, now, now);
      }
    } catch {
      // a failed heartbeat is retried at the next tick; readers tolerate one missed beat
    }
  }

  /** Stops the heartbeat and removes the lock file if it is still ours. Safe to call more than once. */
  release(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    heldTokens.delete(this.holder.token);
    try {
      const text = readRegularFile(this.file, MAX_LOCK_BYTES).toString('utf8');
      if (parseHolder(text)?.token === this.holder.token) unlinkSync(this.file);
    } catch {
      // already gone (the directory was removed, or another process broke the lock)
    }
  }
}
