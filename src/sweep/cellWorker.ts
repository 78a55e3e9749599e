import { spawn } from 'node:child_process';
import path from 'node:path';
import type { TrainConfig } from '../config/schema';
import { readValidRunDirectory, type RunRecord } from '../store/runReader';
import { RUN_FILES, type RunSummary } from '../store/runFiles';
import { CellEventReader, EVENTS_FD, EVENTS_FD_FLAG, SWEEP_CELL_FLAG } from './cellEvents';
import { CellRunIndex, cellRunName, planCellRun, runLockHolder, type CellRunPlan } from './cellRuns';
import { cellConfig, type SweepCell, type SweepGrid } from './grid';
import { SWEEP_SCHEMA_VERSION, type CellResult, type SweepDir } from './sweepFiles';

/** How one cell ended. A completed cell carries its result; the others a one-line reason. */
export type CellOutcome =
  | { status: 'completed'; result: CellResult }
  | { status: 'failed' | 'interrupted'; runId: string | null; runDir: string | null; message: string };

/** What the sweep tells a cell runner and hears from it. */
export interface CellHooks {
  signal?: AbortSignal;
  /** The run directory progress.json has for the cell from an earlier run of the sweep, if any. */
  previousRunDir?: string | null;
  /** The cell's run: called as soon as it is known (a new run's directory exists, or the run to continue was found). */
  onRunDir?(runId: string, runDir: string): void;
  /** A line for the sweep's log about what happens to the cell's runs (resumed, removed). */
  note?(text: string): void;
}

/** Runs one cell; the sweep runs several at once. Injected so the orchestration can be tested on its own. */
export type CellRunner = (cell: SweepCell, hooks: CellHooks) => Promise<CellOutcome>;

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
 * The cell's result from its completed run, read through the run store: the test metrics of every arm
 * (before and after temperature scaling, and whether it diverged) and McNemar's exact test of each smoothed arm against the hard arm, both from summary.json (train
 * computes the McNemar tests from the test predictions when it writes the run), each with its ε as
 * stored there. The run must have trained the cell's arms: the hard arm and one per ε of `config`.
 */
