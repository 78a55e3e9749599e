import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadRunForReport, type RunReportInput } from '../../src/html/loadRunForReport';
import { renderSvg, svgToPng } from '../../src/html/renderChart';
import { OKABE_ITO_ARM_COLOURS } from '../../src/html/palette';
import { armHeading } from '../../src/text/format';
import {
  confidenceHistogramChart,
  confusionMatrixChart,
  reliabilityChart,
  runCharts,
  trainingCurvesChart,
  type ConfusionCell,
  type HistogramPoint,
  type ReliabilityPoint,
} from '../../src/html/runCharts';
import type { HistogramsFile, RunSummary } from '../../src/store/runFiles';
import { trainSmallRun } from '../helpers/smallRun';
import { tempDir } from '../helpers/tempDir';

/** The inline data of a (single-view or layered) Vega-Lite spec. */
function inlineValues<T>(spec: unknown): T[] {
  return (spec as { data: { values: T[] } }).data.values;
}

/** The texts of the data (not axis) text marks in a vega SVG, in drawing order. */
function markTexts(svg: string): string[] {
  const groups = [...svg.matchAll(/<g class="mark-text role-mark[^"]*"[^>]*>(.*?)<\/g>/gs)].map((m) => m[1]!);
  return groups.flatMap((g) => [...g.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!));
}

let run: RunReportInput;
let storedSummary: RunSummary;
let storedHistograms: HistogramsFile;

const runsRoot = tempDir('ls-bench-report-test-');

before(async () => {
  const { dir } = await trainSmallRun(runsRoot);
  run = loadRunForReport(dir);
  // read the files again, independently of the loader, so the comparison is with what is on disk
  storedSummary = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8'));
  storedHistograms = JSON.parse(readFileSync(path.join(dir, 'histograms.json'), 'utf8'));
});

test('the reliability diagram of every arm holds exactly the 15 stored bins, and its SVG shows their counts', async () => {
  for (const stored of storedHistograms.arms) {
    const chart = reliabilityChart(run, stored.label);
    const bins = inlineValues<ReliabilityPoint>(chart.spec);
    assert.equal(bins.length, 15);
    assert.deepEqual(
      bins.map(({ middle: _m, ...b }) => b),
      stored.reliability,
      `${stored.label}: chart bins = histograms.json bins`,
    );
    bins.forEach((b) => assert.equal(b.middle, (b.lower + b.upper) / 2));
    const { svg, warnings } = await renderSvg(chart.spec);
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      markTexts(svg),
      stored.reliability.filter((b) => b.count > 0).map((b) => String(b.count)),
      `${stored.label}: the numbers drawn over the bars are the stored counts of the occupied bins`,
    );
    assert.equal(
      stored.reliability.reduce((a, b) => a + b.count, 0),
      storedSummary.dataset.testSamples,
    );
  }
});

test('the reliability diagram after temperature scaling holds the stored scaled bins and names T and the direction of the gap', () => {
  for (const stored of storedHistograms.arms) {
    const arm = storedSummary.arms.find((a) => a.label === stored.label)!;
    const chart = reliabilityChart(run, stored.label, true);
    assert.deepEqual(
      inlineValues<ReliabilityPoint>(chart.spec).map(({ middle: _m, ...b }) => b),
      stored.temperatureScaledReliability,
    );
    assert.equal(chart.id, `reliability-${stored.label}-scaled`);
    assert.ok(chart.title.includes(`T = ${arm.temperatureScaled!.temperature.toFixed(3)}`), chart.title);
    const gap = arm.temperatureScaled!.test.calibrationGap;
    assert.match(chart.caption, new RegExp(`${gap > 0 ? 'over' : 'under'}-confident by ${Math.abs(gap * 100).toFixed(1)} points`));
    const before = reliabilityChart(run, stored.label);
    const gapBefore = arm.test.calibrationGap!;
    assert.ok(JSON.stringify(before.spec).includes(`${gapBefore > 0 ? 'over' : 'under'}-confident by ${Math.abs(gapBefore * 100).toFixed(1)} points`));
  }
});

test('the confidence histogram chart holds every arm’s stored 10-bin histogram, with the stored bin edges', () => {
  const values = inlineValues<HistogramPoint>(confidenceHistogramChart(run).spec);
  assert.equal(values.length, 10 * storedHistograms.arms.length);
  storedHistograms.arms.forEach((stored, i) => {
    const arm = storedSummary.arms.find((a) => a.label === stored.label)!;
    const mine = values.filter((v) => v.arm === armHeading(arm));
    assert.deepEqual(mine.map((v) => v.count), stored.confidenceHistogram, `arm ${i}`);
    assert.deepEqual(mine.map((v) => v.lower), storedHistograms.confidenceBins.slice(0, 10));
    assert.deepEqual(mine.map((v) => v.upper), storedHistograms.confidenceBins.slice(1));
  });
});

