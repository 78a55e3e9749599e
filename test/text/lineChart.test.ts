import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineChart, stretch } from '../../src/text/lineChart';

test('stretch interpolates linearly between points', () => {
  assert.deepEqual(stretch([0, 1, 3], 2), [0, 0.5, 1, 2, 3]);
  assert.deepEqual(stretch([5], 4), [5]);
  assert.deepEqual(stretch([1, 2], 1), [1, 2]);
});

test('lineChart overlays series with their own line characters on one scale, with an epoch axis', () => {
  const chart = lineChart([[0, 1, 2], [2, 2, 2]], { height: 2, width: 4, format: (v) => v.toFixed(1), xLabel: (i) => String(i + 1) });
  assert.equal(
    chart,
    // the first series is drawn on top; the second (heavy) shows where the first leaves room
    ['2.0 ┼━━╭─', '1.0 ┤╭─╯', '0.0 ┼╯', '    └────', '    1 2 3'].join('\n'),
  );
});
