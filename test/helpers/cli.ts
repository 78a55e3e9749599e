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
export async function runCli(argv: string[], options: { signal?: AbortSignal; tty?: boolean; columns?: number; invocation?: string } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const terminal = { isTTY: options.tty ?? false, ...(options.columns !== undefined ? { columns: options.columns } : {}) };
  const code = await run(argv, {
    stdout: { write: (s: string) => (stdout += s), ...terminal },
    stderr: { write: (s: string) => (stderr += s), ...terminal },
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.invocation ? { invocation: options.invocation } : {}),
  });
  return { code, stdout, stderr };
}

export const BIN = path.join(PROJECT_ROOT, 'bin', 'ls-bench.js');

/** Runs bin/ls-bench.js as a child process, as a user would. */
export function spawnCli(argv: string[], env: Record<string, string> = {}, cwd?: string): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000, ...(cwd ? { cwd } : {}) });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

