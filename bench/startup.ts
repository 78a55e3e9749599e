/**
 * `npm run bench:startup`: how long ls-bench takes to start, for the commands that should feel instant.
 * Each command runs as a child process (`node bin/ls-bench.js …`, as a shell would run it) after one
 * warm-up, N times; prints mean ± sd, min … max and the median against the goal, and warns when the
 * machine was busy. Not a test: times depend on the machine and on what else runs on it.
 *
 *   node dist/bench/startup.js [--runs N] [--bin path/to/bin/ls-bench.js] [--npx] [--json]
 *
 * --bin measures another checkout (e.g. before a change); --npx adds `npx ls-bench --version`, run from
 * the package's folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { busyMachineWarning, formatSeconds, formatTiming, timingStats, type TimingStats } from '../src/stats/timing';

const ROOT = path.resolve(__dirname, '..', '..');

interface Case {
  name: string;
  command: string;
  args: string[];
  /** The goal (issue 16), in seconds, or null for a command measured for information. */
  goal: number | null;
  cwd?: string;
}

function usage(message: string): never {
  process.stderr.write(`startup: ${message} (usage: node dist/bench/startup.js [--runs N] [--bin FILE] [--npx] [--json])\n`);
  process.exit(2);
}

function options() {
  let values;
  try {
    values = parseArgs({ options: { runs: { type: 'string' }, bin: { type: 'string' }, npx: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } }).values;
  } catch (error) {
    usage((error as Error).message.split('\n')[0]!);
  }
  const runs = values.runs === undefined ? 20 : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 2) usage(`--runs: expected an integer ≥ 2, got "${values.runs}"`);
  return { runs, bin: path.resolve(values.bin ?? path.join(ROOT, 'bin', 'ls-bench.js')), npx: values.npx, json: values.json };
}

/** Wall seconds of one run of the command; a failing command is an error (a benchmark of an error message says nothing). */
function once(c: Case): number {
  const started = performance.now();
  const r = spawnSync(c.command, c.args, { cwd: c.cwd ?? os.tmpdir(), encoding: 'utf8', env: { ...process.env, NO_UPDATE_NOTIFIER: '1' } });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${c.name} exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
  return seconds;
}

/** A runs directory with a few small completed runs, so that `runs` has something to read and list. */
function runsFixture(bin: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ls-bench-startup-'));
  for (let seed = 0; seed < 5; seed++) {
    once({ name: 'train (fixture)', command: process.execPath, args: [bin, 'train', '--config', path.join(ROOT, 'configs', 'synthetic-tiny.yaml'), '--seed', String(seed), '--runs-dir', dir, '--json'], goal: null });
  }
  return dir;
}

function main(): void {
  const o = options();
  const runsDir = runsFixture(o.bin);
  const node = (name: string, args: string[], goal: number | null): Case => ({ name, command: process.execPath, args: [o.bin, ...args], goal });
  const cases: Case[] = [
    { name: 'node -e 0 (Node alone)', command: process.execPath, args: ['-e', '0'], goal: null },
    node('ls-bench --version', ['--version'], 0.15),
    node('ls-bench --help', ['--help'], null),
    node('ls-bench train --help', ['train', '--help'], null),
    node('ls-bench runs (5 runs)', ['runs', '--runs-dir', runsDir], 0.4),
  ];
  if (o.npx) cases.push({ name: 'npx ls-bench --version', command: 'npx', args: ['ls-bench', '--version'], goal: null, cwd: path.dirname(path.dirname(o.bin)) });
  const loadBefore = os.loadavg()[0]!;
  const results: { case: Case; timing: TimingStats }[] = [];
  try {
    for (const c of cases) {
      process.stderr.write(`startup: ${c.name} × ${o.runs} ...\n`);
      once(c);
      results.push({ case: c, timing: timingStats(Array.from({ length: o.runs }, () => once(c))) });
    }
  } finally {
    rmSync(runsDir, { recursive: true, force: true });
  }
  const load = { before: loadBefore, after: os.loadavg()[0]! };
  const busy = busyMachineWarning(load, os.cpus().length);
  if (o.json) {
    const rows = results.map((r) => ({ name: r.case.name, goalSeconds: r.case.goal, ...r.timing }));
    process.stdout.write(`${JSON.stringify({ bin: o.bin, node: process.version, cores: os.cpus().length, loadAverage: load, results: rows, warning: busy }, null, 2)}\n`);
    return;
  }
  const table = new Table({ head: ['command', 'mean ± sd (min … max, runs)', 'median', 'goal'], style: { head: [], border: [] } });
  for (const r of results) {
    const goal = r.case.goal === null ? '' : `< ${formatSeconds(r.case.goal)}: ${r.timing.median < r.case.goal ? 'met' : 'missed'}`;
    table.push([r.case.name, formatTiming(r.timing), formatSeconds(r.timing.median), goal]);
  }
  process.stdout.write(`start-up of ${o.bin} — Node ${process.version}, ${os.cpus().length} cores, load average ${load.before.toFixed(2)} before, ${load.after.toFixed(2)} after\n${table.toString()}\n`);
  if (busy) process.stdout.write(`warning: ${busy}\n`);
}

main();