test('the curves are the stored per-epoch history of every arm: training loss with its entropy floor, training and test NLL, test accuracy', () => {
  type Layer = { data: { name: string; values: unknown[] } };
  const spec = trainingCurvesChart(storedSummary).spec as unknown as { hconcat: (Layer & { layer?: Layer[] })[] };
  const [loss, nll, acc] = spec.hconcat;
  const points = (key: 'trainLoss' | 'trainNll' | 'testNll' | 'testAccuracy') =>
    storedSummary.arms.flatMap((a) => a.history.map((h) => ({ epoch: h.epoch, arm: armHeading(a), value: h[key] })));
  assert.deepEqual(loss!.layer!.map((l) => l.data.name), ['trainLoss', 'lossFloor']);
  assert.deepEqual(loss!.layer![0]!.data.values, points('trainLoss'));
  assert.equal(loss!.layer![0]!.data.values.length, 3 * storedSummary.arms.length);
  // H(q) of the uniform targets, K = 3: ε = 0.1 → q = (0.9333, 0.0333, 0.0333)
  const entropy = (eps: number) => {
    const on = 1 - eps + eps / 3;
    const off = eps / 3;
    return -on * Math.log(on) - 2 * off * Math.log(off);
  };
  const floors = loss!.layer![1]!.data.values as { arm: string; floor: number }[];
  assert.deepEqual(floors.map((f) => f.arm), storedSummary.arms.slice(1).map(armHeading));
  floors.forEach((f, i) => assert.ok(Math.abs(f.floor - entropy(storedSummary.arms[i + 1]!.epsilon)) < 1e-12));
  assert.equal(nll!.data.name, 'nll');
  assert.deepEqual(nll!.data.values, [...points('trainNll').map((p) => ({ ...p, split: 'training' })), ...points('testNll').map((p) => ({ ...p, split: 'test' }))]);
  assert.equal(acc!.data.name, 'testAccuracy');
  assert.deepEqual(acc!.data.values, points('testAccuracy'));
});

test('the confusion heat map holds the stored matrix, with class names, and its SVG shows the counts', async () => {
  for (const arm of storedSummary.arms) {
    const chart = confusionMatrixChart(storedSummary, arm.label);
    const cells = inlineValues<ConfusionCell>(chart.spec);
    const names = storedSummary.dataset.classNames;
    assert.equal(cells.length, names.length ** 2);
    const matrix = arm.test.confusionMatrix!;
    assert.ok(matrix, 'a run with few classes keeps its matrix');
    matrix.forEach((row, t) =>
      row.forEach((count, p) => {
        const cell = cells.find((c) => c.trueClass === names[t] && c.predictedClass === names[p])!;
        assert.equal(cell.count, count);
      }),
    );
    const { svg } = await renderSvg(chart.spec);
    assert.deepEqual(markTexts(svg), matrix.flat().map(String));
    for (const name of names) assert.ok(svg.includes(`>${name}<`), `class name ${name} on an axis`);
  }
});

test('confusion shares are row-normalised (hand-computed), and an empty row is 0 not NaN', () => {
  const summary = {
    dataset: { classNames: ['cat', 'dog'] },
    arms: [{ label: 'hard', epsilon: 0, test: { confusionMatrix: [[3, 1], [0, 0]] } }],
  } as unknown as RunSummary;
  const cells = inlineValues<ConfusionCell>(confusionMatrixChart(summary, 'hard').spec);
  assert.deepEqual(cells, [
    { trueClass: 'cat', predictedClass: 'cat', count: 3, shareOfTrue: 0.75 },
    { trueClass: 'cat', predictedClass: 'dog', count: 1, shareOfTrue: 0.25 },
    { trueClass: 'dog', predictedClass: 'cat', count: 0, shareOfTrue: 0 },
    { trueClass: 'dog', predictedClass: 'dog', count: 0, shareOfTrue: 0 },
  ]);
});

test('each arm has one Okabe–Ito colour, the same in every chart; axes name their units', () => {
  const charts = runCharts(run);
  assert.deepEqual(
    charts.map((c) => c.id),
    [
      'curves',
      'reliability-hard',
      'reliability-smoothed-0.1',
      'reliability-smoothed-0.3',
      // after temperature scaling on the validation set (the run has one, --val-fraction's default)
      'reliability-hard-scaled',
      'reliability-smoothed-0.1-scaled',
      'reliability-smoothed-0.3-scaled',
      'confidence',
      'confusion-hard',
      'confusion-smoothed-0.1',
      'confusion-smoothed-0.3',
    ],
  );
  const json = (x: unknown) => JSON.stringify(x);
  const expectedScale = { domain: storedSummary.arms.map(armHeading), range: OKABE_ITO_ARM_COLOURS.slice(0, 3) };
  const curves = json(charts[0]!.spec);
  const confidence = json(charts.find((c) => c.id === 'confidence')!.spec);
  for (const text of [curves, confidence]) assert.ok(text.includes(json(expectedScale)), 'the arm colour scale');
  storedSummary.arms.forEach((arm, i) => {
    assert.ok(json(reliabilityChart(run, arm.label).spec).includes(`"color":"${OKABE_ITO_ARM_COLOURS[i]}"`), `reliability bars of ${arm.label} in its colour`);
  });
  assert.match(curves, /nats\/sample/);
  assert.match(curves, /accuracy \(%\)/);
  assert.match(confidence, /test samples \(count\)/);
});

test('a chart renders to an SVG and to a PNG of twice its size', async () => {
  const { svg } = await renderSvg(confidenceHistogramChart(run).spec);
  const width = Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]);
  const png = svgToPng(svg);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.readUInt32BE(16), width * 2, 'PNG width (IHDR)');
});

test('a chart that asks for data by URL is refused: rendering never touches the network or the disk', async () => {
  await assert.rejects(
    renderSvg({ data: { url: 'https://example.invalid/data.json' }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } }),
    /refusing to load/,
  );
});
