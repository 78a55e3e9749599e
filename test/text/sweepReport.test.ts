import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AGGREGATE_METRICS, aggregateSweep } from '../../src/sweep/aggregate';
import type { SweepGrid } from '../../src/sweep/grid';
import type { CellResult } from '../../src/sweep/sweepFiles';
import { parseAssertions } from '../../src/sweep/assertions';
import { evaluateAssertions } from '../../src/sweep/sweep';
import { gatesSummary, gatesTabular, gridSections, renderSweepCsv, renderSweepMarkdown, renderSweepTable, sweepFindings, sweepSections } from '../../src/text/sweepReport';
import { renderTabular } from '../../src/text/tabular';
import { cellResult } from '../helpers/sweepFixtures';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) < tol, `${a} ≠ ${b}`);

const GRID: SweepGrid = { epsilons: [0, 0.1], seeds: [0, 1, 2, 3], smoothing: ['uniform'] };

test('the three renderings carry the same numbers', () => {
  const cells = new Map<string, CellResult>([
    ['s0-uniform', cellResult(0, [0.8, 0.5, 0.05, 0.9], [0.81, 0.45, 0.02, 0.85])],
    ['s1-uniform', cellResult(1, [0.82, 0.48, 0.06, 0.92], [0.84, 0.44, 0.03, 0.86])],
  ]);
  const a = aggregateSweep('sweep-x', GRID, cells);
  const md = renderSweepMarkdown(a);
  assert.match(md, /^## ls-bench sweep sweep-x/);
  assert.match(md, /\| uniform \| hard \| 0 \| 2 \| 81\.00% ± 1\.41% \|/);
  assert.match(md, /\| uniform \| smoothed-0\.1 \| accuracy \| \+1\.50 pts \|/);
  assert.match(md, /missing cells: s2-uniform, s3-uniform/);
  const table = renderSweepTable(a);
  assert.match(table, /81\.00% ± 1\.41%/);
  const csv = renderSweepCsv(a).split('\n');
  assert.equal(csv[0], 'smoothing,arm,epsilon,metric,seeds,mean,sd,delta_mean,delta_sd,t_low,t_high,bootstrap_low,bootstrap_high,verdict,diverged_seeds');
  // every aggregate metric of both arms (those these cells lack have empty values)
  assert.equal(csv.length, 1 + 2 * 11);
  const accuracyRow = csv.find((l) => l.startsWith('uniform,smoothed-0.1,0.1,accuracy,'))!.split(',');
  close(Number(accuracyRow[7]), 0.015);
});

test('the sweep tables are Tabular sections: the terminal and markdown views are renderTabular of them', () => {
  const a = aggregateSweep('sweep-x', GRID, new Map([['s0-uniform', cellResult(0, [0.8, 0.5, 0.05, 0.9], [0.81, 0.45, 0.02, 0.85])]]));
  const sections = sweepSections(a);
  assert.deepEqual(sections.map((s) => s.numeric), [[2, 3, 4, 5, 6, 7, 8, 9], [3, 4, 5], [2, 3, 4, 5]], 'numbers right-aligned, names and verdicts left');
  const table = renderSweepTable(a);
  const md = renderSweepMarkdown(a);
  for (const s of sections) {
    assert.ok(table.includes(`${s.title}\n${renderTabular(s, 'table')}\n`), `${s.title}: terminal`);
    assert.ok(md.includes(`### ${s.title}\n\n${renderTabular(s, 'markdown')}\n`), `${s.title}: markdown`);
  }
  assert.match(md, /\| smoothing \| arm \| ε \| seeds \| accuracy \| NLL \| ECE \| Brier \| mean confidence \| T \|\n\| --- \| --- \| ---: \| ---: \| ---: \| ---: \| ---: \| ---: \| ---: \| ---: \|/);
});

test('a diverged arm is named in the header, its seeds are left out of the verdict, and the temperature-scaled rows carry their own names', () => {
  const scaled = { hard: [1.2, 0.8, 0.45, 0.01, 0.3, 0.8], smoothed: [0.9, 0.81, 0.44, 0.02, 0.29, 0.8] };
  const cells = new Map<string, CellResult>([
    ['s0-uniform', cellResult(0, [0.8, 0.5, 0.05, 0.9, 0.3], [0.81, 0.45, 0.02, 0.85, 0.29], undefined, { scaled })],
    ['s1-uniform', cellResult(1, [0.82, 0.48, 0.06, 0.92, 0.3], [0.1, 3.1e10, 0.9, 1, 1.8], undefined, { scaled, diverged: { smoothed: 'smoothed diverged: non-finite loss (NaN) at epoch 2, batch 3' } })],
    ['s2-uniform', cellResult(2, [0.78, 0.52, 0.04, 0.88, 0.3], [0.79, 0.47, 0.01, 0.84, 0.29], undefined, { scaled })],
  ]);
  const table = renderSweepTable(aggregateSweep('sweep-x', GRID, cells));
  assert.match(table, /diverged: uniform smoothed-0\.1, seed 1: smoothed diverged: non-finite loss \(NaN\) at epoch 2, batch 3 — left out/);
  assert.match(table, /│ smoothed-0\.1 +│ 0\.1 │ 2 \(\+1 diverged\) │/);
  assert.match(table, /\(seed 1 left out: diverged\)/);
  assert.doesNotMatch(table, /3\.1e\+?10|31000000000/, 'the diverged NLL is not averaged in');
  assert.match(table, /│ uniform +│ hardTs +│ +0 │ +3 │ 80\.00% ± 0\.00% │ 0\.4500 ± 0\.0000 │/);
  assert.match(table, /│ smoothed-0\.1 − hardTs +│ ECE /);
  assert.match(table, /│ smoothedTs-0\.1 − hardTs │ ECE /);
});

test('findings: one sentence per smoothed arm, from the verdicts; gates: summary and one row per case with the values read', () => {
  const cells = new Map<string, CellResult>(
    [0, 1, 2, 3].map((s) => [`s${s}-uniform`, cellResult(s, [0.8 + s / 100, 0.5, 0.05, 0.9], [0.8 + s / 100 + 0.01 + s / 1000, 0.45 - s / 1000, 0.05 + (s % 2) / 100, 0.85])]),
  );
  const a = aggregateSweep('sweep-x', GRID, cells);
  assert.deepEqual(sweepFindings(a), ['uniform ε=0.1 (4 seeds): helps accuracy (+1.15 pts) and NLL (−0.0515); no detectable difference in ECE; mean confidence lower (−0.0500).']);
  const gates = evaluateAssertions(parseAssertions(['smoothed.accuracy >= hard.accuracy', 'smoothed.ece <= 0.05']), a);
  assert.equal(gatesSummary(gates), 'Gates: 1 of 2 FAILED: smoothed.ece <= 0.05');
  assert.equal(gatesSummary([]), "Gates: none (add some with --assert or the config's sweep.assert)");
  assert.deepEqual(gatesTabular(gates).rows, [
    ['smoothed.accuracy >= hard.accuracy', 'uniform, ε=0.1', 'smoothed-0.1.accuracy = 0.8265, hard.accuracy = 0.815', 'holds'],
    ['smoothed.ece <= 0.05', 'uniform, ε=0.1', 'smoothed-0.1.ece = 0.055', 'FAILS'],
  ]);
  assert.equal(gates[1]!.message, 'assertion failed [uniform, ε=0.1]: smoothed.ece <= 0.05 (measured: smoothed-0.1.ece = 0.055)');
  assert.equal(gates[0]!.message, 'holds: smoothed.accuracy >= hard.accuracy');

  const md = renderSweepMarkdown(a, { gates });
  assert.match(md, /^## ls-bench sweep sweep-x\n\n\*\*Gates: 1 of 2 FAILED: smoothed\.ece <= 0\.05\*\*\n/, 'the gates first, for a CI job summary');
  assert.match(md, /### Findings\n\n- uniform ε=0\.1 \(4 seeds\): helps accuracy/);
  assert.match(md, /### Gates\n\n\| gate \| case \| measured \| result \|\n\| --- \| --- \| --- \| --- \|\n\| smoothed\.accuracy >= hard\.accuracy \| uniform, ε=0\.1 \| smoothed-0\.1\.accuracy = 0\.8265, hard\.accuracy = 0\.815 \| holds \|\n\| smoothed\.ece <= 0\.05 \| uniform, ε=0\.1 \| smoothed-0\.1\.ece = 0\.055 \| FAILS \|/);
  const table = renderSweepTable(a, { gates, width: 80 });
  assert.match(table, /^Gates: 1 of 2 FAILED: smoothed\.ece <= 0\.05$/m);
  assert.match(table, /│ FAILS +│/);
  for (const line of table.split('\n')) assert.ok([...line].length <= 80, line);
  assert.doesNotMatch(renderSweepMarkdown(a), /Gates/, 'no gates asked for: no gates section');
});

test('a grid: one table per metric with the grid points as rows and ε as columns; the detail gets a grid point column', () => {
  const grid: SweepGrid = { epsilons: [0, 0.1], seeds: [0, 1], smoothing: ['uniform'], axes: [{ key: 'labelNoise', values: [0, 0.4] }] };
  const cells = new Map<string, CellResult>();
  for (const seed of [0, 1]) {
    cells.set(`p1-s${seed}-uniform`, cellResult(seed, [0.9, 0.3, 0.02, 0.9], [0.89, 0.31, 0.03, 0.85], undefined, { point: 'p1' }));
    cells.set(`p2-s${seed}-uniform`, cellResult(seed, [0.6 + seed / 100, 1.2, 0.2, 0.8], [0.64 + seed / 100, 1.0, 0.1, 0.7], undefined, { point: 'p2' }));
  }
  const a = aggregateSweep('sweep-g', grid, cells);
  const [accuracy, nll] = gridSections(a);
  assert.deepEqual(accuracy!.head, ['labelNoise', 'hard (ε=0)', 'ε=0.1', 'Δ ε=0.1']);
  assert.deepEqual(accuracy!.rows, [
    ['0', '90.00% ± 0.00%', '89.00% ± 0.00%', '−1.00 pts [−1.00 pts, −1.00 pts] hurts'],
    ['0.4', '60.50% ± 0.71%', '64.50% ± 0.71%', '+4.00 pts [+4.00 pts, +4.00 pts] helps'],
  ]);
  assert.deepEqual(accuracy!.numeric, [1, 2, 3]);
  assert.equal(nll!.rows[1]![3], '−0.2000 [−0.2000, −0.2000] helps');
  assert.deepEqual(gridSections(aggregateSweep('sweep-x', GRID, new Map())), [], 'no axes: no grid tables');
  const detail = sweepSections(a)[0]!;
  assert.deepEqual(detail.head.slice(0, 3), ['grid point', 'smoothing', 'arm']);
  assert.deepEqual(detail.rows.map((r) => r[0]), ['labelNoise=0', 'labelNoise=0', 'labelNoise=0.4', 'labelNoise=0.4']);
  const md = renderSweepMarkdown(a);
  assert.match(md, /sweep sweep-g: labelNoise 0, 0\.4 × ε 0, 0\.1 × seeds 0, 1 × smoothing uniform \(4\/4 cells completed\)/);
  assert.ok(md.indexOf('### accuracy by grid point and ε') < md.indexOf('<details>'), 'the grid tables first');
  assert.ok(md.indexOf('<details>') < md.indexOf('### Test metrics, mean ± sd over seeds') && md.indexOf('### Test metrics') < md.indexOf('</details>'), 'the detail folded');
  assert.match(md, /\| 0\.4 \| 60\.50% ± 0\.71% \| 64\.50% ± 0\.71% \| \+4\.00 pts \[\+4\.00 pts, \+4\.00 pts\] helps \|/);
  assert.ok(renderSweepTable(a).includes(renderTabular(accuracy!, 'table')));
  const csv = renderSweepCsv(a).split('\n');
  assert.equal(csv[0], 'point,labelNoise,smoothing,arm,epsilon,metric,seeds,mean,sd,delta_mean,delta_sd,t_low,t_high,bootstrap_low,bootstrap_high,verdict,diverged_seeds');
  assert.equal(csv.length, 1 + 2 * 2 * AGGREGATE_METRICS.length, 'a row per grid point, arm and metric');
  assert.match(csv.find((l) => l.startsWith('p2,0.4,uniform,smoothed-0.1,0.1,accuracy,'))!, /^p2,0\.4,uniform,smoothed-0\.1,0\.1,accuracy,2,0\.645/);
});
