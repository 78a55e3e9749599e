import assert from 'node:assert/strict';
import { CliError } from '../../src/errors';
import { collectFlags } from '../../src/cli/schemaFlags';
import { planSweep, sweepFlagOptions, type SweepPlan } from '../../src/sweep/plan';
import type { CellRunner } from '../../src/sweep/cellWorker';
import type { CellArmResult, CellResult } from '../../src/sweep/sweepFiles';

/** Optional parts of a fixture cell: each arm's metrics after temperature scaling, and divergence messages. */
export interface CellExtras {
  /** [temperature, accuracy, nll, ece, brier, meanConfidence] of the hard and the smoothed arm after temperature scaling. */
  scaled?: { hard: number[]; smoothed: number[] };
  diverged?: { hard?: string; smoothed?: string };
  /** The grid point ("p2") the cell is at: its id becomes p2-s<seed>-uniform. */
  point?: string;
}

/**
 * A completed sweep cell with hand-picked metrics, [accuracy, nll, ece, meanConfidence, brier?] per arm, for
 * tests of the aggregate and of the charts built from it.
 */
export function cellResult(seed: number, hard: number[], smoothed: number[], mcnemar = { b: 3, c: 5, p: 0.7265625 }, extras: CellExtras = {}): CellResult {
  const arm = (label: 'hard' | 'smoothed', epsilon: number, [accuracy, nll, ece, meanConfidence, brier]: number[]): CellArmResult => {
    const ts = extras.scaled?.[label];
    return {
      label,
      epsilon,
      accuracy: accuracy!,
      nll: nll!,
      ece: ece!,
      meanConfidence: meanConfidence!,
      ...(brier !== undefined ? { brier } : {}),
      diverged: extras.diverged?.[label] ?? null,
      temperatureScaled: ts ? { temperature: ts[0]!, accuracy: ts[1]!, nll: ts[2]!, ece: ts[3]!, brier: ts[4]!, meanConfidence: ts[5]! } : null,
    };
  };
  return {
    schemaVersion: 1,
    cellId: `${extras.point ? `${extras.point}-` : ''}s${seed}-uniform`,
    seed,
    smoothing: 'uniform',
    runId: `run-${seed}`,
    runDir: `/runs/run-${seed}`,
    testSamples: 200,
    seconds: 1,
    arms: [arm('hard', 0, hard), arm('smoothed', 0.1, smoothed)],
    mcnemar: [{ epsilon: 0.1, onlyHardCorrect: mcnemar.b, onlySmoothedCorrect: mcnemar.c, pValue: mcnemar.p }],
    completedAt: '2026-01-01T00:00:00Z',
  };
}

/** What a fake cell runner records and fakes: the cells it ran, the ones that fail, the data digest of each seed. */
export interface FakeRunnerOptions {
  ran?: string[];
  failing?: Set<string>;
  digestOf?: (seed: number) => string;
  /** Accuracy grows by this much per seed, so that seeds can be told apart in the aggregate. */
  accuracyPerSeed?: number;
}

/** A runner that fakes a cell's result from its seed: the sweep's orchestration is under test, not training. */
export function fakeCellRunner({ ran = [], failing = new Set(), digestOf, accuracyPerSeed = 0 }: FakeRunnerOptions = {}): CellRunner {
  return async (cell) => {
    ran.push(cell.id);
    if (failing.has(cell.id)) return { status: 'failed', runId: null, runDir: null, message: 'boom' };
    const lift = accuracyPerSeed * cell.seed;
    const result: CellResult = {
      schemaVersion: 1,
      cellId: cell.id,
      seed: cell.seed,
      smoothing: cell.smoothing,
      runId: `run-${cell.id}`,
      runDir: `/runs/run-${cell.id}`,
      testSamples: 100,
      seconds: 0.1,
      ...(digestOf ? { dataDigest: digestOf(cell.seed) } : {}),
      arms: [
        { label: 'hard', epsilon: 0, accuracy: 0.8 + lift, nll: 0.5, ece: 0.05, meanConfidence: 0.9 },
        { label: 'smoothed', epsilon: 0.1, accuracy: 0.81 + lift, nll: 0.45, ece: 0.03, meanConfidence: 0.85 },
      ],
      mcnemar: [{ epsilon: 0.1, onlyHardCorrect: 1, onlySmoothedCorrect: 2, pValue: 1 }],
      completedAt: new Date().toISOString(),
    };
    return { status: 'completed', result };
  };
}

/** `fn` throws a usage error (CliError, exit 2) whose message matches `pattern`. */
export function assertUsageError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof CliError && e.exitCode === 2 && pattern.test(e.message), String(pattern));
}

/** planSweep with the grid flags as typed on the command line, read as `ls-bench sweep` reads them. */
export function planFromFlags(
  sweepFlags: { epsilon?: string; seeds?: string; smoothing?: string; jobs?: string; assert?: string[]; grid?: string[] } = {},
  trainFlags: Record<string, unknown> = {},
  configFile?: string,
): SweepPlan {
  const { assert = [], grid = [], ...flagText } = sweepFlags;
  return planSweep({ ...(configFile ? { configFile } : {}), trainFlags, sweepFlags: collectFlags(flagText, sweepFlagOptions()), assert, grid });
}
