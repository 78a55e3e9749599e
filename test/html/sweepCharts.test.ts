import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateSweep, BASE_METRICS } from '../../src/sweep/aggregate';
import type { SweepGrid } from '../../src/sweep/grid';
import type { CellResult, SweepMeta } from '../../src/sweep/sweepFiles';
import { renderSvg } from '../../src/html/renderChart';
import { HARD_ARM_COLOUR, sweepCharts, sweepDifferencePoints, sweepDifferencesChart, sweepMetricPoints, sweepMetricsChart } from '../../src/html/sweepCharts';
import { sweepReportHtml } from '../../src/html/sweepReportHtml';
import { parseAssertions } from '../../src/sweep/assertions';
import { evaluateAssertions } from '../../src/sweep/sweep';
import { sweepFindings } from '../../src/text/sweepReport';
import { cellResult } from '../helpers/sweepFixtures';

const close = (a: number | null, b: number, tol = 1e-9) => assert.ok(a !== null && Math.abs(a - b) < tol, `${a} ≠ ${b}`);

const cell = (seed: number, hard: number[], smoothed: number[]): CellResult => cellResult(seed, hard, smoothed, { b: 3 + seed, c: 5, p: 0.5 });

const GRID: SweepGrid = { epsilons: [0, 0.1], seeds: [0, 1, 2], smoothing: ['uniform'] };
// hard accuracy 0.7, 0.8, 0.9: mean 0.8, sd 0.1; smoothed accuracy − hard: +0.01, +0.02, +0.03 → mean 0.02, sd 0.01
const CELLS = new Map<string, CellResult>([
  ['s0-uniform', cell(0, [0.7, 0.5, 0.05, 0.9, 0.4], [0.71, 0.45, 0.02, 0.85, 0.39])],
  ['s1-uniform', cell(1, [0.8, 0.48, 0.06, 0.92, 0.3], [0.82, 0.44, 0.03, 0.86, 0.28])],
  ['s2-uniform', cell(2, [0.9, 0.52, 0.04, 0.88, 0.2], [0.93, 0.47, 0.01, 0.84, 0.17])],
]);
const aggregate = aggregateSweep('sweep-test', GRID, CELLS);

/** The inline data of panel `name` in an hconcat of (nested) layers. */
function panelData(spec: unknown, name: string): Record<string, unknown>[] {
  const found: Record<string, unknown>[][] = [];
  const visit = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const n = node as { data?: { name?: string; values?: Record<string, unknown>[] } };
    if (n.data?.name === name && n.data.values) found.push(n.data.values);
    for (const v of Object.values(node)) visit(v);
  };
  visit(spec);
  assert.equal(found.length, 1, `one data set named ${name}`);
  return found[0]!;
}

test('sweep metric chart: mean ± sd of each metric per arm, equal to the aggregate and to hand-computed values', () => {
  const chart = sweepMetricsChart(aggregate);
  for (const metric of BASE_METRICS) {
    const data = panelData(chart.spec, `metric-${metric}`);
    assert.deepEqual(data, sweepMetricPoints(aggregate, metric));
    assert.deepEqual(data.map((p) => p.epsilon), [0, 0.1], 'the hard arm at ε = 0, then the smoothed one');
    aggregate.points[0]!.variants[0]!.arms.forEach((arm, i) => {
      assert.equal(data[i]!.mean, arm.metrics[metric].mean);
      assert.equal(data[i]!.sd, arm.metrics[metric].sd);
    });
  }
  const hard = panelData(chart.spec, 'metric-accuracy')[0]!;
  close(hard.mean as number, 0.8);
  close(hard.sd as number, 0.1);
  close(hard.low as number, 0.7);
  close(hard.high as number, 0.9);
  assert.match(chart.caption, /mean ± 1 sample standard deviation over seeds/);
});

