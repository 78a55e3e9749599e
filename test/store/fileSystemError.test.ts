import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from '../../src/errors';
import { fileSystemError, fileSystemReason } from '../../src/store/fileSystemError';

const errno = (code: string) => Object.assign(new Error(`${code}: something`), { code });

test('file-system errors read as words for the common cases, else as their code', () => {
  assert.equal(fileSystemReason(errno('ENOSPC')), 'no space left on device');
  assert.equal(fileSystemReason(errno('EROFS')), 'read-only file system');
  assert.equal(fileSystemReason(errno('EACCES')), 'permission denied');
  assert.equal(fileSystemReason(errno('EMFILE')), 'EMFILE');
  assert.equal(fileSystemReason(new Error('odd')), 'odd');
});

test('fileSystemError: one line naming the target and what could not be done, exit 1 unless told; a CliError passes through', () => {
  const e = fileSystemError(errno('ENOSPC'), 'write the progress', '/x/sweep');
  assert.ok(e instanceof CliError);
  assert.equal(e.message, '/x/sweep: cannot write the progress (no space left on device)');
  assert.equal(e.exitCode, 1);
  assert.equal(fileSystemError(errno('ENOTDIR'), 'write the report', '/a/b', 2).exitCode, 2);
  const own = new CliError('already clear', 2);
  assert.equal(fileSystemError(own, 'anything', '/y'), own);
});
