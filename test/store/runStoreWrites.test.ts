import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { writeFileAtomic } from '../../src/store/atomicFile';
import { RunStore, checkRunName, newRunId } from '../../src/store/RunStore';
import { resolveTrainConfig } from '../../src/config/loadConfig';
import { CliError } from '../../src/errors';
import { runCli, BIN } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

const environment = { lsBenchVersion: '0', node: 'v20', platform: 'linux', arch: 'x64', cpu: 'x', cpuCount: 2, backend: 'cpu', backendLabel: 'cpu', backendFallbackReason: null, gitCommit: null };

test('ids are sortable by time and unique', () => {
  assert.match(newRunId(new Date(Date.UTC(2026, 10, 25, 14, 22, 33))), /^20261125-142233-[0-9a-f]{4}$/);
  const store = new RunStore(tempDir());
  const ids = new Set<string>();
  for (let i = 0; i < 40; i++) ids.add(store.create({ config: resolveTrainConfig({}), environment, command: [] }).id);
  assert.equal(ids.size, 40);
});

test('atomic writes replace the whole file and leave no temporary file', () => {
  const dir = tempDir();
  const file = path.join(dir, 'x.json');
  writeFileAtomic(file, 'old');
  writeFileAtomic(file, 'new content');
  assert.equal(readFileSync(file, 'utf8'), 'new content');
  assert.deepEqual(readdirSync(dir), ['x.json']);
});

test('names and tags cannot escape the runs directory', () => {
  for (const bad of ['../../etc', '/abs', 'a/b', '..', '.', '', 'x'.repeat(65), 'latest', 'a b']) {
    assert.throws(() => checkRunName('--name', bad), CliError, bad);
  }
  checkRunName('--name', 'baseline-eps0.1_v2');
});

test('a read-only runs directory gives one clear line naming the path, and no run', { skip: process.getuid?.() === 0 && 'root ignores directory permissions; see the unwritable-path test' }, async () => {
  const root = tempDir();
  chmodSync(root, 0o500);
  const r = await runCli(['train', '--runs-dir', root, '--epochs', '1']);
  chmodSync(root, 0o700);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot create a run directory \(permission denied\)/);
});

test('a runs path that cannot be a directory gives one clear line naming the path', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'not-a-dir');
  writeFileSync(file, 'x');
  const r = await runCli(['train', '--runs-dir', path.join(file, 'runs'), '--epochs', '1']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`ls-bench: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/runs: cannot create the runs directory \\(a part of the path is not a directory\\)`));
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('two processes training into the same runs directory at once never collide', async () => {
  const root = tempDir();
  mkdirSync(root, { recursive: true });
  const runOne = () =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'train', '--runs-dir', root, '--epochs', '2', '--samples', '200', '--backend', 'cpu'], { stdio: 'ignore' });
      child.on('exit', resolve);
    });
  const codes = await Promise.all([runOne(), runOne(), runOne()]);
  assert.deepEqual(codes, [0, 0, 0]);
  const ids = readdirSync(root);
  assert.equal(ids.length, 3);
  for (const id of ids) assert.equal(JSON.parse(readFileSync(path.join(root, id, 'status.json'), 'utf8')).status, 'completed');
});
