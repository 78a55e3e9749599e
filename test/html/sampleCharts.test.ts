import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import type { SampleImages } from '../../src/data/sampleImages';
import { gallerySvg, wrapLines } from '../../src/html/gallery';
import { textWidth } from '../../src/html/textMetrics';
import { encodePng } from '../../src/html/pngImage';
import { confidenceScatterChart, galleryChart, galleryRows, sampleCharts, scatterPoints, type SampleLayer } from '../../src/html/sampleCharts';
import type { StoredProbabilities } from '../../src/store/probabilitiesFile';
import type { RunSummary } from '../../src/store/runFiles';

// four test samples of three classes; true classes 0, 1, 2, 0
const probs = {
  hard: [
    [0.9, 0.05, 0.05], // right, sure
    [0.6, 0.3, 0.1], // wrong
    [0.1, 0.1, 0.8], // right
    [0.2, 0.7, 0.1], // wrong, sure
  ],
  smoothed: [
    [0.5, 0.25, 0.25], // right, true class 0.9 → 0.5
    [0.3, 0.6, 0.1], // right now
    [0.2, 0.2, 0.6], // right, 0.8 → 0.6
    [0.3, 0.6, 0.1], // still wrong
  ],
};
const stored: StoredProbabilities = {
  samples: 4,
  classes: 3,
  classNames: ['cat', 'dog', 'bird <&>'],
  labels: Int32Array.from([0, 1, 2, 0]),
  arms: (['hard', 'smoothed'] as const).map((label, a) => ({ label, epsilon: a * 0.1, smoothing: 'uniform' as const, logProbs: Float32Array.from(probs[label].flat().map(Math.log)) })),
};
const summary = { arms: [{ label: 'hard', epsilon: 0 }, { label: 'smoothed', epsilon: 0.1 }] } as unknown as RunSummary;
/** 2×3 one-channel images whose first pixel is the sample index / 10. */
const images: SampleImages = {
  height: 2,
  width: 3,
  channels: 1,
  image: (i) => ({ height: 2, width: 3, channels: 1, values: Float32Array.from([i / 10, 0, 0.5, 1, 0, 0]) }),
};
const layer: SampleLayer = { stored, images, notes: [] };

test('the scatter has one point per test sample: both confidences and who got it right, as stored', () => {
  const points = scatterPoints(summary, stored);
  assert.equal(points.length, 4);
  const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;
  assert.ok(close(points[0]!.hard, 0.9) && close(points[0]!.smoothed, 0.5));
  assert.ok(close(points[1]!.hard, 0.6) && close(points[1]!.smoothed, 0.6));
  assert.deepEqual(points.map((p) => p.category), ['right in both', 'right only in smoothed', 'right in both', 'wrong in both']);
  const chart = confidenceScatterChart(summary, stored);
  assert.equal(chart.raster, true, 'drawn as a PNG');
  assert.match(chart.caption, /Below the diagonal, smoothing made the arm less sure: 3 of 4 samples/);
  assert.match(chart.caption, /right in both 2, right only in hard 0, right only in smoothed 1, wrong in both 1/);
});

test("the gallery's rows are instances' views, and each card's bars are the stored probabilities", () => {
  const rows = galleryRows(summary, layer);
  assert.deepEqual(rows.map((r) => r.title), [
    'Smoothing lowered the true class most',
    'Smoothing raised the true class most',
    'Right in exactly one arm',
    'Most confident mistakes, hard (ε=0)',
    'Most confident mistakes, smoothed (ε=0.1)',
  ]);
  assert.deepEqual(rows[0]!.cards.map((c) => c.index), [0, 2], 'drop: 0.9 → 0.5, then 0.8 → 0.6');
  assert.deepEqual(rows[3]!.cards.map((c) => c.index), [3, 1], "hard's mistakes, most confident first");
  const card = rows[0]!.cards[0]!;
  card.probabilities.forEach((arm, a) => arm.forEach((p, c) => assert.ok(Math.abs(p - probs[a === 0 ? 'hard' : 'smoothed'][0]![c]!) < 1e-6)));
  assert.ok(Math.abs(card.image.values[0]! - 0) < 1e-9 && Math.abs(rows[0]!.cards[1]!.image.values[0]! - 0.2) < 1e-6, 'the image of its own test sample');
  const svg = gallerySvg(rows, stored.classNames, [{ heading: 'hard', colour: '#0072B2' }, { heading: 'smoothed', colour: '#D55E00' }]);
  assert.equal((svg.match(/class="gallery-card"/g) ?? []).length, rows.reduce((n, r) => n + r.cards.length, 0));
  assert.ok(svg.includes('bird &lt;&amp;&gt;') && !svg.includes('bird <&>'), 'class names are escaped');
  // one bar per class and arm on every card, its width the probability's share of the bar's length
  const bars = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="[\d.]+" fill="#0072B2"\/>/g)].map((m) => Number(m[1]));
  assert.ok(bars.length >= 3 * rows[0]!.cards.length);
});

test('sampleCharts: gallery and scatter with images, the scatter alone without, nothing for one arm', () => {
  assert.deepEqual(sampleCharts(summary, layer).map((c) => c.id), ['gallery', 'confidence-scatter']);
  assert.deepEqual(sampleCharts(summary, { ...layer, images: null }).map((c) => c.id), ['confidence-scatter']);
  assert.equal(galleryChart(summary, { ...layer, images: null }), null);
  assert.deepEqual(sampleCharts({ arms: [summary.arms[0]] } as unknown as RunSummary, layer), []);
});

test('encodePng: a valid PNG whose pixels are the image enlarged, each pixel a block', () => {
  const png = encodePng(images.image(5), 2);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.readUInt32BE(16), 6, 'width 3 × 2');
  assert.equal(png.readUInt32BE(20), 4, 'height 2 × 2');
  const idatLength = png.readUInt32BE(33);
  assert.equal(png.subarray(37, 41).toString('latin1'), 'IDAT');
  const raw = inflateSync(png.subarray(41, 41 + idatLength));
  assert.equal(raw.length, 4 * (1 + 6));
  const row = (y: number) => [...raw.subarray(y * 7 + 1, y * 7 + 7)];
  assert.deepEqual(row(0), [128, 128, 0, 0, 128, 128]);
  assert.deepEqual(row(1), row(0));
  assert.deepEqual(row(2), [255, 255, 0, 0, 0, 0]);
});

test("the gallery's captions wrap to its width instead of running off it", () => {
  const long = 'discordant: 382 of the 10000 test samples are right in exactly one of hard (ε=0) and smoothed (ε=0.1) — 188 only in hard, 194 only in smoothed (McNemar\'s counts); the 6 with the largest change of the true-class probability';
  const lines = wrapLines(long, 600, 11);
  assert.ok(lines.length >= 2);
  assert.equal(lines.join(' '), long);
  for (const line of lines) assert.ok(textWidth(line, 11) <= 600, line);
});
