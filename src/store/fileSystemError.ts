import { CliError } from '../errors';

const FILE_SYSTEM_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is not a directory',
};

/** Why the file system refused: in words for the common cases, else the error code. */
export function fileSystemReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return (code && FILE_SYSTEM_REASONS[code]) ?? String(code ?? (error as Error).message);
}

/**
 * "<target>: cannot <what> (<reason>)". Exit 1 by default: a full disk or a read-only mount is the
 * system refusing, not a mistake in what the user typed. A CliError passes through unchanged, so a
 * guarded block may throw its own clear errors.
 */
export function fileSystemError(error: unknown, what: string, target: string, exitCode = 1): CliError {
  if (error instanceof CliError) return error;
  return new CliError(`${target}: cannot ${what} (${fileSystemReason(error)})`, exitCode);
}
