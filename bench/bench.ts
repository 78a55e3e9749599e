/**
 * `npm run bench`: how fast ls-bench trains on this machine, per backend, against PyTorch measured in
 * the same run. Not a test: it prints numbers, it does not judge them (except the ratio it reports).
 *
 * Every measurement runs the real CLI (`bin/ls-bench.js train ... --json`) as a child process, so wall
 * time includes Node's start-up, loading the data and writing the run directory; peak RSS is the
 * child's own (bench/peakRss.ts). The PyTorch reference (bench/reference_torch.py) trains the same
 * two arms one after the other, data loading included, on one thread.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { modelFootprint } from '../src/engine/modelSize';
import { loadNativeAddon } from '../src/engine/nativeAddon';
import { busyMachineWarning, formatSeconds, timingStats, type TimingStats } from '../src/stats/timing';
import { fashionSpec, profileStep, renderProfile, sgemmRate } from './layerProfile';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'ls-bench.js');
const PRELOAD = path.join(__dirname, 'peakRss.js');
const TORCH_SCRIPT = path.join(ROOT, 'bench', 'reference_torch.py');
const PYTHON = '/usr/bin/python3';
const FASHION_DIRS = [path.join(ROOT, 'data', 'fashion-mnist'), '/usr/share/datasets/fashion-mnist'];
/** A row whose first run took less than this many seconds is run DEFAULT_FAST_RUNS times (unless --runs says otherwise). */
const FAST_ROW_SECONDS = 60;
const DEFAULT_FAST_RUNS = 3;
/** Backends that would take many minutes on the full Fashion-MNIST run: measured on a subset. */
const SLOW_BACKENDS = new Set(['wasm', 'cpu']);

interface Workload {
  /** "default" (synthetic, `train --epsilon 0.1`) or "fashion-mnist" (configs/fashion-mnist.yaml). */
  name: string;
  args: string[];
  epochs: number;
  limit?: number;
  /** reference_torch.py's arguments for the same model (fashion workloads). */
  torchArgs?: string[];
  /** Per sample: the matrix products of a training step and of an evaluation (modelFootprint). */
  flops?: { training: number; forward: number };
}

/** The paired Fashion-MNIST experiments: the classic MLP, the classic small CNN, and a wide MLP (large sgemms). */
const FASHION_WORKLOADS = [
  { name: 'fashion-mnist', config: 'fashion-mnist.yaml', flags: {}, args: [], torchArgs: [] },
  { name: 'fashion-mnist-cnn', config: 'fashion-mnist-cnn.yaml', flags: {}, args: [], torchArgs: ['--model', 'cnn'] },
  { name: 'wide-mlp', config: 'fashion-mnist.yaml', flags: { hidden: [1024, 1024] }, args: ['--hidden', '1024,1024'], torchArgs: ['--hidden', '1024,1024'] },
] as const;
const WORKLOAD_NAMES = ['default', ...FASHION_WORKLOADS.map((w) => w.name)];

/** An arm's GFLOP/s: its epochs' training and test work over its own seconds. */
function gflopsOf(workload: Workload, trainSamples: number, testSamples: number, arms: { seconds: number }[]): number | undefined {
  if (!workload.flops) return undefined;
  const work = workload.epochs * (trainSamples * workload.flops.training + testSamples * workload.flops.forward);
  return arms.reduce((sum, a) => sum + work / a.seconds / 1e9, 0) / arms.length;
}

/** One run of a workload on an engine. */
export interface SingleRun {
  workload: string;
  engine: string;
  /** What was run: epochs and training samples. */
  epochs: number;
  trainSamples: number;
  wallSeconds: number;
  peakRssBytes: number | null;
  /** Per arm: training samples × epochs / the arm's own seconds (training plus its per-epoch test evaluation). */
  arms: { label: string; samplesPerSecond: number; seconds: number; finalTestAccuracy: number }[];
  /** The model's matrix-product work per arm (training and per-epoch evaluation) / the arm's seconds, averaged over the arms. */
  gflopsPerArm?: number;
  note?: string;
}

