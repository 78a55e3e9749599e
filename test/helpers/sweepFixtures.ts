import type { CellResult } from '../../src/sweep/sweepFiles';

/**
 * A completed sweep cell with hand-picked metrics, [accuracy, nll, ece, meanConfidence] per arm, for tests
 * of the aggregate and of the charts built from it; `point` ("p2") makes it the cell of a grid point.
 */
export function cellResult(seed: number, hard: number[], smoothed: number[], mcnemar = { b: 3, c: 5, p: 0.7265625 }, point?: string): CellResult {
  const arm = (label: string, epsilon: number, [accuracy, nll, ece, meanConfidence]: number[]) => ({ label, epsilon, accuracy: accuracy!, nll: nll!, ece: ece!, meanConfidence: meanConfidence! });
  return {
    schemaVersion: 1,
    cellId: `${point ? `${point}-` : ''}s${seed}-uniform`,
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
