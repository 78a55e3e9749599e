import { spawn } from 'node:child_process';
import path from 'node:path';
import type { TrainConfig } from '../config/schema';
import { readValidRunDirectory } from '../store/runReader';
import { RUN_FILES, type RunSummary } from '../store/runFiles';
import { CellEventReader, EVENTS_FD, EVENTS_FD_FLAG } from './cellEvents';
import { cellConfig, type SweepCell, type SweepGrid } from './grid';
import { SWEEP_SCHEMA_VERSION, type CellResult, type SweepDir } from './sweepFiles';

/** How one cell ended. A completed cell carries its result; the others a one-line reason. */
export type CellOutcome =
  | { status: 'completed'; result: CellResult }
  | { status: 'failed' | 'interrupted'; runId: string | null; runDir: string | null; message: string };

/** Runs one cell; the sweep runs several at once. Injected so the orchestration can be tested on its own. */
export type CellRunner = (cell: SweepCell, hooks: { signal?: AbortSignal; onRunDir?(runId: string, runDir: string): void }) => Promise<CellOutcome>;

/** bin/ls-bench.js, from dist/src/sweep/. */
export const LS_BENCH_BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'ls-bench.js');

/**
 * The ε a comparison of summary.json is about. Runs written before comparisons carried their ε name the
 * arm only: its ε is then that arm's, in arms[].
 */
function comparisonEpsilon(summary: RunSummary, comparison: RunSummary['comparisons'][number], runDir: string): number {
  const stored = (comparison as { epsilon?: unknown }).epsilon;
  if (typeof stored === 'number') return stored;
  const arm = summary.arms.find((a) => a.label === comparison.arm);
  if (!arm) throw new Error(`${runDir}: ${RUN_FILES.summary} compares arm "${comparison.arm}", which is not among its arms`);
  return arm.epsilon;
}

/**
 * The cell's result from its completed run, read through the run store: the four test metrics of every
 * arm and McNemar's exact test of each smoothed arm against the hard arm, both from summary.json (train
 * computes the McNemar tests from the test predictions when it writes the run), each with its ε as
 * stored there. The run must have trained the cell's arms: the hard arm and one per ε of `config`.
 */
export function cellResultFromRun(cell: SweepCell, runDir: string, config: Pick<TrainConfig, 'epsilon'>): CellResult {
  const summary = readValidRunDirectory(runDir, { metrics: false }).summary;
  if (!summary) throw new Error(`${runDir}: the run has no ${RUN_FILES.summary}`);
  const expected = [0, ...config.epsilon].join(', ');
  const trained = summary.arms.map((a) => a.epsilon).join(', ');
  if (trained !== expected) throw new Error(`${runDir}: the run trained arms with ε ${trained}, not the cell's ${expected}`);
  return {
    schemaVersion: SWEEP_SCHEMA_VERSION,
    cellId: cell.id,
    seed: cell.seed,
    smoothing: cell.smoothing,
    runId: summary.runId,
    runDir,
    testSamples: summary.dataset.testSamples,
    seconds: summary.seconds,
    dataDigest: summary.dataset.digest,
    arms: summary.arms.map((a) => ({ label: a.label, epsilon: a.epsilon, accuracy: a.test.accuracy, nll: a.test.nll, ece: a.test.ece, meanConfidence: a.test.meanConfidence })),
    mcnemar: summary.comparisons.map((c) => ({
      epsilon: comparisonEpsilon(summary, c, runDir),
      onlyHardCorrect: c.mcnemar.onlyBaselineCorrect,
      onlySmoothedCorrect: c.mcnemar.onlyArmCorrect,
      pValue: c.mcnemar.pValue,
    })),
    completedAt: new Date().toISOString(),
  };
}

export interface ProcessCellOptions {
  sweepDir: SweepDir;
  /** The sweep's resolved training config; cellConfig sets each cell's seed, variant and ε list on it. */
  base: TrainConfig;
  grid: SweepGrid;
  runsDir: string;
  sweepId: string;
  /** --max-memory of the sweep, passed on: each cell checks its own run against it. */
  maxMemory?: string;
  bin?: string;
}

