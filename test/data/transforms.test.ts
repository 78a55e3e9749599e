import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveTrainConfig } from '../../src/config/loadConfig';
import { classCounts } from '../../src/data/Dataset';
import { imbalancedSubset, imbalanceTargets } from '../../src/data/imbalance';
import { flipLabels } from '../../src/data/labelNoise';
import { loadDataset } from '../../src/data/loadDataset';
import { featureStats, standardizeInPlace } from '../../src/data/standardize';
import { SeededRandom } from '../../src/random/SeededRandom';
import { cleanTrainLabels } from '../../src/store/runResults';

const labels = Int32Array.from({ length: 100 }, (_, i) => i % 4);

test('symmetric label noise flips exactly round(fraction·n) labels, each to another class, seeded', () => {
  const { labels: noisy, noise } = flipLabels(labels, 4, 0.25, 'symmetric', new SeededRandom(7, 'label-noise'));
  assert.equal(noise.flipped.length, 25);
  let changed = 0;
  for (let i = 0; i < labels.length; i++) if (noisy[i] !== labels[i]) changed++;
  assert.equal(changed, 25, 'every chosen label really changes');
  noise.flipped.forEach((row, i) => {
    assert.equal(noise.cleanLabels[i], labels[row]);
    assert.equal(noise.noisyLabels[i], noisy[row]);
  });
  assert.deepEqual(Array.from(noise.flipped), Array.from(noise.flipped).sort((a, b) => a - b), 'indices ascending');
  assert.equal(new Set(noise.noisyLabels.map((l, i) => (l - noise.cleanLabels[i]! + 4) % 4)).size > 1, true, 'symmetric: more than one target offset');
  const again = flipLabels(labels, 4, 0.25, 'symmetric', new SeededRandom(7, 'label-noise'));
  assert.deepEqual(again.labels, noisy, 'same seed, same flips');
  assert.notDeepEqual(flipLabels(labels, 4, 0.25, 'symmetric', new SeededRandom(8, 'label-noise')).labels, noisy, 'another seed, other flips');
  assert.deepEqual(labels, Int32Array.from({ length: 100 }, (_, i) => i % 4), 'the input is not changed');
});

test('pairwise label noise sends class c to (c+1) mod K', () => {
  const { noise } = flipLabels(labels, 4, 0.4, 'pairwise', new SeededRandom(1));
  assert.equal(noise.flipped.length, 40);
  noise.cleanLabels.forEach((c, i) => assert.equal(noise.noisyLabels[i], (c + 1) % 4));
});

test('the geometric imbalance profile, by hand', () => {
  // ratio 0.1 over 3 classes: 1, 0.1^0.5 = 0.3162, 0.1 → 100, 32, 10
  assert.deepEqual(imbalanceTargets([100, 100, 100], 0.1), [100, 32, 10]);
  // class 2 can supply only 5: n_max = 5 / 0.1 = 50 → 50, 16, 5
  assert.deepEqual(imbalanceTargets([100, 100, 5], 0.1), [50, 16, 5]);
  assert.deepEqual(imbalanceTargets([40, 40], 0.25), [40, 10]);
  assert.deepEqual(imbalanceTargets([10, 10], 1), [10, 10]);
  assert.deepEqual(imbalanceTargets([10, 10, 10], 0.001), [10, 0, 0].map((n) => Math.max(1, n)), 'every class keeps at least one sample');
});

test('imbalancedSubset draws exactly the target counts, seeded', () => {
  const a = imbalancedSubset(labels, 4, 0.2, new SeededRandom(1, 'imbalance'));
  assert.deepEqual(a.counts, imbalanceTargets([25, 25, 25, 25], 0.2));
  assert.deepEqual(classCounts(Array.from(a.indices, (i) => labels[i]!), 4), a.counts);
  assert.deepEqual(imbalancedSubset(labels, 4, 0.2, new SeededRandom(1, 'imbalance')).indices, a.indices);
  assert.notDeepEqual(imbalancedSubset(labels, 4, 0.2, new SeededRandom(2, 'imbalance')).indices, a.indices);
});

test('loadDataset: noise flips training labels only, the same for every load (every arm trains on one dataset)', async () => {
  const flags = { samples: 400, labelNoise: 0.2, seed: 5 };
  const clean = await loadDataset(resolveTrainConfig({ flags: { samples: 400, seed: 5 } }));
  const noisy = await loadDataset(resolveTrainConfig({ flags }));
  assert.equal(noisy.labelNoise!.flipped.length, Math.round(0.2 * clean.train.count));
  assert.deepEqual(noisy.test, clean.test, 'test labels untouched');
  assert.equal(noisy.train.x, noisy.train.x, 'features shared');
  assert.deepEqual(cleanTrainLabels(noisy), clean.train.y, 'the flips are recorded exactly');
  const again = await loadDataset(resolveTrainConfig({ flags }));
  assert.deepEqual(again.labelNoise, noisy.labelNoise, 'seeded');
});

test('loadDataset: imbalance subsamples the training set only', async () => {
  const d = await loadDataset(resolveTrainConfig({ flags: { samples: 300, imbalance: 0.1, valFraction: 0 } }));
  // 300 samples, 3 balanced classes, 20% test → 80 training samples per class → 80, 25, 8
  assert.deepEqual(classCounts(d.train.y, 3), [80, 25, 8]);
  assert.deepEqual(classCounts(d.test.y, 3), [20, 20, 20]);
  assert.equal(d.imbalance, 0.1);
  // the validation split comes after: 10% of each class of the imbalanced set (round(8, 2.5, 0.8) = 8, 3, 1)
  const v = await loadDataset(resolveTrainConfig({ flags: { samples: 300, imbalance: 0.1 } }));
  assert.deepEqual(classCounts(v.validation!.y, 3), [8, 3, 1]);
  assert.deepEqual(classCounts(v.train.y, 3), [72, 22, 7]);
  assert.deepEqual(classCounts(v.test.y, 3), [20, 20, 20]);
});

