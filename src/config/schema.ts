import { z } from 'zod';
import { SMOOTHING_VARIANTS } from '../smoothing/labelSmoothing';

/**
 * The one source of ls-bench's training options: every key is a config-file key (YAML or JSON) and a
 * command-line flag (camelCase → --kebab-case), with its default and its help text. `.strict()` makes an
 * unknown key an error that names it.
 */

const listOf = <T extends z.ZodType>(item: T) =>
  // A config file may give a single value where a list is expected ("epsilon: 0.1").
  z.preprocess((v) => (Array.isArray(v) || v === undefined ? v : [v]), z.array(item));

export const BACKEND_NAMES = ['auto', 'node', 'native', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'elu'] as const;
export const OPTIMIZERS = ['adam', 'sgd'] as const;

export const TrainConfigSchema = z
  .object({
    dataset: z
      .string()
      .min(1)
      .default('synthetic')
      .describe('data set: synthetic (built in, no file) or fashion-mnist (IDX files)'),
    dataDir: z
      .string()
      .min(1)
      .optional()
      .describe('folder with the IDX .gz files of fashion-mnist (default: data/fashion-mnist, then /usr/share/datasets/fashion-mnist)'),
    limit: z.number().int().min(1).optional().describe('use a stratified subset of at most this many training samples (test set shrunk in proportion)'),
    samples: z.number().int().min(10).max(1_000_000).default(1000).describe('synthetic: number of samples'),
    features: z.number().int().min(1).max(10_000).default(10).describe('synthetic: number of features'),
    classes: z.number().int().min(2).max(1000).default(3).describe('synthetic: number of classes'),
    testFraction: z.number().gt(0).lt(1).default(0.2).describe('synthetic: fraction held out as the (stratified) test set'),
    hidden: listOf(z.number().int().min(1).max(65536))
      .default([32])
      .describe('hidden layer sizes of the MLP, e.g. 256,128 (empty list: a linear model)'),
    activation: z.enum(ACTIVATIONS).default('relu').describe('hidden-layer activation'),
    dropout: z.number().min(0).lt(1).default(0).describe('dropout rate after each hidden layer (masks identical across arms)'),
    optimizer: z.enum(OPTIMIZERS).default('adam').describe('optimizer'),
    learningRate: z.number().gt(0).max(10).default(0.003).describe('learning rate'),
    momentum: z.number().min(0).lt(1).default(0.9).describe('SGD momentum (ignored by adam)'),
    batchSize: z.number().int().min(1).max(1_000_000).default(64).describe('mini-batch size'),
    epochs: z.number().int().min(1).max(100_000).default(15).describe('number of epochs'),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0).describe('seed for data, initial weights, batch order and dropout'),
    smoothing: z.enum(SMOOTHING_VARIANTS).default('uniform').describe('uniform: q=(1-ε)·onehot+ε/K (PyTorch, Keras); others: ε spread over the K-1 wrong classes'),
    epsilon: listOf(z.number().min(0).lt(1))
      .refine((v) => v.length >= 1, 'expected at least one value')
      .default([0.1])
      .describe('smoothing strength ε in [0, 1); a list (0.05,0.1) trains one smoothed arm per value'),
    parallelArms: z
      .enum(['auto', 'off'])
      .default('auto')
      .describe('native backend: auto trains the arms at the same time, one thread per arm, when there are cores for it (results are identical to off)'),
    backend: z.enum(BACKEND_NAMES).default('auto').describe('compute backend: auto picks node (tfjs-node) if it loads, else native (ls-bench C + OpenBLAS), else wasm, else cpu'),
  })
  .strict();

export type TrainConfig = z.output<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;