test('sweep difference chart: the paired mean and both 95% intervals of the aggregate, no point for ε = 0', () => {
  const chart = sweepDifferencesChart(aggregate);
  for (const metric of BASE_METRICS) {
    const data = panelData(chart.spec, `difference-${metric}`);
    assert.deepEqual(data, sweepDifferencePoints(aggregate, metric));
    const d = aggregate.points[0]!.variants[0]!.arms[1]!.vsHard![metric];
    assert.equal(data.length, 1);
    assert.equal(data[0]!.mean, d.mean);
    assert.equal(data[0]!.tLow, d.tInterval!.low);
    assert.equal(data[0]!.tHigh, d.tInterval!.high);
    assert.equal(data[0]!.bootstrapLow, d.bootstrapInterval!.low);
    assert.equal(data[0]!.bootstrapHigh, d.bootstrapInterval!.high);
  }
  // mean +0.02, sd 0.01, n = 3: t(0.975, 2) = 4.302653 → ±0.02484
  const accuracy = panelData(chart.spec, 'difference-accuracy')[0]!;
  close(accuracy.mean as number, 0.02);
  close(accuracy.tLow as number, 0.02 - (4.302652729911275 * 0.01) / Math.sqrt(3), 1e-9);
  assert.match(chart.caption, /95% paired Student t-interval/);
});

