import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { PROJECT_ROOT, tempDir } from '../helpers/tempDir';

const TINY = ['--samples', '240', '--features', '6', '--hidden', '12', '--epochs', '2', '--batch-size', '32', '--learning-rate', '0.01'];
const GRID = ['--epsilon', '0,0.1,0.2', '--seeds', '0-2'];

function runIds(runs: string): string[] {
  return readdirSync(runs).filter((n) => /^\d{8}-\d{6}-[0-9a-f]{4}$/.test(n));
}

test('ls-bench sweep end to end: cells in parallel, aggregate, gates, resume, show; shards 1..3/3 merge to the same aggregate', async () => {
  const runs = tempDir();
  const full = await runCli(['sweep', ...GRID, '--jobs', '2', '--runs-dir', runs, ...TINY, '--json', '--assert', 'hard.accuracy >= 0 and smoothed.ece <= 1']);
  assert.equal(full.code, 0, full.stderr);
  const doc = JSON.parse(full.stdout);
  assert.match(doc.sweepId, /^sweep-[0-9a-f]{12}$/);
  assert.equal(doc.sweepDir, path.join(runs, 'sweeps', doc.sweepId));
  for (const f of ['sweep.json', 'train-config.json', 'progress.json', 'aggregate.json', 'cells/s0-uniform.json', 'cells/s2-uniform.json']) {
    assert.ok(existsSync(path.join(doc.sweepDir, f)), `${f} written`);
  }
  assert.equal(runIds(runs).length, 3, 'one run per cell in the store');
  const summary = JSON.parse(readFileSync(path.join(runs, runIds(runs)[0]!, 'summary.json'), 'utf8'));
  assert.deepEqual(summary.arms.map((a: { label: string }) => a.label), ['hard', 'smoothed-0.1', 'smoothed-0.2'], 'one paired run trains every arm');
  const arms = doc.aggregate.points[0].variants[0].arms;
  assert.deepEqual(arms.map((a: { arm: string }) => a.arm), ['hard', 'smoothed-0.1', 'smoothed-0.2']);
  assert.deepEqual(arms[1].seeds, [0, 1, 2]);
  assert.equal(arms[1].mcnemar.length, 3);
  assert.ok(arms[1].vsHard.accuracy.tInterval.low <= arms[1].vsHard.accuracy.mean);
  assert.equal(doc.assertions[0].holds, true);
  assert.equal(doc.assertions[0].instances.length, 2, 'once per smoothed ε');
  assert.match(full.stderr, /cell s1-uniform: completed in/);

  // the same command again: every cell is skipped, nothing trained
  const again = await runCli(['sweep', ...GRID, '--runs-dir', runs, ...TINY, '--format', 'csv']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /3 of 3 cell\(s\) already completed, skipped/);
  assert.equal(runIds(runs).length, 3);
  assert.match(again.stdout, /^smoothing,arm,epsilon,metric,/);

  // show: markdown, and a failing gate exits 1 naming the assertion and the values
  const md = await runCli(['sweep', 'show', doc.sweepId, '--runs-dir', runs, '--format', 'markdown']);
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /^## ls-bench sweep sweep-/);
  assert.match(md.stdout, /\| smoothing \| arm \| metric \| Δ mean \| t 95% CI \| bootstrap 95% CI \| verdict \|/);
  const gate = await runCli(['sweep', 'show', doc.sweepDir, '--assert', 'smoothed-0.2.accuracy >= hard.accuracy + 0.5']);
  assert.equal(gate.code, 1);
  assert.match(gate.stderr, /assertion failed: smoothed-0\.2\.accuracy >= hard\.accuracy \+ 0\.5 \(measured: smoothed-0\.2\.accuracy = [\d.]+, hard\.accuracy = [\d.]+\)/);
  const badGate = await runCli(['sweep', 'show', doc.sweepDir, '--assert', 'smoothed.ece <== 1']);
  assert.equal(badGate.code, 2);
  assert.match(badGate.stderr, /at column 16/);

  // three shards, then merge: the same cells, the same numbers
  const shardDirs: string[] = [];
  for (let i = 1; i <= 3; i++) {
    const r = await runCli(['sweep', ...GRID, '--shard', `${i}/3`, '--jobs', '1', '--runs-dir', path.join(runs, `machine-${i}`), ...TINY, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const shardDoc = JSON.parse(r.stdout);
    assert.equal(shardDoc.sweepId, doc.sweepId, 'a shard belongs to the same sweep');
    assert.equal(shardDoc.aggregate.expectedCells.length, 1, 'three cells over three shards');
    assert.deepEqual(shardDoc.aggregate.missingCells, []);
    shardDirs.push(shardDoc.sweepDir);
  }
  const out = path.join(runs, 'merged');
  const merged = await runCli(['sweep', 'merge', ...shardDirs, '--out', out, '--json']);
  assert.equal(merged.code, 0, merged.stderr);
  const mergedDoc = JSON.parse(merged.stdout);
  assert.deepEqual(mergedDoc.aggregate.missingCells, []);
  const metrics = (d: typeof doc) => JSON.stringify(d.aggregate.points[0].variants.map((v: { arms: { metrics: unknown; mcnemar: unknown }[] }) => v.arms.map((a) => [a.metrics, a.mcnemar])));
  assert.equal(metrics(mergedDoc), metrics(doc), 'sharded and unsharded sweeps agree');

  // an incomplete merge says which cells are missing and exits 1
  const partial = await runCli(['sweep', 'merge', shardDirs[0]!, shardDirs[1]!, '--out', path.join(runs, 'partial')]);
  assert.equal(partial.code, 1);
  assert.match(partial.stderr, /merge: incomplete: 1 cell\(s\) not completed in any input: s2-uniform/);
});

test('sweep: bad input exits 2 before any training, with one line and no sweep or run directory', async () => {
  const runs = tempDir();
  const cases: [string[], RegExp][] = [
    [['--epsilon', ''], /--epsilon: the grid is empty/],
    [['--epsilon', '0,1'], /--epsilon: ε must be in \[0, 1\), got 1/],
    [['--seeds', '0,2,1'], /--seeds: seeds must be ascending without repeats; 1 comes after 2/],
    [['--seeds', '0,0'], /0 is repeated/],
    [['--shard', '1-3'], /--shard: expected i\/n/],
    [['--shard', '4/3'], /shard 4 is outside 1\.\.3/],
    [['--assert', 'smoothed.ece <'], /--assert 'smoothed\.ece <': at column 15: expected a number/],
    [['--assert', 'smoothed-0.3.ece < 1'], /smoothed-0\.3 is not an arm of this sweep/],
    [['--format', 'html'], /argument 'html' is invalid/],
    [['--seed', '3'], /unknown option '--seed'/],
    [['--backend', 'node'], /--backend node: @tensorflow\/tfjs-node is not installed/],
    [['--dataset', 'fashion-mnist', '--data-dir', runs], /fashion-mnist: .* lacks train-images-idx3-ubyte\.gz/],
    [['--dataset', 'imagenet'], /--dataset: unknown data set "imagenet"/],
    [['--grid', 'seed=0,1'], /--grid seed: seed cannot be a grid axis/],
    [['--grid', 'learningRate=0.01,fast'], /--grid learningRate: expected a number, got "fast"/],
    [['--grid', 'lr=0.01'], /--grid lr: "lr" is not a training option/],
    [['--grid', 'labelNoise=0,1'], /--grid labelNoise: expected a value < 1, got 1/],
    [['--grid', 'labelNoise=0,0.2', '--assert', 'at(labelNoise=0.3: smoothed.ece <= 1)'], /labelNoise=0\.3 is not a value of the grid/],
    [['--grid', 'hidden=12;24', '--hidden', '8'], /--hidden and --grid hidden both set hidden; drop one/],
    [['--grid', 'dataset=iris,imagenet'], /grid point p2 \(dataset=imagenet\): --dataset: unknown data set "imagenet"/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runCli(['sweep', '--runs-dir', runs, ...TINY, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')} → exit ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.deepEqual(readdirSync(runs), [], 'nothing written');
  const show = await runCli(['sweep', 'show', path.join(runs, 'nope'), '--runs-dir', runs]);
  assert.equal(show.code, 2);
  assert.match(show.stderr, /nope: not a sweep directory/);
});

test('shards run before and after the CSV was edited are not merged; a rerun on the edited data is refused too', async () => {
  const work = tempDir();
  const csv = path.join(work, 'data.csv');
  const rows = ['a,b,label'];
  for (let i = 0; i < 90; i++) rows.push(`${(i % 3) + Math.sin(i)},${Math.cos(i)},k${i % 3}`);
  writeFileSync(csv, `${rows.join('\n')}\n`);
  const args = ['sweep', '--dataset', `csv:${csv}`, '--epsilon', '0,0.1', '--seeds', '0-1', '--epochs', '1', '--hidden', '4', '--backend', 'cpu', '--runs-dir', path.join(work, 'runs')];
  const one = await runCli([...args, '--shard', '1/2', '--sweep-dir', path.join(work, 's1')]);
  assert.equal(one.code, 0, one.stderr);
  writeFileSync(csv, `${rows.join('\n').replace(/\n[^,\n]+,/, '\n9.5,')}\n`);
  const two = await runCli([...args, '--shard', '2/2', '--sweep-dir', path.join(work, 's2')]);
  assert.equal(two.code, 0, two.stderr);
  const merged = await runCli(['sweep', 'merge', path.join(work, 's1'), path.join(work, 's2'), '--out', path.join(work, 'merged')]);
  assert.equal(merged.code, 2, merged.stderr);
  assert.match(merged.stderr, /^ls-bench: cannot merge .*s2 with .*s1: they read different data \(data digest [0-9a-f]{12}… in s1, [0-9a-f]{12}… in s2\); rerun the shards on the same data\n$/);
  assert.ok(!existsSync(path.join(work, 'merged')));
  const rerun = await runCli([...args, '--shard', '1/2', '--sweep-dir', path.join(work, 's1')]);
  assert.equal(rerun.code, 2, rerun.stderr);
  assert.match(rerun.stderr, /s1: the data changed since this sweep started \(data digest [0-9a-f]{12}… then, [0-9a-f]{12}… now\)/);
});

test('gate results are in the output, not only on stderr: markdown and JSON of sweep, sweep show (the gates the sweep ran with) and sweep merge', async () => {
  const runs = tempDir();
  const gates = ['--assert', 'smoothed.ece <= 1', '--assert', 'smoothed.accuracy >= hard.accuracy + 0.5'];
  const r = await runCli(['sweep', '--epsilon', '0,0.1', '--seeds', '0-1', '--jobs', '2', '--runs-dir', runs, ...TINY, '--format', 'markdown', ...gates]);
  assert.equal(r.code, 1, 'a gate fails');
  assert.match(r.stdout, /^## ls-bench sweep sweep-[0-9a-f]{12}\n\n\*\*Gates: 1 of 2 FAILED: smoothed\.accuracy >= hard\.accuracy \+ 0\.5\*\*\n/);
  assert.match(r.stdout, /\| smoothed\.accuracy >= hard\.accuracy \+ 0\.5 \| uniform, ε=0\.1 \| smoothed-0\.1\.accuracy = [\d.]+, hard\.accuracy = [\d.]+ \| FAILS \|/);
  assert.match(r.stdout, /\| smoothed\.ece <= 1 \| uniform, ε=0\.1 \| smoothed-0\.1\.ece = [\d.]+ \| holds \|/);
  assert.match(r.stderr, /assertion failed \[uniform, ε=0\.1\]: smoothed\.accuracy >= hard\.accuracy \+ 0\.5/, 'and on stderr, for the log');
  const sweepId = /sweep-[0-9a-f]{12}/.exec(r.stdout)![0];
  const stored = JSON.parse(readFileSync(path.join(runs, 'sweeps', sweepId, 'gates.json'), 'utf8'));
  assert.deepEqual(stored.results.map((g: { source: string; holds: boolean }) => [g.source, g.holds]), [['smoothed.ece <= 1', true], ['smoothed.accuracy >= hard.accuracy + 0.5', false]]);

  // sweep show without --assert: the gates it was run with, evaluated again; with --assert: those instead
  const show = await runCli(['sweep', 'show', sweepId, '--runs-dir', runs, '--json']);
  assert.equal(show.code, 1);
  const doc = JSON.parse(show.stdout);
  assert.deepEqual(doc.assertions.map((g: { source: string }) => g.source), ['smoothed.ece <= 1', 'smoothed.accuracy >= hard.accuracy + 0.5']);
  assert.match(doc.assertions[1].message, /^assertion failed \[uniform, ε=0\.1\]: smoothed\.accuracy >= hard\.accuracy \+ 0\.5 \(measured: smoothed-0\.1\.accuracy = [\d.]+, hard\.accuracy = [\d.]+\)$/);
  assert.deepEqual(Object.keys(doc.assertions[1].instances[0].values), ['smoothed-0.1.accuracy', 'hard.accuracy']);
  const other = await runCli(['sweep', 'show', sweepId, '--runs-dir', runs, '--assert', 'hard.accuracy >= 0']);
  assert.equal(other.code, 0, other.stderr);
  assert.match(other.stdout, /^Gates: all 1 hold$/m);

  // shards run without gates; merge --assert gates the merged sweep, in its markdown
  const shards: string[] = [];
  for (const i of [1, 2]) {
    const s = await runCli(['sweep', '--epsilon', '0,0.1', '--seeds', '0-1', '--shard', `${i}/2`, '--jobs', '1', '--runs-dir', runs, ...TINY, '--json']);
    assert.equal(s.code, 0, s.stderr);
    shards.push(JSON.parse(s.stdout).sweepDir);
  }
  const merged = await runCli(['sweep', 'merge', ...shards, '--out', path.join(runs, 'merged'), '--format', 'markdown', '--assert', 'smoothed.ece <= 1']);
  assert.equal(merged.code, 0, merged.stderr);
  assert.match(merged.stdout, /\*\*Gates: all 1 hold\*\*/);
  assert.match(merged.stdout, /### Gates\n\n\| gate \| case \| measured \| result \|/);
});

test('the shipped sweep config passes its own gates, and the example workflow gates on the same ones', { timeout: 300_000 }, async () => {
  const runs = tempDir();
  const r = await runCli(['sweep', '--config', 'sweep', '--runs-dir', runs, '--format', 'markdown']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const config = readFileSync(path.join(PROJECT_ROOT, 'configs', 'sweep.yaml'), 'utf8');
  const gates = [...config.matchAll(/^ {4}- (\S.*?)\s+#/gm)].map((m) => m[1]!);
  assert.equal(gates.length, 2);
  assert.match(r.stdout, new RegExp(`\\*\\*Gates: all ${gates.length} hold\\*\\*`));
  const workflow = readFileSync(path.join(PROJECT_ROOT, 'examples', 'sweep-shards.github-workflow.yml'), 'utf8');
  assert.deepEqual([...workflow.matchAll(/--assert '([^']+)'/g)].map((m) => m[1]), gates);
});
