import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunSummary } from '../../src/store/runFiles';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';
import { nativeForTests } from '../helpers/native';

const BASE = ['--samples', '240', '--features', '6', '--hidden', '12', '--epochs', '6', '--batch-size', '32', '--learning-rate', '0.01', '--dropout', '0.1'];
const ARGS = [...BASE, '--backend', 'cpu'];
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const strip = (s: RunSummary) => s.arms.map((a) => ({ history: a.history.map(({ seconds: _s, ...r }) => r), final: a.finalWeightsDigest, test: a.test }));

/** A small CNN on the bundled digits (8×8 images), given inline as --model: conv, pooling, batch norm (running statistics in the checkpoint), dropout. */
const CNN = [
  '--dataset', 'digits', '--limit', '300', '--epochs', '6', '--batch-size', '32', '--learning-rate', '0.01', '--weight-decay', '0.001',
  '--model', '{layers: [{conv: 4, kernel: 3, padding: same, activation: relu}, {maxPool: 2}, {batchNorm: true}, {flatten: true}, {dense: 12, activation: relu}, {dropout: 0.2}]}',
];
const RESUMED: [string, string[], string | undefined][] = [
  ['cpu', [...BASE, '--backend', 'cpu'], undefined],
  ['native', [...BASE, '--backend', 'native'], nativeForTests().skip],
  ['native, a CNN', [...CNN, '--backend', 'native'], nativeForTests().skip],
];
for (const [backend, ARGS, skip] of RESUMED) {
test(`${backend}: a run interrupted at a random epoch and resumed ends with exactly the metrics of an uninterrupted run`, { skip: skip ?? false }, async () => {
  const stopAfter = 1 + Math.floor(Math.random() * 4); // 1..4 of 6
  const runs = tempDir();
  const controller = new AbortController();
  const { run } = await import('../../src/cli/main');
  const code = await run(['train', '--runs-dir', runs, ...ARGS], {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (new RegExp(`^epoch ${stopAfter} `, 'm').test(s) && controller.abort('SIGINT'), true) },
    signal: controller.signal,
  });
  assert.equal(code, 130, `interrupted after epoch ${stopAfter}`);
  const [id] = readdirSync(runs);
  const resumed = await runCli(['train', '--runs-dir', runs, '--resume', id!]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`resuming after epoch ${stopAfter} of 6`));
  const full = await runCli(['train', '--runs-dir', runs, ...ARGS, '--json']);
  assert.equal(full.code, 0, full.stderr);
  const afterResume = readJson<RunSummary>(path.join(runs, id!, 'summary.json'));
  assert.equal(afterResume.resumedAfterEpoch, stopAfter);
  assert.deepEqual(strip(afterResume), strip(JSON.parse(full.stdout) as RunSummary), `stopped after epoch ${stopAfter}`);
  const again = await runCli(['train', '--runs-dir', runs, '--resume', id!]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already completed; nothing to resume/);
});
}

test('--resume refuses other training flags and unknown runs', async () => {
  const runs = tempDir();
  const r1 = await runCli(['train', '--runs-dir', runs, '--resume', 'x', '--epochs', '3']);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr, /drop the other training flags/);
  const r2 = await runCli(['train', '--runs-dir', runs, '--resume', '2026']);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /run "2026": there are no runs in /);
});

test('--check-determinism trains twice and says the results are identical', async () => {
  const runs = tempDir();
  const r = await runCli(['train', '--runs-dir', runs, ...ARGS, '--epochs', '2', '--check-determinism']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /determinism: identical, bit for bit/);
  assert.match(r.stdout, /determinism check: a second training gave identical results/);
});

test('--resume of a run whose config.json was damaged: one line naming the run and the file, exit 2', async () => {
  const runs = tempDir();
  const first = await runCli(['train', '--runs-dir', runs, ...ARGS, '--epochs', '1']);
  assert.equal(first.code, 0, first.stderr);
  const [id] = readdirSync(runs);
  writeFileSync(path.join(runs, id!, 'config.json'), '{"epochs": "x"');
  const r = await runCli(['train', '--runs-dir', runs, '--resume', id!]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`^ls-bench: run ${id}: config\\.json: not valid JSON`));
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

/** Trains in this process and interrupts after epoch `stopAfter`, as Ctrl-C would; returns the run's directory. */
async function interruptedRun(runs: string, args: string[], stopAfter: number): Promise<string> {
  const controller = new AbortController();
  const { run } = await import('../../src/cli/main');
  const code = await run(['train', '--runs-dir', runs, ...args], {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (new RegExp(`^epoch ${stopAfter} `, 'm').test(s) && controller.abort('SIGINT'), true) },
    signal: controller.signal,
  });
  assert.equal(code, 130, `interrupted after epoch ${stopAfter}`);
  const [id] = readdirSync(runs);
  return path.join(runs, id!);
}

