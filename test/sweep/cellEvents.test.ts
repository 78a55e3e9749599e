import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../../src/errors';
import { CellEventReader, parseSweepCellRef, runCreatedReporter } from '../../src/sweep/cellEvents';
import { tempDir } from '../helpers/tempDir';

test('CellEventReader: events split across chunks arrive whole; other lines are skipped', () => {
  const reader = new CellEventReader();
  const line = JSON.stringify({ event: 'run-created', runId: 'r1', runDir: '/runs/r1' });
  assert.deepEqual(reader.push(line.slice(0, 10)), [], 'half a line is not an event yet');
  assert.deepEqual(reader.push(`${line.slice(10)}\nnot json\n{"event":"run-finished","runId":"r1"}\n{"event":"run-created","runId":3}\n`), [
    { event: 'run-created', runId: 'r1', runDir: '/runs/r1' },
  ]);
  assert.deepEqual(reader.push('{"event":"run-created","runId":"r2","runDir":"/d/r2"}'), [], 'no newline yet');
  assert.deepEqual(reader.push('\n'), [{ event: 'run-created', runId: 'r2', runDir: '/d/r2' }]);
});

test('runCreatedReporter: writes one JSON line to the descriptor; a descriptor that is not open is a usage error', () => {
  const file = path.join(tempDir(), 'events');
  const fd = openSync(file, 'w');
  try {
    const report = runCreatedReporter(String(fd));
    report({ runId: 'r1', runDir: '/runs/r1' });
  } finally {
    closeSync(fd);
  }
  assert.equal(readFileSync(file, 'utf8'), '{"event":"run-created","runId":"r1","runDir":"/runs/r1"}\n');
  const usage = (text: string, pattern: RegExp) =>
    assert.throws(() => runCreatedReporter(text), (e: unknown) => e instanceof CliError && e.exitCode === 2 && pattern.test(e.message));
  usage('2', /--events-fd: expected a file descriptor ≥ 3, got "2"/);
  usage('x', /--events-fd: expected a file descriptor ≥ 3, got "x"/);
  usage('987', /--events-fd 987: not an open file descriptor \(EBADF\)/);
});

test('--sweep-cell: the sweep cell a run is, as JSON; anything else is a usage error naming the option', () => {
  assert.deepEqual(parseSweepCellRef('{"id":"sweep-0123456789ab","cell":"p1-s0-uniform","dir":"/s"}'), { id: 'sweep-0123456789ab', cell: 'p1-s0-uniform', dir: '/s' });
  for (const [text, pattern] of [
    ['sweep-1', /--sweep-cell: expected a JSON object \{"id", "cell", "dir"\}, got "sweep-1"/],
    ['{"id":"sweep-1","cell":3,"dir":"/s"}', /--sweep-cell: .*cell/],
  ] as [string, RegExp][]) {
    assert.throws(() => parseSweepCellRef(text), (e: unknown) => e instanceof CliError && e.exitCode === 2 && pattern.test(e.message), text);
  }
});
