import os from 'node:os';
import { RUN_STATUSES, type RunStatusFile } from './runFiles';

/** What `runs` shows: the stored status, checked against reality. */
export const LISTED_STATUSES = [...RUN_STATUSES, 'died', 'unknown', 'corrupt', 'unsupported'] as const;
export type ListedStatus = (typeof LISTED_STATUSES)[number];

/** Is the process that owns a `running` run still there? Signal 0 checks without signalling. */
export function processLiveness(pid: number, host: string | undefined): 'alive' | 'dead' | 'elsewhere' {
  if (host !== undefined && host !== os.hostname()) return 'elsewhere';
  try {
    process.kill(pid, 0);
    return 'alive';
  } catch (error) {
    // EPERM: the process exists but belongs to someone else
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? 'alive' : 'dead';
  }
}

/**
 * A run's listed status and why: a newer format is unsupported, any problem makes it corrupt, and a
 * `running` status.json is only believed while its process is alive.
 */
export function listedStatus(
  statusFile: RunStatusFile | null,
  problems: { file: string; message: string }[],
  newer: boolean,
): { status: ListedStatus; statusNote: string | null } {
  if (newer) return { status: 'unsupported', statusNote: 'written by a newer ls-bench' };
  if (problems.length > 0 || !statusFile) {
    const p = problems[0];
    return { status: 'corrupt', statusNote: p ? `${p.file}: ${p.message}` : null };
  }
  if (statusFile.status !== 'running') return { status: statusFile.status, statusNote: statusFile.message };
  const liveness = processLiveness(statusFile.pid, statusFile.host);
  if (liveness === 'alive') return { status: 'running', statusNote: null };
  if (liveness === 'dead') {
    return { status: 'died', statusNote: `status.json says running, but its process (pid ${statusFile.pid}) is gone; last update ${statusFile.updatedAt}` };
  }
  return { status: 'unknown', statusNote: `running on host ${statusFile.host}; cannot check its process from here` };
}
