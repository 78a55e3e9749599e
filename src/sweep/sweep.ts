import { cpus } from 'node:os';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors';
import { describeIssue, expectation, readConfigFile, type FlagValues } from '../config/loadConfig';
import { SweepSectionSchema, TrainConfigSchema, type TrainConfig } from '../config/schema';
import { locateFashionMnist } from '../data/fashionMnist';
import { loadDataset } from '../data/loadDataset';
import { selectBackend } from '../engine/backend';
import { checkModelSize } from '../engine/mlpSpec';
import { SMOOTHING_VARIANTS, type SmoothingVariant } from '../smoothing/labelSmoothing';
import { aggregateSweep, aggregateValue, type SweepAggregate } from './aggregate';
import { checkAssertionArms, evaluateAssertion, parseAssertions, type Assertion, type AssertionOutcome } from './assertions';
import { processCellRunner, runPool, type CellRunner } from './cellWorker';
import {
  baseConfigOf,
  checkGrid,
  expandGrid,
  parseSeeds,
  shardCells,
  smoothedEpsilons,
  sweepDigest,
  sweepIdOf,
  type ShardSpec,
  type SweepCell,
  type SweepGrid,
} from './grid';
import { SWEEP_SCHEMA_VERSION, SweepDir, type CellProgress, type CellResult, type SweepMeta } from './sweepFiles';

/** The grid flags of `ls-bench sweep`, as given (undefined = not given). */
export interface SweepFlags {
  epsilon?: string;
  seeds?: string;
  smoothing?: string;
  jobs?: string;
  assert: string[];
}

export interface SweepPlan {
  sweepId: string;
  digest: string;
  grid: SweepGrid;
  config: TrainConfig;
  assertions: Assertion[];
  jobs: number;
  cells: SweepCell[];
}

export const DEFAULT_SEEDS = '0-4';

function numberList(flag: string, text: string): number[] {
  if (text.trim() === '') return [];
  return text.split(',').map((p) => {
    const t = p.trim();
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) throw new CliError(`${flag}: expected a comma-separated list of numbers, got "${text}" ("${t}" is not a number)`);
    return Number(t);
  });
}

/**
 * Everything the sweep needs, checked before anything is trained or written: the config file (its
 * `sweep:` section validated by SweepSectionSchema, the rest by the training schema), the flags, the grid,
 * the assertions and the number of jobs. Precedence: flag, then the sweep section, then the top-level key.
 */
