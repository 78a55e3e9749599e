import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RunStore } from '../../src/store/RunStore';
import type { RUN_FILES } from '../../src/store/runFiles';
import { BIN, runCli } from '../helpers/cli';
import { editJson, writeFixtureRun } from '../helpers/fixtureRuns';
import { tempDir } from '../helpers/tempDir';

/**
 * Inputs a red team tried through the front door, as processes and in process: each is one line on
 * stderr, exit 2, and no run directory; none hangs or grows without bound.
 */

/** Runs bin/ls-bench.js with `stdin` piped in (or a command writing to it forever), within `timeoutMs`. */
function withStdin(args: string[], stdin: string | 'endless', timeoutMs = 20_000): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (s: Buffer) => (stderr += s.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdin.on('error', () => {}); // EPIPE once the child stops reading: expected
    if (stdin === 'endless') {
      const chunk = Buffer.alloc(64 * 1024, 'x: 1\n');
      const pump = () => {
        while (child.stdin.writable && child.stdin.write(chunk)) {}
        if (child.stdin.writable) child.stdin.once('drain', pump);
      };
      pump();
    } else {
      child.stdin.end(stdin);
    }
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

const oneLine = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('ls-bench: ') || l.startsWith('error: '));

test('config from stdin ("-"), an endless stdin, a FIFO fed forever and /dev/zero: read with a bound', async () => {
  const runs = tempDir();
  const ok = await withStdin(['train', '--config', '-', '--runs-dir', runs, '--samples', '100'], 'epochs: 1\nhidden: [4]\n');
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(readdirSync(runs).length, 1);
  const endless = await withStdin(['train', '--config', '-', '--runs-dir', runs], 'endless');
  assert.equal(endless.code, 2, endless.stderr);
  assert.deepEqual(oneLine(endless.stderr), ['ls-bench: stdin: larger than 1 MiB; expected a config file (a YAML or JSON mapping of options) of at most 1 MiB']);
  const fifo = path.join(tempDir(), 'config.fifo');
  execFileSync('mkfifo', [fifo]);
  const writer = spawn('sh', ['-c', `yes 'epochs: 1' > '${fifo}'`], { stdio: 'ignore' });
  const fed = await withStdin(['train', '--config', fifo, '--runs-dir', runs], '');
  writer.kill();
  assert.equal(fed.code, 2, fed.stderr);
  assert.deepEqual(oneLine(fed.stderr), [`ls-bench: ${fifo}: larger than 1 MiB; expected a config file (a YAML or JSON mapping of options) of at most 1 MiB`]);
  const zero = await withStdin(['train', '--config', '/dev/zero', '--runs-dir', runs], '');
  assert.equal(zero.code, 2, zero.stderr);
  for (const r of [endless, fed, zero]) assert.ok(r.ms < 15_000, `answered in ${r.ms} ms`);
  assert.equal(readdirSync(runs).length, 1, 'no run directory from a refused config');
});

test('empty paths are refused, never taken as the current directory or the default', async () => {
  const runs = tempDir();
  const cases: [string[], string][] = [
    [['train', '--runs-dir', ''], '--runs-dir'],
    [['train', '--config', ''], '--config'],
    [['sweep', '--sweep-dir', '', '--runs-dir', runs], '--sweep-dir'],
    [['sweep', '--config', '', '--runs-dir', runs], '--config'],
    [['runs', '--runs-dir', ''], '--runs-dir'],
    [['show', 'latest', '--runs-dir', ''], '--runs-dir'],
    [['compare', 'a', 'b', '--runs-dir', ''], '--runs-dir'],
    [['runs', 'rm', 'x', '--runs-dir', '', '--yes'], '--runs-dir'],
    [['report', 'latest', '--runs-dir', ''], '--runs-dir'],
    [['datasets', '--data-dir', ''], '--data-dir'],
  ];
  for (const [args, flag] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, `ls-bench: ${flag}: expected a path, got an empty string\n`, args.join(' '));
  }
  assert.deepEqual(readdirSync(runs), []);
});