/** A row of the table: the same workload run `wall.runs` times; arms and accuracy from the median run. */
export interface Measurement {
  workload: string;
  engine: string;
  /** What was run: epochs and training samples. */
  epochs: number;
  trainSamples: number;
  /** Wall seconds over the runs: mean ± sd, min…max, median, outliers. */
  wall: TimingStats;
  /** The highest peak RSS of the runs. */
  peakRssBytes: number | null;
  /** Per arm: training samples × epochs / the arm's own seconds (training plus its per-epoch test evaluation). */
  arms: { label: string; samplesPerSecond: number; seconds: number; finalTestAccuracy: number }[];
  /** PyTorch's median wall / this median wall, when PyTorch ran the same workload: ≥ 1.0 means ls-bench is at least as fast. */
  ratioToTorch?: number;
  /** The same against PyTorch with the arms in two parallel processes. */
  ratioToTorchParallel?: number;
  /** The model's matrix-product work per arm (training and per-epoch evaluation) / the arm's seconds, averaged over the arms (median run). */
  gflopsPerArm?: number;
  note?: string;
}

/** A mistake in the benchmark's own flags: one line, exit code 2. */
class BenchUsageError extends Error {}

function fail(message: string): never {
  throw new BenchUsageError(message);
}

function parseOptions() {
  const parse = () => parseArgs({
    options: {
      epochs: { type: 'string' },
      limit: { type: 'string' },
      backends: { type: 'string' },
      'slow-limit': { type: 'string' },
      'slow-epochs': { type: 'string' },
      runs: { type: 'string' },
      'skip-torch': { type: 'boolean', default: false },
      'skip-default': { type: 'boolean', default: false },
      'skip-fashion': { type: 'boolean', default: false },
      workloads: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse().values;
  } catch (error) {
    fail(`${(error as Error).message.split('\n')[0]} (see --help)`);
  }
  const int = (flag: string, raw: string | undefined, fallback: number | undefined) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) fail(`--${flag}: expected a positive integer, got "${raw}"`);
    return n;
  };
  const backends = values.backends?.split(',').map((b) => b.trim());
  for (const b of backends ?? []) if (!['node', 'native', 'wasm', 'cpu'].includes(b)) fail(`--backends: unknown backend "${b}" (expected node, native, wasm, cpu)`);
  const workloads = values.workloads?.split(',').map((w) => w.trim()) ?? WORKLOAD_NAMES;
  for (const w of workloads) if (!WORKLOAD_NAMES.includes(w)) fail(`--workloads: unknown workload "${w}" (expected ${WORKLOAD_NAMES.join(', ')})`);
  return {
    help: values.help,
    json: values.json,
    epochs: int('epochs', values.epochs, 10)!,
    limit: int('limit', values.limit, undefined),
    slowLimit: int('slow-limit', values['slow-limit'], 3000)!,
    slowEpochs: int('slow-epochs', values['slow-epochs'], 1)!,
    runs: int('runs', values.runs, undefined),
    backends,
    skipTorch: values['skip-torch'],
    skipDefault: values['skip-default'],
    skipFashion: values['skip-fashion'],
    workloads,
  };
}

const HELP = `npm run bench -- [options]

Measures ls-bench train per backend (wall time from the shell, samples/s and GFLOP/s per arm, peak RSS)
on the default synthetic job and on three paired Fashion-MNIST experiments (the MLP of
configs/fashion-mnist.yaml, the CNN of configs/fashion-mnist-cnn.yaml, a wide MLP with hidden 1024,1024),
and PyTorch on the same experiments; then this machine's sgemm rate and where a CNN step's time goes.
Each row is run several times; warns about runs that stand out and about a busy machine.

  --epochs N        Fashion-MNIST epochs (default 10, the classic experiment)
  --limit N         Fashion-MNIST: a stratified subset of N training samples (default: all 60,000)
  --backends LIST   comma-separated: node,native,wasm,cpu (default: every one that loads here)
  --slow-limit N    wasm and cpu run Fashion-MNIST on N samples (default 3000): the full run takes them many minutes
  --slow-epochs N   ... for N epochs (default 1)
  --runs N          run every row N times (default: 3 for a row whose first run took under a minute, 1 for
                    the others); the table gives mean ± sd and min … max, and warns when a run stands out
  --workloads LIST  comma-separated: ${WORKLOAD_NAMES.join(',')} (default: all)
  --skip-torch, --skip-default, --skip-fashion
  --json            one JSON document on stdout
`;

