import { z } from 'zod';

/**
 * The `model:` key of a config: the network as a list of layers, as a user writes it. It is kept in that
 * form (a stored config.json is read back by the same schema); the engine resolves it against the data
 * set's sample shape (src/engine/modelSpec.ts), where shape errors are found. The output layer (a dense
 * layer with one unit per class) is not written: it is added from the data.
 *
 *   model:
 *     input: [28, 28, 1]                  # optional: taken from the data set
 *     layers:
 *       - { conv: 32, kernel: 3, padding: same, activation: relu }
 *       - { maxPool: 2 }
 *       - { flatten: true }
 *       - { dense: 128, activation: relu }
 *       - { dropout: 0.3 }
 */

export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'elu', 'gelu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const PADDINGS = ['valid', 'same'] as const;

export const MAX_UNITS = 16384;
const MAX_FILTERS = 4096;
const MAX_WINDOW = 64;
export const MAX_LAYERS = 64;

/** An integer in [min, max], with one message for every way it can be wrong (a string, 2.5, 0). */
const integer = (min: number, max: number) =>
  z.custom<number>(
    (v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max,
    min === 1 ? `expected a positive integer ≤ ${max}` : `expected an integer from ${min} to ${max}`,
  );

/** The key that says what a layer is; `activation` alone is a layer too (e.g. after a batch norm). */
export const LAYER_KINDS = ['dense', 'conv', 'maxPool', 'avgPool', 'flatten', 'dropout', 'batchNorm'] as const;
export type LayerKind = (typeof LAYER_KINDS)[number] | 'activation';

/** The other keys each kind of layer takes. */
export const LAYER_OPTIONS: Record<LayerKind, readonly string[]> = {
  dense: ['activation'],
  conv: ['kernel', 'stride', 'padding', 'activation'],
  maxPool: ['stride', 'padding'],
  avgPool: ['stride', 'padding'],
  flatten: [],
  dropout: [],
  batchNorm: ['momentum', 'epsilon'],
  activation: [],
};

/** Names users bring from Keras or PyTorch, for "did you mean". */
export const LAYER_KEY_ALIASES: Record<string, string> = {
  units: 'dense',
  linear: 'dense',
  filters: 'conv',
  conv2d: 'conv',
  kernelsize: 'kernel',
  pool: 'maxPool',
  maxpooling2d: 'maxPool',
  averagepooling2d: 'avgPool',
  rate: 'dropout',
  batchnormalization: 'batchNorm',
  batchnorm2d: 'batchNorm',
  eps: 'epsilon',
};

const LayerObject = z
  .object({
    dense: integer(1, MAX_UNITS).optional().describe('a fully connected layer with this many units'),
    conv: integer(1, MAX_FILTERS).optional().describe('a 2-D convolution with this many filters'),
    maxPool: integer(1, MAX_WINDOW).optional().describe('max pooling over size × size windows'),
    avgPool: integer(1, MAX_WINDOW).optional().describe('average pooling over size × size windows'),
    flatten: z.literal(true, { error: 'expected true' }).optional().describe('[h, w, c] → [h·w·c], before the first dense layer after a conv layer'),
    dropout: z.number().min(0).lt(1).optional().describe('dropout rate (masks identical across arms)'),
    batchNorm: z.literal(true, { error: 'expected true' }).optional().describe('batch normalisation over the last axis'),
    activation: z.enum(ACTIVATIONS).optional().describe('of a dense or conv layer (default: none), or a layer of its own'),
    kernel: integer(1, MAX_WINDOW).optional().describe('conv: kernel size (square)'),
    stride: integer(1, MAX_WINDOW).optional().describe('conv: default 1; pooling: default the pool size'),
    padding: z.enum(PADDINGS).optional().describe('valid (default) or same'),
    momentum: z.number().min(0).lt(1).optional().describe('batchNorm: weight of the old running statistics (default 0.9, PyTorch momentum 0.1)'),
    epsilon: z.number().gt(0).max(1).optional().describe('batchNorm: added to the variance (default 1e-5, as PyTorch)'),
  })
  .strict();

export type LayerConfig = z.output<typeof LayerObject>;

/** The kind of a layer that passed the schema. */
export function layerKind(layer: LayerConfig): LayerKind {
  return LAYER_KINDS.find((k) => layer[k] !== undefined) ?? 'activation';
}

const LayerSchema = LayerObject.superRefine((layer, ctx) => {
  const kinds = LAYER_KINDS.filter((k) => layer[k] !== undefined);
  const list = `${LAYER_KINDS.join(', ')} or activation`;
  if (kinds.length === 0 && layer.activation === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a layer: an object with one of ${list}` });
    return;
  }
  if (kinds.length > 1) {
    ctx.addIssue({ code: 'custom', path: [kinds[1]!], message: `a layer is one of ${list}; this one is both ${kinds[0]} and ${kinds[1]} (one layer per list item)` });
    return;
  }
  const kind = kinds[0] ?? 'activation';
  const allowed = LAYER_OPTIONS[kind];
  for (const key of Object.keys(layer)) {
    if (key === kind || allowed.includes(key) || (layer as Record<string, unknown>)[key] === undefined) continue;
    ctx.addIssue({ code: 'custom', path: [key], message: `does not apply to a ${kind} layer, which takes ${allowed.length ? allowed.join(', ') : 'no other keys'}` });
  }
  if (kind === 'conv' && layer.kernel === undefined) ctx.addIssue({ code: 'custom', path: ['kernel'], message: 'a conv layer needs a kernel size, e.g. kernel: 3' });
});

export const ModelSchema = z
  .object({
    input: z
      .array(integer(1, 4096))
      .min(1)
      .max(3)
      .optional()
      .describe('the shape of one sample: [features], [height, width] or [height, width, channels] (default: the data set\'s)'),
    layers: z.array(LayerSchema).max(MAX_LAYERS).describe('the hidden layers in order; the output layer is added'),
  })
  .strict();

export type ModelConfig = z.output<typeof ModelSchema>;

/** The keys a config object takes at a path inside `model` (for "unknown key" messages), or undefined elsewhere. */
export function modelKeysAt(path: readonly PropertyKey[]): string[] | undefined {
  if (path[0] !== 'model') return undefined;
  if (path.length === 1) return Object.keys(ModelSchema.shape);
  if (path.length === 3 && path[1] === 'layers') return Object.keys(LayerObject.shape);
  return undefined;
}
