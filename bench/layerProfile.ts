/**
 * What `npm run bench` measures in its own process on the native backend: this machine's sgemm rate (the
 * ceiling every dense and conv layer is measured against) and where one training step of a model goes,
 * layer by layer (the C side times each layer's forward and backward pass and the optimizer update).
 */
import Table from 'cli-table3';
import { resolveTrainConfig } from '../src/config/loadConfig';
import { selectBackend } from '../src/engine/backend';
import { describeLayer } from '../src/engine/describeModel';
import { initialWeights } from '../src/engine/initialWeights';
import { layerFlops } from '../src/engine/modelSize';
import { dropoutLayers, resolveModelSpec, elementCount, type ModelSpec } from '../src/engine/modelSpec';
import { NativeModel } from '../src/engine/nativeModel';
import type { NativeAddon } from '../src/engine/nativeAddon';
import { SeededRandom } from '../src/random/SeededRandom';

/** One thread's sgemm rate in GFLOP/s: the best of several 1024×1024×1024 products (as OpenBLAS runs it for one arm). */
export function sgemmRate(addon: NativeAddon): number {
  const n = 1024;
  const rng = new SeededRandom(0, 'bench-sgemm');
  const a = Float32Array.from({ length: n * n }, () => rng.nextFloat());
  const c = new Float32Array(n * n);
  addon.matmul(0, 0, n, n, n, a, a, c);
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    addon.matmul(0, 0, n, n, n, a, a, c);
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  return (2 * n ** 3) / best / 1e9;
}

export interface LayerTiming {
  layer: string;
  forwardMs: number;
  backwardMs: number;
  /** Of the layer's matrix products, forward and backward together; null for layers without any. */
  gflops: number | null;
}

export interface StepProfile {
  workload: string;
  batchSize: number;
  stepMs: number;
  samplesPerSecond: number;
  layers: LayerTiming[];
  updateMs: number;
}

/** The model of a config on Fashion-MNIST-shaped data (28×28×1, 10 classes): what the fashion workloads train. */
export function fashionSpec(configFile: string, flags: Record<string, unknown> = {}): ModelSpec {
  const config = resolveTrainConfig({ configFile, flags });
  return resolveModelSpec(config, { name: 'fashion-mnist', numFeatures: 784, numClasses: 10, sampleShape: [28, 28, 1] });
}

/** `steps` training steps of one model at the config's batch size on one thread, after two to warm up, timed layer by layer. */
export async function profileStep(workload: string, configFile: string, flags: Record<string, unknown> = {}, steps = 10): Promise<StepProfile> {
  const config = resolveTrainConfig({ configFile, flags });
  const spec = fashionSpec(configFile, flags);
  const engine = await selectBackend('native');
  const model = engine.createModel(spec, initialWeights(spec, 0), config) as NativeModel;
  const rows = config.batchSize;
  const rng = new SeededRandom(0, 'bench-profile');
  const x = Float32Array.from({ length: rows * spec.numFeatures }, () => rng.nextFloat());
  const targets = new Float32Array(rows * spec.numClasses);
  for (let i = 0; i < rows; i++) targets[i * spec.numClasses + (i % spec.numClasses)] = 1;
  const masks = dropoutLayers(spec).map((d) => Float32Array.from({ length: rows * elementCount(d.inShape) }, () => (rng.nextFloat() >= d.rate ? 1 : 0)));
  const batch = { x, targets, size: rows, ...(masks.length ? { dropoutMasks: masks } : {}) };
  try {
    for (let i = 0; i < 2; i++) model.trainBatch(batch);
    model.layerSeconds();
    const started = performance.now();
    for (let i = 0; i < steps; i++) model.trainBatch(batch);
    const seconds = (performance.now() - started) / 1000;
    const timed = model.layerSeconds();
    const flops = layerFlops(spec);
    const ms = (s: number) => (s / steps) * 1000;
    return {
      workload,
      batchSize: rows,
      stepMs: (seconds / steps) * 1000,
      samplesPerSecond: (rows * steps) / seconds,
      layers: spec.layers.map(({ layer }, i) => {
        const work = (flops[i]!.forward + flops[i]!.backward) * rows;
        const layerSeconds = (timed[2 * i]! + timed[2 * i + 1]!) / steps;
        return { layer: describeLayer(layer), forwardMs: ms(timed[2 * i]!), backwardMs: ms(timed[2 * i + 1]!), gflops: work > 0 ? work / layerSeconds / 1e9 : null };
      }),
      updateMs: ms(timed[2 * spec.layers.length]!),
    };
  } finally {
    model.dispose();
  }
}

export function renderProfile(profile: StepProfile, sgemm: number | null): string {
  const table = new Table({ head: ['layer', 'forward', 'backward', 'share of the step', 'GFLOP/s', 'of sgemm'], style: { head: [], border: [] } });
  const share = (msValue: number) => `${((100 * msValue) / profile.stepMs).toFixed(1)}%`;
  for (const l of profile.layers) {
    table.push([
      l.layer,
      `${l.forwardMs.toFixed(2)} ms`,
      `${l.backwardMs.toFixed(2)} ms`,
      share(l.forwardMs + l.backwardMs),
      l.gflops === null ? '' : l.gflops.toFixed(1),
      l.gflops === null || sgemm === null ? '' : `${((100 * l.gflops) / sgemm).toFixed(0)}%`,
    ]);
  }
  table.push(['optimizer update', '', `${profile.updateMs.toFixed(2)} ms`, share(profile.updateMs), '', '']);
  return [
    `Where a training step of ${profile.workload} goes (native, batch ${profile.batchSize}, one thread: ${profile.stepMs.toFixed(1)} ms, ${Math.round(profile.samplesPerSecond).toLocaleString('en-US')} samples/s):`,
    table.toString(),
    "GFLOP/s: the layer's matrix products (forward, weight and input gradients) / its time, im2col, col2im, bias and activation passes included; of sgemm: against this machine's 1024³ sgemm on one thread.",
  ].join('\n');
}
