import type { TrainConfig } from '../config/schema';
import type { Dataset } from '../data/Dataset';
import type { RunMemoryInputs } from './memoryEstimate';
import { modelFootprint, predictionChunk } from './modelSize';
import { resolveModelSpec, type ModelConfigKeys } from './modelSpec';

/**
 * What the memory estimate (memoryEstimate.ts) needs to know of a run: the size of its data (not its
 * values: known from IDX headers before anything is loaded) and, from the engine's own footprint of the
 * model (modelSize.ts: parameters and activations per sample, for any layer list, CNNs included), the size
 * of one arm's model.
 */
export interface DataShape {
  numFeatures: number;
  numClasses: number;
  /** The shape of one sample for image data ([28, 28, 1]); absent for flat features. */
  sampleShape?: number[];
  trainRows: number;
  testRows: number;
}

export function dataShapeOf(dataset: Pick<Dataset, 'numFeatures' | 'numClasses' | 'sampleShape' | 'train' | 'test'>): DataShape {
  return {
    numFeatures: dataset.numFeatures,
    numClasses: dataset.numClasses,
    ...(dataset.sampleShape ? { sampleShape: dataset.sampleShape } : {}),
    trainRows: dataset.train.count,
    testRows: dataset.test.count,
  };
}

/** Float32 features and int32 labels of both splits: what a data set of this shape holds. */
export function dataBytes(shape: DataShape): number {
  return (shape.trainRows + shape.testRows) * (shape.numFeatures + 1) * 4;
}

/**
 * The memory-estimate inputs of training `config` on data of `shape`: one model per arm (the hard arm and
 * one per ε), each with the footprint the engine computes for its layer list.
 */
export function runMemoryInputs(config: ModelConfigKeys & Pick<TrainConfig, 'epsilon' | 'batchSize'>, shape: DataShape, name = 'the data set'): RunMemoryInputs {
  const spec = resolveModelSpec(config, { name, ...shape });
  const footprint = modelFootprint(spec);
  return {
    arms: 1 + config.epsilon.length,
    parameters: footprint.parameters,
    // Adam's m and v; the native engine keeps both for SGD as well.
    optimizerSlots: 2,
    dataBytes: dataBytes(shape),
    activationsPerRow: footprint.activationsPerSample,
    batchSize: Math.min(config.batchSize, shape.trainRows),
    evaluationRows: Math.min(predictionChunk(spec), shape.testRows),
    testRows: shape.testRows,
    classes: shape.numClasses,
  };
}
