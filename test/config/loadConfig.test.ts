import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MAX_CONFIG_BYTES, readConfigFile, resolveTrainConfig } from '../../src/config/loadConfig';
import { TrainConfigSchema } from '../../src/config/schema';
import { schemaOptions, parseFlagText } from '../../src/config/schemaOptions';
import { CliError } from '../../src/errors';
import { planSweep } from '../../src/sweep/plan';
import { PROJECT_ROOT, tempDir } from '../helpers/tempDir';

const dir = tempDir();
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

function cliError(fn: () => unknown): CliError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof CliError, `expected a CliError, got ${String(error)}`);
    assert.equal(error.exitCode, 2);
    assert.ok(!error.message.includes('\n'), 'one line');
    return error;
  }
  assert.fail('expected an error');
}

test('defaults come from the schema; flags override the file', () => {
  const defaults = resolveTrainConfig({});
  assert.equal(defaults.dataset, 'synthetic');
  assert.deepEqual(defaults.epsilon, [0.1]);
  assert.equal(defaults.smoothing, 'uniform');
  const f = file('a.yaml', 'epochs: 3\nepsilon: 0.2\nhidden: [8, 4]\n');
  const c = resolveTrainConfig({ configFile: f, flags: { epochs: 5 } });
  assert.equal(c.epochs, 5);
  assert.deepEqual(c.epsilon, [0.2]);
  assert.deepEqual(c.hidden, [8, 4]);
});

test('JSON config files work too', () => {
  const c = resolveTrainConfig({ configFile: file('b.json', '{"seed": 7, "smoothing": "others"}') });
  assert.equal(c.seed, 7);
  assert.equal(c.smoothing, 'others');
});

test('an unknown key names the file and the key, with a suggestion', () => {
  const e = cliError(() => resolveTrainConfig({ configFile: file('c.yaml', 'epochs: 3\nlearning_rate: 0.1\n') }));
  assert.match(e.message, /c\.yaml: unknown key "learning_rate" \(did you mean "learningRate"\?\)/);
});

test('a wrong type names the file, the key, what was expected and what was given', () => {
  const e = cliError(() => resolveTrainConfig({ configFile: file('d.yaml', 'epochs: ten\n') }));
  assert.match(e.message, /d\.yaml: key "epochs": expected a number, got "ten"/);
  const e2 = cliError(() => resolveTrainConfig({ configFile: file('e.yaml', 'epochs: 2.5\n') }));
  assert.match(e2.message, /key "epochs": expected an integer/);
});

test('ε outside [0, 1) is refused, from a flag or from a file', () => {
  assert.match(cliError(() => resolveTrainConfig({ flags: { epsilon: [1] } })).message, /^--epsilon: expected a value < 1, got \[1\]/);
  assert.match(cliError(() => resolveTrainConfig({ flags: { epsilon: [-0.1] } })).message, /--epsilon: expected a value ≥ 0/);
  assert.match(cliError(() => resolveTrainConfig({ configFile: file('f.yaml', 'epsilon: [0.1, 1.5]\n') })).message, /f\.yaml: key "epsilon\[1\]": expected a value < 1, got 1\.5/);
  assert.match(cliError(() => resolveTrainConfig({ flags: { epsilon: [] } })).message, /--epsilon: expected at least one value/);
});

test('a repeated ε is refused, from a flag or from a file: two arms would share one label', () => {
  assert.equal(cliError(() => resolveTrainConfig({ flags: { epsilon: [0.1, 0.1] } })).message, '--epsilon: expected each value once (two arms with the same ε would share a label), got [0.1,0.1]');
  assert.match(cliError(() => resolveTrainConfig({ configFile: file('dup.yaml', 'epsilon: [0.05, 0.1, 0.05]\n') })).message, /dup\.yaml: key "epsilon": expected each value once .*, got \[0\.05,0\.1,0\.05\]$/);
  assert.deepEqual(resolveTrainConfig({ flags: { epsilon: [0.1, 0.2] } }).epsilon, [0.1, 0.2]);
});

test('fewer than 2 classes and unknown enum values are refused', () => {
  assert.match(cliError(() => resolveTrainConfig({ flags: { classes: 1 } })).message, /--classes: expected a value ≥ 2, got 1/);
  assert.match(cliError(() => resolveTrainConfig({ flags: { smoothing: 'spread' } })).message, /--smoothing: expected one of "uniform", "others", got "spread"/);
});

test('unreadable, malformed and non-mapping files are named', () => {
  assert.match(cliError(() => resolveTrainConfig({ configFile: path.join(dir, 'missing.yaml') })).message, /missing\.yaml: cannot read config file \(no such file\)/);
  assert.match(cliError(() => resolveTrainConfig({ configFile: file('g.yaml', 'epochs: [1,\n') })).message, /g\.yaml(:\d+)?: invalid YAML/);
  assert.match(cliError(() => resolveTrainConfig({ configFile: file('h.json', '{"epochs": }') })).message, /h\.json: invalid JSON/);
  assert.match(cliError(() => resolveTrainConfig({ configFile: file('i.yaml', '- 1\n- 2\n') })).message, /i\.yaml: expected a mapping/);
});

