import { z } from 'zod';
import { SMOOTHING_VARIANTS } from '../smoothing/labelSmoothing';
import { NOISE_KINDS } from '../data/labelNoise';
import { ACTIVATIONS, ModelSchema } from './modelSchema';

export { ACTIVATIONS } from './modelSchema';

/**
 * The one source of ls-bench's training options: every key is a config-file key (YAML or JSON) and a
 * command-line flag (camelCase → --kebab-case), with its default and its help text. `.strict()` makes an
 * unknown key an error that names it.
 */

const listOf = <T extends z.ZodType>(item: T, maxLength: number) =>
  // A config file may give a single value where a list is expected ("epsilon: 0.1").
  z.preprocess((v) => (Array.isArray(v) || v === undefined ? v : [v]), z.array(item).max(maxLength));

export const MAX_SYNTHETIC_VALUES = 20_000_000;
/** Larger models than this would need gigabytes per arm: refused before they are built. */
export const MAX_MODEL_PARAMETERS = 50_000_000;

export const BACKEND_NAMES = ['auto', 'node', 'native', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export const OPTIMIZERS = ['adam', 'sgd'] as const;
export const INITIALISATIONS = ['glorot', 'kaiming'] as const;
export const WEIGHT_DECAY_MODES = ['l2', 'decoupled'] as const;

export const TrainConfigSchema = z
  .object({
    dataset: z
      .string()
      .min(1)
      .default('synthetic')
      .describe(
        'data set: synthetic (built in), fashion-mnist (IDX files), a bundled set (iris, wine, breast-cancer, digits), csv:FILE, or idx:IMAGES,LABELS[,TEST-IMAGES,TEST-LABELS]; `ls-bench datasets` lists them',
      ),
    dataDir: z
      .string()
      .min(1)
      .optional()
      .describe('folder with the IDX .gz files of fashion-mnist [default: data/fashion-mnist, then /usr/share/datasets/fashion-mnist]'),
    limit: z.number().int().min(1).optional().describe('use a stratified subset of at most this many training samples (test set shrunk in proportion)'),
    samples: z.number().int().min(10).max(200_000).default(1000).describe('synthetic: number of samples'),
    features: z.number().int().min(1).max(4096).default(10).describe('synthetic: number of features'),
    classes: z.number().int().min(2).max(1000).default(3).describe('synthetic: number of classes'),
    testFraction: z.number().gt(0).lt(1).default(0.2).describe('fraction held out as the stratified, seeded test set (synthetic, and csv/idx data without a test file)'),
    valFraction: z
      .number()
      .min(0)
      .max(0.5)
      .default(0.1)
      .describe(
        "fraction of the training set held out as a stratified, seeded validation set (the same for every arm, never trained on) on which each arm's temperature is fitted; 0: no temperature scaling",
      ),
    labelColumn: z.string().min(1).optional().describe('csv: the label column, by header name or 0-based index [default: the last column]'),
    delimiter: z.string().min(1).max(4).default(',').describe('csv: field delimiter'),
    header: z.boolean().default(true).describe('csv: whether the first row holds column names (true/false)'),
    ignoreColumns: z.array(z.string().min(1)).default([]).describe('csv: columns to leave out, by header name or 0-based index, e.g. id,date'),
    testFile: z.string().min(1).optional().describe('csv: a separate test file with the same columns [default: a stratified testFraction split of the one file]'),
    labelNoise: z.number().min(0).lt(1).default(0).describe('flip this fraction of the training labels (seeded, identical for every arm; test labels stay clean)'),
    noiseKind: z.enum(NOISE_KINDS).default('symmetric').describe('symmetric: a flipped label goes to any other class uniformly; pairwise: class c goes to (c+1) mod K'),
    imbalance: z.number().gt(0).lte(1).optional().describe('subsample the training set so the rarest class has this ratio to the most common one (geometric over classes 0..K-1, seeded)'),
    hidden: listOf(z.number().int().min(1).max(16384), 16)
      .default([32])
      .describe('hidden layer sizes of the MLP, e.g. 256,128 (empty list: a linear model); the short form of model.layers'),
    activation: z.enum(ACTIVATIONS).default('relu').describe('hidden-layer activation of the MLP'),
    dropout: z.number().min(0).lt(1).default(0).describe('dropout rate after each hidden layer of the MLP (masks identical across arms)'),
    model: ModelSchema.optional().describe(
      "the model as a layer list (dense, conv, maxPool, avgPool, flatten, dropout, batchNorm, activation) instead of the MLP of hidden/activation/dropout; in a config file model.layers, on the command line inline YAML, e.g. --model '{layers: [{conv: 16, kernel: 3, activation: relu}, {maxPool: 2}, {flatten: true}, {dense: 64, activation: relu}]}' (docs/training.md)",
    ),
    init: z.enum(INITIALISATIONS).default('glorot').describe("initial weights: glorot (Glorot-uniform kernels, zero biases; Keras' default) or kaiming (PyTorch's default for conv and linear layers: kernels and biases U(±1/√fan-in))"),
    optimizer: z.enum(OPTIMIZERS).default('adam').describe('optimizer'),
    learningRate: z.number().gt(0).max(10).default(0.003).describe('learning rate'),
    momentum: z.number().min(0).lt(1).default(0.9).describe('SGD momentum (ignored by adam)'),
    weightDecay: z.number().min(0).max(1).default(0).describe('weight decay of the dense and conv kernels (not biases or batch-norm scales), the same for every arm; 0: none'),
    weightDecayMode: z
      .enum(WEIGHT_DECAY_MODES)
      .default('l2')
      .describe("l2: weightDecay·w added to the gradient, i.e. weightDecay/2·‖w‖² added to the loss (PyTorch's weight_decay in Adam and SGD); decoupled: w ← w·(1 − learningRate·weightDecay) before each update (AdamW)"),
    batchSize: z.number().int().min(1).max(1_000_000).default(64).describe('mini-batch size'),
    epochs: z.number().int().min(1).max(100_000).default(15).describe('number of epochs'),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0).describe('seed for data, initial weights, batch order and dropout'),
    smoothing: z.enum(SMOOTHING_VARIANTS).default('uniform').describe('uniform: q=(1-ε)·onehot+ε/K (PyTorch, Keras); others: ε spread over the K-1 wrong classes'),
    epsilon: listOf(z.number().min(0).lt(1), 64)
      .refine((v) => v.length >= 1, 'expected at least one value')
      // Two arms with one ε would share a label: their rows, charts and comparisons would overwrite each other.
      .refine((v) => new Set(v).size === v.length, 'expected each value once (two arms with the same ε would share a label)')
      .default([0.1])
      .describe('smoothing strength ε in [0, 1); a list (0.05,0.1) trains one smoothed arm per value'),
    parallelArms: z
      .enum(['auto', 'off'])
      .default('auto')
      .describe('native backend: auto trains the arms at the same time, one thread per arm, when there are cores for it (results are identical to off)'),
    backend: z.enum(BACKEND_NAMES).default('auto').describe('compute backend: auto picks node (tfjs-node) if it loads, else native (ls-bench C + OpenBLAS), else wasm, else cpu'),
  })
  .strict()
  // Bound the synthetic set's memory (samples × features float32 values) before anything is allocated.
  .refine((c) => c.samples * c.features <= MAX_SYNTHETIC_VALUES, {
    path: ['samples'],
    message: `expected samples × features ≤ ${MAX_SYNTHETIC_VALUES.toLocaleString('en-US')} (the synthetic set is held in memory)`,
  });

