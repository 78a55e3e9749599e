import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { collectFlags } from '../../src/cli/schemaFlags';
import { sweepFlagOptions } from '../../src/sweep/plan';
import { assertUsageError, planFromFlags as plan } from '../helpers/sweepFixtures';
import { PROJECT_ROOT, tempDir } from '../helpers/tempDir';

test('sweepFlagOptions: --epsilon, --seeds, --smoothing and --jobs come from the sweep section schema', () => {
  const options = sweepFlagOptions();
  assert.deepEqual(options.map((o) => [o.flag, o.kind]), [['--epsilon', 'number-list'], ['--seeds', 'string'], ['--smoothing', 'string-list'], ['--jobs', 'number']]);
  assert.deepEqual(options.find((o) => o.key === 'smoothing')!.choices, undefined, 'a list of variants, each checked by the grid');
  assert.ok(options.every((o) => o.description.length > 0 && o.defaultValue === undefined), 'help text, and no schema default that would hide the file\'s section');
  assert.deepEqual(collectFlags({ seeds: '0-2,7', jobs: '3', epsilon: '0, 0.1', smoothing: 'uniform,others' }, options), { epsilon: [0, 0.1], seeds: '0-2,7', smoothing: ['uniform', 'others'], jobs: 3 });
  assertUsageError(() => plan({ jobs: 'two' }), /--jobs: expected a number, got "two"/);
  assertUsageError(() => plan({ jobs: '1.5' }), /--jobs: expected an integer from 1 to 256, got 1\.5/);
  assertUsageError(() => plan({ jobs: '257' }), /--jobs: expected an integer from 1 to 256, got 257/);
});

test('planSweep: defaults, precedence, and the config file\'s sweep section', () => {
  const dir = tempDir();
  const p = plan();
  assert.deepEqual(p.grid, { epsilons: [0, 0.1], seeds: [0, 1, 2, 3, 4], smoothing: ['uniform'] });
  const file = path.join(dir, 'sweep.yaml');
  writeFileSync(file, 'epochs: 2\nsweep:\n  epsilon: [0, 0.05, 0.2]\n  seeds: 1-3\n  smoothing: [uniform, others]\n  jobs: 3\n  assert: ["smoothed.ece <= 1"]\n');
  const q = plan({}, {}, file);
  assert.deepEqual(q.grid, { epsilons: [0, 0.05, 0.2], seeds: [1, 2, 3], smoothing: ['uniform', 'others'] });
  assert.equal(q.jobs, 3);
  assert.equal(q.config.epochs, 2);
  assert.equal(q.assertions.length, 1);
  assert.equal(q.cells.length, 6);
  const r = plan({ seeds: '0,1', jobs: '1', epsilon: '0.1' }, { epochs: 4 }, file);
  assert.deepEqual(r.grid.seeds, [0, 1]);
  assert.deepEqual(r.grid.epsilons, [0.1]);
  assert.equal(r.jobs, 1);
  assert.equal(r.config.epochs, 4);
  assert.notEqual(r.digest, q.digest);
});

test('planSweep: bad input is refused with one line naming the source', () => {
  const dir = tempDir();
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  assertUsageError(() => plan({ epsilon: '' }), /--epsilon: the grid is empty/);
  assertUsageError(() => plan({ epsilon: '0,1.5' }), /--epsilon: ε must be in \[0, 1\), got 1\.5/);
  assertUsageError(() => plan({ epsilon: '0,x' }), /--epsilon: expected a comma-separated list of numbers/);
  assertUsageError(() => plan({ seeds: '3,1' }), /--seeds: seeds must be ascending/);
  assertUsageError(() => plan({ seeds: '1,1' }), /--seeds: .*1 is repeated/);
  assertUsageError(() => plan({ smoothing: 'uniform,gaussian' }), /--smoothing: expected "uniform" or "others", got "gaussian"/);
  assertUsageError(() => plan({ jobs: '0' }), /--jobs: expected an integer from 1 to 256/);
  assertUsageError(() => plan({ assert: ['smoothed.ece <'] }), /--assert 'smoothed\.ece <': at column 15/);
  assertUsageError(() => plan({ epsilon: '0,0.1', assert: ['smoothed-0.2.ece < 1'] }), /smoothed-0\.2 is not an arm of this sweep/);
  assertUsageError(() => plan({}, { epochs: 0 }), /--epochs: expected a value ≥ 1/);
  const unknown = write('a.yaml', 'sweep:\n  seed: 0-4\n');
  assertUsageError(() => plan({}, {}, unknown), /a\.yaml: unknown key "sweep\.seed"; expected one of: sweep\.epsilon, sweep\.seeds/);
  const wrongType = write('b.yaml', 'sweep:\n  epsilon: [0, high]\n');
  assertUsageError(() => plan({}, {}, wrongType), /b\.yaml: key "sweep\.epsilon\.1": expected a number/);
  const badSeeds = write('c.yaml', 'sweep:\n  seeds: [2, 1]\n');
  assertUsageError(() => plan({}, {}, badSeeds), /c\.yaml: key "sweep\.seeds": seeds must be ascending/);
  const badEps = write('d.yaml', 'sweep:\n  epsilon: [0, 1]\n');
  assertUsageError(() => plan({}, {}, badEps), /d\.yaml: key "sweep\.epsilon": ε must be in \[0, 1\)/);
  const notMapping = write('e.yaml', 'sweep: 3\n');
  assertUsageError(() => plan({}, {}, notMapping), /e\.yaml: key "sweep": expected a mapping/);
  const trainKey = write('f.yaml', 'epoks: 3\n');
  assertUsageError(() => plan({}, {}, trainKey), /f\.yaml: unknown key "epoks"/);
});

