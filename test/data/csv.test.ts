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
