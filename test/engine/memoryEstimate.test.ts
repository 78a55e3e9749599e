import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveTrainConfig } from '../../src/config/loadConfig';
import { CliError } from '../../src/errors';
import { checkRunMemory, estimateRunMemory, MAX_MEMORY_ENV, memoryLimit, parseByteSize, valuesPerParameter } from '../../src/engine/memoryEstimate';
import { modelFootprint } from '../../src/engine/modelSize';
import { resolveModelSpec } from '../../src/engine/modelSpec';
import { runMemoryInputs } from '../../src/engine/runMemory';

const GiB = 1024 ** 3;

test('sizes: binary units with or without i/B, plain bytes; anything else is null', () => {
  const cases: [string, number | null][] = [
    ['512M', 512 * 1024 ** 2], ['4G', 4 * GiB], ['4GiB', 4 * GiB], ['4gb', 4 * GiB], ['1.5T', 1.5 * 1024 ** 4], [' 300 MiB ', 300 * 1024 ** 2], ['8000000000', 8e9], ['64k', 65536],
    ['', null], ['G', null], ['-1G', null], ['1e9', null], ['4 GB extra', null], ['0x10G', null], ['1P', null], ['9'.repeat(30), null],
  ];
  for (const [text, bytes] of cases) assert.equal(parseByteSize(text), bytes, JSON.stringify(text));
});

test('the limit: --max-memory, else the environment, else 75% of the machine; a bad or tiny value names its source', () => {
  const saved = process.env[MAX_MEMORY_ENV];
  try {
    delete process.env[MAX_MEMORY_ENV];
    assert.match(memoryLimit().source, /^the default, 75% of this machine's /);
    process.env[MAX_MEMORY_ENV] = '2G';
    assert.deepEqual(memoryLimit(), { bytes: 2 * GiB, source: `$${MAX_MEMORY_ENV}` });
    assert.deepEqual(memoryLimit('3G'), { bytes: 3 * GiB, source: '--max-memory' }, 'the flag wins');
    process.env[MAX_MEMORY_ENV] = 'lots';
    assert.throws(() => memoryLimit(), (e: unknown) => e instanceof CliError && e.exitCode === 2 && e.message === `$${MAX_MEMORY_ENV} "lots": expected a size of at least 256M, such as 512M, 8G or 1.5T (binary units)`);
    assert.throws(() => memoryLimit('100M'), /--max-memory "100M": expected a size of at least 256M/);
  } finally {
    if (saved === undefined) delete process.env[MAX_MEMORY_ENV];
    else process.env[MAX_MEMORY_ENV] = saved;
  }
});

const shape = (features: number, classes: number, trainRows: number, testRows: number) => ({ numFeatures: features, numClasses: classes, trainRows, testRows });

test('the estimate grows with arms, parameters and data, and covers what the red team measured', () => {
  const config = (flags: Record<string, unknown>) => resolveTrainConfig({ flags });
  const base = estimateRunMemory(runMemoryInputs(config({ hidden: [1000], epsilon: [0.1] }), shape(4096, 3, 800, 200))).total;
  assert.ok(estimateRunMemory(runMemoryInputs(config({ hidden: [1000], epsilon: [0.1, 0.2, 0.3] }), shape(4096, 3, 800, 200))).total > 1.9 * base - 200 * 1024 ** 2, 'twice the arms, about twice the models');
  assert.ok(estimateRunMemory(runMemoryInputs(config({ hidden: [1000], epsilon: [0.1] }), shape(4096, 3, 200_000, 50_000))).total > base + 2 * (250_000 * 4097 * 4) - 1);
  // 16 arms of 4.1 M parameters used 4.1 GB; 2 arms of 49 M parameters 5.4 GB: the estimate is at least that.
  const sixteen = estimateRunMemory(runMemoryInputs(config({ hidden: [1000], epsilon: Array.from({ length: 15 }, (_, i) => (i + 1) / 20) }), shape(4096, 3, 800, 200)));
  assert.ok(sixteen.total >= 4.1e9, `${sixteen.total}`);
  const large = estimateRunMemory(runMemoryInputs(config({ hidden: [7000, 3000], epsilon: [0.1] }), shape(4096, 10, 800, 200)));
  assert.ok(large.total >= 5.4e9, `${large.total}`);
  assert.equal(valuesPerParameter(2), 16);
  assert.deepEqual([...sixteen.parts].sort((a, b) => b.bytes - a.bytes), sixteen.parts, 'largest part first');
});

test('a run above the limit is refused with the estimate, its largest parts and the ways out', () => {
  const estimate = estimateRunMemory(runMemoryInputs(resolveTrainConfig({ flags: { hidden: [1000], epsilon: [0.1, 0.2, 0.3] } }), shape(4096, 3, 800, 200)));
  checkRunMemory(estimate, { bytes: 2 * GiB, source: '--max-memory' }, 'x');
  assert.throws(
    () => checkRunMemory(estimate, { bytes: GiB, source: '--max-memory' }, 'training 4 arms'),
    (e: unknown) =>
      e instanceof CliError &&
      e.exitCode === 2 &&
      /^training 4 arms would need about 1\.\d+ GiB of memory \(4 model\(s\) of 4,100,003 parameters .* \d+ MiB, .*\), above the limit of 1 GiB \(--max-memory\); use fewer arms \(--epsilon\), a smaller model \(--hidden or model\.layers\) or batch \(--batch-size\), less data \(--limit\), or raise the limit with --max-memory$/.test(e.message),
  );
});

test("a layer list (the CNN) is estimated from the engine's footprint of it, and covers its measured peak", () => {
  const cnn = (batchSize: number) => resolveTrainConfig({ configFile: 'fashion-mnist-cnn', flags: { batchSize, limit: 3000 } });
  const images = { numFeatures: 784, numClasses: 10, sampleShape: [28, 28, 1], trainRows: 2430, testRows: 10000 };
  const footprint = modelFootprint(resolveModelSpec(cnn(128), { name: 'fashion-mnist', ...images }));
  const inputs = runMemoryInputs(cnn(128), images);
  assert.equal(inputs.parameters, footprint.parameters);
  assert.equal(inputs.parameters, 421_642, 'conv 32, conv 64, dense 128, output: the CNN of the shipped config');
  assert.equal(inputs.activationsPerRow, footprint.activationsPerSample, 'im2col rows and pooling positions included');
  assert.ok(inputs.activationsPerRow > 200_000, `${inputs.activationsPerRow}`);
  // Peak resident sizes measured with --limit 3000 --epochs 1 on the native backend: 385 MiB (batch 128), 1168 MiB (batch 512).
  const MiB = 1024 ** 2;
  for (const [batch, measured] of [[128, 385], [512, 1168]] as const) {
    const total = estimateRunMemory(runMemoryInputs(cnn(batch), images)).total / MiB;
    assert.ok(total >= measured && total < 2 * measured, `batch ${batch}: estimate ${total.toFixed(0)} MiB, measured ${measured} MiB`);
  }
  // the config's model.input shapes flat features as the images they are: the same estimate
  const { sampleShape: _s, ...flat } = images;
  assert.equal(runMemoryInputs(cnn(128), flat).activationsPerRow, inputs.activationsPerRow);
  // an MLP's parameters come from the same footprint
  const mlp = resolveTrainConfig({ flags: { hidden: [256, 128] } });
  assert.equal(runMemoryInputs(mlp, images).parameters, 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
});
