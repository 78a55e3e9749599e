import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { CliError } from '../../src/errors';
import { resolveTrainConfig } from '../../src/config/loadConfig';
import { classCounts, datasetDigest } from '../../src/data/Dataset';
import { csvDataset, orderClassLabels, type CsvOptions } from '../../src/data/csv';
import { loadDataset } from '../../src/data/loadDataset';
import { FIXTURES } from '../helpers/tempDir';
import { tempDir } from '../helpers/tempDir';

const CSV = path.join(FIXTURES, 'csv');
const fixture = (name: string) => path.join(CSV, name);
const defaults: CsvOptions = { delimiter: ',', header: true, ignoreColumns: [] };

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof CliError, `expected a CliError, got ${String(e)}`);
    assert.equal(e.exitCode, 2);
    assert.doesNotMatch(e.message, /\n/, 'one line');
    assert.match(e.message, pattern);
    return true;
  });
}

test('string labels map to indices in label order, and the test file uses the training mapping', async () => {
  const d = await csvDataset({ ...defaults, file: fixture('train-small.csv'), testFile: fixture('test-small.csv'), testFraction: 0.2, seed: 0 });
  assert.deepEqual(d.classNames, ['blue', 'red']);
  assert.deepEqual(Array.from(d.train.y), [1, 0, 1]);
  assert.deepEqual(Array.from(d.test.y), [0, 1]);
  assert.equal(d.numFeatures, 2);
  assert.equal(d.numClasses, 2);
});

test('integer labels are ordered numerically, other labels by string', () => {
  assert.deepEqual(orderClassLabels(['10', '2', '1']), ['1', '2', '10']);
  assert.deepEqual(orderClassLabels(['b', '10', 'a']), ['10', 'a', 'b']);
});

test('standardisation uses the training split statistics only', async () => {
  // train x = 1, 2, 3 → mean 2, population std √(2/3); y = 10, 20, 30 → mean 20, std 10·√(2/3)
  const d = await csvDataset({ ...defaults, file: fixture('train-small.csv'), testFile: fixture('test-small.csv'), testFraction: 0.2, seed: 0 });
  const s = Math.sqrt(2 / 3);
  const expectedTrain = [-1 / s, -1 / s, 0, 0, 1 / s, 1 / s];
  // test rows (5, 40) and (2, 20): (5 − 2)/s = 3.674, (40 − 20)/(10 s) = 2.449; the test values never move the mean
  const expectedTest = [3 / s, 2 / s, 0, 0];
  Array.from(d.train.x).forEach((v, i) => assert.ok(Math.abs(v - expectedTrain[i]!) < 1e-5, `train[${i}] = ${v}`));
  Array.from(d.test.x).forEach((v, i) => assert.ok(Math.abs(v - expectedTest[i]!) < 1e-5, `test[${i}] = ${v}`));
});

test('BOM, CRLF, a quoted field with a newline, empty lines and padded numbers are read as data', async () => {
  const d = await csvDataset({ ...defaults, ignoreColumns: ['id', 'note'], file: fixture('bom-crlf-quoted.csv'), testFile: fixture('bom-crlf-quoted.csv'), testFraction: 0.2, seed: 0 });
  assert.equal(d.train.count, 4);
  assert.deepEqual(d.classNames, ['bird', 'cat', 'dog']);
  assert.deepEqual(Array.from(d.train.y), [1, 2, 1, 0]);
  assert.equal(d.numFeatures, 2, 'width and height; id and note ignored');
  assert.match(d.description, /label column "kind"/, 'the BOM is not part of the first column name');
});

test('no header, another delimiter, the label column by index', async () => {
  const d = await csvDataset({ delimiter: ';', header: false, ignoreColumns: [], labelColumn: '1', file: fixture('no-header-semicolon.csv'), testFile: fixture('no-header-semicolon.csv'), testFraction: 0.2, seed: 0 });
  assert.deepEqual(d.classNames, ['1', '2', '3', '4']);
  assert.equal(d.numFeatures, 2);
  assert.equal(d.train.count, 4);
});

