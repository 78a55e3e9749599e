import { readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';

/**
 * Who a process is, well enough to tell later whether it is still there: a pid alone is not enough (pids
 * are reused, and a reused pid would keep a dead run "running" forever), nor is a hostname (in containers
 * it changes on every start, and two containers can share one). On Linux the kernel gives what makes a
 * process unique: its start time (clock ticks since boot, /proc/<pid>/stat), the boot it belongs to
 * (/proc/sys/kernel/random/boot_id) and its pid namespace (/proc/self/ns/pid). Where /proc is missing,
 * those fields are null and only the pid can be checked.
 */
export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot, as a decimal string (it can exceed 2^53 on long uptimes); null without /proc. */
  startTime: string | null;
  hostname: string;
  bootId: string | null;
  /** The pid namespace ("pid:[4026531836]"): pids are only comparable within one. */
  pidNamespace: string | null;
}

function readTrimmed(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** Field 22 of /proc/<pid>/stat (starttime), or null when the process does not exist or /proc is absent. */
export function processStartTime(pid: number): string | null {
  const stat = readTrimmed(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // The command name (field 2) is in parentheses and may itself hold spaces or parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const value = fields[22 - 3];
  return value !== undefined && /^\d+$/.test(value) ? value : null;
}

function pidNamespace(): string | null {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return null;
  }
}

let self: ProcessIdentity | undefined;

/** This process. Computed once: none of it changes while the process lives (the hostname is taken at start). */
export function currentProcess(): ProcessIdentity {
  self ??= {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    hostname: os.hostname(),
    bootId: readTrimmed('/proc/sys/kernel/random/boot_id'),
    pidNamespace: pidNamespace(),
  };
  return self;
}

/** Does `process.kill(pid, 0)` find a process? EPERM means it exists but belongs to someone else. */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process `who` describes is alive, checked from here: `elsewhere` when its pid cannot be
 * checked from this process (another host, another boot, another pid namespace), else by pid and — when
 * both sides know it — start time, so that a reused pid reads as dead.
 */
export function processLiveness(who: Pick<ProcessIdentity, 'pid'> & Partial<Omit<ProcessIdentity, 'pid'>>): 'alive' | 'dead' | 'elsewhere' {
  const me = currentProcess();
  const differs = (theirs: string | null | undefined, mine: string | null) => theirs !== undefined && theirs !== null && mine !== null && theirs !== mine;
  if (who.hostname !== undefined && who.hostname !== me.hostname) return 'elsewhere';
  if (differs(who.bootId, me.bootId) || differs(who.pidNamespace, me.pidNamespace)) return 'elsewhere';
  if (!Number.isSafeInteger(who.pid) || who.pid <= 0 || !pidExists(who.pid)) return 'dead';
  if (who.startTime !== undefined && who.startTime !== null) {
    const now = processStartTime(who.pid);
    if (now !== null && now !== who.startTime) return 'dead';
  }
  return 'alive';
}

/** Is `who` this very process (same pid, host and, when recorded, start time)? */
export function isCurrentProcess(who: Pick<ProcessIdentity, 'pid'> & Partial<Omit<ProcessIdentity, 'pid'>>): boolean {
  const me = currentProcess();
  return who.pid === me.pid && (who.hostname === undefined || who.hostname === me.hostname) && (who.startTime == null || who.startTime === me.startTime);
}
