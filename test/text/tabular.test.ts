import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTabular } from '../../src/text/tabular';

test('markdown and CSV tables escape what would break them', () => {
  const t = { head: ['name', 'value'], rows: [['a|b', 'say "hi", then go']], numeric: [1] };
  assert.equal(renderTabular(t, 'markdown'), '| name | value |\n| --- | ---: |\n| a\\|b | say "hi", then go |');
  assert.equal(renderTabular(t, 'csv'), 'name,value\na|b,"say ""hi"", then go"');
});