test('the split without a test file is stratified and seeded', async () => {
  const load = (seed: number) => csvDataset({ ...defaults, file: fixture('stratify.csv'), testFraction: 1 / 3, seed });
  const a = await load(1);
  assert.deepEqual(a.classNames, ['a', 'b']);
  assert.deepEqual(classCounts(a.test.y, 2), [6, 4], '18 a and 12 b, a third of each held out');
  assert.deepEqual(classCounts(a.train.y, 2), [12, 8]);
  assert.equal(datasetDigest(await load(1)), datasetDigest(a), 'same seed, same split');
  assert.notEqual(datasetDigest(await load(2)), datasetDigest(a), 'another seed, another split');
});

test('bad CSV input: one line naming the file, the line and the column', async () => {
  const load = (file: string, extra: Partial<CsvOptions> & { testFile?: string } = {}) =>
    csvDataset({ ...defaults, ...extra, file, testFraction: 0.2, seed: 0 });
  await rejectsWith(load(fixture('missing.csv')), /missing\.csv: cannot read CSV file \(no such file\)/);
  await rejectsWith(load(CSV), /csv: cannot read CSV file \(not a file\)/);
  await rejectsWith(load(fixture('ragged.csv')), /ragged\.csv:4: 2 field\(s\), expected 3 \(as in the header\)/);
  await rejectsWith(load(fixture('non-numeric.csv')), /non-numeric\.csv:3: column 2 \("b"\) is "abc", expected a finite number/);
  await rejectsWith(load(fixture('train-small.csv'), { labelColumn: 'colour' }), /train-small\.csv: label column "colour" does not exist; columns: "x", "y", "class"/);
  await rejectsWith(load(fixture('train-small.csv'), { labelColumn: '7' }), /label column "7" does not exist/);
  await rejectsWith(load(fixture('train-small.csv'), { ignoreColumns: ['nope'] }), /ignored column "nope" does not exist/);
  await rejectsWith(load(fixture('train-small.csv'), { testFile: fixture('test-unknown-class.csv') }), /test-unknown-class\.csv: class "green" does not occur in .*train-small\.csv/);
  await rejectsWith(load(fixture('train-small.csv'), { testFile: fixture('test-other-header.csv') }), /test-other-header\.csv:1: header .* differs/);
  const dir = tempDir();
  const quote = path.join(dir, 'quote.csv');
  writeFileSync(quote, 'a,label\n1,"open\n');
  await rejectsWith(load(quote), /quote\.csv: .*quote/i);
  const empty = path.join(dir, 'empty.csv');
  writeFileSync(empty, 'a,label\n\n');
  await rejectsWith(load(empty), /empty\.csv: no data rows/);
});

