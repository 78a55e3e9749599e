import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { BackendChoice, Engine } from '../engine/backend';
import type { EnvironmentInfo } from './runFiles';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

export function lsBenchVersion(): string {
  return (require(path.join(PROJECT_ROOT, 'package.json')) as { version: string }).version;
}

/** The project's git commit, if it runs from a checkout; null otherwise (an installed package has none). */
function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).toString().trim() || null;
  } catch {
    return null;
  }
}

/**
 * environment.json as ls-bench writes it: the schema's fields, and the backend's fallback in a few words for
 * the run's header. The schema does not name the note (runs written before it lack it); the reader keeps
 * every field of the file, so it is read back as it was written.
 */
export type RunEnvironment = EnvironmentInfo & { backendFallbackNote?: string | null };

export function describeEnvironment(backend: BackendChoice & Pick<Engine, 'blasThreads'>): RunEnvironment {
  const cpus = os.cpus();
  return {
    lsBenchVersion: lsBenchVersion(),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    backend: backend.name,
    backendLabel: backend.label,
    backendFallbackReason: backend.fallbackReason ?? null,
    backendFallbackNote: backend.fallbackNote ?? null,
    gitCommit: gitCommit(),
    blasThreads: backend.blasThreads?.() ?? null,
  };
}

/**
 * Why a resumed run may not end as the uninterrupted run would have, when the BLAS thread count differs
 * from the one the run was trained with (OPENBLAS_NUM_THREADS changes the order of BLAS's sums); null
 * when it is the same or either side did not record one.
 */
export function blasThreadsChange(previous: Pick<EnvironmentInfo, 'blasThreads'> | null, now: Pick<EnvironmentInfo, 'blasThreads'>): string | null {
  const before = previous?.blasThreads;
  if (before === undefined || before === null || now.blasThreads === undefined || now.blasThreads === null || before === now.blasThreads) return null;
  return `trained with ${before} BLAS thread(s), continuing with ${now.blasThreads} (OPENBLAS_NUM_THREADS); results will differ in the last bits from an uninterrupted run (set OPENBLAS_NUM_THREADS=${before} to match)`;
}
