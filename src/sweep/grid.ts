import { createHash } from 'node:crypto';
import { CliError } from '../errors';
import { canonicalJson } from '../store/canonicalJson';
import type { TrainConfig } from '../config/schema';
import type { SmoothingVariant } from '../smoothing/labelSmoothing';

/**
 * A sweep's grid: grid points × ε values × seeds × smoothing variants. A *grid point* is one value of each
 * training option the grid varies (its axes: `--grid learningRate=0.001,0.003`); without axes there is one
 * point, the base config. One *cell* is one grid point, one seed and one variant: a single paired run that
 * trains the hard arm and one smoothed arm per ε > 0 from the same initial weights (ε = 0 in the grid is
 * the hard arm itself, which every cell trains anyway). ε gives the arms, the seeds the replicates.
 */
export interface SweepGrid {
  /** Ascending, distinct, in [0, 1), at least one > 0. */
  epsilons: number[];
  /** Ascending and distinct. */
  seeds: number[];
  /** Distinct, in the order given. */
  smoothing: SmoothingVariant[];
  /**
   * The training options the grid varies, in the order given, each with its distinct values as the
   * training schema reads them. Absent (not empty) without any, so that a sweep's identity (sweepDigest)
   * stays what it was before grids over options existed.
   */
  axes?: GridAxis[];
}

/** A value of a training option: what the training schema produces for that key (a mapping for a nested option). */
export type GridValue = number | string | boolean | number[] | string[] | { [key: string]: unknown };

/** One training option the grid varies. */
export interface GridAxis {
  key: string;
  values: GridValue[];
}

/** One combination of the axes' values: the training options a cell sets besides seed, variant and ε. */
export interface GridPoint {
  /** "p1", "p2", …: in the product order of the axes (the last axis varies fastest). */
  id: string;
  index: number;
  values: Record<string, GridValue>;
}

export interface SweepCell {
  /** "s3-uniform", or "p2-s3-uniform" when the grid has axes: unique within the sweep, safe as a file name. */
  id: string;
  /** Position in the grid's canonical order (seed-major, then grid point, then variant): sharding slices on it. */
  index: number;
  seed: number;
  smoothing: SmoothingVariant;
  point: GridPoint;
}

const MAX_SEEDS = 10_000;

/**
 * Seeds from "0-4", "0,2,5", "0-2,7" or a list of integers. They must be ascending and distinct: a repeated
 * seed would count one run twice in the aggregate, and out-of-order lists are usually typos.
 */
export function parseSeeds(source: string, value: unknown): number[] {
  const parts: string[] = Array.isArray(value) ? value.map((v) => String(v)) : typeof value === 'number' ? [String(value)] : String(value).split(',');
  const seeds: number[] = [];
  for (const raw of parts) {
    const part = raw.trim();
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (to < from) throw new CliError(`${source}: range "${part}" runs backwards; expected low-high, e.g. 0-4`);
      if (to - from + 1 > MAX_SEEDS) throw new CliError(`${source}: range "${part}" has more than ${MAX_SEEDS} seeds`);
      for (let s = from; s <= to; s++) seeds.push(s);
    } else if (/^\d+$/.test(part)) {
      seeds.push(Number(part));
    } else {
      throw new CliError(`${source}: expected seeds as integers ≥ 0 and ranges like 0-4 separated by commas, got "${part}"`);
    }
  }
  if (seeds.length === 0) throw new CliError(`${source}: expected at least one seed`);
  for (let i = 0; i < seeds.length; i++) {
    if (seeds[i]! > 2 ** 31 - 1) throw new CliError(`${source}: seed ${seeds[i]} is larger than 2^31-1`);
    if (i > 0 && seeds[i]! <= seeds[i - 1]!) {
      throw new CliError(
        `${source}: seeds must be ascending without repeats; ${seeds[i]} ${seeds[i] === seeds[i - 1] ? 'is repeated' : `comes after ${seeds[i - 1]}`}`,
      );
    }
  }
  if (seeds.length > MAX_SEEDS) throw new CliError(`${source}: more than ${MAX_SEEDS} seeds`);
  return seeds;
}

