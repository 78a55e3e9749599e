import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { viewerCommand } from '../../src/cli/commands/report';
import { runCli, spawnCli } from '../helpers/cli';
import { tempDir } from '../helpers/tempDir';
import { trainSmallRun } from '../helpers/smallRun';

const CHART_IDS = [
  'curves',
  'reliability-hard',
  'reliability-smoothed-0.1',
  'reliability-smoothed-0.3',
  // after temperature scaling on the validation set
  'reliability-hard-scaled',
  'reliability-smoothed-0.1-scaled',
  'reliability-smoothed-0.3-scaled',
  'confidence',
  'confusion-hard',
  'confusion-smoothed-0.1',
  'confusion-smoothed-0.3',
];
/** Clouds of points: in the page as PNG images (data: URLs), exported like the others. */
const RASTER_IDS = ['confidence-scatter', 'projection'];

let small: Awaited<ReturnType<typeof trainSmallRun>>;

const runsRoot = tempDir('ls-bench-report-test-');

before(async () => {
  // --json --report: the JSON document alone on stdout, the report's path on stderr
  small = await trainSmallRun(runsRoot, ['--json', '--report', '--name', 'tiny']);
});

test('train --report writes <run>/report.html: self-contained, every chart inline, the tables and the verdict', () => {
  assert.doesNotThrow(() => JSON.parse(small.stdout), 'stdout is still one JSON document');
  const html = path.join(small.dir, 'report.html');
  assert.match(small.stderr, new RegExp(`report written to ${html.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const page = readFileSync(html, 'utf8');
  assert.ok(page.startsWith('<!DOCTYPE html>'));
  assert.doesNotMatch(page, /<script/i, 'no script');
  assert.doesNotMatch(page, /\b(src|href)\s*=\s*"(https?:|\/\/)/i, 'nothing loaded from elsewhere');
  assert.doesNotMatch(page, /<link\b|@import|url\(\s*["']?https?:/i, 'no external styles or fonts');
  for (const id of CHART_IDS) assert.match(page, new RegExp(`<figure class="chart" id="chart-${id.replace('.', '\\.')}"[^>]*>\\s*<svg`), `chart ${id} inline`);
  for (const id of RASTER_IDS) assert.match(page, new RegExp(`<figure class="chart" id="chart-${id}"[^>]*>\\s*<img src="data:image/png;base64,[A-Za-z0-9+/=]+" width="\\d+" height="\\d+" alt="[^"]+">`), `chart ${id} as an image`);
  for (const text of [`ls-bench run ${small.id} — tiny`, 'Verdict', 'McNemar', 'Per class', 'class 0', 'class 2', 'support', 'macro F1', 'Samples', 'Penultimate layer', 'Mean logit gap']) assert.ok(page.includes(text), `page has "${text}"`);
});

test('report <id> --runs-dir --out DIR --png --svg: the HTML where asked, and one SVG and one PNG per chart', async () => {
  const out = tempDir();
  const r = await runCli(['report', small.id, '--runs-dir', small.runs, '--out', out, '--png', '--svg']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.startsWith(`report written to ${path.join(out, 'report.html')}\n`), r.stdout);
  const images = readdirSync(path.join(out, 'report-charts')).sort();
  assert.deepEqual(images, [...CHART_IDS, ...RASTER_IDS].flatMap((id) => [`${id}.png`, `${id}.svg`]).sort());
  for (const id of [...CHART_IDS, ...RASTER_IDS]) {
    const png = readFileSync(path.join(out, 'report-charts', `${id}.png`));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.ok(png.length > 5000, `${id}.png is a real image (${png.length} bytes)`);
    assert.match(readFileSync(path.join(out, 'report-charts', `${id}.svg`), 'utf8'), /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(r.stdout.includes(path.join(out, 'report-charts', `${id}.png`)));
  }
  // the same run reached by its directory, the output named as a file
  const named = path.join(out, 'nested', 'mine.html');
  const byDir = await runCli(['report', small.dir, '--out', named]);
  assert.equal(byDir.code, 0, byDir.stderr);
  assert.ok(existsSync(named));
});

test('report finds a run by id under $LS_BENCH_RUNS_DIR (child process, as a user runs it)', () => {
  const r = spawnCli(['report', small.id], { LS_BENCH_RUNS_DIR: small.runs });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `report written to ${path.join(small.dir, 'report.html')}\n`);
});

test('bad input: one line, exit 2, no report written', async () => {
  const runs = tempDir();
  // Copies keep the run's id as their folder name: the store checks that run.json's id matches it.
  const interrupted = path.join(runs, path.basename(small.dir));
  cpSync(small.dir, interrupted, { recursive: true });
  rmSync(path.join(interrupted, 'summary.json'));
  rmSync(path.join(interrupted, 'report.html'));
  const status = JSON.parse(readFileSync(path.join(interrupted, 'status.json'), 'utf8'));
  writeFileSync(path.join(interrupted, 'status.json'), JSON.stringify({ ...status, status: 'interrupted', completedEpochs: 2 }));
  const broken = path.join(tempDir(), path.basename(small.dir));
  cpSync(small.dir, broken, { recursive: true });
  rmSync(path.join(broken, 'report.html'));
  writeFileSync(path.join(broken, 'histograms.json'), '{"schemaVersion": 1, "arms": [');
  const notARun = tempDir();
  const cases: [string[], RegExp][] = [
    [['report', 'no-such-run', '--runs-dir', runs], /run "no-such-run": (there are no runs in|no run with this id)/],
    [['report', interrupted], /has no summary\.json \(status interrupted, 2 epoch\(s\) done\); a report needs a completed run/],
    [['report', broken], /histograms\.json: .*(JSON|truncated)/],
    [['report', notARun], /not a run directory \(no run\.json\)/],
    [['report', small.dir, '--out', path.join(small.dir, 'summary.json', 'x.html')], /x\.html: cannot write the report \(ENOTDIR: a part of the path is a file/],
    [['report'], /missing required argument 'run'/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')} → exit ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length <= 2, true, `short message: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.ok(!existsSync(path.join(interrupted, 'report.html')));
  assert.ok(!existsSync(path.join(broken, 'report.html')));
});

test('--open hands the report to xdg-open, and says so when there is none', async () => {
  const bin = tempDir();
  const opened = path.join(bin, 'opened.txt');
  // Written whole, then renamed: the test polls for the file and must never read it half-written.
  writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}.tmp' && /bin/mv '${opened}.tmp' '${opened}'\n`, { mode: 0o755 });
  const savedPath = process.env.PATH;
  try {
    process.env.PATH = bin;
    const r = await runCli(['report', small.dir, '--open']);
    assert.equal(r.code, 0, r.stderr);
    for (let waited = 0; !existsSync(opened) && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(readFileSync(opened, 'utf8'), path.join(small.dir, 'report.html'));
    process.env.PATH = tempDir();
    const none = await runCli(['report', small.dir, '--open']);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stderr, /--open: xdg-open not found \(install xdg-utils\); open .*report\.html in a browser/);
    // an opener that finds no viewer (xdg-open without a browser exits 3): said, the report still written
    writeFileSync(path.join(bin, 'xdg-open'), '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    process.env.PATH = bin;
    const failing = await runCli(['report', small.dir, '--open']);
    assert.equal(failing.code, 0, failing.stderr);
    assert.match(failing.stderr, /--open: xdg-open could not open it \(exit 3\); open .*report\.html in a browser/);
  } finally {
    process.env.PATH = savedPath;
  }
});

test('report --out never replaces what is not a regular file (device, FIFO, symlink, directory of images); a trailing slash means a directory', async () => {
  const dir = tempDir();
  const fifo = path.join(dir, 'fifo.html');
  execFileSync('mkfifo', [fifo]);
  const target = path.join(dir, 'target.txt');
  writeFileSync(target, 'keep me');
  const link = path.join(dir, 'link.html');
  symlinkSync(target, link);
  const device = '/dev/null';
  const deviceBefore = statSync(device);
  for (const [out, kind] of [[device, 'a device'], [fifo, 'a FIFO'], [link, 'a symbolic link']] as const) {
    const r = await runCli(['report', small.dir, '--out', out]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, `ls-bench: ${out}: exists and is ${kind}; a report replaces only regular files, so choose another --out\n`);
  }
  assert.ok(statSync(device).isCharacterDevice() && statSync(device).rdev === deviceBefore.rdev, '/dev/null is still the device');
  assert.ok(lstatSync(fifo).isFIFO() && lstatSync(link).isSymbolicLink());
  assert.equal(readFileSync(target, 'utf8'), 'keep me');
  // the images' folder beside the HTML must not be a symlink either
  const chartsLink = path.join(dir, 'r-charts');
  symlinkSync(dir, chartsLink);
  const images = await runCli(['report', small.dir, '--out', path.join(dir, 'r.html'), '--svg']);
  assert.equal(images.code, 2, images.stderr);
  assert.match(images.stderr, /r-charts: exists and is a symbolic link; a report replaces only regular directories/);
  const slash = await runCli(['report', small.dir, '--out', `${path.join(dir, 'new-folder')}/`]);
  assert.equal(slash.code, 0, slash.stderr);
  assert.ok(statSync(path.join(dir, 'new-folder', 'report.html')).isFile(), 'out/ is a directory, created');
  const empty = await runCli(['report', small.dir, '--out', '']);
  assert.equal(empty.code, 2);
  assert.equal(empty.stderr, 'ls-bench: --out: expected a path, got an empty string\n');
});

test('--open knows each platform\'s opener: open on macOS, start (through cmd) on Windows, xdg-open elsewhere', () => {
  assert.deepEqual(viewerCommand('/r/report.html', 'darwin', {}), { command: 'open', args: ['/r/report.html'] });
  assert.deepEqual(viewerCommand('C:\\r\\report.html', 'win32', { ComSpec: 'C:\\Windows\\system32\\cmd.exe' }), {
    command: 'C:\\Windows\\system32\\cmd.exe',
    args: ['/d', '/s', '/c', 'start', '""', 'C:\\r\\report.html'],
  });
  const bin = tempDir();
  writeFileSync(path.join(bin, 'xdg-open'), '#!/bin/sh\n', { mode: 0o755 });
  assert.deepEqual(viewerCommand('/r/report.html', 'linux', { PATH: bin }), { command: path.join(bin, 'xdg-open'), args: ['/r/report.html'] });
  assert.deepEqual(viewerCommand('/r/report.html', 'freebsd', { PATH: tempDir() }), { missing: 'xdg-open not found (install xdg-utils)' });
});

test('the run report\'s verdict says which way each difference is better', () => {
  const page = readFileSync(path.join(small.dir, 'report.html'), 'utf8');
  assert.match(page, /<p>ΔNLL [+−±][\d.]+ \[[^\]]+\] → (no detectable difference|detectable: smoothed-0\.1 is (better|worse))<\/p>/);
  assert.equal(page.match(/<p class="key">Δ: the arm − hard; better: higher accuracy, lower NLL, ECE and Brier; mean confidence has no better direction\.<\/p>/g)?.length, 1, 'the key, once for both smoothed arms');
  assert.match(page, /where arms overlap, their fills add up to a darker mix of their colours/, 'the histogram says what an overlap looks like');
});
