import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, spawnCli } from '../helpers/cli';
import { PROJECT_ROOT, tempDir } from '../helpers/tempDir';

test('ls-bench configs lists the shipped configs; with a name it prints one', async () => {
  const list = await runCli(['configs'], { tty: true, columns: 100 });
  assert.equal(list.code, 0, list.stderr);
  const shipped = readdirSync(path.join(PROJECT_ROOT, 'configs')).filter((n) => n.endsWith('.yaml')).map((n) => n.slice(0, -5)).sort();
  for (const name of shipped) assert.match(list.stdout, new RegExp(`^│ ${name} +│`, 'm'));
  assert.match(list.stdout, /│ sweep +│ sweep, train +│/);
  for (const line of list.stdout.split('\n')) assert.ok([...line].length <= 100, line);
  const one = await runCli(['configs', 'fashion-mnist']);
  assert.equal(one.stdout, readFileSync(path.join(PROJECT_ROOT, 'configs', 'fashion-mnist.yaml'), 'utf8'));
  const json = JSON.parse((await runCli(['configs', '--json'])).stdout);
  assert.equal(json.dir, path.join(PROJECT_ROOT, 'configs'));
  const unknown = await runCli(['configs', 'nope']);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, `ls-bench: configs nope: no shipped config of that name (shipped: ${shipped.join(', ')})\n`);
});

test('train --config <name> from any directory uses the shipped config (child process in an empty directory)', () => {
  const elsewhere = tempDir();
  const r = spawnCli(['train', '--config', 'synthetic-tiny', '--runs-dir', path.join(elsewhere, 'runs'), '--json'], {}, elsewhere);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.config.samples, 300, 'configs/synthetic-tiny.yaml');
  assert.equal(doc.config.epochs, 3);
});
