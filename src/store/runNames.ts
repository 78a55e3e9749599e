import { randomBytes } from 'node:crypto';
import { CliError } from '../errors';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ID_PATTERN = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

/** Run names and tags are plain words: they can never name a path outside the runs root. */
export function checkRunName(kind: '--name' | '--tag', value: string): void {
  if (!NAME_PATTERN.test(value) || value === '.' || value === '..' || value === 'latest') {
    throw new CliError(`${kind} "${value}": expected 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (and not "latest")`);
  }
}

/** A short id, unique and sortable by time: 20261125-142233-a1b2 (UTC). */
export function newRunId(now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/** Does a directory name look like a run id? Only those are runs; anything else in the root is left alone. */
export function isRunId(name: string): boolean {
  return ID_PATTERN.test(name);
}

/** The UTC time an id was made (second precision). */
export function idTime(id: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})/.exec(id);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : 0;
}