test('sweep charts render without vega warnings; the hard arm is drawn in its blue; the page holds both charts and the tables', async () => {
  const rendered = [];
  for (const chart of sweepCharts(aggregate)) {
    const { svg, warnings } = await renderSvg(chart.spec);
    assert.deepEqual(warnings, [], `${chart.id}: no warnings`);
    assert.match(svg, /<svg/);
    rendered.push({ chart, svg });
  }
  assert.ok(rendered[0]!.svg.toLowerCase().includes(HARD_ARM_COLOUR.toLowerCase()), 'the hard arm point is blue');
  const meta = { sweepId: 'sweep-test', grid: GRID, config: { dataset: 'synthetic', hidden: [12], activation: 'relu', dropout: 0, epochs: 2 }, shard: null, cells: [], createdAt: '2026-01-01T00:00:00Z', command: ['sweep'] } as unknown as SweepMeta;
  const html = sweepReportHtml({ dir: '/sweeps/sweep-test', meta, aggregate }, rendered, new Date('2026-01-02T00:00:00Z'));
  for (const id of ['sweep-metrics', 'sweep-differences']) assert.ok(html.includes(`data-chart="${id}"`), id);
  assert.match(html, /Smoothed − hard, paired over seeds, 95% intervals/);
  assert.match(html, /McNemar&#39;s exact test per seed/);
  assert.match(html, /80\.00% ± 10\.00%/, 'the metrics table shows the hand-computed hard accuracy');
  assert.match(html, /MLP, hidden 12, relu/);
  assert.doesNotMatch(html, /<script/);
  // the verdict sums up the findings; without stored gates it says nothing of them
  const verdict = /<section id="verdict">([\s\S]*?)<\/section>/.exec(html)![1]!;
  for (const line of sweepFindings(aggregate)) assert.ok(verdict.includes(`<li>${line.replace(/'/g, '&#39;')}</li>`), line);
  assert.doesNotMatch(html, /Gates/);
  const gates = evaluateAssertions(parseAssertions(['smoothed.accuracy >= hard.accuracy', 'smoothed.ece <= 0.001']), aggregate);
  const gated = sweepReportHtml({ dir: '/sweeps/sweep-test', meta, aggregate, gates }, rendered, new Date('2026-01-02T00:00:00Z'));
  assert.match(gated, /<section id="verdict">[\s\S]*<strong>Gates: 1 of 2 FAILED: smoothed\.ece &lt;= 0\.001<\/strong>[\s\S]*<\/section>/);
  assert.match(gated, /<section id="gates">[\s\S]*<td>smoothed-0\.1\.ece = [\d.]+<\/td><td class="fails">FAILS<\/td>/);
});

test('with a grid, both charts are small multiples faceted by the axes, in grid order, and render without warnings', async () => {
  const grid: SweepGrid = {
    epsilons: [0, 0.1],
    seeds: [0, 1],
    smoothing: ['uniform'],
    axes: [
      { key: 'labelNoise', values: [0, 0.4] },
      { key: 'hidden', values: [[64], [256, 128]] },
    ],
  };
  const cells = new Map<string, CellResult>();
  for (const [i, point] of ['p1', 'p2', 'p3', 'p4'].entries()) {
    for (const seed of [0, 1]) cells.set(`${point}-s${seed}-uniform`, cellResult(seed, [0.9 - i / 10, 0.5, 0.05, 0.9], [0.9 - i / 10 + seed / 100, 0.45, 0.02, 0.85], undefined, { point }));
  }
  const a = aggregateSweep('sweep-grid', grid, cells);
  const differences = sweepDifferencesChart(a);
  const spec = differences.spec as unknown as { concat: { facet: { row: { field: string; sort: string[]; title: string }; column: { field: string; sort: string[]; title: string } } }[]; columns: number };
  assert.equal(spec.columns, 2);
  assert.equal(spec.concat.length, BASE_METRICS.length - 1, 'one grid of small multiples per metric the cells have (these have no Brier score)');
  const facet = spec.concat[0]!.facet;
  assert.deepEqual([facet.row.field, facet.row.title, facet.row.sort], ['facetRow', 'labelNoise', ['0', '0.4']]);
  assert.deepEqual([facet.column.field, facet.column.title, facet.column.sort], ['facetColumn', 'hidden', ['[64]', '[256,128]']]);
  const data = panelData(differences.spec, 'difference-accuracy');
  assert.deepEqual(data, sweepDifferencePoints(a, 'accuracy'));
  assert.deepEqual(data.map((p) => [p.point, p.facetRow, p.facetColumn]), [['p1', '0', '[64]'], ['p2', '0', '[256,128]'], ['p3', '0.4', '[64]'], ['p4', '0.4', '[256,128]']]);
  a.points.forEach((point, i) => close(data[i]!.mean as number, point.variants[0]!.arms[1]!.vsHard!.accuracy.mean));
  close(data[3]!.mean as number, 0.005);
  assert.equal(panelData(sweepMetricsChart(a).spec, 'metric-ece').length, 8, 'two arms at four points');
  const rendered = [];
  for (const chart of sweepCharts(a)) {
    const { svg, warnings } = await renderSvg(chart.spec);
    assert.deepEqual(warnings, [], `${chart.id}: no warnings`);
    assert.match(svg, /labelNoise/);
    rendered.push({ chart, svg });
  }
  // the swept keys are not in the base config
  const meta = { sweepId: 'sweep-grid', grid, config: { dataset: 'synthetic', activation: 'relu', dropout: 0, epochs: 2 }, shard: null, cells: [], createdAt: '2026-01-01T00:00:00Z', command: ['sweep'] } as unknown as SweepMeta;
  const html = sweepReportHtml({ dir: '/sweeps/sweep-grid', meta, aggregate: a }, rendered, new Date('2026-01-02T00:00:00Z'));
  assert.match(html, /labelNoise 0, 0\.4 × hidden \[64\], \[256,128\] × ε 0, 0\.1/);
  assert.match(html, /MLP, hidden by grid point, relu/);
  assert.ok(html.indexOf('By grid point') < html.indexOf('Metrics against ε'), 'the tables by grid point come first');
  assert.match(html, /accuracy by grid point and ε/);
  const oneCell = new Map([['p1-s0-uniform', cellResult(0, [0.9, 0.5, 0.05, 0.9], [0.91, 0.45, 0.02, 0.85], undefined, { point: 'p1' })]]);
  const one = sweepDifferencesChart(aggregateSweep('sweep-one', { ...grid, axes: [grid.axes![0]!] }, oneCell));
  const oneFacet = (one.spec as unknown as { concat: { facet: Record<string, unknown> }[] }).concat[0]!.facet;
  assert.deepEqual(Object.keys(oneFacet), ['column'], 'one axis: its values are the columns');
});
