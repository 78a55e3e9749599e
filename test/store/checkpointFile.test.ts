import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkpointMismatch, encodeCheckpoint, readCheckpoint, writeCheckpoint } from '../../src/store/checkpointFile';
import type { TrainingCheckpoint } from '../../src/train/pairedTrainer';
import { tempDir } from '../helpers/tempDir';

const DATA = 'd'.repeat(64);
const INITIAL = 'a'.repeat(64);

function checkpoint(dataDigest: string | null = DATA): TrainingCheckpoint {
  const state = (seed: number) => ({
    weights: [new Float32Array([seed, 2, 3]), new Float32Array([4])],
    optimizerSlots: [{ name: 'm', shape: [3], values: new Float32Array([0.5, 0.25, seed]) }],
    iterations: 7,
    betaPowers: [0.9, 0.999],
  });
  return {
    epoch: 3,
    initialWeightsDigest: INITIAL,
    dataDigest,
    arms: [
      { label: 'hard', state: state(1), diverged: null, initialWeightsDigest: INITIAL },
      { label: 'smoothed', state: state(9), diverged: { epoch: 2, batch: null, lastFiniteLoss: 1.5, message: 'loss became NaN' }, initialWeightsDigest: INITIAL },
    ],
  };
}

/** The JSON header of a checkpoint file, as stored. */
function header(file: string): Record<string, unknown> {
  const bytes = readFileSync(file);
  return JSON.parse(bytes.toString('utf8', 12, 12 + bytes.readUInt32LE(8)));
}

test('a checkpoint reads back exactly as written, with the data digest', () => {
  const file = path.join(tempDir(), 'checkpoint.bin');
  writeCheckpoint(file, checkpoint());
  assert.deepEqual(readCheckpoint(file), checkpoint());
  assert.equal(header(file).dataDigest, DATA);
});

test('a checkpoint from before data digests reads with dataDigest null', () => {
  const file = path.join(tempDir(), 'checkpoint.bin');
  writeCheckpoint(file, checkpoint(null));
  assert.equal('dataDigest' in header(file), false, 'as old ls-bench wrote it: no such field');
  assert.equal(readCheckpoint(file).dataDigest, null);
});

test('a damaged header is an error naming the file and the field, not a crash', () => {
  const file = path.join(tempDir(), 'checkpoint.bin');
  const bytes = Buffer.from(encodeCheckpoint(checkpoint()));
  const length = bytes.readUInt32LE(8);
  // same length, so the layout stays intact: only the header's content is wrong
  const text = bytes.toString('utf8', 12, 12 + length).replace('"label":"hard"', '"label":123456');
  assert.equal(Buffer.byteLength(text), length);
  bytes.write(text, 12, 'utf8');
  writeFileSync(file, bytes);
  assert.throws(() => readCheckpoint(file), (e: unknown) => e instanceof Error && e.message === `${file}: damaged checkpoint header ("arms[0].label": expected string, got 123456)`);
});

test('checkpointMismatch: changed data, other arms, other initial weights; null when it fits', () => {
  const target = { dataDigest: DATA, initialWeightsDigest: INITIAL, armLabels: ['hard', 'smoothed'] };
  assert.equal(checkpointMismatch(checkpoint(), target), null);
  assert.equal(
    checkpointMismatch(checkpoint(), { ...target, dataDigest: 'e'.repeat(64) }),
    'the training data changed since the checkpoint (data digest dddddddddddd… then, eeeeeeeeeeee… now); a run continues only on the data it started with',
  );
  assert.equal(checkpointMismatch(checkpoint(null), { ...target, dataDigest: 'e'.repeat(64) }), null, 'an old checkpoint cannot tell');
  assert.match(checkpointMismatch(checkpoint(), { ...target, armLabels: ['hard', 'smoothed-0.1'] })!, /^the checkpoint's arms \(hard, smoothed\) differ from those of the run's config \(hard, smoothed-0\.1\)$/);
  assert.match(checkpointMismatch(checkpoint(), { ...target, initialWeightsDigest: 'b'.repeat(64) })!, /^the checkpoint was trained from other initial weights \(aaaaaaaaaaaa… vs bbbbbbbbbbbb…\)/);
});
