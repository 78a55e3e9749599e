import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from '../../src/errors';
import { classRows, parseProjectionClasses } from '../../src/html/loadProjection';
import { clusterSeparation, logitGapWords, projectionChart, squareDomains, type ArmProjection, type Projection } from '../../src/html/projectionChart';

const names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat'];

test('--classes: three different classes by name or index; anything else is one line naming what was expected', () => {
  assert.deepEqual(parseProjectionClasses('Coat,T-shirt/top,1', names), [4, 0, 1]);
  assert.deepEqual(parseProjectionClasses(' Pullover , Dress ,Coat', names), [2, 3, 4]);
  const refused = (text: string, pattern: RegExp) =>
    assert.throws(() => parseProjectionClasses(text, names), (e: unknown) => e instanceof CliError && e.exitCode === 2 && pattern.test(e.message) && !e.message.includes('\n'));
  refused('Coat,Dress', /^--classes "Coat,Dress": 2 given; expected three different classes of the run's data set, by name or index 0–4, separated by commas: T-shirt\/top, Trouser, Pullover, Dress, Coat$/);
  refused('Coat,Dress,Shirt', /"Shirt" is not a class/);
  refused('Coat,Dress,5', /"5" is not a class/);
  refused('Coat,4,Dress', /a class named twice/);
});

test('classRows: the three classes only, at most perClass each, evenly spaced through the split', () => {
  const count = 40;
  const y = Int32Array.from({ length: count }, (_, i) => i % 4);
  const x = Float32Array.from({ length: count * 2 }, (_, i) => Math.floor(i / 2));
  const rows = classRows({ x, y, count }, 2, [1, 3, 0], 4);
  assert.equal(rows.available, 30);
  assert.deepEqual(rows.indices.slice(0, 4), [1, 9, 21, 29], 'class 1: ten rows (1, 5, …, 37), every 2.5th of them');
  assert.deepEqual(rows.labels, [1, 1, 1, 1, 3, 3, 3, 3, 0, 0, 0, 0]);
  rows.indices.forEach((r, i) => assert.deepEqual([rows.x[2 * i], rows.x[2 * i + 1]], [r, r], 'the row itself'));
  assert.equal(classRows({ x, y, count }, 2, [1, 3, 0], 100).labels.length, 30, 'all of them when fewer');
});

const arm = (label: string, epsilon: number, spread: number): ArmProjection => {
  const centres: Record<string, [number, number]> = { Pullover: [0, 0], Coat: [4, 0], Dress: [2, 3] };
  const points = Object.entries(centres).flatMap(([name, [cx, cy]]) =>
    (['training', 'test'] as const).flatMap((split) => [-1, 1].flatMap((dx) => [-1, 1].map((dy) => ({ split, label: name, x: cx + dx * spread, y: cy + dy * spread })))),
  );
  return { arm: { label, epsilon, smoothing: 'uniform' }, points, drawn: { training: 12, test: 12 }, available: { training: 60, test: 12 }, logitGap: epsilon ? 4.19 : 14.61, bound: epsilon ? 4.51 : Infinity };
};
const projection: Projection = { classes: [2, 4, 3], classNames: ['Pullover', 'Coat', 'Dress'], chosen: 'most-confused', arms: [arm('hard', 0, 1), arm('smoothed', 0.1, 0.25)] };

test('cluster separation: centre distances over spread — tighter clusters at the same centres score higher', () => {
  const loose = clusterSeparation(projection.arms[0]!.points, projection.classNames);
  const tight = clusterSeparation(projection.arms[1]!.points, projection.classNames);
  assert.ok(Math.abs(tight / loose - 4) < 1e-9, `a quarter of the spread: four times the score (${loose}, ${tight})`);
});

test('the projection chart: one column per arm on a square scale, every point drawn, every axis titled, the logit gaps in words', () => {
  const chart = projectionChart(projection);
  assert.equal(chart.id, 'projection');
  assert.equal(chart.raster, true);
  const spec = chart.spec as unknown as { hconcat: { data: { values: unknown[] }; spec: { encoding: Record<string, { title: string; scale: { domain: [number, number] } }> } }[] };
  assert.equal(spec.hconcat.length, 2);
  for (const [i, column] of spec.hconcat.entries()) {
    assert.equal(column.data.values.length, projection.arms[i]!.points.length);
    const { x, y } = column.spec.encoding;
    assert.equal(x!.title, 'along Pullover → Coat template');
    assert.equal(y!.title, 'towards Dress (orthogonal)');
    const width = (d: [number, number]) => d[1] - d[0];
    assert.ok(Math.abs(width(x!.scale.domain) - width(y!.scale.domain)) < 1e-9, 'the same length across and up');
  }
  assert.match(chart.caption, /training: 12 of its 60 samples, evenly spaced; test: all 12/);
  assert.match(chart.caption, /hard 2\.\d, smoothed \d+\.\d/);
  assert.equal(logitGapWords(projection.arms[1]!), 'smoothed (ε=0.1): mean logit gap 4.19 against the bound 4.51 its smoothing sets');
  assert.match(logitGapWords(projection.arms[0]!), /hard \(ε=0\): mean logit gap 14\.61 against no bound/);
  const square = squareDomains([{ x: 0, y: 0 }, { x: 10, y: 2 }]);
  assert.ok(Math.abs(square.y[1] - square.y[0] - (square.x[1] - square.x[0])) < 1e-9 && square.y[0] < 0 && square.y[1] > 2);
});