test('numbers: decimal notation within float32 only; hexadecimal, binary, octal and out-of-range cells are refused with line and column', async () => {
  const dir = tempDir();
  const load = (cells: string[], extra: { memoryLimit?: number } = {}) => {
    const file = path.join(dir, `n${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(file, `a,b,label\n1,2,x\n${cells.map((c, i) => `${c},${i},y`).join('\n')}\n3,4,x\n5,6,y\n`);
    return csvDataset({ ...defaults, file, testFraction: 0.4, seed: 0, ...extra });
  };
  const outside = /:3: column 1 \("a"\) is "(.*)", outside the float32 range; expected a finite number within ±3\.4028235e\+38$/;
  for (const cell of ['1e39', '-1e39', '3.5e38', '1e400', '-1e309']) await rejectsWith(load([cell]), outside);
  for (const cell of ['0x1F', '0X1f', '0b101', '0o17', '-0x10', '+0b1']) {
    await rejectsWith(load([cell]), new RegExp(`:3: column 1 \\("a"\\) is "${cell.replace('+', '\\+')}", expected a decimal number \\(hexadecimal, binary and octal notation are not read as numbers\\)$`));
  }
  for (const cell of ['1_000', 'Infinity', '-Infinity', 'NaN', '1e', '--1', '1,5'.replace(',', ';'), '½']) await rejectsWith(load([cell]), /:3: column 1 \("a"\) is ".*", expected a finite number$/);
  const ok = await load(['3.4e38', '-3.4028234e38', '.5', '5.', '+7', '1E-3', '1e-50']);
  assert.equal(ok.train.count + ok.test.count, 10);
  assert.ok(ok.train.x.every(Number.isFinite) && ok.test.x.every(Number.isFinite));
});

test('a header naming two columns alike is refused (the label column would be picked silently)', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'dup.csv');
  writeFileSync(file, 'x,y,x,label\n1,2,3,a\n4,5,6,b\n');
  for (const extra of [{}, { labelColumn: 'x' }, { ignoreColumns: ['y'] }]) {
    await rejectsWith(csvDataset({ ...defaults, ...extra, file, testFraction: 0.5, seed: 0 }), /dup\.csv:1: the header names columns 1 and 3 both "x"; expected unique column names$/);
  }
  writeFileSync(file, ' a ,a,label\n1,2,a\n4,5,b\n');
  await rejectsWith(csvDataset({ ...defaults, file, testFraction: 0.5, seed: 0 }), /dup\.csv:1: the header names columns 1 and 2 both "a"/);
});

test('reading a CSV stops at the memory limit, naming the line; a test value that overflows once standardised is refused', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'big.csv');
  const rows = ['a,b,c,label'];
  for (let i = 0; i < 5000; i++) rows.push(`${i},${i % 7},${i % 3},${i % 2}`);
  writeFileSync(file, `${rows.join('\n')}\n`);
  await rejectsWith(csvDataset({ ...defaults, file, testFraction: 0.2, seed: 0, memoryLimit: 100_000 }), /big\.csv:\d+: the data read so far would need more than the memory limit of 97\.7 KiB \(--max-memory\)/);
  assert.equal((await csvDataset({ ...defaults, file, testFraction: 0.2, seed: 0, memoryLimit: 10_000_000 })).train.count, 4000);
  const train = path.join(dir, 'train.csv');
  const testFile = path.join(dir, 'test.csv');
  writeFileSync(train, 'a,b,label\n1,1e-30,x\n1,1.0000001e-30,y\n1,1e-30,x\n1,1.0000001e-30,y\n');
  writeFileSync(testFile, 'a,b,label\n1,3e38,x\n1,0,y\n');
  await rejectsWith(csvDataset({ ...defaults, file: train, testFile, testFraction: 0.2, seed: 0 }), /test\.csv: test row 1, column 2 \("b"\): standardised with the training rows' mean and spread it overflows float32/);
});

test('a class with no training samples after the split is refused by name', async () => {
  const config = resolveTrainConfig({ flags: { dataset: `csv:${fixture('singleton-class.csv')}`, testFraction: 0.5 } });
  await rejectsWith(loadDataset(config), /no training samples for class "lonely" after the split/);
});

test('the bundled sets load by name with their class names', async () => {
  const expected: Record<string, [number, number, number, string[]]> = {
    iris: [150, 4, 3, ['setosa', 'versicolor', 'virginica']],
    wine: [178, 13, 3, ['class_0', 'class_1', 'class_2']],
    'breast-cancer': [569, 30, 2, ['benign', 'malignant']],
    digits: [1797, 64, 10, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']],
  };
  for (const [name, [samples, features, classes, names]] of Object.entries(expected)) {
    const d = await loadDataset(resolveTrainConfig({ flags: { dataset: name } }));
    assert.equal(d.train.count + d.validation!.count + d.test.count, samples, name);
    assert.equal(d.numFeatures, features, name);
    assert.equal(d.numClasses, classes, name);
    assert.deepEqual(d.classNames, names, name);
    // digits are 8×8 images (conv layers may read them); the others are tabular
    assert.deepEqual(d.sampleShape, name === 'digits' ? [8, 8, 1] : undefined, name);
  }
});
