import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell } from '../../src/store/csvCell';

test('csvCell: quoted only when RFC 4180 needs it, quotes doubled, null and undefined empty', () => {
  assert.equal(csvCell('helps'), 'helps');
  assert.equal(csvCell('no detectable difference'), 'no detectable difference');
  assert.equal(csvCell(0.25), '0.25');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell('cr\r'), '"cr\r"');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(undefined), '');
});
