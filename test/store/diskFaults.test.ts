import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

/**
 * Real disk faults: a tiny tmpfs fills up mid-run, a read-only mount refuses the run. Mounting needs
 * root (CI runs as root); elsewhere these tests are skipped and say why.
 */
const mounted: string[] = [];
// Registered before tempDir's own cleanup: hooks run in order, and a mounted folder cannot be removed.
after(() => {
  for (const dir of mounted) execFileSync('umount', [dir]);
});
const base = tempDir();
function mountTmpfs(name: string, options: string): string | undefined {
  const dir = path.join(base, name);
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    mounted.push(dir);
    return dir;
  } catch {
    return undefined;
  }
}
const canMount = mountTmpfs('probe', 'size=16k') !== undefined;
const skip = !canMount && 'cannot mount a tmpfs here (needs root)';

for (const size of ['28k', '48k']) {
  test(`a disk that fills up mid-run (${size} tmpfs): one line naming the path, exit 1, no run presented as complete`, { skip }, async () => {
    const dir = mountTmpfs(`full-${size}`, `size=${size}`)!;
    const runs = path.join(dir, 'runs');
    const r = await runCli(['train', '--runs-dir', runs, '--epochs', '3', '--backend', 'cpu']);
    assert.equal(r.code, 1, r.stderr);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('ls-bench: '));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0]!, new RegExp(`^ls-bench: ${runs}/\\S+: cannot .* \\(no space left on device\\)$`));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    for (const id of readdirSync(runs)) {
      assert.ok(!existsSync(path.join(runs, id, 'summary.json')), 'no summary');
      const status = JSON.parse(readFileSync(path.join(runs, id, 'status.json'), 'utf8'));
      assert.notEqual(status.status, 'completed');
    }
  });
}

test('a read-only runs directory: one line naming the path, exit 1, nothing written', { skip }, async () => {
  const dir = mountTmpfs('readonly', 'size=64k,ro')!;
  const r = await runCli(['train', '--runs-dir', dir, '--epochs', '1']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`ls-bench: ${dir}/\\S+: cannot create a run directory \\(read-only file system\\)`));
  assert.deepEqual(readdirSync(dir), []);
});