/** Backends that load in this installation, in auto's order. */
function availableBackends(): string[] {
  const found: string[] = [];
  try {
    require.resolve('@tensorflow/tfjs-node');
    found.push('node');
  } catch {
    /* not installed */
  }
  if (loadNativeAddon().addon) found.push('native');
  found.push('wasm', 'cpu');
  return found;
}

function runLsBench(workload: Workload, backend: string, note?: string): SingleRun {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ls-bench-bench-'));
  const rssFile = path.join(tmp, 'peak-rss');
  try {
    const args = ['-r', PRELOAD, BIN, 'train', ...workload.args, '--backend', backend, '--runs-dir', path.join(tmp, 'runs'), '--json'];
    const started = performance.now();
    const r = spawnSync(process.execPath, args, {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, LS_BENCH_PEAK_RSS_FILE: rssFile },
    });
    const wallSeconds = (performance.now() - started) / 1000;
    if (r.status !== 0) throw new Error(`ls-bench train --backend ${backend} (${workload.name}) exited ${r.status}: ${r.stderr.trim().split('\n').at(-1)}`);
    const doc = JSON.parse(r.stdout) as {
      dataset: { trainSamples: number; testSamples: number };
      arms: { label: string; history: { seconds: number; testAccuracy: number }[] }[];
    };
    const trained = doc.dataset.trainSamples * workload.epochs;
    const arms = doc.arms.map((arm) => {
      const seconds = arm.history.reduce((s, h) => s + h.seconds, 0);
      return { label: arm.label, seconds, samplesPerSecond: trained / seconds, finalTestAccuracy: arm.history.at(-1)!.testAccuracy };
    });
    const gflopsPerArm = gflopsOf(workload, doc.dataset.trainSamples, doc.dataset.testSamples, arms);
    return {
      workload: workload.name,
      engine: `ls-bench ${backend}`,
      epochs: workload.epochs,
      trainSamples: doc.dataset.trainSamples,
      wallSeconds,
      peakRssBytes: existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) : null,
      arms,
      ...(gflopsPerArm !== undefined ? { gflopsPerArm } : {}),
      ...(note ? { note } : {}),
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A backend that fails (e.g. an installed but broken tfjs-node) is reported as skipped, not fatal. */
async function measureOrSkip(measure: () => SingleRun | Promise<SingleRun>, repeat: RepeatOptions, skipped: string[]): Promise<Measurement | undefined> {
  try {
    return await repeated(measure, repeat);
  } catch (error) {
    skipped.push((error as Error).message);
    return undefined;
  }
}

interface RepeatOptions {
  /** --runs: how often to run every row; undefined: 3 times for a row whose first run took under a minute, once for the others. */
  runs: number | undefined;
  log(line: string): void;
  warnings: string[];
}

/** The row of a workload run once, then again as often as asked; outliers are warned about. */
async function repeated(measure: () => SingleRun | Promise<SingleRun>, options: RepeatOptions): Promise<Measurement> {
  const first = await measure();
  const runs = options.runs ?? (first.wallSeconds < FAST_ROW_SECONDS ? DEFAULT_FAST_RUNS : 1);
  const all = [first];
  for (let i = 1; i < runs; i++) {
    options.log(`  run ${i + 1} of ${runs} ...`);
    all.push(await measure());
  }
  const wall = timingStats(all.map((r) => r.wallSeconds));
  const typical = [...all].sort((a, b) => a.wallSeconds - b.wallSeconds)[(all.length - 1) >> 1]!;
  if (wall.outliers.length > 0) {
    options.warnings.push(
      `${first.workload} on ${first.engine}: ${wall.outliers.map(formatSeconds).join(', ')} stand${wall.outliers.length === 1 ? 's' : ''} out from the other runs (median ${formatSeconds(wall.median)}): something else was probably running; ratios use the medians`,
    );
  }
  const { wallSeconds: _w, peakRssBytes: _p, ...rest } = typical;
  const rss = all.map((r) => r.peakRssBytes).filter((b): b is number => b !== null);
  return { ...rest, wall, peakRssBytes: rss.length ? Math.max(...rss) : null };
}

function torchAvailable(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `PyTorch not importable by ${PYTHON} (apt-get install python3-torch)`;
}

/** reference_torch.py's command line for a workload. */
function torchCommand(workload: Workload): string[] {
  return [TORCH_SCRIPT, '--epochs', String(workload.epochs), ...(workload.limit ? ['--limit', String(workload.limit)] : []), ...(workload.torchArgs ?? [])];
}

function runTorch(workload: Workload): SingleRun {
  const args = torchCommand(workload);
  const started = performance.now();
  const r = spawnSync(PYTHON, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wallSeconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`reference_torch.py exited ${r.status}: ${r.stderr.trim().split('\n').at(-1)}`);
  const doc = JSON.parse(r.stdout) as {
    torch: string;
    threads: number;
    trainCount: number;
    testCount: number;
    peakRssBytes: number;
    arms: { label: string; seconds: number; samplesPerSecond: number; finalTestAccuracy: number }[];
  };
  const gflopsPerArm = gflopsOf(workload, doc.trainCount, doc.testCount, doc.arms);
  return {
    workload: workload.name,
    engine: `PyTorch ${doc.torch} (${doc.threads} thread)`,
    epochs: workload.epochs,
    trainSamples: doc.trainCount,
    wallSeconds,
    peakRssBytes: doc.peakRssBytes,
    arms: doc.arms.map(({ label, seconds, samplesPerSecond, finalTestAccuracy }) => ({ label, seconds, samplesPerSecond, finalTestAccuracy })),
    ...(gflopsPerArm !== undefined ? { gflopsPerArm } : {}),
  };
}

/** Output of one reference_torch.py process. */
interface TorchDoc {
  torch: string;
  threads: number;
  trainCount: number;
  testCount: number;
  peakRssBytes: number;
  arms: { label: string; seconds: number; samplesPerSecond: number; finalTestAccuracy: number }[];
}

function spawnTorchArm(args: string[]): Promise<TorchDoc> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out) as TorchDoc);
      else reject(new Error(`reference_torch.py exited ${code}: ${err.trim().split('\n').at(-1)}`));
    });
  });
}

