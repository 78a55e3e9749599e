import { test } from 'node:test';
import assert from 'node:assert/strict';
import { armHeading } from '../../src/text/format';

test('armHeading: one name per arm in every view, the hard arm with its ε=0 too', () => {
  assert.equal(armHeading({ label: 'hard', epsilon: 0 }), 'hard (ε=0)');
  assert.equal(armHeading({ label: 'smoothed', epsilon: 0.1 }), 'smoothed (ε=0.1)');
  assert.equal(armHeading({ label: 'smoothed-0.05', epsilon: 0.05 }), 'smoothed-0.05 (ε=0.05)');
});
