import { spawn } from 'node:child_process';
import path from 'node:path';
import { readValidRunDirectory } from '../store/runReader';
import { RUN_FILES } from '../store/runFiles';
import type { SweepCell } from './grid';
import { SWEEP_SCHEMA_VERSION, type CellResult } from './sweepFiles';

/** How one cell ended. A completed cell carries its result; the others a one-line reason. */
export type CellOutcome =
  | { status: 'completed'; result: CellResult }
  | { status: 'failed' | 'interrupted'; runId: string | null; runDir: string | null; message: string };

/** Runs one cell; the sweep runs several at once. Injected so the orchestration can be tested on its own. */
export type CellRunner = (cell: SweepCell, hooks: { signal?: AbortSignal; onRunDir?(runId: string, runDir: string): void }) => Promise<CellOutcome>;

/** bin/ls-bench.js, from dist/src/sweep/. */
export const LS_BENCH_BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'ls-bench.js');

/**
 * The cell's result from its completed run, read through the run store: the four test metrics of every
 * arm and McNemar's exact test of each smoothed arm against the hard arm, both from summary.json (train
 * computes the McNemar tests from the test predictions when it writes the run).
 */
export function cellResultFromRun(cell: SweepCell, runDir: string, armEpsilons: ReadonlyMap<string, number>): CellResult {
  const summary = readValidRunDirectory(runDir, { metrics: false }).summary;
  if (!summary) throw new Error(`${runDir}: the run has no ${RUN_FILES.summary}`);
  const epsilonOf = (label: string): number => {
    const e = armEpsilons.get(label);
    if (e === undefined) throw new Error(`${runDir}: unexpected arm "${label}"`);
    return e;
  };
  return {
    schemaVersion: SWEEP_SCHEMA_VERSION,
    cellId: cell.id,
    seed: cell.seed,
    smoothing: cell.smoothing,
    runId: summary.runId,
    runDir,
    testSamples: summary.dataset.testSamples,
    seconds: summary.seconds,
    arms: summary.arms.map((a) => ({ label: a.label, epsilon: epsilonOf(a.label), accuracy: a.test.accuracy, nll: a.test.nll, ece: a.test.ece, meanConfidence: a.test.meanConfidence })),
    mcnemar: summary.comparisons.map((c) => ({
      epsilon: epsilonOf(c.arm),
      onlyHardCorrect: c.mcnemar.onlyBaselineCorrect,
      onlySmoothedCorrect: c.mcnemar.onlyArmCorrect,
      pValue: c.mcnemar.pValue,
    })),
    completedAt: new Date().toISOString(),
  };
}

/**
 * A cell runner that starts `ls-bench train --json` as a child process: separate processes keep the
 * TensorFlow.js backends of parallel cells apart and let a crashing cell fail alone. The child writes its
 * run to the store (RunStore, the same format as any `train`), prints its summary as JSON on stdout.
 */
export function processCellRunner(options: {
  trainConfigFile: string;
  runsDir: string;
  epsilons: number[];
  sweepId: string;
  armEpsilons: ReadonlyMap<string, number>;
  bin?: string;
}): CellRunner {
  return (cell, hooks) =>
    new Promise<CellOutcome>((resolve) => {
      const args = [
        options.bin ?? LS_BENCH_BIN,
        'train',
        '--json',
        '--config',
        options.trainConfigFile,
        '--seed',
        String(cell.seed),
        '--smoothing',
        cell.smoothing,
        '--epsilon',
        options.epsilons.join(','),
        '--runs-dir',
        options.runsDir,
        '--name',
        `${options.sweepId}-${cell.id}`.slice(0, 64),
        '--tag',
        options.sweepId,
      ];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderrTail = '';
      let runId: string | null = null;
      let runDir: string | null = null;
      child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
      child.stderr.setEncoding('utf8').on('data', (s: string) => {
        stderrTail = (stderrTail + s).slice(-4000);
        const m = /^run: (.+)$/m.exec(s);
        if (m && runDir === null) {
          runDir = m[1]!.trim();
          runId = path.basename(runDir);
          hooks.onRunDir?.(runId, runDir);
        }
      });
      const onAbort = () => child.kill('SIGINT');
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      const lastLine = () =>
        stderrTail
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l.length > 0 && !/^(epoch|backend:|run:)/.test(l))
          .pop() ?? 'no message';
      child.on('error', (error) => {
        hooks.signal?.removeEventListener('abort', onAbort);
        resolve({ status: 'failed', runId, runDir, message: `cannot start the worker: ${error.message}` });
      });
      child.on('close', (code, signal) => {
        hooks.signal?.removeEventListener('abort', onAbort);
        if (code === 0) {
          try {
            const doc = JSON.parse(stdout) as { runDir: string };
            resolve({ status: 'completed', result: cellResultFromRun(cell, doc.runDir, options.armEpsilons) });
          } catch (error) {
            resolve({ status: 'failed', runId, runDir, message: `cannot read the cell's run: ${(error as Error).message}` });
          }
        } else if (code === 130 || code === 143 || signal === 'SIGINT' || signal === 'SIGTERM' || hooks.signal?.aborted) {
          resolve({ status: 'interrupted', runId, runDir, message: 'interrupted' });
        } else {
          resolve({ status: 'failed', runId, runDir, message: `exit ${code ?? signal}: ${lastLine().replace(/^ls-bench: /, '')}` });
        }
      });
    });
}

/** Runs `cells` with at most `jobs` at once, in order; resolves when all have ended. */
export async function runPool<T>(items: T[], jobs: number, work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, lane));
}
