import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from '../../src/errors';
import { TrainConfigSchema } from '../../src/config/schema';
import { armsFromConfig } from '../../src/train/arms';
import { createHash } from 'node:crypto';
import { baseConfigOf, canonicalJson, cellConfig, checkGrid, expandGrid, formatGridValue, gridPoints, parseSeeds, parseShard, pointLabel, shardCells, sweepDigest, type SweepGrid } from '../../src/sweep/grid';

const SOURCES = { epsilon: '--epsilon', smoothing: '--smoothing' };

function throwsUsage(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof CliError && e.exitCode === 2 && pattern.test(e.message));
}

test('parseSeeds: ranges, lists and their mistakes', () => {
  assert.deepEqual(parseSeeds('--seeds', '0-4'), [0, 1, 2, 3, 4]);
  assert.deepEqual(parseSeeds('--seeds', '0,2,5'), [0, 2, 5]);
  assert.deepEqual(parseSeeds('--seeds', '0-2,7'), [0, 1, 2, 7]);
  assert.deepEqual(parseSeeds('sweep.seeds', [3, 4]), [3, 4]);
  assert.deepEqual(parseSeeds('sweep.seeds', 9), [9]);
  throwsUsage(() => parseSeeds('--seeds', '2,1'), /--seeds: seeds must be ascending without repeats; 1 comes after 2/);
  throwsUsage(() => parseSeeds('--seeds', '0-2,2'), /2 is repeated/);
  throwsUsage(() => parseSeeds('--seeds', '4-0'), /runs backwards/);
  throwsUsage(() => parseSeeds('--seeds', 'a'), /expected seeds as integers/);
  throwsUsage(() => parseSeeds('--seeds', '-1'), /expected seeds as integers/);
  throwsUsage(() => parseSeeds('--seeds', ''), /expected seeds as integers/);
});

test('checkGrid: sorts ε, refuses empty grids, ε outside [0, 1), repeats, no smoothed ε', () => {
  const grid = (epsilons: number[], smoothing: SweepGrid['smoothing'] = ['uniform']): SweepGrid => ({ epsilons, seeds: [0], smoothing });
  assert.deepEqual(checkGrid(grid([0.2, 0, 0.1]), SOURCES).epsilons, [0, 0.1, 0.2]);
  throwsUsage(() => checkGrid(grid([]), SOURCES), /--epsilon: the grid is empty/);
  throwsUsage(() => checkGrid(grid([0, 1]), SOURCES), /--epsilon: ε must be in \[0, 1\), got 1/);
  throwsUsage(() => checkGrid(grid([-0.1]), SOURCES), /got -0\.1/);
  throwsUsage(() => checkGrid(grid([0.1, 0.1]), SOURCES), /ε=0\.1 is repeated/);
  throwsUsage(() => checkGrid(grid([0]), SOURCES), /at least one ε > 0/);
  throwsUsage(() => checkGrid(grid([0.1], []), SOURCES), /--smoothing: expected at least one/);
  throwsUsage(() => checkGrid(grid([0.1], ['uniform', 'uniform']), SOURCES), /repeated/);
});

test('expandGrid: one cell per seed × variant, seed-major', () => {
  const grid: SweepGrid = { epsilons: [0, 0.05, 0.1], seeds: [0, 1, 3], smoothing: ['uniform', 'others'] };
  const cells = expandGrid(grid);
  assert.deepEqual(
    cells.map((c) => c.id),
    ['s0-uniform', 's0-others', 's1-uniform', 's1-others', 's3-uniform', 's3-others'],
  );
  assert.deepEqual(cells.map((c) => c.index), [0, 1, 2, 3, 4, 5]);
});