/** Checks and normalizes a grid; every message names where the bad value came from. */
export function checkGrid(grid: SweepGrid, sources: { epsilon: string; smoothing: string }): SweepGrid {
  if (grid.epsilons.length === 0) throw new CliError(`${sources.epsilon}: the grid is empty; expected at least one ε > 0, e.g. 0,0.05,0.1`);
  for (const e of grid.epsilons) {
    if (!Number.isFinite(e) || e < 0 || e >= 1) throw new CliError(`${sources.epsilon}: ε must be in [0, 1), got ${e}`);
  }
  const epsilons = [...grid.epsilons].sort((a, b) => a - b);
  for (let i = 1; i < epsilons.length; i++) {
    if (epsilons[i] === epsilons[i - 1]) throw new CliError(`${sources.epsilon}: ε=${epsilons[i]} is repeated`);
  }
  if (!epsilons.some((e) => e > 0)) throw new CliError(`${sources.epsilon}: expected at least one ε > 0 (ε=0 is the hard arm, trained in every cell)`);
  if (grid.smoothing.length === 0) throw new CliError(`${sources.smoothing}: expected at least one smoothing variant`);
  if (new Set(grid.smoothing).size !== grid.smoothing.length) throw new CliError(`${sources.smoothing}: a smoothing variant is repeated`);
  return { epsilons, seeds: grid.seeds, smoothing: grid.smoothing, ...(grid.axes && grid.axes.length > 0 ? { axes: grid.axes } : {}) };
}

export function gridAxes(grid: SweepGrid): GridAxis[] {
  return grid.axes ?? [];
}

/** The grid points: the product of the axes' values, the last axis fastest; one empty point without axes. */
export function gridPoints(grid: SweepGrid): GridPoint[] {
  let combos: Record<string, GridValue>[] = [{}];
  for (const axis of gridAxes(grid)) combos = combos.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.key]: v })));
  return combos.map((values, index) => ({ id: `p${index + 1}`, index, values }));
}

