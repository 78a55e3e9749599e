import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { CliError } from '../../src/errors';
import { classCounts } from '../../src/data/Dataset';
import { readIdxDims, readIdxFile } from '../../src/data/idx';
import { idxDataset, parseIdxSpec } from '../../src/data/idxDataset';
import { tempDir } from '../helpers/tempDir';
import { idxBytes } from '../helpers/idxFiles';

function throwsCli(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof CliError && e.exitCode === 2 && pattern.test(e.message) && !e.message.includes('\n'));
}

const dir = tempDir();
const file = (name: string, bytes: Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

// 12 samples of 2×2 pixels, labels 0, 1, 2 four times each
const images = Array.from({ length: 12 * 4 }, (_, i) => (i * 37) % 256);
const labels = Array.from({ length: 12 }, (_, i) => i % 3);
const trainImages = file('train-images.gz', gzipSync(idxBytes([12, 2, 2], images)));
const trainLabels = file('train-labels', idxBytes([12], labels));

test('an IDX pair, gzip or not, with a stratified seeded split when no test pair is given', () => {
  const d = idxDataset(`idx:${trainImages},${trainLabels}`, { testFraction: 0.25, seed: 3 });
  assert.equal(d.numFeatures, 4);
  assert.deepEqual(d.sampleShape, [2, 2, 1], '2-D samples are one-channel images');
  assert.equal(d.numClasses, 3);
  assert.deepEqual(d.classNames, ['0', '1', '2']);
  assert.deepEqual(classCounts(d.test.y, 3), [1, 1, 1]);
  assert.deepEqual(classCounts(d.train.y, 3), [3, 3, 3]);
  for (const v of d.train.x) assert.ok(v >= 0 && v <= 1, 'pixels scaled to [0, 1]');
  assert.deepEqual(idxDataset(`idx:${trainImages},${trainLabels}`, { testFraction: 0.25, seed: 3 }).test, d.test, 'seeded');
});

test('IDX samples of 3 dimensions are [h, w, c] images, of 1 dimension flat', () => {
  const rgb = file('rgb-images', idxBytes([3, 2, 2, 3], Array.from({ length: 36 }, (_, i) => i)));
  const flat = file('flat-images', idxBytes([3, 5], Array.from({ length: 15 }, (_, i) => i)));
  const three = file('three-labels', idxBytes([3], [0, 1, 2]));
  assert.deepEqual(idxDataset(`idx:${rgb},${three},${rgb},${three}`, { testFraction: 0.25, seed: 0 }).sampleShape, [2, 2, 3]);
  assert.equal(idxDataset(`idx:${flat},${three},${flat},${three}`, { testFraction: 0.25, seed: 0 }).sampleShape, undefined);
});

test('an IDX test pair is used as the test set', () => {
  const testImages = file('t-images', idxBytes([3, 2, 2], [0, 255, 0, 255, 1, 2, 3, 4, 5, 6, 7, 8]));
  const testLabels = file('t-labels.gz', gzipSync(idxBytes([3], [2, 1, 0])));
  const d = idxDataset(`idx:${trainImages},${trainLabels},${testImages},${testLabels}`, { testFraction: 0.25, seed: 0 });
  assert.equal(d.train.count, 12);
  assert.deepEqual(Array.from(d.test.y), [2, 1, 0]);
  assert.deepEqual(Array.from(d.test.x.subarray(0, 4)), [0, 1, 0, 1]);
});

test('bad IDX input: counts, truncation, huge declared sizes, corrupt gzip, wrong spec', () => {
  const fewLabels = file('few-labels', idxBytes([11], labels.slice(0, 11)));
  throwsCli(() => idxDataset(`idx:${trainImages},${fewLabels}`, { testFraction: 0.25, seed: 0 }), /11 labels but .*train-images\.gz has 12 samples/);
  // 4 billion × 4 billion declared, 10 bytes present: refused from the header, nothing of that size allocated
  const huge = file('huge', idxBytes([0xffffffff, 0xffffffff], new Array(10).fill(1)));
  throwsCli(() => readIdxFile(huge), /IDX body has 10 bytes but the header declares 4294967295×4294967295 .* \(truncated file\?\)/);
  const whole = gzipSync(idxBytes([12, 2, 2], images));
  const truncatedGz = file('truncated.gz', whole.subarray(0, whole.length - 12));
  throwsCli(() => readIdxFile(truncatedGz), /truncated\.gz: corrupt or truncated gzip data/);
  const notIdx = file('not-idx', Buffer.from('hello world, not an IDX file'));
  throwsCli(() => readIdxFile(notIdx), /not an IDX file \(magic number starts 0x68 0x65/);
  throwsCli(() => readIdxFile(path.join(dir, 'nope.gz')), /nope\.gz: cannot read IDX file \(no such file\)/);
  throwsCli(() => parseIdxSpec('idx:a.gz'), /expected idx:IMAGES,LABELS or idx:IMAGES,LABELS,TEST-IMAGES,TEST-LABELS/);
  throwsCli(() => parseIdxSpec('idx:a,b,c'), /expected idx:IMAGES,LABELS/);
  const otherShape = file('other-shape', idxBytes([1, 4], [1, 2, 3, 4]));
  const oneLabel = file('one-label', idxBytes([1], [0]));
  throwsCli(() => idxDataset(`idx:${trainImages},${trainLabels},${otherShape},${oneLabel}`, { testFraction: 0.25, seed: 0 }), /samples are 4, but 2×2 in/);
});

test('readIdxDims reads the dimensions from the first bytes of a gzip file', () => {
  assert.deepEqual(readIdxDims(trainImages), [12, 2, 2]);
  assert.deepEqual(readIdxDims(trainLabels), [12]);
});

test('gzip bombs: a .gz is never inflated past what its header declares, and a declared size above the memory limit is refused unread', () => {
  // A 4-byte body declared, 64 MiB of zeros behind it: refused once the inflated bytes pass the declared size.
  const longer = Buffer.concat([idxBytes([2, 2], [1, 2, 3, 4]), Buffer.alloc(64 << 20)]);
  const bomb = file('bomb.gz', gzipSync(longer));
  assert.ok(readFileSync(bomb).length < 200_000, 'a small file');
  const started = Date.now();
  const before = process.memoryUsage().rss;
  throwsCli(() => readIdxFile(bomb), /bomb\.gz: the gzip data inflates to more than the 16 bytes its IDX header declares \(2×2\)/);
  assert.ok(process.memoryUsage().rss - before < 32 << 20, 'the bomb was not inflated');
  assert.ok(Date.now() - started < 2000);
  // 256 MiB declared (and really there): the limit leaves less for it, so it is refused before inflating.
  const big = file('big.gz', gzipSync(idxBytes([1024, 512, 512], [])).subarray(0, 60));
  throwsCli(() => readIdxFile(big, 3, 100 << 20), /big\.gz: the header declares 1024×512×512 = 256 MiB of data, more than the 100 MiB the memory limit leaves for it \(--max-memory\)/);
  throwsCli(() => idxDataset(`idx:${big},${trainLabels}`, { testFraction: 0.25, seed: 0, memoryLimit: 1 << 30 }), /big\.gz: the header declares .* more than the 102\.4 MiB the memory limit leaves/);
  // An uncompressed file whose length disagrees with its header is refused from its size, before it is read.
  const short = file('short.idx', idxBytes([100, 100], new Array(50).fill(0)));
  throwsCli(() => readIdxFile(short), /short\.idx: IDX body has 50 bytes but the header declares 100×100 = 10000 \(truncated file\?\)/);
});
