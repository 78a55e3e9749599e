import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { run } from '../../src/cli/main';
import { PROJECT_ROOT } from './tempDir';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs ls-bench in this process with its own argv, capturing both streams. */
export async function runCli(argv: string[], options: { signal?: AbortSignal; tty?: boolean } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: { write: (s: string) => (stdout += s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => (stderr += s), isTTY: options.tty ?? false },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { code, stdout, stderr };
}

export const BIN = path.join(PROJECT_ROOT, 'bin', 'ls-bench.js');

/** Runs bin/ls-bench.js as a child process, as a user would. */
export function spawnCli(argv: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

