import type { OutputStream } from '../text/progress';

/** --quiet: results only; --verbose: also how the backend was chosen and how long each stage took. */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

/** Where a command writes, and the signal that stops it: passed in, so commands run in tests with their own streams. */
export interface CommandIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Aborted on SIGINT/SIGTERM: training stops between two batches. */
  signal?: AbortSignal;
  /** bin/ls-bench.js passes process.stdin: `runs rm` asks on it, a sweep cell's `train` watches it (cellEvents.ts). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** The command's --quiet/--verbose, set by main before the command runs (default: normal). */
  verbosity?: Verbosity;
  /** When the command started (a performance.now() time; bin/ls-bench.js passes 0, the process's start), for its whole time. */
  startedAt?: number;
  /** How the user runs ls-bench ("ls-bench", "npx ls-bench", "node bin/ls-bench.js"), for the commands ls-bench suggests. */
  invocation?: string;
}

/** A line on stderr about what is going on (progress, where things are written): not with --quiet. */
export function note(io: CommandIo, line: string): void {
  if (io.verbosity !== 'quiet') io.stderr.write(`${line}\n`);
}

/** A line on stderr for --verbose only. */
export function detail(io: CommandIo, line: string): void {
  if (io.verbosity === 'verbose') io.stderr.write(`${line}\n`);
}

export function milliseconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Runs one stage of a command; with --verbose, says how long it took. */
export async function timed<T>(io: CommandIo, stage: string, work: () => T | Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  detail(io, `timing: ${stage}: ${milliseconds(performance.now() - started)}`);
  return result;
}
