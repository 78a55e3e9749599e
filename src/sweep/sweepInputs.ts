import { CliError } from '../errors';
import type { TrainConfig } from '../config/schema';
import { formatBytes } from '../data/boundedRead';
import type { Dataset } from '../data/Dataset';
import { FASHION_MNIST_CLASSES, locateFashionMnist } from '../data/fashionMnist';
import { readIdxDims } from '../data/idx';
import { loadDataset } from '../data/loadDataset';
import { estimateRunMemory } from '../engine/memoryEstimate';
import { checkModelSize } from '../engine/modelSize';
import { dataShapeOf, runMemoryInputs, type DataShape } from '../engine/runMemory';
import { checkEpsilonFits } from '../train/arms';
import { canonicalJson, gridAxes, gridPoints, pointLabel, smoothedEpsilons } from './grid';
import type { SweepPlan } from './plan';

/** Options that do not change the data a cell loads: points differing only in these share one check of their data. */
const MODEL_AND_TRAINING_KEYS = new Set([
  ...['hidden', 'activation', 'dropout', 'model', 'init', 'optimizer', 'learningRate', 'momentum', 'weightDecay', 'weightDecayMode'],
  ...['batchSize', 'epochs', 'parallelArms', 'backend'],
]);

export interface MemoryLimit {
  bytes: number;
  source: string;
}

/**
 * What the cells would otherwise each fail on, checked once per grid point before the sweep directory
 * exists: the backend loads, the data set is there (the synthetic data is generated for the first seed;
 * the Fashion-MNIST files are only located and their headers read, not parsed, to keep the parent light),
 * the model fits, and the cells that run at once fit in memory together (`cellCount`: this shard's cells).
 */
export async function checkSweepInputs(plan: SweepPlan, limit: MemoryLimit = { bytes: Number.POSITIVE_INFINITY, source: 'none' }, cellCount = plan.cells.length): Promise<string> {
  // TensorFlow.js loads only here, when a sweep is about to run (not for `sweep --help`)
  const { selectBackend } = await import('../engine/backend');
  const points = gridPoints(plan.grid);
  const backends = new Map<string, string>();
  const datasets = new Map<string, Dataset>();
  for (const [i, config] of plan.pointConfigs.entries()) {
    try {
      if (!backends.has(config.backend)) backends.set(config.backend, (await selectBackend(config.backend)).name);
      let shape: DataShape;
      if (config.dataset === 'fashion-mnist') shape = fashionMnistShape(config.dataDir);
      else {
        const dataKey = canonicalJson(Object.fromEntries(Object.entries(config).filter(([k]) => !MODEL_AND_TRAINING_KEYS.has(k))));
        if (!datasets.has(dataKey)) datasets.set(dataKey, await loadDataset({ ...config, seed: plan.grid.seeds[0]! }, limit.bytes));
        checkModelSize(config, datasets.get(dataKey)!);
        shape = dataShapeOf(datasets.get(dataKey)!);
      }
      for (const smoothing of plan.grid.smoothing) checkEpsilonFits({ epsilon: smoothedEpsilons(plan.grid), smoothing }, shape.numClasses, '--epsilon');
      checkSweepMemory(config, plan, shape, limit, cellCount);
    } catch (error) {
      // With axes, say which grid point the message is about; the message itself names the option.
      if (error instanceof CliError && gridAxes(plan.grid).length > 0) throw new CliError(`grid point ${points[i]!.id} (${pointLabel(points[i]!)}): ${error.message}`, error.exitCode);
      throw error;
    }
  }
  return backends.get(plan.config.backend) ?? [...backends.values()][0]!;
}

/** Fashion-MNIST's size from its IDX headers alone: the parent does not load the images. */
function fashionMnistShape(dataDir: string | undefined): DataShape {
  const files = locateFashionMnist(dataDir);
  const [train, test] = [readIdxDims(files.trainImages), readIdxDims(files.testImages)];
  // images keep their shape, as fashionMnistDataset gives it ([28, 28, 1]): a layer list's conv layers need it
  const sampleShape = train.length === 3 ? [train[1]!, train[2]!, 1] : undefined;
  return { numFeatures: train.slice(1).reduce((a, b) => a * b, 1), numClasses: FASHION_MNIST_CLASSES.length, ...(sampleShape ? { sampleShape } : {}), trainRows: train[0]!, testRows: test[0]! };
}

/** Each cell is one `train` process of every arm of the ε grid; `jobs` of them run at once, so they must fit together. */
function checkSweepMemory(config: TrainConfig, plan: SweepPlan, shape: DataShape, limit: MemoryLimit, cellCount: number): void {
  const cellConfig = { ...config, epsilon: smoothedEpsilons(plan.grid) };
  const perCell = estimateRunMemory(runMemoryInputs(cellConfig, shape, config.dataset));
  const atOnce = Math.max(1, Math.min(plan.jobs, cellCount));
  const fit = Math.floor(limit.bytes / perCell.total);
  if (perCell.total * atOnce <= limit.bytes) return;
  const advice = fit >= 1 ? `run at most ${fit} at once (--jobs ${fit})` : 'use fewer ε values, a smaller model (--hidden or model.layers) or batch (--batch-size), or less data (--limit)';
  throw new CliError(
    `sweep: ${atOnce} cell(s) at once, each training ${1 + cellConfig.epsilon.length} arms, would need about ${formatBytes(perCell.total * atOnce)} of memory (${formatBytes(perCell.total)} per cell), above the limit of ${formatBytes(limit.bytes)} (${limit.source}); ${advice}, or raise the limit with --max-memory`,
  );
}
