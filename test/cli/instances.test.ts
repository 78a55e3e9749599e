import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { readRunProbabilities } from '../../src/store/probabilitiesFile';
import { readValidRunDirectory } from '../../src/store/runReader';
import { RunStore } from '../../src/store/RunStore';
import { runCli } from '../helpers/cli';
import { writeFixtureRun } from '../helpers/fixtureRuns';
import { trainSmallRun } from '../helpers/smallRun';
import { tempDir } from '../helpers/tempDir';

/** The stored probabilities of a run, as the numbers instances must print. */
function stored(dir: string) {
  const record = readValidRunDirectory(dir);
  const probabilities = readRunProbabilities({ id: record.id, dir, summary: record.summary! });
  const p = (arm: number, sample: number, c: number) => Math.exp(probabilities.arms[arm]!.logProbs[sample * probabilities.classes + c]!);
  return { probabilities, p };
}

test('instances --json: every row\'s numbers are the stored probabilities of its sample', async () => {
  const root = tempDir();
  const w = writeFixtureRun(new RunStore(root), { epsilon: 0.2, createdAt: '2026-11-20T10:00:00.000Z' });
  const { probabilities, p } = stored(w.dir);
  for (const by of ['drop', 'rise', 'discordant', 'confident-wrong']) {
    const r = await runCli(['instances', 'latest', '--runs-dir', root, '--by', by, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.id, w.id);
    assert.equal(json.view, by);
    for (const group of json.groups) {
      for (const row of group.rows) {
        const label = probabilities.labels[row.index]!;
        assert.equal(row.label, label);
        row.arms.forEach((a: { predicted: number; confidence: number; trueProbability: number }, arm: number) => {
          assert.ok(Math.abs(a.trueProbability - p(arm, row.index, label)) < 1e-12, `${by}: sample ${row.index}, arm ${arm}`);
          assert.ok(Math.abs(a.confidence - p(arm, row.index, a.predicted)) < 1e-12);
          for (let c = 0; c < probabilities.classes; c++) assert.ok(p(arm, row.index, c) <= a.confidence + 1e-12, 'the predicted class is the most probable');
        });
        assert.ok(Math.abs(row.change - (row.arms[1].trueProbability - row.arms[0].trueProbability)) < 1e-12);
      }
    }
  }
  // the fixture: the smoothed arm gives every true class 0.9 − 0.2 where the hard arm gives 0.9, so every sample but the misclassified one drops by 20 points
  const drop = JSON.parse((await runCli(['instances', 'latest', '--runs-dir', root, '--json', '--limit', '3'])).stdout);
  assert.deepEqual(drop.groups[0].rows.map((r: { index: number }) => r.index), [0, 1, 2]);
  assert.equal(drop.groups[0].qualifying, 5);
});

test('instances prints a table per view, in the units of the other commands, and says what it lists', async () => {
  const root = tempDir();
  writeFixtureRun(new RunStore(root), { epsilon: 0.2, createdAt: '2026-11-20T10:00:00.000Z' });
  const r = await runCli(['instances', 'latest', '--runs-dir', root, '--limit', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /drop: the 2 test samples whose true-class probability fell most from hard \(ε=0\) to smoothed \(ε=0\.2\) \(it fell for 5 of the 6 test samples\)/);
  assert.match(r.stdout, /│ 1 │ +0 │ a +│ a +│ +90\.0% │ +90\.0% │ a +│ +70\.0% │ +70\.0% │ +−20\.0 pts │/);
  assert.match(r.stdout, /Δ p\(true\): smoothed \(ε=0\.2\) − hard \(ε=0\), in percentage points/);
  const wrong = await runCli(['instances', 'latest', '--runs-dir', root, '--by', 'confident-wrong', '--class', 'c', '--format', 'markdown']);
  assert.equal(wrong.code, 0, wrong.stderr);
  assert.match(wrong.stdout, /\*\*confident-wrong, hard \(ε=0\): its 1 most confident mistake \(it is wrong on 1 of the 2 test samples labelled c\)\*\*/);
  assert.match(wrong.stdout, /\| 1 \| 5 \| c \| a \| 90\.0% \| 5\.0% \| a \| 70\.0% \| 15\.0% \| \+10\.0 pts \|/);
  const csv = await runCli(['instances', 'latest', '--runs-dir', root, '--by', 'confident-wrong', '--format', 'csv']);
  const lines = csv.stdout.trim().split('\n');
  assert.equal(lines[0], 'list,#,test sample,true class,hard (ε=0) predicted,hard (ε=0) confidence,hard (ε=0) p(true),smoothed (ε=0.2) predicted,smoothed (ε=0.2) confidence,smoothed (ε=0.2) p(true),Δ p(true)');
  assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(',')), ['confident-wrong:hard,1,5', 'confident-wrong:smoothed,1,5']);
});

