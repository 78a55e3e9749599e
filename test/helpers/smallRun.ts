import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { runCli } from './cli';

/** A few seconds of real training: 3 classes, 3 epochs, two smoothed arms so that colours and ids cover more than two arms. */
export const SMALL_RUN_FLAGS = ['--samples', '300', '--features', '6', '--hidden', '12', '--epochs', '3', '--batch-size', '32', '--learning-rate', '0.02', '--epsilon', '0.1,0.3'];

/**
 * Trains a small run in `runs` (an empty runs root) and returns where it went. Create `runs` with
 * tempDir() at the top level of the test file: one made inside a before() hook is deleted when the hook ends.
 */
export async function trainSmallRun(runs: string, extra: string[] = []): Promise<{ runs: string; dir: string; id: string; stdout: string; stderr: string }> {
  const r = await runCli(['train', '--runs-dir', runs, ...SMALL_RUN_FLAGS, ...extra]);
  assert.equal(r.code, 0, r.stderr);
  const [id] = readdirSync(runs);
  return { runs, id: id!, dir: path.join(runs, id!), stdout: r.stdout, stderr: r.stderr };
}