/** A value as the tables and gates write it: numbers as they are, lists in brackets ([256,128]), a mapping as compact JSON. */
export function formatGridValue(value: GridValue): string {
  if (Array.isArray(value)) return `[${value.join(',')}]`;
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/** "labelNoise=0.2 learningRate=0.001": the point's values in axis order ("" without axes). */
export function pointLabel(point: Pick<GridPoint, 'values'>): string {
  return Object.entries(point.values)
    .map(([k, v]) => `${k}=${formatGridValue(v)}`)
    .join(' ');
}

/** The smoothed ε values of the grid (those > 0): the arms each cell trains besides the hard one. */
export function smoothedEpsilons(grid: SweepGrid): number[] {
  return grid.epsilons.filter((e) => e > 0);
}

/**
 * Every cell of the grid, seed-major (so that an unfinished sweep has its first seeds at every grid point),
 * then grid point, then variant: s0-uniform, s0-others, s1-uniform, … or p1-s0-uniform, p2-s0-uniform, …
 */
export function expandGrid(grid: SweepGrid): SweepCell[] {
  const cells: SweepCell[] = [];
  const points = gridPoints(grid);
  const withPoint = gridAxes(grid).length > 0;
  for (const seed of grid.seeds) {
    for (const point of points) {
      for (const smoothing of grid.smoothing) {
        cells.push({ id: `${withPoint ? `${point.id}-` : ''}s${seed}-${smoothing}`, index: cells.length, seed, smoothing, point });
      }
    }
  }
  return cells;
}

/**
 * The training config of one cell: the sweep's base config with the cell's grid point, seed, variant and ε
 * list. Its worker trains exactly this (written to cell-configs/<cell>.json and passed as `train --config`).
 */
export function cellConfig(base: TrainConfig, grid: SweepGrid, cell: SweepCell): TrainConfig {
  return { ...base, ...cell.point.values, seed: cell.seed, smoothing: cell.smoothing, epsilon: smoothedEpsilons(grid) } as TrainConfig;
}

/** How the grid compares values and configs (and what sweepDigest hashes). */
export { canonicalJson };

/** The config keys the grid always sets per cell (besides its axes); they are not part of the base config's identity. */
export const CELL_KEYS = ['seed', 'epsilon', 'smoothing'] as const;

/** The sweep's base config: the resolved training config without the keys the grid sets per cell. */
export type BaseConfig = Partial<Omit<TrainConfig, (typeof CELL_KEYS)[number]>>;

export function baseConfigOf(config: TrainConfig, axes: readonly GridAxis[] = []): BaseConfig {
  const { seed: _s, epsilon: _e, smoothing: _v, ...rest } = config;
  const swept = new Set(axes.map((a) => a.key));
  return Object.fromEntries(Object.entries(rest).filter(([k]) => !swept.has(k))) as BaseConfig;
}

/**
 * The sweep's identity: a digest of the grid and the base config. The same grid and config give the same
 * id (so a rerun resumes), any difference gives another (so shards of different sweeps never merge).
 */
export function sweepDigest(grid: SweepGrid, config: TrainConfig): string {
  return createHash('sha256')
    .update(canonicalJson({ grid, config: baseConfigOf(config, gridAxes(grid)) }))
    .digest('hex');
}

/** A sweep id: its runs are tagged with it. */
export const SWEEP_ID = /^sweep-[0-9a-f]{12}$/;

export function sweepIdOf(digest: string): string {
  return `sweep-${digest.slice(0, 12)}`;
}

/** Which of n shards (1-based) runs. */
export interface ShardSpec {
  index: number;
  count: number;
}

/**
 * Shard i of n takes the cells whose canonical index is ≡ i−1 (mod n): deterministic, every cell in exactly
 * one shard, and the shards' sizes differ by at most one. Round-robin rather than contiguous blocks so
 * that each shard gets a mix of seeds and variants.
 */
export function shardCells(cells: SweepCell[], shard: ShardSpec): SweepCell[] {
  return cells.filter((c) => c.index % shard.count === shard.index - 1);
}

const MAX_SHARDS = 100_000;

/**
 * `--shard i/n` (1-based, as in a CI matrix), or `auto`: the Kubernetes Indexed Job index
 * (JOB_COMPLETION_INDEX, 0-based, with the total from --shard-count or LS_BENCH_SHARD_COUNT), else a Slurm
 * array task (SLURM_ARRAY_TASK_ID counted from SLURM_ARRAY_TASK_MIN, total SLURM_ARRAY_TASK_COUNT).
 */
export function parseShard(text: string, options: { shardCount?: number; env?: NodeJS.ProcessEnv } = {}): ShardSpec {
  const env = options.env ?? process.env;
  const explicit = /^(\d+)\/(\d+)$/.exec(text.trim());
  let shard: ShardSpec;
  let source: string;
  if (explicit) {
    shard = { index: Number(explicit[1]), count: Number(explicit[2]) };
    source = `--shard ${text}`;
  } else if (text.trim() === 'auto') {
    const countText = options.shardCount !== undefined ? String(options.shardCount) : env.LS_BENCH_SHARD_COUNT;
    if (env.JOB_COMPLETION_INDEX !== undefined) {
      if (countText === undefined) throw new CliError('--shard auto: JOB_COMPLETION_INDEX is set but the number of shards is not; give --shard-count N (the Job\'s completions) or LS_BENCH_SHARD_COUNT');
      shard = { index: envInteger('JOB_COMPLETION_INDEX', env.JOB_COMPLETION_INDEX) + 1, count: envInteger(options.shardCount !== undefined ? '--shard-count' : 'LS_BENCH_SHARD_COUNT', countText) };
      source = `--shard auto (JOB_COMPLETION_INDEX=${env.JOB_COMPLETION_INDEX})`;
    } else if (env.SLURM_ARRAY_TASK_ID !== undefined) {
      const min = env.SLURM_ARRAY_TASK_MIN !== undefined ? envInteger('SLURM_ARRAY_TASK_MIN', env.SLURM_ARRAY_TASK_MIN) : 0;
      const count = countText ?? env.SLURM_ARRAY_TASK_COUNT;
      if (count === undefined) throw new CliError('--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; give --shard-count N');
      shard = { index: envInteger('SLURM_ARRAY_TASK_ID', env.SLURM_ARRAY_TASK_ID) - min + 1, count: envInteger('SLURM_ARRAY_TASK_COUNT', count) };
      source = `--shard auto (SLURM_ARRAY_TASK_ID=${env.SLURM_ARRAY_TASK_ID})`;
    } else {
      throw new CliError('--shard auto: neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor SLURM_ARRAY_TASK_ID (Slurm array) is set; use --shard i/n');
    }
  } else {
    throw new CliError(`--shard: expected i/n (e.g. 2/3, 1-based) or auto, got "${text}"`);
  }
  if (shard.count < 1 || shard.count > MAX_SHARDS) throw new CliError(`${source}: the number of shards must be between 1 and ${MAX_SHARDS}, got ${shard.count}`);
  if (shard.index < 1 || shard.index > shard.count) throw new CliError(`${source}: shard ${shard.index} is outside 1..${shard.count}`);
  return shard;
}

function envInteger(name: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new CliError(`--shard auto: ${name} must be an integer ≥ 0, got "${text}"`);
  return Number(text.trim());
}
