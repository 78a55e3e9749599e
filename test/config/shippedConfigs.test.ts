import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readConfigFile, resolveTrainConfig } from '../../src/config/loadConfig';
import { locateConfigFile, SHIPPED_CONFIGS_DIR, shippedConfigFile, shippedConfigs } from '../../src/config/shippedConfigs';
import { CliError } from '../../src/errors';
import { PROJECT_ROOT, tempDir } from '../helpers/tempDir';

test('the shipped configs are the package\'s configs/ folder, each with its description and whether it is a sweep', () => {
  assert.equal(SHIPPED_CONFIGS_DIR, path.join(PROJECT_ROOT, 'configs'));
  const configs = shippedConfigs();
  assert.deepEqual(configs.map((c) => c.name), readdirSync(SHIPPED_CONFIGS_DIR).filter((n) => n.endsWith('.yaml')).map((n) => n.slice(0, -5)).sort());
  const fashion = configs.find((c) => c.name === 'fashion-mnist')!;
  assert.match(fashion.description, /^The classic experiment: an MLP 784-256-128-10/);
  assert.equal(fashion.sweep, false);
  assert.equal(configs.find((c) => c.name === 'sweep')!.sweep, true);
});

test('--config by name: a file of that name here comes first, else the shipped config, else the name as given', () => {
  const dir = tempDir();
  assert.equal(shippedConfigFile('fashion-mnist'), path.join(SHIPPED_CONFIGS_DIR, 'fashion-mnist.yaml'));
  assert.equal(shippedConfigFile('fashion-mnist.yaml'), path.join(SHIPPED_CONFIGS_DIR, 'fashion-mnist.yaml'));
  assert.equal(shippedConfigFile('../configs/fashion-mnist'), null, 'a path is never a name');
  const local = path.join(dir, 'fashion-mnist');
  writeFileSync(local, 'epochs: 2\n');
  assert.equal(locateConfigFile(local), local);
  assert.equal(locateConfigFile('fashion-mnist'), path.join(SHIPPED_CONFIGS_DIR, 'fashion-mnist.yaml'));
  assert.equal(locateConfigFile('no-such-config'), 'no-such-config');
  assert.equal(resolveTrainConfig({ configFile: 'synthetic-tiny' }).samples, 300);
  assert.equal(readConfigFile('digits-label-noise').labelNoise, 0.3);
});

test('an unknown name says which configs are shipped', () => {
  const shipped = shippedConfigs().map((c) => c.name);
  assert.ok(shipped.includes('fashion-mnist') && shipped.includes('synthetic-tiny'));
  assert.throws(
    () => readConfigFile('fashion-mnistt'),
    (e: unknown) => e instanceof CliError && e.message === `fashion-mnistt: cannot read config file (no such file, and no shipped config of that name (shipped: ${shipped.join(', ')}; \`ls-bench configs\` lists them))`,
  );
});

test('train reads a sweep config\'s training keys and says that its sweep: section is not for it', () => {
  const notes: string[] = [];
  const config = resolveTrainConfig({ configFile: 'sweep', notes });
  assert.equal(config.epochs, 15);
  assert.equal(notes.length, 1);
  assert.match(notes[0]!, /configs\/sweep\.yaml: its sweep: section is for `ls-bench sweep` \(a grid over seeds and ε\); train reads the rest of the file and trains one run/);
  const none: string[] = [];
  resolveTrainConfig({ configFile: 'synthetic-tiny', notes: none });
  assert.deepEqual(none, []);
});