test('cellConfig: the config a cell worker trains (cell-configs/<cell>.json): the base with the cell\'s seed, variant and smoothed ε', () => {
  const grid: SweepGrid = { epsilons: [0, 0.05, 0.1], seeds: [0, 1, 3], smoothing: ['uniform', 'others'] };
  const base = TrainConfigSchema.parse({ epochs: 3, seed: 9, epsilon: [0.4] });
  const config = cellConfig(base, grid, expandGrid(grid)[5]!);
  assert.equal(config.seed, 3);
  assert.equal(config.smoothing, 'others');
  assert.deepEqual(config.epsilon, [0.05, 0.1], 'ε=0 is the hard arm, not a smoothed one');
  assert.equal(config.epochs, 3, 'the rest is the base config');
  assert.deepEqual(TrainConfigSchema.parse(config), config, 'a valid training config as it is, for train --config');
  // the arms train gives that config, and so the labels the cell's run (and its log line) carries
  assert.deepEqual(armsFromConfig(config).map((a) => [a.label, a.epsilon]), [['hard', 0], ['smoothed-0.05', 0.05], ['smoothed-0.1', 0.1]]);
  const one = cellConfig(base, { ...grid, epsilons: [0, 0.1] }, expandGrid(grid)[0]!);
  assert.deepEqual(armsFromConfig(one).map((a) => a.label), ['hard', 'smoothed'], 'one smoothed arm is labelled "smoothed" by train');
});

test('sharding: for n = 1..5 every cell is in exactly one shard, sizes differ by at most one', () => {
  for (const seeds of [[0], [0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 5, 6]]) {
    const cells = expandGrid({ epsilons: [0, 0.1], seeds, smoothing: ['uniform', 'others'] });
    for (let n = 1; n <= 5; n++) {
      const seen = new Map<string, number>();
      const sizes: number[] = [];
      for (let i = 1; i <= n; i++) {
        const shard = shardCells(cells, { index: i, count: n });
        sizes.push(shard.length);
        for (const c of shard) seen.set(c.id, (seen.get(c.id) ?? 0) + 1);
        assert.deepEqual(shardCells(cells, { index: i, count: n }), shard, 'deterministic');
      }
      assert.equal(seen.size, cells.length, `n=${n}: every cell in some shard`);
      assert.ok([...seen.values()].every((k) => k === 1), `n=${n}: no cell in two shards`);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `n=${n}: balanced ${sizes}`);
    }
  }
});

test('parseShard: i/n, auto from Kubernetes and Slurm, and the mistakes', () => {
  assert.deepEqual(parseShard('2/3', { env: {} }), { index: 2, count: 3 });
  assert.deepEqual(parseShard('auto', { shardCount: 4, env: { JOB_COMPLETION_INDEX: '0' } }), { index: 1, count: 4 });
  assert.deepEqual(parseShard('auto', { env: { JOB_COMPLETION_INDEX: '2', LS_BENCH_SHARD_COUNT: '3' } }), { index: 3, count: 3 });
  assert.deepEqual(parseShard('auto', { env: { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '5' } }), { index: 2, count: 5 });
  assert.deepEqual(parseShard('auto', { env: { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '5' } }), { index: 5, count: 5 });
  throwsUsage(() => parseShard('0/3', { env: {} }), /shard 0 is outside 1\.\.3/);
  throwsUsage(() => parseShard('4/3', { env: {} }), /shard 4 is outside 1\.\.3/);
  throwsUsage(() => parseShard('1/0', { env: {} }), /between 1 and/);
  throwsUsage(() => parseShard('1of3', { env: {} }), /--shard: expected i\/n \(e\.g\. 2\/3, 1-based\) or auto, got "1of3"/);
  throwsUsage(() => parseShard('auto', { env: {} }), /neither JOB_COMPLETION_INDEX .* nor SLURM_ARRAY_TASK_ID/);
  throwsUsage(() => parseShard('auto', { env: { JOB_COMPLETION_INDEX: '1' } }), /--shard-count/);
  throwsUsage(() => parseShard('auto', { env: { JOB_COMPLETION_INDEX: 'x', LS_BENCH_SHARD_COUNT: '2' } }), /JOB_COMPLETION_INDEX must be an integer/);
  throwsUsage(() => parseShard('auto', { env: { JOB_COMPLETION_INDEX: '3', LS_BENCH_SHARD_COUNT: '3' } }), /shard 4 is outside 1\.\.3/);
});

