import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { run } from '../../src/cli/main';
import { RunStore } from '../../src/store/RunStore';
import { editJson, writeFixtureRun } from '../helpers/fixtureRuns';
import { tempDir } from '../helpers/tempDir';

/**
 * The red team's kinds of input, generated: device files and FIFOs where files are expected, CSV cells out
 * of float32's range or in other notations, class counts in the thousands, and control characters in every
 * text field that reaches a terminal, markdown or CSV. Fixed seed, bounded case counts.
 */
const SEED = 20261126;
const dir = tempDir();
const runs = path.join(dir, 'runs');
mkdirSync(runs);
const aborted = AbortSignal.abort('SIGINT');

async function invoke(argv: string[], signal: AbortSignal | undefined = aborted): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) }, ...(signal ? { signal } : {}) });
  return { code, stdout, stderr };
}

function refusedCleanly(argv: string[], r: { code: number; stderr: string }, ms: number): void {
  const context = `argv: ${JSON.stringify(argv)}\nstderr: ${r.stderr}`;
  assert.ok([2, 130].includes(r.code), `exit ${r.code}\n${context}`);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, context);
  if (r.code === 2) assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('ls-bench: ')).length, 1, context);
  assert.ok(ms < 10_000, `${ms} ms\n${context}`);
}

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

test('devices, FIFOs and directories where a config, a CSV or an IDX file is expected: one line, exit 2, at once', async () => {
  const fifo = path.join(dir, 'no-writer.fifo');
  execFileSync('mkfifo', [fifo]);
  const notConfigs = ['/dev/zero', '/dev/urandom', '/dev/full', dir];
  const notData = [...notConfigs, fifo, '/dev/null'];
  const cases = [
    ...notConfigs.map((f) => ['train', '--config', f]),
    ...notData.map((f) => ['train', '--dataset', `csv:${f}`]),
    ...notData.map((f) => ['train', '--dataset', `idx:${f},${f}`]),
    ...notData.map((f) => ['train', '--dataset', 'csv:/dev/null', '--test-file', f]),
    ...notConfigs.map((f) => ['sweep', '--config', f, '--sweep-dir', path.join(dir, 'sw')]),
  ];
  for (const argv of cases) {
    const started = Date.now();
    const r = await invoke([...argv, '--runs-dir', runs]);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    refusedCleanly(argv, r, Date.now() - started);
  }
  assert.deepEqual(readdirSync(runs), []);
});

const cell = fc.oneof(
  fc.constantFrom('1e39', '-1e39', '3.4e38', '-3.4028235e38', '1e-50', '0x1F', '0X10', '0b101', '0o17', '-0x1', 'NaN', 'Infinity', '-Infinity', '', ' ', '1_000', '+.5', '-0', '5.', '.', '1e', '١٢', '0,5'),
  fc.double({ noNaN: true }).map(String),
  fc.integer().map(String),
);

test('CSV cells of every notation and range: training starts, or one line naming the line and the column', async () => {
  let i = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 6 }), async (rows) => {
      const file = path.join(dir, `cells-${i++}.csv`);
      const body = rows.map(([a, b], r) => `"${a}","${b}",k${r % 2}`);
      // enough plain rows of both classes that a clean file would train
      for (let r = 0; r < 20; r++) body.push(`${r},${r % 3},k${r % 2}`);
      writeFileSync(file, `a,b,label\n${body.join('\n')}\n`);
      const argv = ['train', '--runs-dir', runs, '--dataset', `csv:${file}`, '--backend', 'cpu'];
      const started = Date.now();
      const r = await invoke(argv);
      refusedCleanly(argv, r, Date.now() - started);
      if (r.code === 2) assert.match(r.stderr, /cells-\d+\.csv(:\d+: column \d \("[ab]"\) is |: test row \d+, column \d)/, r.stderr);
    }),
    { seed: SEED, numRuns: 60 },
  );
});

test('thousands of classes in a CSV: loads and starts (aborted at once here), or is refused in one line', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 33, max: 3000 }), async (classes) => {
      const file = path.join(dir, `classes-${classes}.csv`);
      const rows = Array.from({ length: classes * 3 }, (_, r) => `${r % 17},${(r * 7) % 11},c${r % classes}`);
      writeFileSync(file, `x,y,label\n${rows.join('\n')}\n`);
      const argv = ['train', '--runs-dir', runs, '--dataset', `csv:${file}`, '--test-fraction', '0.34', '--backend', 'cpu'];
      const started = Date.now();
      refusedCleanly(argv, await invoke(argv), Date.now() - started);
    }),
    { seed: SEED, numRuns: 6 },
  );
});

const hostileText = fc.array(
  fc.oneof(
    fc.constantFrom('\u001b]52;c;cHduZWQ=\u0007', '\u001b[2J', '\u009b1m', '\r', '\b', '\u007f', '\u202e', '\u2066', '\u0000', '<img src=x onerror=alert(1)>', '=HYPERLINK("x")', '|', '```', '[a](javascript:1)', '\n'),
    fc.string({ maxLength: 6 }),
  ),
  { minLength: 1, maxLength: 5 },
).map((parts) => parts.join(''));

test('control characters and markup in every text field of a run: never raw on a terminal, in markdown or in CSV', async () => {
  const store = new RunStore(path.join(dir, 'hostile-runs'));
  let minute = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(hostileText, { minLength: 3, maxLength: 3 }), hostileText, hostileText, async (classNames, name, description) => {
      const at = (m: number) => `2026-11-2${Math.floor(m / 60) % 9}T1${Math.floor(m / 10) % 10}:${String(m % 60).padStart(2, '0')}:00Z`;
      const a = writeFixtureRun(store, { epsilon: 0.1, createdAt: at(minute++) });
      const b = writeFixtureRun(store, { epsilon: 0.2, createdAt: at(minute++) });
      for (const w of [a, b]) {
        editJson(w.file('summary'), (s: Record<string, any>) => {
          s.dataset.classNames = classNames;
          s.dataset.description = description;
          s.dataset.name = name;
        });
        editJson(w.file('meta'), (m) => {
          m.name = name;
          m.tags = [description];
          m.command = [name, description];
        });
        editJson(w.file('environment'), (e) => (e.backendLabel = description));
      }
      for (const argv of [
        ['show', a.id],
        ['show', a.id, '--format', 'markdown'],
        ['show', a.id, '--format', 'csv'],
        ['show', a.id, '--json'],
        ['runs'],
        ['runs', '--format', 'markdown'],
        ['runs', '--format', 'csv'],
        ['compare', a.id, b.id],
        ['compare', a.id, b.id, '--format', 'markdown'],
        ['compare', a.id, b.id, '--format', 'csv'],
      ]) {
        const r = await invoke([...argv, '--runs-dir', store.root], undefined);
        assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
        assert.doesNotMatch(r.stdout + r.stderr, RAW_CONTROL, argv.join(' '));
        // Outside code blocks (whose fences are longer than any backtick run inside), no HTML and no link.
        const prose = r.stdout.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
        if (argv.includes('markdown')) assert.doesNotMatch(prose, /<img|(?<!\\)\]\(javascript/, argv.join(' '));
        if (argv.includes('csv')) assert.doesNotMatch(r.stdout, /(^|,)"?=/m, `${argv.join(' ')}: no cell starts a formula`);
        if (argv.includes('--json')) JSON.parse(r.stdout);
      }
    }),
    { seed: SEED, numRuns: 15 },
  );
});