test('config files are read with a bound: a device, a file over 1 MiB or a directory is one line, at once; 1 MiB exactly is read', () => {
  for (const device of ['/dev/zero', '/dev/urandom']) {
    const started = Date.now();
    const e = cliError(() => resolveTrainConfig({ configFile: device }));
    assert.equal(e.message, `${device}: larger than 1 MiB; expected a config file (a YAML or JSON mapping of options) of at most 1 MiB`);
    assert.ok(Date.now() - started < 2000, `${device} took ${Date.now() - started} ms`);
  }
  const line = 'epochs: 2\n';
  const exact = file('exact.yaml', line + '#'.repeat(MAX_CONFIG_BYTES - line.length - 1) + '\n');
  assert.equal(resolveTrainConfig({ configFile: exact }).epochs, 2);
  const over = file('over.yaml', line + '#'.repeat(MAX_CONFIG_BYTES - line.length) + '\n');
  assert.match(cliError(() => resolveTrainConfig({ configFile: over })).message, /over\.yaml: larger than 1 MiB/);
  assert.match(cliError(() => resolveTrainConfig({ configFile: dir })).message, /: cannot read config file \(is a directory\)$/);
  assert.deepEqual(readConfigFile('/dev/null'), {}, 'an empty file is an empty mapping');
});

