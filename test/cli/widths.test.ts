import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectFlags } from '../../src/cli/schemaFlags';
import { defaultSweepDir } from '../../src/sweep/locateSweep';
import { planSweep, sweepFlagOptions } from '../../src/sweep/plan';
import { openSweepDir } from '../../src/sweep/sweep';
import { displayWidth } from '../../src/text/layout';
import { threeRuns, writeFixtureRun } from '../helpers/fixtureRuns';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

/**
 * Every table-printing command fitted to the terminal: at 80 and 120 columns no line is wider, and what
 * the table holds is still there; in a pipe (no width) the tables are whole.
 */
const runs = tempDir();
const { store, a, b, c } = threeRuns(runs);
writeFixtureRun(store, { epsilon: 0.3, name: 'long-name-for-a-run-with-tags', tags: ['ablation'], createdAt: '2026-11-20T10:03:00.000Z', outcome: 'interrupted' });

/** A stored sweep over ε 0, 0.05, 0.1, 0.2 and three seeds, with one gate (no training: the cells are written directly). */
function fixtureSweep(): string {
  const plan = planSweep({ trainFlags: {}, sweepFlags: collectFlags({ epsilon: '0,0.05,0.1,0.2', seeds: '0-2' }, sweepFlagOptions()), assert: ['smoothed.accuracy >= hard.accuracy - 0.01'] });
  const { sweepDir } = openSweepDir(defaultSweepDir(runs, plan.sweepId, null), plan, null, []);
  for (const cell of plan.cells) {
    const arms = plan.grid.epsilons.map((epsilon) => ({ label: epsilon === 0 ? 'hard' : `smoothed-${epsilon}`, epsilon, accuracy: 0.8 + cell.seed / 100 - epsilon / 50, nll: 0.5 + epsilon / 5, ece: 0.05 + epsilon / 10, meanConfidence: 0.9 - epsilon / 2 }));
    const mcnemar = plan.grid.epsilons.filter((e) => e > 0).map((epsilon) => ({ epsilon, onlyHardCorrect: 4, onlySmoothedCorrect: 3, pValue: 1 }));
    sweepDir.writeCell({ schemaVersion: 1, cellId: cell.id, seed: cell.seed, smoothing: cell.smoothing, runId: `r${cell.seed}`, runDir: `/runs/r${cell.seed}`, testSamples: 200, seconds: 1, arms, mcnemar, completedAt: '2026-11-20T10:00:00Z' });
  }
  sweepDir.writeGates(plan.sweepId, []);
  return sweepDir.dir;
}
const sweep = fixtureSweep();

const COMMANDS: [string, string[], string[]][] = [
  ['runs', ['runs', '--runs-dir', runs], [a.id, b.id, c.id, 'long-name-for-a-run-with-tags', 'interrupted', '0.1 (uniform)', '83.33%']],
  ['compare', ['compare', 'eps0', 'eps01', 'eps02', '--runs-dir', runs], ['eps01', '0.9000', '−0.0174', '(ε=0.2)', 'testAccuracy per epoch']],
  ['show', ['show', 'eps01', '--runs-dir', runs], ['Per epoch', 'smoothed (ε=0.1)', 'Verdict (smoothed']],
  ['sweep show', ['sweep', 'show', sweep], ['smoothed-0.05', 'no detectable difference', 'Findings', 'Gates: none']],
  ['datasets', ['datasets'], ['breast-cancer', '569', 'Your own data']],
];

for (const [name, argv, expected] of COMMANDS) {
  for (const columns of [80, 120]) {
    test(`${name} at ${columns} columns: every line fits, nothing is lost`, async () => {
      const r = await runCli(argv, { tty: true, columns });
      assert.equal(r.code, 0, r.stderr);
      for (const line of r.stdout.split('\n')) assert.ok(displayWidth(line) <= columns, `${displayWidth(line)} > ${columns}: ${line}`);
      // cells may wrap: look for each value with the table's frame and line breaks taken out
      const text = r.stdout.replace(/[│┌┐└┘├┤┬┴┼─]/g, ' ').replace(/\s+/g, ' ');
      for (const value of expected) assert.ok(text.includes(value), `${value} in ${name}`);
    });
  }
  test(`${name} in a pipe: tables whole, as wide as they need`, async () => {
    const piped = await runCli(argv);
    assert.equal(piped.code, 0, piped.stderr);
    const wrapped = await runCli(argv, { tty: true, columns: 80 });
    if (Math.max(...piped.stdout.split('\n').map(displayWidth)) > 80) assert.notEqual(piped.stdout, wrapped.stdout);
  });
}

test('compare at 100 columns: the final metrics split between metrics, run and arm repeated in each part', async () => {
  const r = await runCli(['compare', 'eps0', 'eps01', 'eps02', '--runs-dir', runs], { tty: true, columns: 100 });
  const final = r.stdout.slice(r.stdout.indexOf('Final test metrics'), r.stdout.indexOf('testAccuracy per epoch'));
  const parts = final.split('┌').slice(1);
  assert.ok(parts.length >= 2, final);
  for (const part of parts) assert.match(part, /│ run │ arm +│/);
  assert.ok(final.includes('accuracy') && final.includes('macro F1'));
});