export type TrainConfig = z.output<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

/**
 * The `sweep:` section of a config file (`ls-bench sweep`): the grid and the gates. The training options
 * stay at the top level, shared with `train`; flags (--epsilon, --seeds, --smoothing, --jobs, --assert,
 * --grid) override this section.
 */
export const SweepSectionSchema = z
  .object({
    epsilon: listOf(z.number(), 64)
      .optional()
      .describe("the ε grid, e.g. 0, 0.05, 0.1, 0.2 (0 is the hard arm, trained in every cell) [default: 0 and the top-level epsilon]"),
    seeds: z
      .union([z.string(), z.number().int().min(0), z.array(z.number().int().min(0))])
      .optional()
      .describe('seeds: "0-4", "0,2,5" or a list of integers, ascending without repeats [default: 0-4]'),
    smoothing: listOf(z.enum(SMOOTHING_VARIANTS), 2).optional().describe('smoothing variants, each its own set of cells [default: the top-level smoothing]'),
    jobs: z
      .number()
      // One message for every way out of range, the same for the key and the --jobs flag.
      .refine((n) => Number.isInteger(n) && n >= 1 && n <= 256, 'expected an integer from 1 to 256')
      .optional()
      .describe('cells run in parallel worker processes [default: the number of cores]'),
    assert: listOf(z.string(), 64).optional().describe('gates evaluated on the aggregate, e.g. "smoothed.ece <= 0.05"'),
    // Each value is checked by the training schema's field for its key when the sweep is planned (sweep/gridAxes.ts).
    grid: z
      .record(z.string(), listOf(z.unknown(), 1000))
      .optional()
      .describe('training options to sweep, each with its values, e.g. { learningRate: [0.001, 0.003], hidden: [[64], [256, 128]] }; the grid is their product'),
  })
  .strict();

export type SweepSection = z.output<typeof SweepSectionSchema>;