export function planSweep(options: { configFile?: string; trainFlags: FlagValues; sweepFlags: SweepFlags }): SweepPlan {
  const file = options.configFile;
  const fromFile = file ? readConfigFile(file) : {};
  const { sweep: rawSection, ...trainKeys } = fromFile;
  const sectionResult = SweepSectionSchema.safeParse(rawSection ?? {});
  if (!sectionResult.success) {
    const issue = sectionResult.error.issues[0]!;
    const where = file ?? 'config';
    if (issue.code === 'unrecognized_keys') {
      throw new CliError(`${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"sweep.${k}"`).join(', ')}; expected one of: ${Object.keys(SweepSectionSchema.shape).map((k) => `sweep.${k}`).join(', ')}`);
    }
    if (issue.path.length === 0) throw new CliError(`${where}: key "sweep": expected a mapping (epsilon, seeds, smoothing, jobs, assert), got ${JSON.stringify(rawSection)}`);
    const key = String(issue.path[0]);
    throw new CliError(`${where}: key "sweep.${issue.path.join('.')}": ${expectation(issue)}, got ${JSON.stringify((rawSection as Record<string, unknown>)[key])}`);
  }
  const section = sectionResult.data;

  const merged = { ...trainKeys, ...options.trainFlags };
  const parsed = TrainConfigSchema.safeParse(merged);
  if (!parsed.success) throw new CliError(describeIssue(parsed.error.issues[0]!, merged, options.trainFlags, file));
  const config = parsed.data;

  const flags = options.sweepFlags;
  const sectionName = (key: string) => `${file ?? 'config'}: key "sweep.${key}"`;
  const epsilonSource = flags.epsilon !== undefined ? '--epsilon' : section.epsilon !== undefined ? sectionName('epsilon') : file && 'epsilon' in trainKeys ? `${file}: key "epsilon"` : '--epsilon';
  const epsilons = flags.epsilon !== undefined ? numberList('--epsilon', flags.epsilon) : (section.epsilon ?? [0, ...config.epsilon]);
  const smoothingSource = flags.smoothing !== undefined ? '--smoothing' : section.smoothing !== undefined ? sectionName('smoothing') : 'smoothing';
  const smoothingNames = flags.smoothing !== undefined ? flags.smoothing.split(',').map((s) => s.trim()) : (section.smoothing ?? [config.smoothing]);
  for (const s of smoothingNames) {
    if (!(SMOOTHING_VARIANTS as readonly string[]).includes(s)) throw new CliError(`${smoothingSource}: expected ${SMOOTHING_VARIANTS.map((v) => `"${v}"`).join(' or ')}, got "${s}"`);
  }
  const seeds =
    flags.seeds !== undefined ? parseSeeds('--seeds', flags.seeds) : section.seeds !== undefined ? parseSeeds(sectionName('seeds'), section.seeds) : parseSeeds('--seeds', DEFAULT_SEEDS);
  const grid = checkGrid({ epsilons, seeds, smoothing: smoothingNames as SmoothingVariant[] }, { epsilon: epsilonSource, smoothing: smoothingSource });

  const assertions = parseAssertions([...(section.assert ?? []), ...flags.assert]);
  checkAssertionArms(assertions, smoothedEpsilons(grid));

  let jobs = section.jobs ?? Math.max(1, cpus().length);
  if (flags.jobs !== undefined) {
    if (!/^\d+$/.test(flags.jobs.trim()) || Number(flags.jobs) < 1 || Number(flags.jobs) > 256) throw new CliError(`--jobs: expected an integer from 1 to 256, got "${flags.jobs}"`);
    jobs = Number(flags.jobs);
  }
  const digest = sweepDigest(grid, config);
  return { sweepId: sweepIdOf(digest), digest, grid, config, assertions, jobs, cells: expandGrid(grid) };
}

/**
 * What the cells would otherwise each fail on, checked once before the sweep directory exists: the
 * backend loads, the data set is there (the synthetic data is generated for the first seed; the
 * Fashion-MNIST files are only located, not parsed, to keep the parent light).
 */
export async function checkSweepInputs(plan: SweepPlan): Promise<string> {
  const backend = await selectBackend(plan.config.backend);
  if (plan.config.dataset === 'fashion-mnist') locateFashionMnist(plan.config.dataDir);
  else checkModelSize(plan.config, await loadDataset({ ...plan.config, seed: plan.grid.seeds[0]! }));
  return backend.name;
}

/** The default sweep directory: <runs>/sweeps/<id>, or <id>.shard-<i>-of-<n> for one shard. */
export function defaultSweepDir(runsDir: string, sweepId: string, shard: ShardSpec | null): string {
  return path.join(runsDir, 'sweeps', shard ? `${sweepId}.shard-${shard.index}-of-${shard.count}` : sweepId);
}

/**
 * Opens the sweep directory: creates it, or checks that an existing one is the same sweep (same digest,
 * same shard) so that a rerun resumes it and never mixes two sweeps.
 */
export function openSweepDir(dir: string, plan: SweepPlan, shard: ShardSpec | null, command: string[]): { sweepDir: SweepDir; meta: SweepMeta; resumed: boolean } {
  const sweepDir = new SweepDir(dir);
  const cells = (shard ? shardCells(plan.cells, shard) : plan.cells).map((c) => c.id);
  if (sweepDir.exists()) {
    const meta = sweepDir.readMeta();
    if (meta.digest !== plan.digest) {
      throw new CliError(`${dir}: holds another sweep (${meta.sweepId}, a different grid or config); this one is ${plan.sweepId}; use another --sweep-dir`);
    }
    const same = (a: ShardSpec | null, b: ShardSpec | null) => (a === null ? b === null : b !== null && a.index === b.index && a.count === b.count);
    if (!same(meta.shard, shard)) {
      const describe = (s: ShardSpec | null) => (s ? `shard ${s.index}/${s.count}` : 'the whole grid');
      throw new CliError(`${dir}: holds ${describe(meta.shard)} of ${plan.sweepId}, not ${describe(shard)}; use another --sweep-dir`);
    }
    return { sweepDir, meta, resumed: true };
  }
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new CliError(`${dir}: exists and is not a directory`);
  const meta: SweepMeta = {
    schemaVersion: SWEEP_SCHEMA_VERSION,
    sweepId: plan.sweepId,
    digest: plan.digest,
    grid: plan.grid,
    config: baseConfigOf(plan.config),
    shard,
    cells,
    createdAt: new Date().toISOString(),
    command,
  };
  sweepDir.create(meta, plan.config);
  return { sweepDir, meta, resumed: false };
}

export interface SweepRunReport {
  completed: number;
  skipped: number;
  failed: { id: string; message: string }[];
  interrupted: string[];
}

/**
 * Runs the cells of this directory that have no result yet (never run, failed or interrupted), `jobs` at
 * a time. A failing cell is recorded and the others go on. progress.json is rewritten on every change.
 */
export async function executeSweep(options: {
  sweepDir: SweepDir;
  meta: SweepMeta;
  plan: SweepPlan;
  runner: CellRunner;
  jobs: number;
  signal?: AbortSignal;
  log(line: string): void;
}): Promise<SweepRunReport> {
  const { sweepDir, meta, plan } = options;
  const done = sweepDir.readCells();
  const previous = new Map((sweepDir.readProgress()?.cells ?? []).map((c) => [c.id, c]));
  const now = () => new Date().toISOString();
  const progress = new Map<string, CellProgress>(
    meta.cells.map((id) => {
      const before = previous.get(id);
      const result = done.get(id);
      return [
        id,
        result
          ? { id, status: 'completed', runId: result.runId, runDir: result.runDir, message: null, attempts: before?.attempts ?? 1, updatedAt: before?.updatedAt ?? now() }
          : { id, status: 'pending', runId: before?.runId ?? null, runDir: before?.runDir ?? null, message: before?.message ?? null, attempts: before?.attempts ?? 0, updatedAt: now() },
      ];
    }),
  );
  const save = () => sweepDir.writeProgress({ schemaVersion: SWEEP_SCHEMA_VERSION, sweepId: meta.sweepId, updatedAt: now(), cells: [...progress.values()] });
  const update = (id: string, change: Partial<CellProgress>) => {
    progress.set(id, { ...progress.get(id)!, ...change, updatedAt: now() });
    save();
  };
  save();

  const todo = plan.cells.filter((c) => meta.cells.includes(c.id) && !done.has(c.id));
  const report: SweepRunReport = { completed: 0, skipped: meta.cells.length - todo.length, failed: [], interrupted: [] };
  if (report.skipped > 0) options.log(`sweep: ${report.skipped} of ${meta.cells.length} cell(s) already completed, skipped`);
  let finished = 0;
  await runPool(
    todo,
    options.jobs,
    async (cell) => {
      update(cell.id, { status: 'running', message: null, runId: null, runDir: null, attempts: progress.get(cell.id)!.attempts + 1 });
      options.log(`cell ${cell.id}: started`);
      const outcome = await options.runner(cell, {
        ...(options.signal ? { signal: options.signal } : {}),
        onRunDir: (runId, runDir) => update(cell.id, { runId, runDir }),
      });
      finished++;
      const counter = `[${finished}/${todo.length}]`;
      if (outcome.status === 'completed') {
        sweepDir.writeCell(outcome.result);
        update(cell.id, { status: 'completed', runId: outcome.result.runId, runDir: outcome.result.runDir, message: null });
        report.completed++;
        const accs = outcome.result.arms.map((a) => `${a.label} ${(a.accuracy * 100).toFixed(2)}%`).join(', ');
        options.log(`cell ${cell.id}: completed in ${outcome.result.seconds.toFixed(1)} s ${counter} (test accuracy: ${accs})`);
      } else {
        update(cell.id, { status: outcome.status, runId: outcome.runId, runDir: outcome.runDir, message: outcome.message });
        if (outcome.status === 'failed') report.failed.push({ id: cell.id, message: outcome.message });
        else report.interrupted.push(cell.id);
        options.log(`cell ${cell.id}: ${outcome.status} ${counter}: ${outcome.message}`);
      }
    },
    options.signal,
  );
  // Cells never started because of an interruption stay pending; say so.
  for (const cell of todo) if (progress.get(cell.id)!.status === 'pending' && options.signal?.aborted) report.interrupted.push(cell.id);
  return report;
}

/** The cell runner used by `ls-bench sweep`: child processes of bin/ls-bench.js. */
export function defaultRunner(sweepDir: SweepDir, plan: SweepPlan, runsDir: string): CellRunner {
  return processCellRunner({ sweepDir, base: plan.config, grid: plan.grid, runsDir, sweepId: plan.sweepId });
}

export function aggregateDir(sweepDir: SweepDir, meta: SweepMeta): SweepAggregate {
  // A shard's aggregate covers its own cells; the cells of other shards are not "missing" here.
  return aggregateSweep(meta.sweepId, meta.grid, sweepDir.readCells(), meta.cells);
}

export function evaluateAssertions(assertions: Assertion[], aggregate: SweepAggregate): AssertionOutcome[] {
  const context = {
    variants: aggregate.grid.smoothing,
    smoothedEpsilons: smoothedEpsilons(aggregate.grid),
    value: (variant: string, epsilon: number, metric: Parameters<typeof aggregateValue>[3]) => aggregateValue(aggregate, variant, epsilon, metric),
  };
  return assertions.map((a) => evaluateAssertion(a, context));
}

/** `sweep show` and `sweep merge` take a directory, or a sweep id under <runs>/sweeps/. */
export function resolveSweepDir(ref: string, runsDir: string): SweepDir {
  if (existsSync(path.join(ref, 'sweep.json'))) return new SweepDir(path.resolve(ref));
  const underRuns = path.join(runsDir, 'sweeps', ref);
  if (/^[A-Za-z0-9._-]+$/.test(ref) && existsSync(path.join(underRuns, 'sweep.json'))) return new SweepDir(underRuns);
  throw new CliError(`${ref}: not a sweep directory (no sweep.json) and no sweep of that id in ${path.join(runsDir, 'sweeps')}`);
}

/**
 * Merges shard directories into one sweep: all must have the same digest (grid and config), or nothing is
 * written. Cells are copied into `outDir`; a cell completed in several inputs is taken from the first.
 */
export function mergeSweepDirs(inputs: SweepDir[], outDir: string, command: string[]): { sweepDir: SweepDir; meta: SweepMeta; cells: Map<string, CellResult>; duplicates: string[] } {
  const metas = inputs.map((d) => d.readMeta());
  const first = metas[0]!;
  metas.forEach((m, i) => {
    if (m.digest !== first.digest) {
      throw new CliError(
        `cannot merge ${inputs[i]!.dir} (${m.sweepId}) with ${inputs[0]!.dir} (${first.sweepId}): they are different sweeps (grid or config differ)`,
      );
    }
  });
  const counts = new Set(metas.filter((m) => m.shard).map((m) => m.shard!.count));
  if (counts.size > 1) throw new CliError(`cannot merge shards of different splits (${[...counts].map((n) => `of ${n}`).join(', ')}); merge the shards of one --shard i/n split`);
  const cells = new Map<string, CellResult>();
  const duplicates: string[] = [];
  for (const dir of inputs) {
    for (const [id, cell] of dir.readCells()) {
      if (cells.has(id)) duplicates.push(id);
      else cells.set(id, cell);
    }
  }
  const sweepDir = new SweepDir(path.resolve(outDir));
  if (sweepDir.exists()) {
    const existing = sweepDir.readMeta();
    if (existing.digest !== first.digest) throw new CliError(`${outDir}: holds another sweep (${existing.sweepId}); choose another --out`);
    if (existing.shard !== null) throw new CliError(`${outDir}: holds shard ${existing.shard.index}/${existing.shard.count}, not a merged sweep; choose another --out`);
  }
  const all = expandGrid(first.grid).map((c) => c.id);
  const meta: SweepMeta = {
    ...first,
    shard: null,
    cells: all,
    createdAt: new Date().toISOString(),
    command,
    mergedFrom: inputs.map((d) => d.dir),
  };
  // The base config is the same in every input (same digest): take it from the first.
  const trainConfig = JSON.parse(readFileSync(inputs[0]!.file('trainConfig'), 'utf8')) as TrainConfig;
  sweepDir.create(meta, trainConfig);
  for (const cell of cells.values()) sweepDir.writeCell(cell);
  sweepDir.writeProgress({
    schemaVersion: SWEEP_SCHEMA_VERSION,
    sweepId: meta.sweepId,
    updatedAt: new Date().toISOString(),
    cells: all.map((id) => {
      const c = cells.get(id);
      return { id, status: c ? 'completed' : 'pending', runId: c?.runId ?? null, runDir: c?.runDir ?? null, message: c ? null : 'not completed in any merged shard', attempts: c ? 1 : 0, updatedAt: new Date().toISOString() };
    }),
  });
  return { sweepDir, meta, cells, duplicates };
}
