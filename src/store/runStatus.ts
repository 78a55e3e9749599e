import { RUN_STATUSES, type RunStatusFile } from './runFiles';
import { isCurrentProcess, processLiveness } from './processIdentity';
import type { LockState } from './processLock';

/** What `runs` shows: the stored status, checked against reality. */
export const LISTED_STATUSES = [...RUN_STATUSES, 'died', 'unknown', 'corrupt', 'unsupported'] as const;
export type ListedStatus = (typeof LISTED_STATUSES)[number];

/**
 * A `running` status.json checked against its run lock (run.lock, held by the training process while it
 * runs): a live holder means running — here by pid and start time, elsewhere (another host, a container
 * whose hostname changed) by its heartbeat; a stale lock means the process died. Runs written before
 * run locks existed have none: their status.json's pid (and start time, when recorded) is checked, and a
 * process on another host cannot be checked at all (`unknown`).
 */
function runningStatus(statusFile: RunStatusFile, lock: LockState | null): { status: ListedStatus; statusNote: string | null } {
  const writer = {
    pid: statusFile.pid,
    ...(statusFile.host !== undefined ? { hostname: statusFile.host } : {}),
    ...(statusFile.startTime !== undefined ? { startTime: statusFile.startTime } : {}),
    ...(statusFile.bootId !== undefined ? { bootId: statusFile.bootId } : {}),
  };
  if (lock?.kind === 'held') {
    // This process holds the lock (a resume that has just taken it) but did not write status.json: its writer is gone.
    if (lock.by === 'this process' && !isCurrentProcess(writer)) {
      return { status: 'died', statusNote: `status.json says running, but its process (pid ${statusFile.pid}) no longer holds the run's lock; last update ${statusFile.updatedAt}` };
    }
    const elsewhere = lock.by === 'a process elsewhere';
    return {
      status: 'running',
      statusNote: elsewhere ? `on ${lock.holder.hostname} (pid ${lock.holder.pid}); last heartbeat ${Math.round(lock.heartbeatAgeMs / 1000)} s ago` : null,
    };
  }
  if (lock?.kind === 'stale') {
    return { status: 'died', statusNote: `status.json says running, but ${lock.reason}; last update ${statusFile.updatedAt}` };
  }
  const liveness = processLiveness(writer);
  if (liveness === 'alive') return { status: 'running', statusNote: null };
  if (liveness === 'dead') {
    return { status: 'died', statusNote: `status.json says running, but its process (pid ${statusFile.pid}) is gone; last update ${statusFile.updatedAt}` };
  }
  return { status: 'unknown', statusNote: `running on host ${statusFile.host}, without a run lock (an older ls-bench): its process cannot be checked from here` };
}

/**
 * A run's listed status and why: a newer format is unsupported, any problem makes it corrupt, and a
 * `running` status.json is only believed while its process is alive (see runningStatus).
 */
export function listedStatus(
  statusFile: RunStatusFile | null,
  problems: { file: string; message: string }[],
  newer: boolean,
  lock: LockState | null = null,
): { status: ListedStatus; statusNote: string | null } {
  if (newer) return { status: 'unsupported', statusNote: 'written by a newer ls-bench' };
  if (problems.length > 0 || !statusFile) {
    const p = problems[0];
    return { status: 'corrupt', statusNote: p ? `${p.file}: ${p.message}` : null };
  }
  if (statusFile.status !== 'running') return { status: statusFile.status, statusNote: statusFile.message };
  return runningStatus(statusFile, lock);
}
