import { existsSync } from 'node:fs';
import path from 'node:path';
import { CliError, nonEmptyPath } from '../errors';
import type { ShardSpec } from './grid';
import { SWEEP_FILES, SweepDir } from './sweepFiles';

/**
 * Where sweeps live: the one place that knows a sweep's default directory under the runs root and how a
 * reference given by the user (a directory, or a sweep id) becomes a sweep directory.
 */

/** <runs>/sweeps/: sweeps by id. */
function sweepsRoot(runsDir: string): string {
  return path.join(runsDir, 'sweeps');
}

/** The default sweep directory: <runs>/sweeps/<id>, or <id>.shard-<i>-of-<n> for one shard. */
export function defaultSweepDir(runsDir: string, sweepId: string, shard: ShardSpec | null): string {
  return path.join(sweepsRoot(runsDir), shard ? `${sweepId}.shard-${shard.index}-of-${shard.count}` : sweepId);
}

/** The directory a sweep writes to: the one given (--sweep-dir, --out), else the default. */
export function sweepDirPath(given: string | undefined, runsDir: string, sweepId: string, shard: ShardSpec | null, flag = '--sweep-dir'): string {
  return given !== undefined ? path.resolve(nonEmptyPath(flag, given)) : defaultSweepDir(runsDir, sweepId, shard);
}

/** A directory holding sweep.json, or a sweep id under <runs>/sweeps/; null when `ref` names neither. */
export function findSweepDir(ref: string, runsDir: string): SweepDir | null {
  if (existsSync(path.join(ref, SWEEP_FILES.sweep))) return new SweepDir(path.resolve(ref));
  // An id is one plain path segment: a reference can never reach outside <runs>/sweeps/.
  const underRuns = path.join(sweepsRoot(runsDir), ref);
  if (/^[A-Za-z0-9._-]+$/.test(ref) && ref !== '.' && ref !== '..' && existsSync(path.join(underRuns, SWEEP_FILES.sweep))) return new SweepDir(underRuns);
  return null;
}

/** Like findSweepDir, for commands that take only sweeps (`sweep show`, `sweep merge`): not finding one is an error. */
export function resolveSweepDir(ref: string, runsDir: string): SweepDir {
  const found = findSweepDir(ref, runsDir);
  if (!found) throw new CliError(`${ref}: not a sweep directory (no ${SWEEP_FILES.sweep}) and no sweep of that id in ${sweepsRoot(runsDir)}`);
  return found;
}
