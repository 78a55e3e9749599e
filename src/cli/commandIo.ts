import type { OutputStream } from '../text/progress';

/** Where a command writes, and the signal that stops it: passed in, so commands run in tests with their own streams. */
export interface CommandIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Aborted on SIGINT/SIGTERM: training stops between two batches. */
  signal?: AbortSignal;
  /** bin/ls-bench.js passes process.stdin: `runs rm` asks on it, a sweep cell's `train` watches it (cellEvents.ts). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}