/**
 * The child's command line: `train` with the cell's whole config in one file (cellConfig, written to the
 * sweep directory), so that nothing of the cell is passed twice or left to flags.
 */
export function cellTrainArgv(cell: SweepCell, configFile: string, options: Pick<ProcessCellOptions, 'runsDir' | 'sweepId' | 'maxMemory'>): string[] {
  return [
    'train',
    '--json',
    '--config',
    configFile,
    '--runs-dir',
    options.runsDir,
    '--name',
    `${options.sweepId}-${cell.id}`.slice(0, 64),
    '--tag',
    options.sweepId,
    EVENTS_FD_FLAG,
    String(EVENTS_FD),
    ...(options.maxMemory !== undefined ? ['--max-memory', options.maxMemory] : []),
  ];
}

/**
 * A cell runner that starts `ls-bench train --json` as a child process: separate processes keep the
 * TensorFlow.js backends of parallel cells apart and let a crashing cell fail alone. The child writes its
 * run to the store (RunStore, the same format as any `train`), reports the run directory on the events
 * pipe when it exists (cellEvents.ts) and prints its summary as JSON on stdout at the end.
 */
export function processCellRunner(options: ProcessCellOptions): CellRunner {
  return async (cell, hooks) => {
    const config = cellConfig(options.base, options.grid, cell);
    let configFile: string;
    try {
      configFile = options.sweepDir.writeCellConfig(cell.id, config);
    } catch (error) {
      return { status: 'failed', runId: null, runDir: null, message: (error as Error).message };
    }
    return runTrainChild([options.bin ?? LS_BENCH_BIN, ...cellTrainArgv(cell, configFile, options)], hooks, (runDir) => cellResultFromRun(cell, runDir, config));
  };
}

/** The last line of the child's stderr that is not progress: what went wrong, in the child's words. */
function lastMessage(stderrTail: string): string {
  const lines = stderrTail.split('\n').map((l) => l.trim());
  return lines.filter((l) => l.length > 0 && !/^(epoch|backend:|run:)/.test(l)).pop()?.replace(/^ls-bench: /, '') ?? 'no message';
}

function runTrainChild(args: string[], hooks: Parameters<CellRunner>[1], resultOf: (runDir: string) => CellResult): Promise<CellOutcome> {
  return new Promise<CellOutcome>((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderrTail = '';
    let runId: string | null = null;
    let runDir: string | null = null;
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderrTail = (stderrTail + s).slice(-4000)));
    const events = new CellEventReader();
    (child.stdio[EVENTS_FD] as NodeJS.ReadableStream).setEncoding('utf8').on('data', (s: string) => {
      for (const event of events.push(s)) {
        if (event.event === 'run-created' && runDir === null) {
          ({ runId, runDir } = event);
          hooks.onRunDir?.(event.runId, event.runDir);
        }
      }
    });
    const onAbort = () => child.kill('SIGINT');
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      hooks.signal?.removeEventListener('abort', onAbort);
      resolve({ status: 'failed', runId, runDir, message: `cannot start the worker: ${error.message}` });
    });
    // 'close' comes after every pipe of the child has ended, so all its events have been read.
    child.on('close', (code, signal) => {
      hooks.signal?.removeEventListener('abort', onAbort);
      if (code === 0) {
        try {
          const doc = JSON.parse(stdout) as { runDir: string };
          resolve({ status: 'completed', result: resultOf(doc.runDir) });
        } catch (error) {
          resolve({ status: 'failed', runId, runDir, message: `cannot read the cell's run: ${(error as Error).message}` });
        }
      } else if (code === 130 || code === 143 || signal === 'SIGINT' || signal === 'SIGTERM' || hooks.signal?.aborted) {
        resolve({ status: 'interrupted', runId, runDir, message: 'interrupted' });
      } else {
        resolve({ status: 'failed', runId, runDir, message: `exit ${code ?? signal}: ${lastMessage(stderrTail)}` });
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
