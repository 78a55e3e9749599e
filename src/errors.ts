/**
 * A mistake of the user's (bad flag, bad config, missing file): printed as one clean line, no stack,
 * and the process exits with `exitCode`. Anything that is not a CliError is a bug and shows its stack.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * A path the user typed must name something: an empty string would otherwise silently mean the current
 * directory or the default (`--runs-dir ''` used to mean ./runs). `what` is the flag, e.g. "--runs-dir".
 */
export function nonEmptyPath(what: string, value: string): string {
  if (value.trim() === '') throw new CliError(`${what}: expected a path, got an empty string`);
  return value;
}

/** Exit codes, in one place so tests and the README agree. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  interrupted: 130,
  terminated: 143,
} as const;