test('instances: mistakes in its flags or a run without stored probabilities are one line, exit 2', async () => {
  const root = tempDir();
  const store = new RunStore(root);
  const w = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-20T10:00:00.000Z' });
  writeFixtureRun(store, { epsilon: 0.1, name: 'stopped', createdAt: '2026-11-20T10:01:00.000Z', outcome: 'interrupted' });
  const cases: [string[], RegExp][] = [
    [['--class', 'z'], /^ls-bench: --class "z": expected a class of the run's data set, by name or index 0–2: a, b, c\n$/],
    [['--limit', '0'], /^ls-bench: --limit "0": expected a whole number of samples, at least 1\n$/],
    [['--arm', 'hard'], /^ls-bench: --arm "hard": expected one of the run's smoothed arms: smoothed\n$/],
    [['--by', 'worst'], /argument 'worst' is invalid. Allowed choices are drop, rise, discordant, confident-wrong/],
  ];
  for (const [flags, expected] of cases) {
    const r = await runCli(['instances', w.id, '--runs-dir', root, ...flags]);
    assert.equal(r.code, 2, flags.join(' '));
    assert.match(r.stderr, expected);
    assert.equal(r.stdout, '');
  }
  const stopped = await runCli(['instances', 'stopped', '--runs-dir', root]);
  assert.equal(stopped.code, 2);
  assert.match(stopped.stderr, /^ls-bench: run \S+ is interrupted: it has no final predictions \(probabilities.bin is written when a run completes\)\n$/);
  rmSync(w.file('probabilities'));
  const missing = await runCli(['instances', w.id, '--runs-dir', root]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^ls-bench: run \S+: probabilities.bin: missing \(the run was written before ls-bench kept per-sample probabilities, or the file was deleted\); train it again to look at its samples\n$/);
});

test('instances on a trained run: --thumbnails on data that is not images is refused; auto prints the table', async () => {
  const { runs, dir } = await trainSmallRun(tempDir());
  const { probabilities, p } = stored(dir);
  const r = await runCli(['instances', 'latest', '--runs-dir', runs, '--by', 'discordant', '--arm', 'smoothed-0.3', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.compared, 'smoothed-0.3');
  for (const row of json.groups[0].rows) {
    const label = probabilities.labels[row.index]!;
    assert.equal(row.arms[0].predicted === label, row.arms[2].predicted !== label, 'right in exactly one of hard and smoothed-0.3');
    assert.ok(Math.abs(row.arms[2].trueProbability - p(2, row.index, label)) < 1e-12);
  }
  const table = await runCli(['instances', 'latest', '--runs-dir', runs]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /│ # +│ test sample │ true class │/);
  const refused = await runCli(['instances', 'latest', '--runs-dir', runs, '--thumbnails', 'text']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /^ls-bench: --thumbnails text: run \S+'s data set synthetic is not images \(thumbnails need fashion-mnist, digits or idx: data with 2-D samples\)\n$/);
});