test('the validation split: stratified, seeded, disjoint from training, clean labels under label noise, a last sample stays', async () => {
  const { holdOutValidation } = await import('../../src/data/loadDataset');
  const { heldOutCounts } = await import('../../src/data/stratified');
  const config = resolveTrainConfig({ flags: { samples: 400, features: 3, labelNoise: 0.3, limit: 200 } });
  const d = await loadDataset(config);
  const plain = await loadDataset({ ...config, labelNoise: 0 });
  // --limit 200 first (train 200), then 10% of each class to validation: 67/67/66 → 7, 7, 7
  assert.equal(d.train.count + d.validation!.count, 200);
  assert.deepEqual(classCounts(d.validation!.y, 3), [7, 7, 7]);
  // the same split with or without noise, and again from the same seed
  assert.deepEqual(Array.from(d.validation!.x), Array.from(plain.validation!.x));
  assert.deepEqual(Array.from(d.validation!.y), Array.from(plain.validation!.y), 'validation labels are never flipped');
  assert.deepEqual(Array.from((await loadDataset(config)).validation!.x), Array.from(d.validation!.x));
  assert.ok(d.labelNoise!.flipped.every((i) => i < d.train.count), 'noise indices are into the training split');
  // no validation row is a training row
  const rows = (x: Float32Array, n: number) => new Set(Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * 3, i * 3 + 3)).join()));
  const train = rows(d.train.x, d.train.count);
  for (const r of rows(d.validation!.x, d.validation!.count)) assert.ok(!train.has(r));
  // a class of 1 keeps its sample; a class of 5 gives 1 (round 0.5); 0 turns the split off
  assert.deepEqual(heldOutCounts([1, 5, 10], 0.1, { keepOne: true }), [0, 1, 1]);
  assert.deepEqual(heldOutCounts([1, 5, 10], 0.5, { keepOne: true }), [0, 3, 5]);
  assert.equal((await loadDataset({ ...config, valFraction: 0 })).validation, undefined);
  // too few samples per class to hold one out: trained on all of it, and the description says why there is no temperature scaling
  const tiny = holdOutValidation(await loadDataset({ ...config, samples: 12, limit: undefined, labelNoise: 0, valFraction: 0 }), 0.1, 0);
  assert.equal(tiny.validation, undefined);
  assert.match(tiny.description, /too small for a validation split \(no temperature scaling\)/);
  const whole = await loadDataset({ ...config, labelNoise: 0, valFraction: 0 });
  const [a, b, again] = [0, 1, 0].map((seed) => holdOutValidation(whole, 0.1, seed).validation!);
  assert.deepEqual(Array.from(a.x), Array.from(plain.validation!.x), 'the split of loadDataset');
  assert.deepEqual(Array.from(again.x), Array.from(a.x), 'the same seed, the same split');
  assert.notDeepEqual(Array.from(b.x), Array.from(a.x), 'another seed, another split');
});

test('featureStats and standardizeInPlace, by hand', () => {
  const x = Float32Array.from([1, 5, 3, 5]); // two rows, two features
  const stats = featureStats(x, 2);
  assert.deepEqual(Array.from(stats.mean), [2, 5]);
  assert.deepEqual(Array.from(stats.std), [1, 0]);
  standardizeInPlace(x, 2, stats);
  assert.deepEqual(Array.from(x), [-1, 0, 1, 0], 'a constant feature is centred, not divided by 0');
});

test('a stratified split of a million rows does not overflow the call stack', async () => {
  const { stratifiedSplit } = await import('../../src/data/stratified');
  const many = Int32Array.from({ length: 1_000_000 }, (_, i) => i % 2);
  const split = stratifiedSplit(many, 2, 0.2, new SeededRandom(0));
  assert.equal(split.test.length, 200_000);
  assert.equal(split.train.length, 800_000);
});

test('flippedLabelFit, by hand; with ε = 0 every arm sees the same noisy labels and fits them identically', async () => {
  const { flippedLabelFit, trainPaired } = await import('../../src/train/pairedTrainer');
  const { armsFromConfig } = await import('../../src/train/arms');
  const { selectBackend } = await import('../../src/engine/backend');
  // predictions 1, 2, 0, 0 against noisy 1, 2, 2, 0 (3 of 4) and clean 0, 1, 0, 2 (1 of 4)
  assert.deepEqual(flippedLabelFit([1, 2, 0, 0], [1, 2, 2, 0], [0, 1, 0, 2]), { count: 4, memorised: 0.75, predictedClean: 0.25 });
  const engine = await selectBackend('cpu');
  const config = resolveTrainConfig({ flags: { samples: 200, features: 4, hidden: [8], epochs: 3, labelNoise: 0.3, epsilon: [0] } });
  const dataset = await loadDataset(config);
  const [hard, smoothed] = (await trainPaired({ config, dataset, arms: armsFromConfig(config), engine })).arms;
  assert.equal(hard!.flippedTrainLabels!.count, Math.round(0.3 * dataset.train.count));
  assert.deepEqual(smoothed!.flippedTrainLabels, hard!.flippedTrainLabels);
  assert.equal(hard!.finalWeightsDigest, smoothed!.finalWeightsDigest, 'same labels, same batches, same result');
});