/** PyTorch with the two arms in two processes at the same time (one thread each): wall until both finish. */
async function runTorchParallel(workload: Workload): Promise<SingleRun> {
  const base = torchCommand(workload);
  const started = performance.now();
  const docs = await Promise.all(['hard', 'smoothed'].map((arm) => spawnTorchArm([...base, '--arm', arm])));
  const wallSeconds = (performance.now() - started) / 1000;
  const arms = docs.flatMap((d) => d.arms);
  const gflopsPerArm = gflopsOf(workload, docs[0]!.trainCount, docs[0]!.testCount, arms);
  return {
    workload: workload.name,
    engine: `PyTorch ${docs[0]!.torch}, arms in 2 processes`,
    epochs: workload.epochs,
    trainSamples: docs[0]!.trainCount,
    wallSeconds,
    // two processes alive at once: their peaks add up
    peakRssBytes: docs.reduce((sum, d) => sum + d.peakRssBytes, 0),
    arms,
    ...(gflopsPerArm !== undefined ? { gflopsPerArm } : {}),
    note: 'peak RSS: sum of both processes',
  };
}

const fmt = {
  rate: (x: number) => Math.round(x).toLocaleString('en-US'),
  mib: (b: number | null) => (b === null ? '?' : `${Math.round(b / 2 ** 20)} MiB`),
};

interface RenderExtras {
  /** This machine's sgemm rate on one thread, GFLOP/s; null without the native backend. */
  sgemm: number | null;
  /** Where a CNN training step's time goes, layer by layer (bench/layerProfile.ts). */
  profile: string | undefined;
}

