import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mcnemarExact, mcnemarExactPValue } from '../../src/stats/mcnemar';

test('exact McNemar p-values against binomial tail sums computed by hand', () => {
  // b=0, c=5: 2 · (1/2)^5 = 0.0625
  assert.ok(Math.abs(mcnemarExactPValue(0, 5) - 0.0625) < 1e-15);
  // b=1, c=9: 2 · (1 + 10) / 1024
  assert.ok(Math.abs(mcnemarExactPValue(1, 9) - 22 / 1024) < 1e-15);
  // b=3, c=3: capped at 1
  assert.equal(mcnemarExactPValue(3, 3), 1);
  assert.equal(mcnemarExactPValue(0, 0), 1);
  // large n stays finite and symmetric
  const p = mcnemarExactPValue(480, 520);
  assert.ok(p > 0.2 && p < 0.25, `p=${p}`);
  assert.equal(mcnemarExactPValue(520, 480), p);
});

test('mcnemarExact counts the discordant pairs', () => {
  const labels = [0, 1, 1, 0, 2];
  const a = [0, 1, 0, 1, 2];
  const b = [0, 0, 1, 0, 1];
  const r = mcnemarExact(a, b, labels);
  assert.equal(r.onlyFirstCorrect, 2);
  assert.equal(r.onlySecondCorrect, 2);
  assert.equal(r.pValue, 1);
});
