import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../../src/errors';
import { defaultSweepDir, findSweepDir, resolveSweepDir, sweepDirPath } from '../../src/sweep/locateSweep';
import { tempDir } from '../helpers/tempDir';

test('sweep directories: the default under <runs>/sweeps/, a directory or an id found, anything else null or one clear error', () => {
  const root = tempDir();
  const runs = path.join(root, 'runs');
  const dir = defaultSweepDir(runs, 'sweep-abc', null);
  assert.equal(dir, path.join(runs, 'sweeps', 'sweep-abc'));
  assert.equal(defaultSweepDir(runs, 'sweep-abc', { index: 2, count: 3 }), path.join(runs, 'sweeps', 'sweep-abc.shard-2-of-3'));
  assert.equal(sweepDirPath(undefined, runs, 'sweep-abc', null), dir);
  assert.equal(sweepDirPath('elsewhere', runs, 'sweep-abc', null), path.resolve('elsewhere'), 'a given directory wins');

  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'sweep.json'), '{}');
  assert.equal(findSweepDir(dir, runs)?.dir, dir, 'by directory');
  assert.equal(findSweepDir('sweep-abc', runs)?.dir, dir, 'by id under <runs>/sweeps/');
  assert.equal(resolveSweepDir('sweep-abc', runs).dir, dir);
  assert.equal(findSweepDir('sweep-nope', runs), null, 'an unknown id: not a sweep (report then treats it as a run)');
  assert.equal(findSweepDir(root, runs), null, 'a directory without sweep.json');
  // <root>/x/sweeps/../../runs/sweeps/sweep-abc exists, but an id is one path segment
  assert.equal(findSweepDir('../../runs/sweeps/sweep-abc', path.join(root, 'x')), null, 'an id is one path segment');
  assert.throws(
    () => resolveSweepDir('sweep-nope', runs),
    (e: unknown) => e instanceof CliError && e.exitCode === 2 && e.message === `sweep-nope: not a sweep directory (no sweep.json) and no sweep of that id in ${path.join(runs, 'sweeps')}`,
  );
});