test('configs/sweep.yaml is a valid sweep config', () => {
  const p = plan({}, {}, path.join(PROJECT_ROOT, 'configs', 'sweep.yaml'));
  assert.deepEqual(p.grid, { epsilons: [0, 0.05, 0.1, 0.2], seeds: [0, 1, 2, 3, 4], smoothing: ['uniform'] });
  assert.equal(p.assertions.length, 2);
});

test('planSweep with a grid: --grid and sweep.grid, one cell per grid point × seed, each point a whole training config', () => {
  const dir = tempDir();
  const file = path.join(dir, 'grid.yaml');
  writeFileSync(file, 'epochs: 2\nlearningRate: 0.5\nsweep:\n  epsilon: [0, 0.1]\n  seeds: 0-2\n  grid:\n    learningRate: [0.001, 0.003]\n    hidden: [[64], [256, 128]]\n');
  const p = plan({}, {}, file);
  assert.deepEqual(p.grid.axes, [
    { key: 'learningRate', values: [0.001, 0.003] },
    { key: 'hidden', values: [[64], [256, 128]] },
  ]);
  assert.equal(p.cells.length, 4 * 3);
  assert.deepEqual(p.pointConfigs.map((c) => [c.learningRate, c.hidden, c.epochs]), [[0.001, [64], 2], [0.001, [256, 128], 2], [0.003, [64], 2], [0.003, [256, 128], 2]]);
  const flags = plan({ grid: ['hidden=64;256,128', 'learningRate=0.001,0.003'], epsilon: '0,0.1', seeds: '0-2' }, { epochs: 2 });
  assert.equal(flags.cells.length, 12);
  assert.notEqual(flags.sweepId, p.sweepId, 'the axes in another order are another grid (other cell ids)');
  const same = plan({ grid: ['learningRate=0.001,0.003', 'hidden=64;256,128'], epsilon: '0,0.1', seeds: '0-2' }, { epochs: 2 });
  assert.equal(same.sweepId, p.sweepId, 'flags and the file give the same sweep; the file\'s top-level learningRate does not count');
  const replaced = plan({ grid: ['learningRate=0.01,0.1,1'] }, {}, file);
  assert.deepEqual(replaced.grid.axes!.map((a) => [a.key, a.values.length]), [['hidden', 2], ['learningRate', 3]], 'a --grid replaces the file\'s axis of that key');
  // gates naming grid points are checked against the grid before anything runs
  assert.equal(plan({ grid: ['labelNoise=0,0.2'], assert: ['at(labelNoise=0.2: smoothed.ece <= hard.ece)', 'any(smoothed.accuracy > hard.accuracy)', 'all(smoothed.nll < 9)'] }).assertions.length, 3);
  assertUsageError(() => plan({ grid: ['labelNoise=0,0.2'], assert: ['at(labelNoise=0.3: smoothed.ece <= hard.ece)'] }), /labelNoise=0\.3 is not a value of the grid; its values are 0, 0\.2/);
  assertUsageError(() => plan({ grid: ['labelNoise=0,0.2'], assert: ['at(hidden=[8]: smoothed.ece <= hard.ece)'] }), /"hidden" is not an axis of this sweep's grid; its axes are labelNoise/);
  assertUsageError(() => plan({ grid: ['labelNoise=0,0.2'], assert: ['at(p3: smoothed.ece <= hard.ece)'] }), /p3 is not a grid point of this sweep; it has p1 to p2/);
  assertUsageError(() => plan({ grid: ['labelNoise=0,0.2'] }, { labelNoise: 0.1 }), /--label-noise and --grid labelNoise both set labelNoise/);
  const bad = path.join(dir, 'bad.yaml');
  writeFileSync(bad, 'sweep:\n  grid: [learningRate]\n');
  assertUsageError(() => plan({}, {}, bad), /bad\.yaml: key "sweep\.grid": expected a mapping of training options to lists of values/);
  writeFileSync(bad, 'sweep:\n  grid:\n    seed: [0, 1]\n');
  assertUsageError(() => plan({}, {}, bad), /bad\.yaml: key "sweep\.grid\.seed": seed cannot be a grid axis/);
});
