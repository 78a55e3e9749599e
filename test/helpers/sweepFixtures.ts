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
