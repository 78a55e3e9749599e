import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { threeRuns } from '../helpers/fixtureRuns';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

const dir = tempDir();
const runs = path.join(dir, 'runs');
const { a } = threeRuns(runs);

async function script(shell: string): Promise<string> {
  const r = await runCli(['completion', shell]);
  assert.equal(r.code, 0, r.stderr);
  const file = path.join(dir, `ls-bench.${shell}`);
  writeFileSync(file, r.stdout);
  return file;
}

function shellSkip(shell: string): string | false {
  return existsSync(`/usr/bin/${shell}`) || existsSync(`/bin/${shell}`) ? false : `${shell} is not installed (apt-get install ${shell}; .ci/run installs it)`;
}

function run(shell: string, args: string[], input: string): string {
  const r = spawnSync(shell, args, { input, encoding: 'utf8', env: { ...process.env, LS_BENCH_RUNS_DIR: runs }, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('bash: commands, subcommands, flags, flag values from the schema, shipped configs and run ids complete', async () => {
  const file = await script('bash');
  const complete = (words: string[]) =>
    run('bash', ['--norc'], `source '${file}'\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _ls_bench; printf '%s\\n' "\${COMPREPLY[@]}"\n`).trim().split('\n');
  assert.deepEqual(complete(['ls-bench', 'tr']), ['train']);
  assert.deepEqual(complete(['ls-bench', 'sweep', 'm']), ['merge']);
  assert.deepEqual(complete(['ls-bench', 'train', '--back']), ['--backend']);
  assert.deepEqual(complete(['ls-bench', 'train', '--backend', '']), ['auto', 'node', 'native', 'wasm', 'cpu']);
  assert.deepEqual(complete(['ls-bench', 'train', '--smoothing', '']), ['uniform', 'others']);
  assert.ok(complete(['ls-bench', 'train', '--config', 'fa']).includes('fashion-mnist'));
  assert.deepEqual(complete(['ls-bench', 'sweep', 'show', '--format', '']), ['table', 'markdown', 'csv']);
  assert.ok(complete(['ls-bench', 'runs', '--']).includes('--since'));
  assert.ok(complete(['ls-bench', 'show', '-']).includes('--verbose'), 'every command has --verbose');
  assert.deepEqual(complete(['ls-bench', 'show', a.id.slice(0, 15)]), [a.id]);
  assert.ok(complete(['ls-bench', 'compare', '']).includes('latest'));
  assert.deepEqual(complete(['ls-bench', 'completion', '']), ['bash', 'zsh', 'fish']);
});

test('zsh: the script parses, and its function offers what bash does, with descriptions', { skip: shellSkip('zsh') }, async () => {
  const file = await script('zsh');
  // compinit's functions stubbed: each prints what it was handed
  const stubs = `compdef() { : }\ncompadd() { [[ $1 == -- ]] && shift; print -r -- "compadd $*" }\n_describe() { local name=$4; print -rl -- "\${(@P)name}" }\n_files() { print files }\n_directories() { print dirs }\n`;
  const complete = (words: string[]) => run('zsh', ['-f'], `${stubs}source '${file}'\nwords=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; _ls_bench\n`);
  assert.match(complete(['ls-bench', '']), /^train:train a hard-label arm/m);
  assert.match(complete(['ls-bench', 'train', '--']), /^--epochs:number of epochs$/m);
  assert.equal(complete(['ls-bench', 'train', '--backend', '']).trim(), 'compadd auto node native wasm cpu');
  assert.match(complete(['ls-bench', 'report', '']), new RegExp(`compadd .*${a.id}.* latest`));
});

test('fish: complete -C offers commands, flags and their values, and run ids', { skip: shellSkip('fish') }, async () => {
  const file = await script('fish');
  const complete = (line: string) => run('fish', ['-c', `source '${file}'; complete -C '${line}'`], '').trim().split('\n').map((l) => l.split('\t')[0]);
  assert.deepEqual(complete('ls-bench tr'), ['train']);
  assert.deepEqual(complete('ls-bench train --backend '), ['auto', 'cpu', 'native', 'node', 'wasm']);
  assert.deepEqual(complete('ls-bench sweep show --for'), ['--format']);
  assert.ok(complete('ls-bench show ').includes(a.id));
});

test('completion of an unknown shell: one line, exit 2', async () => {
  const r = await runCli(['completion', 'powershell']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'ls-bench: completion: expected one of bash, zsh, fish, got "powershell"\n');
});
