import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli';
import { threeRuns, writeFixtureRun } from '../helpers/fixtureRuns';
import { tempDir } from '../helpers/tempDir';

test('compare: the config keys that differ (only those), final metrics with hand-computed deltas, a line chart, overlaid histograms', async () => {
  const root = tempDir();
  const { a } = threeRuns(root);
  const r = await runCli(['compare', 'eps0', 'eps01', 'eps02', '--runs-dir', root]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`│ A +│ ${a.id} │ eps0 +│ synthetic │ +6 │ 0 \\(uniform\\) +│`));
  assert.match(r.stdout, /Config keys that differ\n.*\n│ config key │ A │ B +│ C +│\n.*\n│ epsilon +│ 0 │ 0\.1 │ 0\.2 │\n└/);
  // fixture: the true class has p = 0.9 − ε, one of six samples wrong (p = (0.1 + ε)/2), all confidences 0.9 − ε
  // NLL(ε) = −(5 ln(0.9 − ε) + ln((0.1 + ε)/2)) / 6: 0.5871 (ε=0), 0.5697 (ε=0.1), 0.6134 (ε=0.2); ECE = |0.9 − ε − 5/6|
  // Brier = (5·[(0.1 + ε)² + 2((0.1 + ε)/2)²] + [(0.9 − ε)² + (1 − (0.1 + ε)/2)² + ((0.1 + ε)/2)²]) / 6: 0.2983, 0.2933, 0.3183
  assert.match(r.stdout, /│ A +│ smoothed \(ε=0\) +│ +83\.33% │ +│ 0\.5871 │ +│ 0\.0667 │ +│ 0\.2983 │ +│ +0\.9000 │ +│/);
  assert.match(r.stdout, /│ B +│ smoothed \(ε=0\.1\) │ +83\.33% │ ±0\.00 pts │ 0\.5697 │ −0\.0174 │ 0\.0333 │ −0\.0333 │ 0\.2933 │ −0\.0050 │ +0\.8000 │ −0\.1000 │/);
  assert.match(r.stdout, /│ C +│ smoothed \(ε=0\.2\) │ +83\.33% │ ±0\.00 pts │ 0\.6134 │ \+0\.0263 │ 0\.1333 │ \+0\.0667 │ 0\.3183 │ \+0\.0200 │ +0\.7000 │ −0\.2000 │/);
  assert.match(r.stdout, /│ C +│ hard +│ +83\.33% │ ±0\.00 pts │ 0\.5871 │ ±0\.0000 │/);
  assert.match(r.stdout, /testAccuracy per epoch \(x: epoch\)\n.*┤/);
  assert.match(r.stdout, /\n {6}└─+\n {6}1 +2 +3\n/, 'x axis with epoch ticks');
  assert.ok(r.stdout.includes('  ─── A hard = A smoothed = B hard = C hard\n  ━━━ B smoothed\n  ═══ C smoothed'), 'identical curves drawn once, named by all');
  assert.match(r.stdout, /Confidence of the predicted class.*\n {2}█ A hard = A smoothed = B hard = C hard\n {2}▓ B smoothed\n {2}▒ C smoothed/);
  // confidences 0.9 (float32: just above 0.9), 0.8 and 0.7: all of a run's samples in one bin
  assert.match(r.stdout, /0\.8–0\.9 {2}A hard +0\.0%\n +B smoothed ▓{40} 100\.0%\n +C smoothed +0\.0%\n/);
  assert.match(r.stdout, /0\.9–1\.0 {2}A hard +█{40} 100\.0%/);
  assert.doesNotMatch(r.stdout, /note: different data sets/);
});