function render(results: Measurement[], skipped: string[], warnings: string[], load: { before: number; after: number }, { sgemm, profile }: RenderExtras): string {
  const table = new Table({
    head: ['workload', 'engine', 'epochs × samples', 'wall: mean ± sd', 'min … max (runs)', 'samples/s per arm', 'GFLOP/s per arm', 'of sgemm', 'peak RSS', 'ratio vs torch', 'ratio vs torch ∥', 'test acc per arm'],
    style: { head: [], border: [] },
  });
  for (const m of results) {
    table.push([
      m.workload,
      m.engine + (m.note ? `\n(${m.note})` : ''),
      `${m.epochs} × ${m.trainSamples.toLocaleString('en-US')}`,
      m.wall.sd === null ? formatSeconds(m.wall.mean) : `${formatSeconds(m.wall.mean)} ± ${formatSeconds(m.wall.sd)}`,
      `${formatSeconds(m.wall.min)} … ${formatSeconds(m.wall.max)} (${m.wall.runs})${m.wall.outliers.length ? ' !' : ''}`,
      m.arms.map((a) => `${a.label} ${fmt.rate(a.samplesPerSecond)}`).join('\n'),
      m.gflopsPerArm === undefined ? '' : m.gflopsPerArm.toFixed(1),
      m.gflopsPerArm === undefined || sgemm === null ? '' : `${((100 * m.gflopsPerArm) / sgemm).toFixed(0)}%`,
      fmt.mib(m.peakRssBytes),
      m.ratioToTorch === undefined ? '' : m.ratioToTorch.toFixed(2),
      m.ratioToTorchParallel === undefined ? '' : m.ratioToTorchParallel.toFixed(2),
      m.arms.map((a) => `${(a.finalTestAccuracy * 100).toFixed(2)}%`).join('\n'),
    ]);
  }
  const lines = [
    `ls-bench benchmark — ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.cpus().length} cores, load average ${load.before.toFixed(2)} before and ${load.after.toFixed(2)} after, Node ${process.version}`,
    table.toString(),
    'wall: the whole command from the shell (start-up, data loading, training, evaluation, writing the run), over the runs of the row; samples/s and accuracy: its median run.',
    `runs: --runs N for every row; by default ${DEFAULT_FAST_RUNS} for a row whose first run took under ${FAST_ROW_SECONDS} s, 1 for the slower ones ("!": a run stood out, see below).`,
    'ratio vs torch: PyTorch median wall (arms one after the other, 1 thread) / ls-bench median wall on the same workload; ≥ 1.00 means ls-bench is at least as fast.',
    'ratio vs torch ∥: the same against PyTorch with the arms in two processes at once.',
    `GFLOP/s per arm: the model's matrix products (training steps and per-epoch test evaluation) / the arm's own seconds; of sgemm: against this machine's sgemm rate on one thread, ${sgemm === null ? 'not measured (no native backend)' : `${sgemm.toFixed(1)} GFLOP/s (1024³, best of 5)`}.`,
  ];
  if (profile) lines.push('', profile);
  for (const w of warnings) lines.push(`warning: ${w}`);
  for (const s of skipped) lines.push(`skipped: ${s}`);
  return lines.join('\n');
}

interface FashionContext {
  options: ReturnType<typeof parseOptions>;
  backends: string[];
  torchProblem: string | undefined;
  skipped: string[];
  repeat: RepeatOptions;
}

/**
 * One Fashion-MNIST workload: PyTorch (arms one after the other, and in two processes) unless it is not
 * available, then every backend, the slow ones on a subset; the rows with their ratios to PyTorch.
 */