export function cellResultFromRun(cell: Pick<SweepCell, 'id' | 'seed' | 'smoothing'>, runDir: string, config: Pick<TrainConfig, 'epsilon'>): CellResult {
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
    arms: summary.arms.map((a) => {
      const ts = a.temperatureScaled;
      return {
        label: a.label,
        epsilon: a.epsilon,
        accuracy: a.test.accuracy,
        nll: a.test.nll,
        ece: a.test.ece,
        meanConfidence: a.test.meanConfidence,
        ...(a.test.brier !== undefined ? { brier: a.test.brier } : {}),
        diverged: a.diverged?.message ?? null,
        temperatureScaled: ts
          ? { temperature: ts.temperature, accuracy: ts.test.accuracy, nll: ts.test.nll, ece: ts.test.ece, brier: ts.test.brier, meanConfidence: ts.test.meanConfidence }
          : null,
      };
    }),
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
export function cellTrainArgv(cell: SweepCell, configFile: string, options: Pick<ProcessCellOptions, 'runsDir' | 'sweepId' | 'sweepDir' | 'maxMemory'>): string[] {
  return [
    'train',
    '--json',
    '--config',
    configFile,
    '--runs-dir',
    options.runsDir,
    '--name',
    cellRunName(options.sweepId, cell.id),
    '--tag',
    options.sweepId,
    SWEEP_CELL_FLAG,
    JSON.stringify({ id: options.sweepId, cell: cell.id, dir: options.sweepDir.dir }),
    EVENTS_FD_FLAG,
    String(EVENTS_FD),
    ...(options.maxMemory !== undefined ? ['--max-memory', options.maxMemory] : []),
  ];
}

/** The child's command line that continues a cell's interrupted run from its checkpoint, with its own stored config. */
export function cellResumeArgv(runDir: string, runsDir: string): string[] {
  return ['train', '--resume', runDir, '--json', '--runs-dir', runsDir, EVENTS_FD_FLAG, String(EVENTS_FD)];
}

/**
 * A cell runner that starts `ls-bench train --json` as a child process: separate processes keep the
 * TensorFlow.js backends of parallel cells apart and let a crashing cell fail alone. The child writes its
 * run to the store (RunStore, the same format as any `train`), reports the run directory on the events
 * pipe when it exists (cellEvents.ts) and prints its summary as JSON on stdout at the end.
 *
 * A cell that already has a run (an earlier, interrupted run of the sweep) continues it (cellRuns.ts):
 * `train --resume` from its checkpoint, or its result read if it completed; runs with nothing to continue
 * are removed, so that every cell has one run.
 */
export function processCellRunner(options: ProcessCellOptions): CellRunner {
  const index = new CellRunIndex(options.runsDir, options.sweepId);
  return async (cell, hooks) => {
    const config = cellConfig(options.base, options.grid, cell);
    let configFile: string;
    try {
      configFile = options.sweepDir.writeCellConfig(cell.id, config);
    } catch (error) {
      return { status: 'failed', runId: null, runDir: null, message: (error as Error).message };
    }
    const resultOf = (runDir: string) => cellResultFromRun(cell, runDir, config);
    const plan = await settledPlan(() => planCellRun(index.runsOf(cell, hooks.previousRunDir ?? null), config), hooks);
    if (plan.action === 'busy') {
      const { id, dir } = plan.run;
      return { status: 'failed', runId: id, runDir: dir, message: `its run ${id} is still running (${busyProcess(plan.run)}); let it end or stop it, then run the sweep again` };
    }
    for (const run of plan.remove) {
      const refused = index.remove(run);
      hooks.note?.(refused === null ? `removed its run ${run.id} (${run.status}, nothing to continue)` : `could not remove its run ${run.id}: ${refused}`);
    }
    const bin = options.bin ?? LS_BENCH_BIN;
    if (plan.action === 'new') return runTrainChild([bin, ...cellTrainArgv(cell, configFile, options)], hooks, resultOf);
    const { id, dir } = plan.run;
    hooks.onRunDir?.(id, dir);
    if (plan.action === 'read') {
      hooks.note?.(`its run ${id} had completed; result read from it`);
      try {
        return { status: 'completed', result: resultOf(dir) };
      } catch (error) {
        return { status: 'failed', runId: id, runDir: dir, message: `cannot read the cell's run: ${(error as Error).message}` };
      }
    }
    hooks.note?.(`resuming its run ${id} after epoch ${plan.run.statusFile?.completedEpochs ?? 0}`);
    const outcome = await runTrainChild([bin, ...cellResumeArgv(dir, options.runsDir)], hooks, resultOf);
    // A refused resume (the data changed, the backend differs) is the user's to settle: say how to start the cell afresh.
    if (outcome.status === 'failed') return { ...outcome, message: `${outcome.message} (to train the cell afresh: ls-bench runs rm ${id}, then run the sweep again)` };
    return outcome;
  };
}

/** Which process a busy run is in: the holder of its lock, else the one its status.json names. */
function busyProcess(run: RunRecord): string {
  return runLockHolder(run) ?? `process ${run.statusFile?.pid}${run.status === 'unknown' ? ` on ${run.statusFile?.host}` : ''}`;
}

/** How long a cell waits for a run of its own that is still running to stop (see settledPlan). */
export const BUSY_RUN_WAIT_MS = 30_000;

/**
 * The plan for a cell, once no run of its own is running: a sweep killed a moment ago may have left a
 * cell's `train` stopping (it stops within a batch when its sweep is gone), so a busy run is waited for
 * (up to BUSY_RUN_WAIT_MS) before the cell is given up for this time.
 */
async function settledPlan(plan: () => CellRunPlan, hooks: CellHooks): Promise<CellRunPlan> {
  let current = plan();
  const until = Date.now() + BUSY_RUN_WAIT_MS;
  if (current.action === 'busy') hooks.note?.(`its run ${current.run.id} is still running (${busyProcess(current.run)}); waiting for it to stop`);
  while (current.action === 'busy' && Date.now() < until && !hooks.signal?.aborted) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    current = plan();
  }
  return current;
}

/** The last line of the child's stderr that is not progress: what went wrong, in the child's words. */
function lastMessage(stderrTail: string): string {
  const lines = stderrTail.split('\n').map((l) => l.trim());
  return lines.filter((l) => l.length > 0 && !/^(epoch|backend:|run:)/.test(l)).pop()?.replace(/^ls-bench: /, '') ?? 'no message';
}

function runTrainChild(args: string[], hooks: Parameters<CellRunner>[1], resultOf: (runDir: string) => CellResult): Promise<CellOutcome> {
  return new Promise<CellOutcome>((resolve) => {
    // stdin is a pipe the sweep never writes to: the child stops when it closes, i.e. when the sweep dies (abortWhenParentGone).
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
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