test('compare --format markdown, --format csv and --json', async () => {
  const root = tempDir();
  threeRuns(root);
  const md = await runCli(['compare', 'eps0', 'eps02', '--runs-dir', root, '--format', 'markdown', '--metric', 'testNll']);
  assert.equal(md.code, 0, md.stderr);
  assert.ok(md.stdout.includes('**Config keys that differ**\n\n| config key | A | B |\n| --- | --- | --- |\n| epsilon | 0 | 0.2 |'));
  assert.ok(md.stdout.includes('| B | smoothed (ε=0.2) | 83.33% | ±0.00 pts | 0.6134 | +0.0263 | 0.1333 | +0.0667 | 0.3183 | +0.0200 | 0.7000 | −0.2000 |'));
  assert.match(md.stdout, /```text\ntestNll per epoch/);
  assert.ok(md.stdout.includes('| epoch | A hard | A smoothed | B hard | B smoothed |\n| ---: | ---: | ---: | ---: | ---: |\n| 1 | 1.1000 | 1.1000 | 1.1000 | 1.2000 |'));
  assert.doesNotMatch(md.stdout.replace(/```text[\s\S]*?```/g, ''), /[┌│└]/, 'box drawing only inside text blocks');

  const csv = await runCli(['compare', 'eps0', 'eps02', '--runs-dir', root, '--format', 'csv']);
  const rows = csv.stdout.trim().split('\n');
  assert.equal(rows[0], 'section,run,arm,key,epoch,value,delta');
  assert.ok(rows.includes('config,B,,epsilon,,0.2,'));
  const meanConfidence = rows.find((row) => row.startsWith('final,B,smoothed,meanConfidence,,'))!.split(',');
  assert.ok(Math.abs(Number(meanConfidence[5]) - 0.7) < 1e-6 && Math.abs(Number(meanConfidence[6]) + 0.2) < 1e-6);
  assert.ok(rows.includes('curve,B,smoothed,testAccuracy,2,0.58,'));

  const json = JSON.parse((await runCli(['compare', 'eps0', 'eps02', '--runs-dir', root, '--json'])).stdout);
  assert.deepEqual(Object.keys(json), ['runs', 'sameDataset', 'notes', 'configDiff', 'final', 'metric', 'curves', 'histograms']);
  assert.deepEqual(json.configDiff, [{ key: 'epsilon', values: [[0], [0.2]] }]);
  assert.equal(json.final.length, 4);
  assert.equal(json.final[0].delta.accuracy, 0);
  assert.ok(Math.abs(json.final[3].delta.ece - 1 / 15) < 1e-6);
  assert.ok(json.curves[3].values.every((v: number, i: number) => Math.abs(v - (0.48 + 0.1 * i)) < 1e-9));
  assert.deepEqual(Object.keys(json.histograms.series[0]), ['run', 'arm', 'counts', 'fractions']);
});

test('compare across data sets says so instead of crashing', async () => {
  const root = tempDir();
  const { store } = threeRuns(root);
  writeFixtureRun(store, { epsilon: 0.1, name: 'fm', dataset: 'fashion-mnist', createdAt: '2026-11-21T10:00:00Z', config: { learningRate: 0.001 } });
  const r = await runCli(['compare', 'eps01', 'fm', '--runs-dir', root]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /note: different data sets \(A: synthetic, B: fashion-mnist\): the metrics are not measured on the same test samples/);
  assert.match(r.stdout, /│ dataset +│ synthetic +│ fashion-mnist │/);
  assert.match(r.stdout, /│ learningRate │ 0\.003 +│ 0\.001 +│/);
  assert.doesNotMatch(r.stdout, /│ epsilon /, 'equal keys are left out');
  const json = JSON.parse((await runCli(['compare', 'eps01', 'fm', '--runs-dir', root, '--json'])).stdout);
  assert.equal(json.sameDataset, false);
});

test('compare: a layer list that differs is shown layer by layer (not as [object Object]), an MLP run as its short form', async () => {
  const root = tempDir();
  const { store } = threeRuns(root);
  const model = { layers: [{ conv: 8, kernel: 3, padding: 'same' as const, activation: 'relu' as const }, { maxPool: 2 }, { flatten: true as const }] };
  writeFixtureRun(store, { epsilon: 0.1, name: 'cnn', createdAt: '2026-11-21T10:00:00Z', config: { model, weightDecay: 0.0005 } });
  const r = await runCli(['compare', 'eps01', 'cnn', '--runs-dir', root]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /│ model +│ MLP, hidden [\d→]+, \w+ +│ conv 8 3×3 same relu → maxPool 2 → flatten → output │/);
  assert.match(r.stdout, /│ weightDecay │ 0 +│ 0\.0005 +│/);
});

test('compare: bad input is one line and exit 2', async () => {
  const root = tempDir();
  const { store, a } = threeRuns(root);
  const w = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-21T10:00:00Z', outcome: 'interrupted' });
  const cases: [string[], RegExp][] = [
    [['eps0'], /compare: expected at least two runs, got 1/],
    [['eps0', a.id], new RegExp(`run ${a.id} is named twice \\(eps0, ${a.id}\\)`)],
    [['eps0', w.id], new RegExp(`run ${w.id} is interrupted: compare needs completed runs`)],
    [['eps0', 'eps01', '--metric', 'ece'], /--metric "ece": expected one of testAccuracy, testNll, trainLoss, trainNll/],
    [['eps0', 'zzz'], /run "zzz": no run/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runCli(['compare', ...args, '--runs-dir', root]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.split('\n').length, 2, 'one line');
  }
});
