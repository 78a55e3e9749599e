import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

/** A temporary directory that is deleted when the test file finishes. */
export function tempDir(prefix = 'ls-bench-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');
export const FIXTURES = path.join(PROJECT_ROOT, 'test', 'fixtures');
