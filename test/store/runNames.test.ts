import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from '../../src/errors';
import { checkRunName, idTime, isRunId, newRunId } from '../../src/store/runNames';

test('names and tags cannot escape the runs directory', () => {
  for (const bad of ['../../etc', '/abs', 'a/b', '..', '.', '', 'x'.repeat(65), 'latest', 'a b']) {
    assert.throws(() => checkRunName('--name', bad), CliError, bad);
  }
  checkRunName('--name', 'baseline-eps0.1_v2');
});

test('an id says when it was made, to the second', () => {
  const id = newRunId(new Date(Date.UTC(2026, 10, 25, 14, 22, 33, 900)));
  assert.ok(isRunId(id));
  assert.equal(idTime(id), Date.UTC(2026, 10, 25, 14, 22, 33));
  for (const notAnId of ['latest', '20261125-142233', '20261125-142233-XYZW', 'sweeps']) assert.ok(!isRunId(notAnId), notAnId);
});