/** The bytes of every file of a run: a refused resume must leave all of them as they were. */
const snapshot = (dir: string) => new Map(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f)).toString('base64')]));

/** A CSV of three classes and three feature columns, different enough per class to learn. */
function writeCsv(file: string): string {
  const rows = ['a,b,c,label'];
  for (let i = 0; i < 150; i++) rows.push(`${(Math.sin(i) + (i % 3)).toFixed(3)},${Math.cos(i * 7).toFixed(3)},${((i % 5) / 5).toFixed(1)},k${i % 3}`);
  const text = `${rows.join('\n')}\n`;
  writeFileSync(file, text);
  return text;
}

test('--resume refuses data that changed since the checkpoint (a CSV column removed, a value edited): one line naming both digests, exit 2, the run untouched', async () => {
  const work = tempDir();
  const csv = path.join(work, 'data.csv');
  const original = writeCsv(csv);
  const runs = path.join(work, 'runs');
  const dir = await interruptedRun(runs, ['--dataset', `csv:${csv}`, '--epochs', '4', '--hidden', '8', '--batch-size', '16', '--backend', 'cpu'], 1);
  const id = path.basename(dir);
  const { readCheckpoint } = await import('../../src/store/checkpointFile');
  const stored = readCheckpoint(path.join(dir, 'checkpoint.bin')).dataDigest!;
  assert.match(stored, /^[0-9a-f]{64}$/, 'the checkpoint records the data digest');
  const before = snapshot(dir);
  const edits: [string, string][] = [
    ['a column removed', original.split('\n').map((line) => line.split(',').slice(1).join(',')).join('\n')],
    ['one value edited', original.replace(/\n[^,\n]+,/, '\n9.5,')],
  ];
  for (const [what, text] of edits) {
    writeFileSync(csv, text);
    const r = await runCli(['train', '--runs-dir', runs, '--resume', id]);
    assert.equal(r.code, 2, `${what}: ${r.stderr}`);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('ls-bench: '));
    assert.equal(errors.length, 1, r.stderr);
    const m = new RegExp(`^ls-bench: --resume ${id}: run ${id}: the training data changed since the checkpoint \\(data digest ([0-9a-f]{12})… then, ([0-9a-f]{12})… now\\)`).exec(errors[0]!);
    assert.ok(m, `${what}: ${errors[0]}`);
    assert.equal(m[1], stored.slice(0, 12));
    assert.notEqual(m[2], m[1]);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    assert.deepEqual(snapshot(dir), before, `${what}: nothing in the run was written`);
  }
  writeFileSync(csv, original);
  const resumed = await runCli(['train', '--runs-dir', runs, '--resume', id]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming after epoch 1 of 4/);
});

test('--resume with a checkpoint from before data digests: a changed data shape is still one line (other initial weights), the same data resumes with a note', async () => {
  const work = tempDir();
  const csv = path.join(work, 'data.csv');
  const original = writeCsv(csv);
  const runs = path.join(work, 'runs');
  const dir = await interruptedRun(runs, ['--dataset', `csv:${csv}`, '--epochs', '3', '--hidden', '8', '--batch-size', '16', '--backend', 'cpu'], 1);
  const id = path.basename(dir);
  const { readCheckpoint, writeCheckpoint } = await import('../../src/store/checkpointFile');
  const file = path.join(dir, 'checkpoint.bin');
  writeCheckpoint(file, { ...readCheckpoint(file), dataDigest: null });
  assert.equal(readCheckpoint(file).dataDigest, null, 'written as an old checkpoint: no digest in its header');
  const status = readFileSync(path.join(dir, 'status.json'), 'utf8');
  writeFileSync(csv, original.split('\n').map((line) => line.split(',').slice(1).join(',')).join('\n'));
  const refused = await runCli(['train', '--runs-dir', runs, '--resume', id]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, new RegExp(`^ls-bench: --resume ${id}: run ${id}: the checkpoint was trained from other initial weights \\([0-9a-f]{12}… vs [0-9a-f]{12}…\\)`, 'm'));
  assert.doesNotMatch(refused.stderr, /internal error|\n\s+at /);
  assert.equal(readFileSync(path.join(dir, 'status.json'), 'utf8'), status, 'the status is as it was');
  writeFileSync(csv, original);
  const resumed = await runCli(['train', '--runs-dir', runs, '--resume', id]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`note: run ${id}'s checkpoint predates data digests; cannot check that the data is unchanged`));
});

