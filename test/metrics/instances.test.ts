import { test } from 'node:test';
import assert from 'node:assert/strict';
import { armOpinions, selectInstances, type ArmLogProbs } from '../../src/metrics/instances';
import { mcnemarExact } from '../../src/stats/mcnemar';

/** Log-probabilities of rows of probabilities. */
const arm = (rows: number[][]): ArmLogProbs => ({ logProbs: Float64Array.from(rows.flat().map(Math.log)) });

// five samples of three classes; the true classes are 0, 1, 2, 0, 1
const labels = [0, 1, 2, 0, 1];
const hard = arm([
  [0.9, 0.05, 0.05], // right, confident
  [0.6, 0.3, 0.1], // wrong (says 0)
  [0.1, 0.1, 0.8], // right
  [0.2, 0.7, 0.1], // wrong (says 1), confident
  [0.1, 0.8, 0.1], // right
]);
const smoothed = arm([
  [0.7, 0.15, 0.15], // right, true class 0.9 → 0.7 (−0.2)
  [0.3, 0.6, 0.1], // right now: 0.3 → 0.6 (+0.3)
  [0.1, 0.1, 0.8], // unchanged
  [0.3, 0.6, 0.1], // still wrong: 0.2 → 0.3 (+0.1)
  [0.5, 0.4, 0.1], // wrong now: 0.8 → 0.4 (−0.4)
]);
const other = arm([
  [0.4, 0.3, 0.3],
  [0.2, 0.7, 0.1],
  [0.1, 0.1, 0.8],
  [0.5, 0.4, 0.1],
  [0.1, 0.8, 0.1],
]);
const arms = [hard, smoothed, other];
const indices = (s: ReturnType<typeof selectInstances>, g = 0) => s.groups[g]!.rows.map((r) => r.index);

test("each arm's opinion: the predicted class, its probability and the true class's", () => {
  const [h] = armOpinions(arms, labels, 3);
  assert.equal(h![1]!.predicted, 0);
  assert.ok(Math.abs(h![1]!.confidence - 0.6) < 1e-12);
  assert.ok(Math.abs(h![1]!.trueProbability - 0.3) < 1e-12);
});

test('drop and rise: the largest fall or rise of the true-class probability first, only samples that moved that way', () => {
  const drop = selectInstances(arms, labels, 3, { view: 'drop', limit: 10, compared: 1 });
  assert.deepEqual(indices(drop), [4, 0]);
  assert.equal(drop.groups[0]!.qualifying, 2);
  assert.ok(Math.abs(drop.groups[0]!.rows[0]!.change - -0.4) < 1e-12);
  const rise = selectInstances(arms, labels, 3, { view: 'rise', limit: 1, compared: 1 });
  assert.deepEqual(indices(rise), [1], '--limit keeps the first');
  assert.equal(rise.groups[0]!.qualifying, 2, 'and says how many qualified');
  // against the other smoothed arm, the order changes: sample 0 falls by 0.5
  assert.deepEqual(indices(selectInstances(arms, labels, 3, { view: 'drop', limit: 10, compared: 2 })), [0]);
});

test("discordant: the samples right in exactly one arm, with McNemar's counts", () => {
  const d = selectInstances(arms, labels, 3, { view: 'discordant', limit: 10, compared: 1 });
  assert.deepEqual(indices(d), [4, 1], 'largest change first: −0.4, then +0.3');
  const m = mcnemarExact(
    armOpinions([hard], labels, 3)[0]!.map((o) => o.predicted),
    armOpinions([smoothed], labels, 3)[0]!.map((o) => o.predicted),
    labels,
  );
  assert.deepEqual(d.discordant, { onlyBaselineRight: m.onlyFirstCorrect, onlyComparedRight: m.onlySecondCorrect });
  assert.deepEqual(d.discordant, { onlyBaselineRight: 1, onlyComparedRight: 1 });
});

test("confident-wrong: each arm's mistakes, the most confident first, --limit per arm", () => {
  const s = selectInstances(arms, labels, 3, { view: 'confident-wrong', limit: 1, compared: 1 });
  assert.deepEqual(s.groups.map((g) => g.arm), [0, 1, 2]);
  assert.deepEqual(indices(s, 0), [3], 'hard: 0.7 on sample 3 before 0.6 on sample 1');
  assert.deepEqual(s.groups.map((g) => g.qualifying), [2, 2, 0]);
  assert.deepEqual(indices(s, 1), [3], 'smoothed: 0.6 on sample 3, 0.5 on sample 4');
  assert.deepEqual(indices(s, 2), [], 'the other arm makes no mistake');
});

test('--class keeps the samples of one true class; equal keys keep the test order', () => {
  const s = selectInstances(arms, labels, 3, { view: 'rise', limit: 10, compared: 1, classIndex: 0 });
  assert.equal(s.considered, 2);
  assert.deepEqual(indices(s), [3]);
  const flat = arm(labels.map(() => [0.5, 0.25, 0.25]));
  const lower = arm(labels.map(() => [0.25, 0.5, 0.25]));
  // every sample of class 0 falls by 0.25: in test order
  assert.deepEqual(indices(selectInstances([flat, lower], labels, 3, { view: 'drop', limit: 10, compared: 1 })), [0, 3]);
});
