import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { dataSourceDigest, dataSourcesDigest } from '../../src/data/dataSource';
import { tempDir } from '../helpers/tempDir';

test("dataSourcesDigest: one digest over a sweep's grid points, whatever data each reads", () => {
  const dir = tempDir();
  const a = path.join(dir, 'a.csv');
  const b = path.join(dir, 'b.csv');
  writeFileSync(a, 'x,label\n1,0\n2,1\n');
  writeFileSync(b, 'x,label\n1,0\n2,0\n');
  const onA = { dataset: `csv:${a}` };
  const onB = { dataset: `csv:${b}` };
  assert.equal(dataSourcesDigest([{ dataset: 'synthetic' }, { dataset: 'synthetic' }]), null, 'generated data has no files');
  assert.equal(dataSourcesDigest([onA, onA, { dataset: 'synthetic' }]), dataSourceDigest(onA), 'points on one file: that file\'s digest (what a sweep recorded before grids)');
  const both = dataSourcesDigest([onA, onB]);
  assert.ok(both !== null && both !== dataSourceDigest(onA) && both !== dataSourceDigest(onB));
  assert.equal(dataSourcesDigest([onA, onB, onA]), both, 'a file read by several points counts once');
  writeFileSync(b, 'x,label\n1,0\n2,1\n3,1\n');
  assert.notEqual(dataSourcesDigest([onA, onB]), both, 'an edit to the data of any one point changes it');
  assert.notEqual(dataSourceDigest({ dataset: `csv:${a}`, testFile: b }), dataSourceDigest(onA), 'a separate test file is part of the data');
});
