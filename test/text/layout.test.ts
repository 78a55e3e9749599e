import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkColumns, displayWidth, fitWidths, framedWidth, minimumWidth, outputWidth, wrapParagraph, wrapText } from '../../src/text/layout';

test('displayWidth counts terminal columns: ε and box characters one, wide characters two, colours none', () => {
  assert.equal(displayWidth('hard (ε=0)'), 10);
  assert.equal(displayWidth('│ ─ █'), 5);
  assert.equal(displayWidth('猫'), 2);
  assert.equal(displayWidth('\x1b[31mred\x1b[0m'), 3);
  assert.equal(displayWidth('e\u0301'), 1, 'a combining accent takes no column');
});

test('wrapText breaks at spaces, after "/" and ",", keeps inner spacing, and splits a word only when it must', () => {
  assert.deepEqual(wrapText('test acc (hard / smoothed)', 10), ['test acc', '(hard /', 'smoothed)']);
  assert.deepEqual(wrapText('/usr/share/datasets/fashion-mnist', 12), ['/usr/share/', 'datasets/', 'fashion-mnis', 't']);
  assert.deepEqual(wrapText('/usr/share/datasets/x', 12), ['/usr/share/', 'datasets/x']);
  assert.deepEqual(wrapText('0.05,0.1,0.2 (uniform)', 9), ['0.05,0.1,', '0.2', '(uniform)']);
  assert.deepEqual(wrapText('data set   synthetic', 40), ['data set   synthetic'], 'aligned text keeps its spaces');
  assert.deepEqual(wrapText('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  assert.equal(minimumWidth('test acc (hard / smoothed)'), 'smoothed)'.length);
});

test('wrapParagraph indents continuation lines and leaves text alone without a width', () => {
  const text = 'Verdict (smoothed − hard): Δaccuracy +0.50 pts (better), ΔNLL −0.0123 (better)';
  assert.equal(wrapParagraph(text, undefined), text);
  const lines = wrapParagraph(text, 40, '  ').split('\n');
  assert.ok(lines.length > 1);
  for (const l of lines) assert.ok(displayWidth(l) <= 40, l);
  for (const l of lines.slice(1)) assert.match(l, /^ {2}\S/);
  assert.equal(lines.map((l) => l.trim()).join(' '), text);
});

test('fitWidths: unchanged when the table fits; else the widest columns narrow to a common cap, alike columns stay alike; null below the minimum', () => {
  assert.deepEqual(fitWidths([5, 10], [5, 4], 40), [5, 10]);
  // budget: 30 − framedWidth of 3 empty columns (10) = 20
  assert.deepEqual(fitWidths([4, 12, 12], [4, 5, 5], 30), [4, 8, 8]);
  const widths = fitWidths([5, 10, 9, 8, 8, 10, 9, 8, 8], [5, 5, 3, 4, 4, 5, 3, 4, 4], 100)!;
  assert.ok(framedWidth(widths) <= 100);
  assert.equal(widths[1], widths[5], 'each arm\'s "train loss" gets the same width');
  assert.equal(widths[2], widths[6]);
  assert.equal(fitWidths([20, 20], [15, 15], 30), null);
});

test('chunkColumns: the key columns start every part; groups stay whole and are spread evenly', () => {
  const minimum = [5, ...Array.from({ length: 16 }, () => 6)];
  const arms = [0, 1, 2, 3].map((a) => [1, 2, 3, 4].map((c) => a * 4 + c));
  const parts = chunkColumns([0], arms, minimum, 100);
  assert.deepEqual(parts, [[0, ...arms[0]!, ...arms[1]!], [0, ...arms[2]!, ...arms[3]!]], '2 + 2 arms, not 3 + 1');
  assert.equal(chunkColumns([0], arms, minimum, 80).length, 4);
  for (const part of chunkColumns([0], arms, minimum, 80)) assert.ok(framedWidth(part.map((c) => minimum[c]!)) <= 80);
});

test('outputWidth: a terminal its width (80 when unknown), $COLUMNS when set, no limit in a pipe', () => {
  assert.equal(outputWidth({ isTTY: true, columns: 120 }, {}), 120);
  assert.equal(outputWidth({ isTTY: true }, {}), 80);
  assert.equal(outputWidth({ isTTY: true }, { COLUMNS: '100' }), 100);
  assert.equal(outputWidth({ isTTY: false }, {}), undefined);
  assert.equal(outputWidth({}, { COLUMNS: '90' }), 90);
  assert.equal(outputWidth({}, { COLUMNS: 'wide' }), undefined);
});
