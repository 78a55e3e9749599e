import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { renderRun } from '../../src/text/runReport';
import { runCli } from '../helpers/cli';
import { FIXTURE_ENVIRONMENT, threeRuns, writeFixtureRun } from '../helpers/fixtureRuns';
import { tempDir } from '../helpers/tempDir';

test('show prints the run as train printed it, from the stored files', async () => {
  const root = tempDir();
  const { c } = threeRuns(root);
  const r = await runCli(['show', 'latest', '--runs-dir', root]);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(readFileSync(c.file('summary'), 'utf8'));
  const histograms = JSON.parse(readFileSync(c.file('histograms'), 'utf8'));
  assert.ok(r.stdout.startsWith(`run ${c.id} "eps02": completed\n\n`));
  assert.ok(r.stdout.includes(renderRun(summary, histograms, FIXTURE_ENVIRONMENT)), 'the same report as train');
  for (const heading of ['data set   synthetic', 'Per epoch', 'Final test metrics', 'Per class', 'Confusion matrix, hard', 'Confidence of the predicted class', 'Verdict (smoothed, ε=0.2']) {
    assert.ok(r.stdout.includes(heading), heading);
  }
  assert.ok(r.stdout.trimEnd().endsWith(`run directory ${c.dir}`));
});

test('show --format markdown: markdown tables and text blocks; --format csv: the per-epoch rows; --json: stable keys', async () => {
  const root = tempDir();
  const { b } = threeRuns(root);
  const md = await runCli(['show', 'eps01', '--runs-dir', root, '--format', 'markdown']);
  assert.equal(md.code, 0, md.stderr);
  assert.ok(md.stdout.startsWith(`### run ${b.id} "eps01" [sweep]: completed\n`));
  assert.ok(md.stdout.includes('| test set | hard (ε=0) | smoothed (ε=0.1) |\n| --- | ---: | ---: |\n| accuracy | 83.33% | 83.33% |'));
  assert.ok(md.stdout.includes('| 3 | 0.3333 | 0.3333 | 0.3667 | 70.00% | 0.4333 | 0.3333 | 0.4167 | 69.00% |'), 'epoch 3 row, hand-computed from the fixture');
  assert.match(md.stdout, /```text\ndata set {3}synthetic/);
  assert.doesNotMatch(md.stdout, /[┌│└]/, 'no terminal box drawing in markdown tables');

  const csv = await runCli(['show', 'eps01', '--runs-dir', root, '--format', 'csv']);
  const rows = csv.stdout.trim().split('\n');
  assert.equal(rows[0], 'epoch,arm,epsilon,trainLoss,trainNll,testNll,testAccuracy,seconds');
  assert.equal(rows.length, 7);
  assert.equal(rows[2], '1,smoothed,0.1,1.1,1,1.1500000000000001,0.49,0.5');

  const json = JSON.parse((await runCli(['show', 'eps01', '--runs-dir', root, '--json'])).stdout);
  assert.deepEqual(Object.keys(json), ['id', 'name', 'tags', 'status', 'statusNote', 'createdAt', 'command', 'dir', 'config', 'environment', 'completedEpochs', 'metrics', 'summary', 'histograms']);
  assert.equal(json.id, b.id);
  assert.equal(json.summary.arms[1].epsilon, 0.1);
  assert.equal(json.metrics.length, 6);
});

test('show of an unfinished run: its status and completed epochs, no invented results', async () => {
  const root = tempDir();
  const { store } = threeRuns(root);
  const w = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-21T10:00:00Z', outcome: 'interrupted', epochs: 4 });
  const r = await runCli(['show', w.id.slice(0, 12), '--runs-dir', root]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^run ${w.id}: interrupted \\(SIGINT\\)\ncompleted 3 of 4 epochs; no final results`));
  assert.doesNotMatch(r.stdout, /Final test metrics/);
  assert.match(r.stdout, /│ +3 │ smoothed │ +0\.1 │/);
});

test('show: unknown run, ambiguous prefix, a truncated summary — one line naming the run and the file, exit 2', async () => {
  const root = tempDir();
  const { a, b, c } = threeRuns(root);
  const text = readFileSync(b.file('summary'), 'utf8');
  writeFileSync(b.file('summary'), text.slice(0, 100));
  const cases: [string, RegExp][] = [
    ['nope', /^ls-bench: run "nope": no run with this id, id prefix or name in .* \(`ls-bench runs` lists them\)\n$/],
    ['2026', new RegExp(`^ls-bench: run "2026": ambiguous id prefix, matches 3 runs: ${c.id}, ${b.id}, ${a.id}\\n$`)],
    ['eps01', new RegExp(`^ls-bench: run ${b.id}: summary\\.json: not valid JSON .*\\n$`)],
  ];
  for (const [ref, pattern] of cases) {
    const r = await runCli(['show', ref, '--runs-dir', root]);
    assert.equal(r.code, 2, ref);
    assert.match(r.stderr, pattern);
  }
});

test('LS_BENCH_RUNS_DIR names the runs root when --runs-dir is not given', async () => {
  const root = tempDir();
  const { c } = threeRuns(root);
  const before = process.env.LS_BENCH_RUNS_DIR;
  process.env.LS_BENCH_RUNS_DIR = root;
  try {
    const r = await runCli(['show', 'latest', '--json']);
    assert.equal(JSON.parse(r.stdout).id, c.id);
  } finally {
    if (before === undefined) delete process.env.LS_BENCH_RUNS_DIR;
    else process.env.LS_BENCH_RUNS_DIR = before;
  }
});