test('--max-memory: a run or a sweep above it is refused before anything is written; a bad size names the flag', async () => {
  const runs = tempDir();
  const big = ['--features', '2000', '--hidden', '2000', '--samples', '200', '--backend', 'cpu'];
  const r = await runCli(['train', '--runs-dir', runs, ...big, '--epsilon', '0.1,0.2', '--max-memory', '512M']);
  assert.equal(r.code, 2, r.stderr);
  const lines = oneLine(r.stderr);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^ls-bench: training 3 arms of MLP 2000-2000-3, relu on synthetic would need about [\d.]+ MiB of memory \(3 model\(s\) of 4,008,003 parameters .*\), above the limit of 512 MiB \(--max-memory\); use fewer arms \(--epsilon\), a smaller model \(--hidden or model\.layers\) or batch \(--batch-size\), less data \(--limit\), or raise the limit with --max-memory$/);
  const s = await runCli(['sweep', '--runs-dir', runs, ...big, '--epsilon', '0,0.1', '--seeds', '0-3', '--jobs', '4', '--max-memory', '1G']);
  assert.equal(s.code, 2, s.stderr);
  assert.match(s.stderr, /^ls-bench: sweep: 4 cell\(s\) at once, each training 2 arms, would need about [\d.]+ GiB of memory \([\d.]+ MiB per cell\), above the limit of 1 GiB \(--max-memory\); run at most \d at once \(--jobs \d\), or raise the limit with --max-memory$/m);
  // a grid over the model: each grid point is estimated, and the one above the limit is named
  const grid = await runCli(['sweep', '--runs-dir', runs, '--features', '2000', '--samples', '200', '--backend', 'cpu', '--grid', 'hidden=8;2000', '--epsilon', '0,0.1', '--seeds', '0-1', '--jobs', '2', '--max-memory', '512M']);
  assert.equal(grid.code, 2, grid.stderr);
  assert.match(grid.stderr, /^ls-bench: grid point p2 \(hidden=\[2000\]\): sweep: 2 cell\(s\) at once, each training 2 arms, would need about [\d.]+ GiB of memory/m);
  // a layer list: the engine's footprint of the CNN (its im2col rows and feature maps per batch row) is what is estimated
  const conv = await runCli(['train', '--runs-dir', runs, '--dataset', 'digits', '--model', '{layers: [{conv: 512, kernel: 3, padding: same, activation: relu}, {flatten: true}]}', '--batch-size', '1024', '--max-memory', '512M']);
  assert.equal(conv.code, 2, conv.stderr);
  assert.match(conv.stderr, /^ls-bench: training 2 arms of 8×8×1 → conv 512 3×3 same relu → flatten → dense 10 \(332,810 parameters\) on digits would need about [\d.]+ GiB of memory \(activations of a batch and of an evaluation chunk [\d.]+ GiB, /m);
  const bad = await runCli(['train', '--runs-dir', runs, '--max-memory', 'plenty']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^ls-bench: --max-memory "plenty": expected a size of at least 256M/m);
  assert.deepEqual(readdirSync(runs), [], 'nothing written');
});

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

test('hostile class labels, file names and run.json fields reach no terminal, markdown or CSV raw', async () => {
  const dir = tempDir();
  const runs = path.join(dir, 'runs');
  const labels = ['\u001b]52;c;cHduZWQ=\u0007', '<img src=x onerror=alert(1)>', '=HYPERLINK("http://evil.example","x")', 'a|b [l](javascript:x)', '```', 'user\u202Egnp.exe', '\u009b2J'];
  const rows = ['f1,f2,label'];
  for (let i = 0; i < 140; i++) rows.push(`${(i % 7) + Math.sin(i)},${Math.cos(i)},"${labels[i % 7]!.replace(/"/g, '""')}"`);
  const csv = path.join(dir, 'data.csv');
  writeFileSync(csv, `${rows.join('\n')}\n`);
  const trained = await runCli(['train', '--runs-dir', runs, '--dataset', `csv:${csv}`, '--epochs', '1', '--hidden', '8', '--backend', 'cpu', '--name', 'hostile']);
  assert.equal(trained.code, 0, trained.stderr);
  const second = await runCli(['train', '--runs-dir', runs, '--dataset', `csv:${csv}`, '--epochs', '1', '--hidden', '8', '--backend', 'cpu', '--seed', '1']);
  assert.equal(second.code, 0, second.stderr);
  const [id, other] = readdirSync(runs).sort();
  // a shared runs directory: someone edits run.json by hand
  const meta = path.join(runs, id!, 'run.json');
  writeFileSync(meta, JSON.stringify({ ...JSON.parse(readFileSync(meta, 'utf8')), name: '=cmd|"/c calc"!A1\u001b[8m', tags: ['\u001b]8;;http://evil.example\u0007link'] }));
  const outputs = [trained];
  for (const args of [
    ['show', id!],
    ['show', id!, '--format', 'markdown'],
    ['show', id!, '--json'],
    ['runs'],
    ['runs', '--format', 'markdown'],
    ['runs', '--format', 'csv'],
    ['runs', '--json'],
    ['compare', id!, other!],
    ['compare', id!, other!, '--format', 'markdown'],
  ]) {
    const r = await runCli([...args, '--runs-dir', runs]);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    outputs.push(r);
    if (args.includes('markdown')) {
      assert.doesNotMatch(r.stdout, /<img|<script|(?<!\\)\]\(javascript:/, `${args.join(' ')}: no HTML, no link`);
      for (const line of r.stdout.split('\n').filter((l) => l.startsWith('```'))) assert.match(line, /^```(text)?$/, `${args.join(' ')}: only ls-bench's own fences`);
      if (args[0] === 'show') assert.match(r.stdout, /&lt;img src=x onerror=alert\(1\)>/, args.join(' '));
    }
    if (args.includes('--json')) JSON.parse(r.stdout);
  }
  for (const r of outputs) {
    assert.doesNotMatch(r.stdout, RAW_CONTROL);
    assert.doesNotMatch(r.stderr, RAW_CONTROL);
  }
  const csvOut = outputs.find((r, i) => i > 0 && r.stdout.startsWith('id,name,status'))!.stdout;
  assert.match(csvOut, /,"'=cmd\|""\/c calc""!A1\\u001b\[8m",/, 'the formula is neutralised and the escape visible');
  // a file name with an escape sequence, in an error message
  const badName = path.join(dir, 'x\u001b]0;pwned\u0007.csv');
  const missing = await runCli(['train', '--runs-dir', runs, '--dataset', `csv:${badName}`]);
  assert.equal(missing.code, 2);
  assert.doesNotMatch(missing.stderr, RAW_CONTROL);
  assert.match(missing.stderr, /x\\u001b\]0;pwned\\u0007\.csv: cannot read CSV file \(no such file\)/);
});

