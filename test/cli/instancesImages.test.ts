import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEBIAN_FASHION_MNIST_DIR } from '../../src/data/fashionMnist';
import { readRunProbabilities } from '../../src/store/probabilitiesFile';
import { readValidRunDirectory } from '../../src/store/runReader';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';
import { idxBytes } from '../helpers/idxFiles';

/**
 * `instances` on image data: the cards (thumbnail, then the sample's numbers) of a digits and a
 * Fashion-MNIST run, checked against probabilities.bin; and data that changed since the run is refused.
 */

async function trainOne(runs: string, flags: string[]): Promise<string> {
  const r = await runCli(['train', '--runs-dir', runs, '--quiet', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return path.join(runs, readdirSync(runs)[0]!);
}

const pct = (p: number) => `${(p * 100).toFixed(1)}%`;

/** Checks every card of `instances --thumbnails text` against the stored probabilities: the sample, its class, p(true) in both arms. */
async function checkCards(runs: string, dir: string, imageLines: number): Promise<void> {
  const record = readValidRunDirectory(dir);
  const stored = readRunProbabilities({ id: record.id, dir, summary: record.summary! });
  const p = (arm: number, sample: number, c: number) => Math.exp(stored.arms[arm]!.logProbs[sample * stored.classes + c]!);
  const r = await runCli(['instances', 'latest', '--runs-dir', runs, '--by', 'drop', '--limit', '3', '--thumbnails', 'text']);
  assert.equal(r.code, 0, r.stderr);
  const heads = [...r.stdout.matchAll(/#(\d)  test sample (\d+), true class (.+)\n.*p\(true\) ([\d.]+%) → ([\d.]+%)/g)];
  assert.equal(heads.length, 3, r.stdout);
  for (const [, , index, className, hard, smoothed] of heads) {
    const i = Number(index);
    const label = stored.labels[i]!;
    assert.equal(className!.trim(), stored.classNames[label]);
    assert.equal(hard, pct(p(0, i, label)), `sample ${i}: hard p(true)`);
    assert.equal(smoothed, pct(p(1, i, label)), `sample ${i}: smoothed p(true)`);
  }
  // a thumbnail of shade characters beside each card: as many lines as the image has pixel pairs
  const shaded = r.stdout.split('\n').filter((l) => /^ {2}[ ░▒▓█]{4,}/.test(l) && /[░▒▓█]/.test(l));
  // (rows of the image that are all background draw as blanks)
  assert.ok(shaded.length >= 3 * (imageLines / 2) && shaded.length <= 3 * imageLines, `${shaded.length} thumbnail lines:\n${r.stdout}`);
}

test('instances on a digits run: 8×8 thumbnails beside rows whose numbers are the stored probabilities', async () => {
  const runs = tempDir();
  const dir = await trainOne(runs, ['--dataset', 'digits', '--epochs', '2', '--hidden', '16']);
  await checkCards(runs, dir, 8); // a tiny image is doubled: a line per pixel row
});

test('instances on a Fashion-MNIST run: 28×28 thumbnails beside rows whose numbers are the stored probabilities', { skip: !existsSync(DEBIAN_FASHION_MNIST_DIR) && 'Debian dataset-fashion-mnist not installed (.ci/run installs it)' }, async () => {
  const runs = tempDir();
  const dir = await trainOne(runs, ['--dataset', 'fashion-mnist', '--limit', '1200', '--epochs', '1', '--hidden', '32']);
  await checkCards(runs, dir, 14);
});

test('instances refuses thumbnails of data that changed since the run (digest), in one line; --thumbnails none still lists', async () => {
  const dataDir = tempDir();
  const count = 90;
  const labels = Array.from({ length: count }, (_, i) => i % 3);
  // 6×6 images: class c lights row band c, with some noise from the index
  const pixels = labels.flatMap((c, i) => Array.from({ length: 36 }, (_, j) => (Math.floor(j / 12) === c ? 200 : 20) + ((i * 7 + j) % 30)));
  const images = path.join(dataDir, 'images.idx');
  const labelFile = path.join(dataDir, 'labels.idx');
  writeFileSync(images, idxBytes([count, 6, 6], pixels));
  writeFileSync(labelFile, idxBytes([count], labels));
  const runs = tempDir();
  await trainOne(runs, ['--dataset', `idx:${images},${labelFile}`, '--epochs', '2', '--hidden', '8', '--val-fraction', '0']);
  const before = await runCli(['instances', 'latest', '--runs-dir', runs, '--limit', '2', '--thumbnails', 'text']);
  assert.equal(before.code, 0, before.stderr);
  assert.match(before.stdout, /#1  test sample \d+, true class \d/);
  writeFileSync(images, idxBytes([count, 6, 6], pixels.map((v) => 255 - v)));
  const after = await runCli(['instances', 'latest', '--runs-dir', runs, '--limit', '2', '--thumbnails', 'text']);
  assert.equal(after.code, 2);
  assert.match(after.stderr, /^ls-bench: run \S+: its data set idx:\S+ changed since the run \(data digest [0-9a-f]{12}… then, [0-9a-f]{12}… now\), so its test samples are not the ones it predicted; --thumbnails none lists the samples without images\n$/);
  const plain = await runCli(['instances', 'latest', '--runs-dir', runs, '--limit', '2', '--thumbnails', 'none']);
  assert.equal(plain.code, 0, plain.stderr);
});
