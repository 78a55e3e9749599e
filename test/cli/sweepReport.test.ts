import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSweepForReport } from '../../src/html/writeSweepReport';
import { sweepCharts } from '../../src/html/sweepCharts';
import { SweepDir } from '../../src/sweep/sweepFiles';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';

const TINY = ['--samples', '240', '--features', '6', '--hidden', '12', '--epochs', '2', '--batch-size', '32', '--learning-rate', '0.01'];

test('sweep --report writes <sweep dir>/report.html; report <sweep id> --svg --png rewrites it with the images; its numbers are the stored aggregate', async () => {
  const runs = tempDir();
  const r = await runCli(['sweep', '--epsilon', '0,0.1', '--seeds', '0-2', '--jobs', '2', '--runs-dir', runs, ...TINY, '--report', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { sweepId: string; sweepDir: string };
  const html = path.join(doc.sweepDir, 'report.html');
  assert.match(r.stderr, new RegExp(`report written to ${html.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), 'with --json the path goes to stderr');
  const page = readFileSync(html, 'utf8');
  for (const id of ['sweep-metrics', 'sweep-differences']) assert.ok(page.includes(`data-chart="${id}"`), `${id} in the page`);
  assert.match(page, /McNemar&#39;s exact test per seed/);

  // the charts are built from the same numbers as aggregate.json
  const stored = JSON.parse(readFileSync(path.join(doc.sweepDir, 'aggregate.json'), 'utf8'));
  const { aggregate } = loadSweepForReport(new SweepDir(doc.sweepDir));
  assert.deepEqual(JSON.parse(JSON.stringify(aggregate)), stored);
  const hardAccuracy = stored.points[0].variants[0].arms[0].metrics.accuracy;
  const metricsChart = sweepCharts(aggregate)[0]!;
  const accuracyPanel = (metricsChart.spec as unknown as { hconcat: { data: { values: { epsilon: number; mean: number; sd: number }[] } }[] }).hconcat[0]!;
  assert.equal(accuracyPanel.data.values[0]!.mean, hardAccuracy.mean);
  assert.equal(accuracyPanel.data.values[0]!.sd, hardAccuracy.sd);

  const again = await runCli(['report', doc.sweepId, '--runs-dir', runs, '--svg', '--png']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stderr, '', 'no chart warnings');
  assert.match(again.stdout, /report written to .*report\.html/);
  for (const f of ['sweep-metrics.svg', 'sweep-metrics.png', 'sweep-differences.svg', 'sweep-differences.png']) {
    const file = path.join(doc.sweepDir, 'report-charts', f);
    assert.ok(existsSync(file) && statSync(file).size > 1000, `${f} written`);
  }

  const byDir = await runCli(['report', doc.sweepDir, '--out', path.join(runs, 'elsewhere.html')]);
  assert.equal(byDir.code, 0, byDir.stderr);
  assert.ok(existsSync(path.join(runs, 'elsewhere.html')));
});

test('report of a sweep without completed cells: one line, exit 2, nothing written', async () => {
  const dir = tempDir();
  const grid = { epsilons: [0, 0.1], seeds: [0], smoothing: ['uniform'] };
  writeFileSync(path.join(dir, 'sweep.json'), JSON.stringify({ schemaVersion: 1, sweepId: 'sweep-empty', digest: 'x', grid, config: {}, shard: null, cells: ['s0-uniform'], createdAt: '2026-01-01T00:00:00Z', command: ['sweep'] }));
  const r = await runCli(['report', dir]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /no completed cells/);
  assert.ok(!existsSync(path.join(dir, 'report.html')));
});