test('--resume of a run whose metrics.jsonl has a damaged line: one line naming the file and the line, exit 2, the status unchanged', async () => {
  const runs = tempDir();
  const dir = await interruptedRun(runs, [...ARGS, '--epochs', '3'], 2);
  const id = path.basename(dir);
  const metrics = path.join(dir, 'metrics.jsonl');
  const lines = readFileSync(metrics, 'utf8').split('\n');
  lines[1] = lines[1]!.slice(0, 20);
  writeFileSync(metrics, lines.join('\n'));
  const before = snapshot(dir);
  const r = await runCli(['train', '--runs-dir', runs, '--resume', id]);
  assert.equal(r.code, 2, r.stderr);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('ls-bench: '));
  assert.deepEqual(errors, [`ls-bench: ${metrics}: line 2: not valid JSON; repair or remove that line to continue the run`]);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.deepEqual(snapshot(dir), before, 'nothing in the run was written');
});

test('--resume while another process holds the run (its lock): refused with the holder named, the run untouched', async () => {
  const runs = tempDir();
  const dir = await interruptedRun(runs, [...ARGS, '--epochs', '3'], 1);
  const id = path.basename(dir);
  const { lockRun } = await import('../../src/store/runWriter');
  const before = snapshot(dir);
  const lock = lockRun(dir, 'test');
  const r = await runCli(['train', '--runs-dir', runs, '--resume', id]);
  lock.release();
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`^ls-bench: --resume ${id}: run ${id} is being trained: locked by pid ${process.pid} on \\S+ \\(training run ${id}, since [^)]+\\); run\\.lock is removed when that process ends\\n$`));
  assert.deepEqual(snapshot(dir), before);
});

test('--resume refuses, before writing anything, a config.json whose epochs are below the checkpoint\'s and a checkpoint that does not restore', async () => {
  const runs = tempDir();
  const dir = await interruptedRun(runs, [...ARGS, '--epochs', '4'], 2);
  const id = path.basename(dir);
  const configFile = path.join(dir, 'config.json');
  const config = readFileSync(configFile, 'utf8');
  writeFileSync(configFile, config.replace('"epochs": 4', '"epochs": 1'));
  let before = snapshot(dir);
  const fewer = await runCli(['train', '--runs-dir', runs, '--resume', id]);
  assert.equal(fewer.code, 2, fewer.stderr);
  assert.equal(fewer.stderr.split('\n').filter((l) => l.startsWith('ls-bench: ')).length, 1, fewer.stderr);
  assert.match(fewer.stderr, new RegExp(`ls-bench: --resume ${id}: ${configFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: "epochs" is 1, but .*checkpoint\\.bin is after epoch 2; expected at least 2`));
  assert.deepEqual(snapshot(dir), before);
  writeFileSync(configFile, config);

  // A checkpoint whose header and payload agree (the digest matches) but whose weights do not fit the model.
  const { readCheckpoint, writeCheckpoint } = await import('../../src/store/checkpointFile');
  const file = path.join(dir, 'checkpoint.bin');
  const good = readFileSync(file);
  const cp = readCheckpoint(file);
  cp.arms[1]!.state.weights[0] = cp.arms[1]!.state.weights[0]!.slice(0, 5);
  writeCheckpoint(file, cp);
  before = snapshot(dir);
  const shapes = await runCli(['train', '--runs-dir', runs, '--resume', id]);
  assert.equal(shapes.code, 2, shapes.stderr);
  assert.match(shapes.stderr, new RegExp(`^ls-bench: --resume ${id}: run ${id}: .*checkpoint\\.bin: arm smoothed: `, 'm'));
  assert.doesNotMatch(shapes.stderr, /internal error|\n\s+at /);
  assert.deepEqual(snapshot(dir), before, 'the run is not marked failed');
  writeFileSync(file, good);
  const resumed = await runCli(['train', '--runs-dir', runs, '--resume', id]);
  assert.equal(resumed.code, 0, resumed.stderr);
});

test('native: a resume with another BLAS thread count than the run was trained with warns, naming both', { skip: nativeForTests().skip }, async () => {
  const runs = tempDir();
  const dir = await interruptedRun(runs, [...BASE, '--backend', 'native', '--epochs', '3'], 1);
  const id = path.basename(dir);
  const environment = readJson<{ blasThreads: number }>(path.join(dir, 'environment.json'));
  assert.equal(typeof environment.blasThreads, 'number', 'the run records its BLAS threads');
  writeFileSync(path.join(dir, 'environment.json'), JSON.stringify({ ...environment, blasThreads: environment.blasThreads + 3 }));
  const r = await runCli(['train', '--runs-dir', runs, '--resume', id]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`warning: run ${id}: trained with ${environment.blasThreads + 3} BLAS thread\\(s\\), continuing with ${environment.blasThreads} \\(OPENBLAS_NUM_THREADS\\)`));
});
