import type { Dataset } from '../data/Dataset';
import type { SharedBatch } from '../engine/engine';
import { dropoutLayers, elementCount, type ModelSpec } from '../engine/modelSpec';
import { SeededRandom } from '../random/SeededRandom';
import { smoothTargets, type SmoothingOptions } from '../smoothing/labelSmoothing';

/** The training set's order in epoch `epoch` (1-based): one permutation per epoch, the same for every arm. */
export function batchOrder(seed: number, epoch: number, count: number): Int32Array {
  return new SeededRandom(seed, 'batch-order', epoch).permutation(count);
}

/**
 * Keep-masks (1 = kept) for each dropout layer of one batch, [rows × the layer's input size], the same
 * for every arm; undefined when no dropout layer drops anything. Drawn layer after layer from one stream,
 * so an MLP's masks are those of the hidden layers in order.
 */
export function dropoutMasks(seed: number, epoch: number, batch: number, rows: number, spec: ModelSpec): Float32Array[] | undefined {
  const layers = dropoutLayers(spec);
  if (!layers.some((l) => l.rate > 0)) return undefined;
  const rng = new SeededRandom(seed, 'dropout', epoch, batch);
  return layers.map(({ rate, inShape }) => {
    const mask = new Float32Array(rows * elementCount(inShape));
    for (let i = 0; i < mask.length; i++) mask[i] = rng.nextFloat() >= rate ? 1 : 0;
    return mask;
  });
}

/** Rows `start … start+size` of this epoch's order: the batch's features (copied out) and labels. */
function gatherBatch(train: Dataset['train'], order: Int32Array, start: number, size: number, f: number) {
  const x = new Float32Array(size * f);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const row = order[start + i]!;
    x.set(train.x.subarray(row * f, (row + 1) * f), i * f);
    labels[i] = train.y[row]!;
  }
  return { x, labels };
}

/** Where a batch comes from: the epoch's order and the seed of its dropout masks. */
export interface BatchSource {
  dataset: Dataset;
  spec: ModelSpec;
  seed: number;
  batchSize: number;
  epoch: number;
  order: Int32Array;
}

/**
 * Batch b (0-based) of the epoch for the given arms: the rows and dropout masks are the same for every
 * arm, gathered once (the data set is read, never copied per arm); the targets are each arm's own.
 */
export function sharedBatchAt(source: BatchSource, b: number, arms: SmoothingOptions[]): { batch: SharedBatch; labels: Int32Array } {
  const { dataset, spec, seed, batchSize, epoch, order } = source;
  const start = b * batchSize;
  const size = Math.min(batchSize, dataset.train.count - start);
  const { x, labels } = gatherBatch(dataset.train, order, start, size, dataset.numFeatures);
  const k = dataset.numClasses;
  const targets = arms.map((arm) => smoothTargets(labels, k, arm, new Float32Array(size * k)));
  const masks = dropoutMasks(seed, epoch, b, size, spec);
  return { batch: { x, size, targets, ...(masks ? { dropoutMasks: masks } : {}) }, labels };
}
