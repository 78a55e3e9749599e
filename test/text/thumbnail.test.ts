import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayWidth } from '../../src/text/layout';
import { renderThumbnail, RESET, thumbnailPixels, writeWithColours, type Image } from '../../src/text/thumbnail';

/** A w×h one-channel image from a function of (y, x). */
function image(height: number, width: number, value: (y: number, x: number) => number, channels = 1): Image {
  const values = new Float32Array(height * width * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) values[(y * width + x) * channels + c] = value(y, x);
  return { height, width, channels, values };
}

test('a 28×28 image is drawn one character per pixel, 14 lines; a larger one shrunk by box filter; a tiny one doubled', () => {
  assert.equal(thumbnailPixels(image(28, 28, () => 0)).length, 28);
  const shrunk = thumbnailPixels(image(56, 56, (y, x) => ((y + x) % 2 === 0 ? 1 : 0)));
  assert.deepEqual([shrunk.length, shrunk[0]!.length], [28, 28]);
  assert.ok(shrunk.flat().every((v) => v === 0.5), 'each 2×2 box of a checkerboard averages to grey');
  const doubled = thumbnailPixels(image(8, 8, (y, x) => (y === 0 && x === 0 ? 1 : 0)));
  assert.deepEqual([doubled.length, doubled[0]!.length], [16, 16]);
  assert.deepEqual([doubled[0]![0], doubled[1]![1], doubled[2]![2]], [1, 1, 0], 'the first pixel becomes a 2×2 block');
  const colour = thumbnailPixels(image(2, 2, () => 0.6, 3));
  assert.ok(Math.abs(colour[0]![0]! - 0.6) < 1e-6, 'a colour pixel is drawn as the mean of its channels');
});

test('text thumbnails: one shade character per pixel pair, brighter pixels drawn with more ink', () => {
  const lines = renderThumbnail(image(4, 12, (y, x) => (y < 2 ? Math.floor(x / 3) / 4 : 1)), 'text');
  assert.deepEqual(lines, ['   ░░░▒▒▒▓▓▓', '████████████']);
  assert.equal(renderThumbnail(image(3, 12, () => 1), 'text').length, 2, 'an odd last row is a line of its own');
  assert.deepEqual(renderThumbnail(image(2, 2, () => 1), 'text'), ['████', '████'], 'a tiny image at twice its size');
});

test('colour thumbnails: half blocks, the upper pixel in front and the lower behind, each line as wide as the image and reset at its end', () => {
  const lines = renderThumbnail(image(2, 12, (y) => (y === 0 ? 1 : 0)), 'color');
  assert.equal(lines.length, 1);
  assert.equal(displayWidth(lines[0]!), 12);
  assert.ok(lines[0]!.endsWith(RESET));
  assert.equal(lines[0]!.split('\x1b[38;5;231;48;5;16m▀').length - 1, 12, 'white over black, twelve times');
});

test('colour sequences go through writeControl where the stream has one, the text through write', () => {
  const written: string[] = [];
  const controls: string[] = [];
  writeWithColours({ write: (t: string) => written.push(t), writeControl: (c: string) => controls.push(c) }, `a\x1b[38;5;16mb${RESET}\nc`);
  assert.deepEqual(written, ['a', 'b', '\nc']);
  assert.deepEqual(controls, ['\x1b[38;5;16m', RESET]);
  let plain = '';
  writeWithColours({ write: (t: string) => (plain += t) }, `a\x1b[1mb`);
  assert.equal(plain, 'a\x1b[1mb', 'a stream without writeControl gets it all in order');
});
