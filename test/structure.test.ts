import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { tempDir } from './helpers/tempDir';

// scripts/structure.js is plain JavaScript so that it runs without a build; the test reads the same findings.
const { analyse } = require(path.resolve(__dirname, '..', '..', 'scripts', 'structure.js')) as { analyse(root: string): string[] };

test('src/ follows the pipeline: no import cycles, no upward imports, files ≤ 350 lines, functions ≤ 80 lines', () => {
  assert.deepEqual(analyse(path.resolve(__dirname, '..', '..')), []);
});

test('the structure check finds an upward import, a cycle, a long function, a long file and a folder outside the pipeline', () => {
  const root = tempDir();
  {
    for (const folder of ['data', 'engine', 'misc']) mkdirSync(path.join(root, 'src', folder), { recursive: true });
    writeFileSync(path.join(root, 'src', 'data', 'a.ts'), "import { b } from '../engine/b';\nexport const a = b;\n");
    const body = Array.from({ length: 85 }, () => '  void 0;').join('\n');
    writeFileSync(path.join(root, 'src', 'engine', 'b.ts'), `import { a } from '../data/a';\nexport const b = 1 + (a as number);\nexport function long(): number {\n${body}\n  return 1;\n}\n`);
    writeFileSync(path.join(root, 'src', 'misc', 'c.ts'), `${Array.from({ length: 360 }, (_, i) => `export const c${i} = ${i};`).join('\n')}\n`);
    const findings = analyse(root);
    assert.deepEqual(findings, [
      'upward import: src/data/a.ts (data) -> src/engine/b.ts (engine)',
      'src/misc/c.ts: folder "misc" has no place in the pipeline (scripts/structure.js)',
      'import cycle: src/data/a.ts -> src/engine/b.ts -> src/data/a.ts',
      'src/engine/b.ts:3: function long is 88 lines (budget 80)',
      'src/misc/c.ts: 361 lines (budget 350)',
    ]);
  }
});