test('a YAML alias bomb is refused quickly', () => {
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 0; i < 9; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`);
  const started = Date.now();
  cliError(() => resolveTrainConfig({ configFile: file('bomb.yaml', `${bomb.join('\n')}\n`) }));
  assert.ok(Date.now() - started < 2000);
});

test('every file in configs/ validates: its training keys, and its sweep: section if it has one', () => {
  // Read the directory rather than naming files, so a config added later is checked too.
  const configsDir = path.join(PROJECT_ROOT, 'configs');
  const names = readdirSync(configsDir).sort();
  assert.ok(names.includes('default.yaml'), `configs/ as read from ${configsDir} lacks default.yaml`);
  for (const name of names) {
    assert.match(name, /\.(ya?ml|json)$/, `configs/${name}: a config file is YAML or JSON`);
    const configFile = path.join(configsDir, name);
    resolveTrainConfig({ configFile });
    if ('sweep' in readConfigFile(configFile)) planSweep({ configFile, trainFlags: {}, sweepFlags: {}, assert: [] });
  }
});

test('configs/default.yaml writes out exactly the defaults', () => {
  assert.deepEqual(resolveTrainConfig({ configFile: path.join(PROJECT_ROOT, 'configs', 'default.yaml') }), resolveTrainConfig({}));
});

test('flags are generated from the schema with help text and defaults', () => {
  const options = schemaOptions(TrainConfigSchema);
  const epsilon = options.find((o) => o.key === 'epsilon')!;
  assert.equal(epsilon.flag, '--epsilon');
  assert.equal(epsilon.kind, 'number-list');
  assert.deepEqual(epsilon.defaultValue, [0.1]);
  assert.match(epsilon.description, /smoothing strength/);
  assert.equal(options.find((o) => o.key === 'batchSize')!.flag, '--batch-size');
  assert.deepEqual(options.find((o) => o.key === 'smoothing')!.choices, ['uniform', 'others']);
  assert.ok(options.every((o) => o.description.length > 0), 'every option has help text');
  assert.deepEqual(parseFlagText(epsilon, '0.05, 0.1'), { value: [0.05, 0.1] });
  assert.match((parseFlagText(epsilon, '0.1,abc') as { error: string }).error, /"abc" is not a number/);
  assert.match((parseFlagText(options.find((o) => o.key === 'epochs')!, '3x') as { error: string }).error, /expected a number, got "3x"/);
});

test('model.layers: a bad value names the file, the layer index and the key, what was expected and what was given', () => {
  const model = (layers: string) => file('m.yaml', `model:\n  layers:\n${layers}`);
  const ok = '    - { conv: 32, kernel: 3, padding: same, activation: relu }\n    - { maxPool: 2 }\n';
  assert.match(cliError(() => resolveTrainConfig({ configFile: model(`${ok}    - { conv: 0, kernel: 3 }\n`) })).message, /m\.yaml: key "model\.layers\[2\]\.conv": expected a positive integer ≤ 4096, got 0$/);
  assert.match(cliError(() => resolveTrainConfig({ configFile: model(`${ok}    - { conv: 3.5, kernel: 3 }\n`) })).message, /key "model\.layers\[2\]\.conv": expected a positive integer ≤ 4096, got 3\.5/);
  assert.match(cliError(() => resolveTrainConfig({ configFile: model(`${ok}    - { dropout: 1 }\n`) })).message, /key "model\.layers\[2\]\.dropout": expected a value < 1, got 1/);
  assert.match(cliError(() => resolveTrainConfig({ configFile: model(`    - { dense: 8, activation: swish }\n`) })).message, /key "model\.layers\[0\]\.activation": expected one of "relu", "tanh", "sigmoid", "elu", "gelu", got "swish"/);
  assert.match(cliError(() => resolveTrainConfig({ configFile: model(`    - { conv: 8 }\n`) })).message, /key "model\.layers\[0\]\.kernel": a conv layer needs a kernel size, e\.g\. kernel: 3/);
  assert.match(cliError(() => resolveTrainConfig({ configFile: model(`    - { dense: 8, kernel: 3 }\n`) })).message, /key "model\.layers\[0\]\.kernel": does not apply to a dense layer, which takes activation/);
  assert.match(cliError(() => resolveTrainConfig({ configFile: model(`    - { dense: 8, conv: 4, kernel: 3 }\n`) })).message, /key "model\.layers\[0\]\.conv": a layer is one of dense, conv, .*; this one is both dense and conv/);
  assert.match(cliError(() => resolveTrainConfig({ configFile: model(`    - { }\n`) })).message, /key "model\.layers\[0\]": expected a layer: an object with one of dense, conv, maxPool, avgPool, flatten, dropout, batchNorm or activation/);
  assert.match(cliError(() => resolveTrainConfig({ configFile: model(`    - { filters: 8, kernel: 3 }\n`) })).message, /m\.yaml: model\.layers\[0\]: unknown key "filters" \(did you mean "conv"\?\); expected one of: dense, conv, maxPool/);
  assert.match(cliError(() => resolveTrainConfig({ configFile: file('n.yaml', 'model:\n  layer: []\n') })).message, /n\.yaml: model: unknown key "layer" \(did you mean "layers"\?\)|n\.yaml: key "model\.layers": expected a list/);
});

test('--model takes the layer list as inline YAML or JSON; the MLP short form next to it is refused, whichever way it comes', () => {
  const c = resolveTrainConfig({ flags: { model: { layers: [{ conv: 4, kernel: 3 }, { flatten: true }] } } });
  assert.deepEqual(c.model, { layers: [{ conv: 4, kernel: 3 }, { flatten: true }] });
  const option = schemaOptions(TrainConfigSchema).find((o) => o.key === 'model')!;
  assert.equal(option.kind, 'yaml');
  assert.deepEqual(parseFlagText(option, '{layers: [{dense: 64, activation: relu}]}'), { value: { layers: [{ dense: 64, activation: 'relu' }] } });
  assert.deepEqual(parseFlagText(option, '{"layers": []}'), { value: { layers: [] } });
  assert.match((parseFlagText(option, '[1, 2]') as { error: string }).error, /expected a mapping in YAML or JSON/);
  assert.match((parseFlagText(option, '{layers: [') as { error: string }).error, /expected a mapping in YAML or JSON \(/);
  assert.match(cliError(() => resolveTrainConfig({ flags: { model: { layers: [{ conv: -1 }] } } })).message, /^--model: model\.layers\[0\]\.conv: expected a positive integer/);
  const cnn = file('cnn.yaml', 'model:\n  layers: [{ dense: 8 }]\n');
  assert.match(cliError(() => resolveTrainConfig({ configFile: cnn, flags: { hidden: [64] } })).message, /^--hidden: the model is given as a layer list \(model in .*cnn\.yaml\); hidden, activation and dropout are the short form of an MLP/);
  assert.match(cliError(() => resolveTrainConfig({ flags: { model: { layers: [] }, dropout: 0.5 } })).message, /^--dropout: the model is given as a layer list \(--model\)/);
  assert.match(cliError(() => resolveTrainConfig({ configFile: file('both.yaml', 'hidden: [64]\nmodel:\n  layers: []\n') })).message, /both\.yaml: key "hidden": the model is given as a layer list/);
  // a resolved config (a sweep cell's, a run's config.json) writes every key out: the defaults next to a model are fine
  const resolved = resolveTrainConfig({ configFile: file('resolved.json', JSON.stringify({ ...resolveTrainConfig({}), model: { layers: [{ dense: 8 }] } })) });
  assert.deepEqual(resolved.model, { layers: [{ dense: 8 }] });
});

test('weight decay and the initialisation are options like any other', () => {
  const c = resolveTrainConfig({ flags: { weightDecay: 0.0005, weightDecayMode: 'decoupled', init: 'kaiming' } });
  assert.equal(c.weightDecay, 0.0005);
  assert.equal(c.weightDecayMode, 'decoupled');
  assert.equal(c.init, 'kaiming');
  assert.match(cliError(() => resolveTrainConfig({ flags: { weightDecay: -1 } })).message, /^--weight-decay: expected a value ≥ 0, got -1/);
  assert.match(cliError(() => resolveTrainConfig({ flags: { weightDecayMode: 'adamw' } })).message, /^--weight-decay-mode: expected one of "l2", "decoupled", got "adamw"/);
  assert.match(cliError(() => resolveTrainConfig({ flags: { init: 'he' } })).message, /^--init: expected one of "glorot", "kaiming", got "he"/);
});

test('a sweep: section is left to ls-bench sweep, so one config file serves train and sweep', () => {
  const c = resolveTrainConfig({ configFile: file('s.yaml', 'epochs: 4\nsweep:\n  epsilon: [0, 0.1]\n  seeds: 0-2\n') });
  assert.equal(c.epochs, 4);
});
