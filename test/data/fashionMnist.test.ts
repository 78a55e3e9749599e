import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { readIdxFile } from '../../src/data/idx';
import { fashionMnistDataset, DEBIAN_FASHION_MNIST_DIR } from '../../src/data/fashionMnist';
import { limitDataset } from '../../src/data/loadDataset';
import { classCounts } from '../../src/data/Dataset';
import { CliError } from '../../src/errors';
import { tempDir } from '../helpers/tempDir';

const dir = tempDir();

function idx(dims: number[], body: number[] | Uint8Array, type = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(body)]);
}

function write(name: string, bytes: Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

function refused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof CliError && e.exitCode === 2 && pattern.test(e.message) && !e.message.includes('\n'));
}

test('reads IDX files, plain and gzip-compressed', () => {
  const bytes = idx([2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
  for (const file of [write('a.idx', bytes), write('a.idx.gz', gzipSync(bytes))]) {
    const r = readIdxFile(file, 3);
    assert.deepEqual(r.dims, [2, 2, 3]);
    assert.equal(r.data[11], 255);
  }
});

test('wrong magic, wrong type, wrong rank and truncated headers are refused with the file named', () => {
  refused(() => readIdxFile(write('m.idx', Buffer.from([1, 0, 8, 1, 0, 0, 0, 1, 5]))), /m\.idx: not an IDX file \(magic number starts 0x01 0x00/);
  refused(() => readIdxFile(write('t.idx', idx([1], [0, 0, 0, 0], 0x0d))), /t\.idx: IDX data type 0x0d is not supported/);
  refused(() => readIdxFile(write('r.idx', idx([4], [1, 2, 3, 4])), 3), /r\.idx: IDX file has 1 dimension\(s\), expected 3/);
  refused(() => readIdxFile(write('h.idx', Buffer.from([0, 0, 8, 3, 0, 0]))), /h\.idx: truncated IDX header/);
  refused(() => readIdxFile(path.join(dir, 'none.idx')), /none\.idx: cannot read IDX file \(no such file\)/);
});

test('huge declared dimensions with a short body are refused without allocating the declared size', () => {
  const before = process.memoryUsage().rss;
  refused(() => readIdxFile(write('huge.idx', idx([60000, 28000, 28000], [1, 2, 3]))), /huge\.idx: IDX body has 3 bytes but the header declares 60000×28000×28000 = \d+ \(truncated file\?\)/);
  assert.ok(process.memoryUsage().rss - before < 100 * 1024 * 1024);
});

test('truncated and corrupt gzip data are refused', () => {
  const gz = gzipSync(idx([100], new Uint8Array(100).fill(7)));
  refused(() => readIdxFile(write('cut.gz', gz.subarray(0, gz.length - 12))), /cut\.gz: corrupt or truncated gzip data/);
  const bad = Buffer.from(gz);
  bad[20] = bad[20]! ^ 0xff;
  refused(() => readIdxFile(write('bad.gz', bad)), /bad\.gz: corrupt or truncated gzip data/);
});

test('fashion-mnist: image and label counts must match; a missing file is named', () => {
  const d = path.join(dir, 'fm');
  mkdirSync(d);
  writeFileSync(path.join(d, 'train-images-idx3-ubyte'), idx([3, 2, 2], new Uint8Array(12)));
  writeFileSync(path.join(d, 'train-labels-idx1-ubyte'), idx([2], [0, 1]));
  writeFileSync(path.join(d, 't10k-images-idx3-ubyte'), idx([1, 2, 2], new Uint8Array(4)));
  refused(() => fashionMnistDataset(d), /lacks t10k-labels-idx1-ubyte\.gz/);
  writeFileSync(path.join(d, 't10k-labels-idx1-ubyte'), idx([1], [0]));
  refused(() => fashionMnistDataset(d), /train-labels-idx1-ubyte: 2 labels but .*train-images-idx3-ubyte has 3 images/);
  writeFileSync(path.join(d, 'train-labels-idx1-ubyte'), idx([3], [0, 1, 12]));
  refused(() => fashionMnistDataset(d), /label 12 at index 2, expected 0 to 9/);
});

test('the real Fashion-MNIST files load into typed arrays scaled to [0, 1]; --limit takes a stratified subset', { skip: !existsSync(DEBIAN_FASHION_MNIST_DIR) && 'Debian dataset-fashion-mnist not installed (.ci/run installs it)' }, () => {
  const ds = fashionMnistDataset();
  assert.equal(ds.train.count, 60000);
  assert.equal(ds.test.count, 10000);
  assert.equal(ds.numFeatures, 784);
  assert.deepEqual(ds.sampleShape, [28, 28, 1]);
  assert.ok(ds.train.x instanceof Float32Array);
  let max = 0;
  for (let i = 0; i < ds.train.x.length; i += 97) max = Math.max(max, ds.train.x[i]!);
  assert.ok(max <= 1 && max > 0.9);
  assert.deepEqual(classCounts(ds.train.y, 10), new Array(10).fill(6000));
  const small = limitDataset(ds, 1000, 0);
  assert.equal(small.train.count, 1000);
  assert.deepEqual(small.sampleShape, [28, 28, 1], 'a subset keeps the shape');
  assert.deepEqual(classCounts(small.train.y, 10), new Array(10).fill(100));
  assert.equal(small.test.count, 167);
});