test('damaged or hand-edited run files: show, report and --resume each say which file and field, exit 2, and change nothing', async () => {
  const store = new RunStore(tempDir());
  const damage: [keyof typeof RUN_FILES, (v: Record<string, any>) => void, RegExp][] = [
    ['summary', (s) => (s.dataset.classNames = [null, 'b', 'c']), /summary\.json: "dataset\.classNames\[0\]": expected string, got null/],
    ['summary', (s) => s.arms[0].test.confusionMatrix.pop(), /summary\.json: "arms\[0\]\.test\.confusionMatrix": expected 3 rows/],
    ['summary', (s) => (s.arms[1].label = 'hard'), /summary\.json: "arms\[1\]\.label": expected a label no other arm has/],
    ['histograms', (h) => (h.arms = h.arms.slice(0, 1)), /histograms\.json: no entry for arm "smoothed"/],
    ['config', (c) => (c.epochs = 'many'), /config\.json: "epochs": /],
    ['meta', (m) => (m.tags = 'x'), /run\.json: "tags": expected array, got "x"/],
    ['environment', (e) => (e.cpuCount = null), /environment\.json: "cpuCount": expected number, got null/],
  ];
  const ids = damage.map(([file, edit], i) => {
    const w = writeFixtureRun(store, { epsilon: 0.1, createdAt: `2026-11-20T10:0${i}:00Z` });
    editJson(w.file(file), edit);
    return w.id;
  });
  for (const [i, [, , pattern]] of damage.entries()) {
    for (const args of [['show', ids[i]!], ['show', ids[i]!, '--format', 'markdown'], ['report', ids[i]!]]) {
      const r = await runCli([...args, '--runs-dir', store.root]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(oneLine(r.stderr).length, 1, r.stderr);
      assert.match(r.stderr, pattern, args.join(' '));
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    }
  }
  // --resume of an interrupted run whose files were edited: refused, and its status is what it was
  const edits: [keyof typeof RUN_FILES, (v: Record<string, any>) => void, RegExp][] = [
    ['config', (c) => (c.hidden = 'wide'), /config\.json: "hidden\[0\]": expected number, got "wide"/],
    ['status', (s) => (s.completedEpochs = 'two'), /status\.json: "completedEpochs": expected number, got "two"/],
    ['environment', (e) => delete e.backend, /environment\.json: "backend": expected string, got nothing/],
  ];
  for (const [i, [file, edit, pattern]] of edits.entries()) {
    const w = writeFixtureRun(store, { epsilon: 0.1, createdAt: `2026-11-22T10:0${i}:00Z`, outcome: 'interrupted' });
    editJson(w.file(file), edit);
    const status = readFileSync(w.file('status'), 'utf8');
    const r = await runCli(['train', '--resume', w.id, '--runs-dir', store.root]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(readFileSync(w.file('status'), 'utf8'), status, 'the status is unchanged');
  }
});
