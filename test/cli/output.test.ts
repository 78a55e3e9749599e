import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

/**
 * stdout is checked, not trusted: a full device or disk is one line and exit 1 for every command, never a
 * crash ("Unhandled 'error' event") or exit 0 with an empty file; a reader that goes away early (EPIPE,
 * `| head`) is a clean exit.
 */
const TINY = ['--samples', '200', '--features', '4', '--hidden', '6', '--epochs', '1', '--backend', 'cpu'];
const runs = tempDir();
spawnSync(process.execPath, [BIN, 'train', '--runs-dir', runs, ...TINY], { stdio: 'ignore' });
spawnSync(process.execPath, [BIN, 'train', '--runs-dir', runs, ...TINY, '--seed', '1'], { stdio: 'ignore' });

function toFile(args: string[], file: string): { code: number | null; stderr: string } {
  const fd = openSync(file, 'w');
  try {
    const r = spawnSync(process.execPath, [BIN, ...args], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, stderr: r.stderr };
  } finally {
    closeSync(fd);
  }
}

const FAILED = 'ls-bench: cannot write the output to stdout (no space left on device)\n';

test('stdout on /dev/full: every command exits 1 with one line saying so', () => {
  for (const args of [['datasets'], ['datasets', '--json'], ['runs', '--runs-dir', runs], ['runs', '--runs-dir', runs, '--format', 'csv'], ['show', 'latest', '--runs-dir', runs], ['--help'], ['train', '--runs-dir', runs, ...TINY, '--json']]) {
    const r = toFile(args, '/dev/full');
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.endsWith(FAILED), `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /Unhandled|\n\s+at /);
  }
});

const mounted: string[] = [];
after(() => {
  for (const dir of mounted) execFileSync('umount', [dir]);
});
const full = (() => {
  const dir = path.join(tempDir(), 'full');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    mounted.push(dir);
    // Full to the last block: the output file can be created, but not one byte written to it.
    try {
      writeFileSync(path.join(dir, 'filler'), Buffer.alloc(64 * 1024));
    } catch {
      // ENOSPC on the last bytes: full, as wanted
    }
    return dir;
  } catch {
    return undefined;
  }
})();

test('train --json into a file on a full disk: exit 1 with one line, not exit 0 with an empty file; the run itself completed', { skip: full === undefined && 'cannot mount a tmpfs here (needs root)' }, () => {
  const before = readdirSync(runs).length;
  const out = path.join(full!, 'out.json');
  const r = toFile(['train', '--runs-dir', runs, ...TINY, '--json'], out);
  assert.equal(r.code, 1, r.stderr);
  assert.ok(r.stderr.endsWith(FAILED), r.stderr);
  assert.equal(statSync(out).size, 0, 'nothing of the document fitted');
  const newest = readdirSync(runs).sort().at(-1)!;
  assert.equal(readdirSync(runs).length, before + 1);
  assert.equal(JSON.parse(readFileSync(path.join(runs, newest, 'status.json'), 'utf8')).status, 'completed', 'the run is complete; only printing it failed');
});

test('a reader that closes early (EPIPE, as `| head -1` does): exit 0, nothing on stderr', async () => {
  for (const args of [['runs', '--runs-dir', runs], ['datasets'], ['show', 'latest', '--runs-dir', runs]]) {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (s: Buffer) => (stderr += s.toString()));
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('close', (code) => resolve({ code, stderr }));
    });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, '', args.join(' '));
  }
});
