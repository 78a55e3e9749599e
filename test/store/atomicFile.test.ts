import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { appendLinesDurable, writeFileAtomic, writeJsonAtomic } from '../../src/store/atomicFile';
import { tempDir } from '../helpers/tempDir';

test('writeFileAtomic replaces the whole file and leaves no temporary file', () => {
  const dir = tempDir();
  const file = path.join(dir, 'status.json');
  writeFileSync(file, 'old content that is longer than the new one');
  writeJsonAtomic(file, { status: 'completed' });
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { status: 'completed' });
  assert.deepEqual(readdirSync(dir), ['status.json']);
});

test('a write that cannot be renamed into place fails, keeps the target as it was and cleans up', () => {
  const dir = tempDir();
  // the target is a directory: the rename fails after the temporary file was written and fsynced
  const target = path.join(dir, 'summary.json');
  mkdirSync(target);
  writeFileSync(path.join(target, 'keep'), 'x');
  assert.throws(() => writeFileAtomic(target, '{"lies": true}'));
  assert.deepEqual(readdirSync(dir), ['summary.json'], 'no temporary file left');
  assert.deepEqual(readdirSync(target), ['keep']);
});

test('appendLinesDurable appends whole lines', () => {
  const dir = tempDir();
  const file = path.join(dir, 'metrics.jsonl');
  appendLinesDurable(file, ['{"a":1}']);
  appendLinesDurable(file, ['{"a":2}', '{"a":3}']);
  assert.equal(readFileSync(file, 'utf8'), '{"a":1}\n{"a":2}\n{"a":3}\n');
});

test('atomic writes replace the whole file and leave no temporary file', () => {
  const dir = tempDir();
  const file = path.join(dir, 'x.json');
  writeFileAtomic(file, 'old');
  writeFileAtomic(file, 'new content');
  assert.equal(readFileSync(file, 'utf8'), 'new content');
  assert.deepEqual(readdirSync(dir), ['x.json']);
});
