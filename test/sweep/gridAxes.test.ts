import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from '../../src/errors';
import { checkAxis, checkGridPoints, fileAxes, MAX_CELLS, mergeAxes, parseGridFlag } from '../../src/sweep/gridAxes';
import type { SweepGrid } from '../../src/sweep/grid';

function usage(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof CliError && e.exitCode === 2 && pattern.test(e.message), String(pattern));
}

const axis = (text: string) => checkAxis(parseGridFlag(text));

test('--grid: values of any training option, read as its flag reads them and checked by its schema field', () => {
  assert.deepEqual(axis('learningRate=0.001,0.003'), { key: 'learningRate', values: [0.001, 0.003] });
  assert.deepEqual(axis('learning-rate=0.001;0.003'), { key: 'learningRate', values: [0.001, 0.003] }, "the flag's kebab-case, and ';' between scalars");
  assert.deepEqual(axis('hidden=64;256,128'), { key: 'hidden', values: [[64], [256, 128]] }, "a list option: ';' between values, ',' inside one");
  assert.deepEqual(axis('hidden=64,128'), { key: 'hidden', values: [[64, 128]] }, 'one list value');
  assert.deepEqual(axis('hidden=;32'), { key: 'hidden', values: [[], [32]] }, 'an empty list is a linear model');
  assert.deepEqual(axis('activation=relu,tanh'), { key: 'activation', values: ['relu', 'tanh'] });
  assert.deepEqual(axis('dataset=iris,wine'), { key: 'dataset', values: ['iris', 'wine'] });
  assert.deepEqual(axis('dataset=idx:a,b;idx:c,d'), { key: 'dataset', values: ['idx:a,b', 'idx:c,d'] }, "';' keeps the commas of a value");
  assert.deepEqual(axis('header=true,false'), { key: 'header', values: [true, false] });
  assert.deepEqual(axis('labelNoise=0,0.2,0.40'), { key: 'labelNoise', values: [0, 0.2, 0.4] });
});

test('--grid mistakes: one line naming the key and the value', () => {
  usage(() => parseGridFlag('learningRate'), /--grid "learningRate": expected key=value,value/);
  usage(() => parseGridFlag('=1,2'), /--grid "=1,2": expected key=value/);
  usage(() => parseGridFlag('learnRate=1,2'), /--grid learnRate: "learnRate" is not a training option; expected one of: dataset, /);
  usage(() => parseGridFlag('learningrate=1,2'), /"learningrate" is not a training option \(did you mean "learningRate"\?\)/);
  usage(() => parseGridFlag('seed=0,1'), /--grid seed: seed cannot be a grid axis: the seeds are the replicates of every grid point \(--seeds\)/);
  usage(() => parseGridFlag('epsilon=0,0.1'), /epsilon cannot be a grid axis: ε gives the arms of every cell \(--epsilon\)/);
  usage(() => parseGridFlag('smoothing=uniform'), /smoothing cannot be a grid axis: .*--smoothing/);
  usage(() => parseGridFlag('learningRate=0.1,fast'), /--grid learningRate: expected a number, got "fast"/);
  usage(() => axis('learningRate=0.1,-1'), /--grid learningRate: expected a value > 0, got -1/);
  usage(() => axis('labelNoise=0,1'), /--grid labelNoise: expected a value < 1, got 1/);
  usage(() => axis('activation=relu,swish'), /--grid activation: expected one of "relu", "tanh", "sigmoid", "elu", "gelu", got "swish"/);
  usage(() => axis('epochs=2,2.5'), /--grid epochs: expected an integer, got 2\.5/);
  usage(() => axis('learningRate=0.1,0.10'), /--grid learningRate: 0\.1 is repeated/);
  usage(() => axis('hidden=64;64'), /--grid hidden: \[64\] is repeated/);
});

test('sweep.grid in a config file: lists of values, messages naming the file, the key and the index', () => {
  const [lr, hidden] = fileAxes({ learningRate: [0.001, 0.003], hidden: [64, [256, 128]] }, 'sweep.yaml').map(checkAxis);
  assert.deepEqual(lr, { key: 'learningRate', values: [0.001, 0.003] });
  assert.deepEqual(hidden, { key: 'hidden', values: [[64], [256, 128]] }, 'a number where a list is expected is a one-element list, as for the top-level key');
  usage(() => fileAxes({ learnRate: [1] }, 'sweep.yaml'), /sweep\.yaml: key "sweep\.grid\.learnRate": "learnRate" is not a training option/);
  usage(() => checkAxis(fileAxes({ learningRate: [0.1, 0] }, 'sweep.yaml')[0]!), /sweep\.yaml: key "sweep\.grid\.learningRate\.1": expected a value > 0, got 0/);
  usage(() => checkAxis(fileAxes({ learningRate: [] }, 'sweep.yaml')[0]!), /sweep\.yaml: key "sweep\.grid\.learningRate": expected at least one value/);
});

test('mergeAxes: a --grid replaces the file\'s axis of its key; a training flag pins a key only the file sweeps, and clashes with a --grid of it', () => {
  const file = fileAxes({ learningRate: [0.001, 0.003], labelNoise: [0, 0.2] }, 'f.yaml');
  assert.deepEqual(mergeAxes(file, [parseGridFlag('learningRate=0.01,0.1'), parseGridFlag('hidden=8;16')], {}), [
    { key: 'labelNoise', values: [0, 0.2] },
    { key: 'learningRate', values: [0.01, 0.1] },
    { key: 'hidden', values: [[8], [16]] },
  ]);
  assert.deepEqual(mergeAxes(file, [], { labelNoise: 0.1 }), [{ key: 'learningRate', values: [0.001, 0.003] }], '--label-noise pins what the file sweeps');
  usage(() => mergeAxes([], [parseGridFlag('learningRate=0.01,0.1')], { learningRate: 0.5 }), /--learning-rate and --grid learningRate both set learningRate; drop one/);
  usage(() => mergeAxes([], [parseGridFlag('hidden=8'), parseGridFlag('hidden=16')], {}), /--grid hidden: given twice; give all its values in one --grid/);
});

test('checkGridPoints: every point\'s whole config by the whole schema; the size of the grid', () => {
  const grid: SweepGrid = { epsilons: [0, 0.1], seeds: [0], smoothing: ['uniform'], axes: [{ key: 'samples', values: [100, 200_000] }] };
  usage(() => checkGridPoints(grid, { features: 200 }), /grid point p2 \(samples=200000\): key "samples": expected samples × features ≤ 20,000,000/);
  const configs = checkGridPoints({ ...grid, axes: [{ key: 'samples', values: [100, 200] }] }, { features: 10 });
  assert.deepEqual(configs.map((c) => [c.samples, c.features]), [[100, 10], [200, 10]]);
  const seeds = Array.from({ length: 1001 }, (_, i) => i);
  const big: SweepGrid = { epsilons: [0, 0.1], seeds, smoothing: ['uniform', 'others'], axes: [{ key: 'labelNoise', values: [0, 0.1, 0.2, 0.3, 0.4] }] };
  usage(() => checkGridPoints(big, {}), new RegExp(`the grid has 10010 cells \\(5 grid point\\(s\\) × 1001 seed\\(s\\) × 2 variant\\(s\\)\\); expected at most ${MAX_CELLS}`));
});