test('sweep identity: same grid and config → same digest; any change → another', () => {
  const config = TrainConfigSchema.parse({});
  const grid: SweepGrid = { epsilons: [0, 0.1], seeds: [0, 1], smoothing: ['uniform'] };
  const d = sweepDigest(grid, config);
  assert.equal(sweepDigest({ ...grid }, TrainConfigSchema.parse({})), d);
  assert.equal(sweepDigest(grid, { ...config, seed: 7, epsilon: [0.3] }), d, 'the keys the grid sets do not count');
  assert.notEqual(sweepDigest(grid, { ...config, epochs: 3 }), d);
  assert.notEqual(sweepDigest({ ...grid, seeds: [0, 1, 2] }, config), d);
  assert.notEqual(sweepDigest({ ...grid, epsilons: [0, 0.2] }, config), d);
});

const AXES: SweepGrid = {
  epsilons: [0, 0.1],
  seeds: [0, 1],
  smoothing: ['uniform'],
  axes: [
    { key: 'learningRate', values: [0.001, 0.003] },
    { key: 'hidden', values: [[64], [256, 128], []] },
  ],
};

test('grid points: the product of the axes, the last axis fastest; one empty point without axes', () => {
  const points = gridPoints(AXES);
  assert.deepEqual(
    points.map((p) => [p.id, pointLabel(p)]),
    [
      ['p1', 'learningRate=0.001 hidden=[64]'],
      ['p2', 'learningRate=0.001 hidden=[256,128]'],
      ['p3', 'learningRate=0.001 hidden=[]'],
      ['p4', 'learningRate=0.003 hidden=[64]'],
      ['p5', 'learningRate=0.003 hidden=[256,128]'],
      ['p6', 'learningRate=0.003 hidden=[]'],
    ],
  );
  assert.deepEqual(gridPoints({ epsilons: [0, 0.1], seeds: [0], smoothing: ['uniform'] }), [{ id: 'p1', index: 0, values: {} }]);
  assert.equal(formatGridValue({ layers: [{ dense: 8 }] }), '{"layers":[{"dense":8}]}', 'a nested option as compact JSON');
});

test('expandGrid with axes: seed-major, then grid point, then variant; the point in the cell id', () => {
  const cells = expandGrid({ ...AXES, smoothing: ['uniform', 'others'] });
  assert.equal(cells.length, 2 * 6 * 2);
  assert.deepEqual(cells.slice(0, 5).map((c) => c.id), ['p1-s0-uniform', 'p1-s0-others', 'p2-s0-uniform', 'p2-s0-others', 'p3-s0-uniform']);
  assert.equal(cells[12]!.id, 'p1-s1-uniform', 'every point of seed 0 before seed 1');
  assert.equal(new Set(cells.map((c) => c.id)).size, cells.length, 'unique ids');
  const config = cellConfig(TrainConfigSchema.parse({ learningRate: 0.5, hidden: [9], epochs: 2 }), AXES, expandGrid(AXES)[1]!);
  assert.deepEqual([config.learningRate, config.hidden, config.seed, config.epochs], [0.001, [256, 128], 0, 2], "the cell's point overrides the base");
  assert.deepEqual(TrainConfigSchema.parse(config), config, 'a valid training config as it is');
});

test('sweep identity with axes: a sweep without axes keeps its old id; the axes count, the base values of swept keys do not', () => {
  const config = TrainConfigSchema.parse({});
  const grid: SweepGrid = { epsilons: [0, 0.1], seeds: [0, 1], smoothing: ['uniform'] };
  const { seed: _s, epsilon: _e, smoothing: _v, ...base } = config;
  const before = createHash('sha256').update(canonicalJson({ grid, config: base })).digest('hex');
  assert.equal(sweepDigest(grid, config), before, 'the digest of sweeps made before grids over options');
  const d = sweepDigest(AXES, config);
  assert.notEqual(d, sweepDigest({ ...AXES, axes: [AXES.axes![0]!] }, config));
  assert.equal(sweepDigest(AXES, { ...config, learningRate: 0.5, hidden: [7] }), d, 'the grid sets learningRate and hidden in every cell');
  assert.notEqual(sweepDigest(AXES, { ...config, epochs: 4 }), d);
  assert.deepEqual(Object.keys(baseConfigOf(config, AXES.axes)).filter((k) => k === 'learningRate' || k === 'hidden' || k === 'seed'), []);
});