async function measureFashion(fashion: (typeof FASHION_WORKLOADS)[number], context: FashionContext): Promise<Measurement[]> {
  const { options, backends, torchProblem, skipped, repeat } = context;
  const configFile = path.join(ROOT, 'configs', fashion.config);
  const footprint = modelFootprint(fashionSpec(configFile, fashion.flags));
  const flops = { training: footprint.trainingFlopsPerSample, forward: footprint.forwardFlopsPerSample };
  const workloadOf = (epochs: number, limit: number | undefined): Workload => ({
    name: fashion.name,
    // --val-fraction 0: train on the same samples as reference_torch.py (no validation split held out)
    args: ['--config', configFile, ...fashion.args, '--val-fraction', '0', '--epochs', String(epochs), ...(limit ? ['--limit', String(limit)] : [])],
    epochs,
    ...(limit ? { limit } : {}),
    torchArgs: [...fashion.torchArgs],
    flops,
  });
  const full = workloadOf(options.epochs, options.limit);
  const results: Measurement[] = [];
  let torch: Measurement | undefined;
  let torchParallel: Measurement | undefined;
  if (!torchProblem) {
    repeat.log(`${fashion.name} on PyTorch, arms one after the other (reference) ...`);
    torch = await repeated(() => runTorch(full), repeat);
    results.push(torch);
    repeat.log(`${fashion.name} on PyTorch, arms in two processes at once (reference) ...`);
    torchParallel = await repeated(() => runTorchParallel(full), repeat);
    results.push(torchParallel);
  }
  for (const backend of backends) {
    const slow = SLOW_BACKENDS.has(backend) && (options.limit ?? 60000) > options.slowLimit;
    const workload = slow ? workloadOf(options.slowEpochs, options.slowLimit) : full;
    repeat.log(`${fashion.name} on ${backend}${slow ? ` (subset: --limit ${options.slowLimit} --epochs ${options.slowEpochs})` : ''} ...`);
    const m = await measureOrSkip(() => runLsBench(workload, backend, slow ? 'subset: too slow for the full run' : undefined), repeat, skipped);
    if (!m) continue;
    // from the medians: one slow run (a busy moment) must not decide the ratio
    if (torch && !slow) m.ratioToTorch = torch.wall.median / m.wall.median;
    if (torchParallel && !slow) m.ratioToTorchParallel = torchParallel.wall.median / m.wall.median;
    results.push(m);
  }
  return results;
}

async function main() {
  const options = parseOptions();
  if (options.help) {
    process.stdout.write(HELP);
    return;
  }
  const available = availableBackends();
  const backends = options.backends ?? available;
  for (const b of backends) if (!available.includes(b)) fail(`--backends: ${b} is not available here (available: ${available.join(', ')})`);
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const results: Measurement[] = [];
  const skipped: string[] = [];
  const warnings: string[] = [];
  const repeat: RepeatOptions = { runs: options.runs, log, warnings };
  const loadBefore = os.loadavg()[0]!;
  if (!available.includes('native')) skipped.push(`native: ${loadNativeAddon().problem}`);

  const addon = loadNativeAddon().addon;
  const sgemm = addon ? sgemmRate(addon) : null;
  if (sgemm !== null) log(`sgemm on one thread: ${sgemm.toFixed(1)} GFLOP/s`);

  if (!options.skipDefault && options.workloads.includes('default')) {
    const workload: Workload = { name: 'default', args: ['--epsilon', '0.1'], epochs: 15 };
    for (const backend of backends) {
      log(`default job on ${backend} ...`);
      const m = await measureOrSkip(() => runLsBench(workload, backend), repeat, skipped);
      if (m) results.push(m);
    }
  }

  if (!options.skipFashion) {
    if (!FASHION_DIRS.some((d) => existsSync(path.join(d, 'train-images-idx3-ubyte.gz')))) {
      skipped.push('fashion-mnist: IDX files not found (apt-get install dataset-fashion-mnist, or put them in data/fashion-mnist/)');
    } else {
      const torchProblem = options.skipTorch ? 'PyTorch reference: --skip-torch' : torchAvailable();
      if (torchProblem) skipped.push(torchProblem);
      for (const fashion of FASHION_WORKLOADS.filter((w) => options.workloads.includes(w.name))) {
        results.push(...(await measureFashion(fashion, { options, backends, torchProblem, skipped, repeat })));
      }
    }
  }

  let profile: string | undefined;
  if (addon && options.workloads.includes('fashion-mnist-cnn')) {
    log('a CNN training step, layer by layer (native, one thread) ...');
    profile = renderProfile(await profileStep('configs/fashion-mnist-cnn.yaml', path.join(ROOT, 'configs', 'fashion-mnist-cnn.yaml')), sgemm);
  }

  const load = { before: loadBefore, after: os.loadavg()[0]! };
  const busy = busyMachineWarning(load, os.cpus().length);
  if (busy) warnings.unshift(busy);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ cpu: os.cpus()[0]?.model.trim() ?? null, cores: os.cpus().length, loadAverage: load, node: process.version, sgemmGflops: sgemm, results, warnings, skipped }, null, 2)}\n`);
  } else {
    process.stdout.write(`${render(results, skipped, warnings, load, { sgemm, profile })}\n`);
  }
  for (const w of warnings) log(`warning: ${w}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exitCode = error instanceof BenchUsageError ? 2 : 1;
});
