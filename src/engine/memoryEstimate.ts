import os from 'node:os';
import { CliError } from '../errors';
import { formatBytes } from '../data/boundedRead';

/**
 * How much memory a whole run needs, estimated before anything of that size is allocated, and the limit
 * it is checked against. The one place that knows what a run holds; its inputs are plain numbers, so a
 * new kind of model only has to say how many parameters and activations it has.
 */
export interface RunMemoryInputs {
  /** Models trained side by side (the hard arm and one per ε). */
  arms: number;
  /** Trainable parameters of one model. */
  parameters: number;
  /** Optimizer state per parameter: Adam keeps 2 (m, v); the native engine keeps both for SGD too. */
  optimizerSlots: number;
  /** The data as held while training: features as float32 and labels, both splits. */
  dataBytes: number;
  /**
   * float32 values one model keeps per row of a training batch: every layer's output, the pre-activations,
   * im2col rows, pooling positions and gradient buffers the backward pass needs (the engine's
   * modelFootprint, for any layer list).
   */
  activationsPerRow: number;
  batchSize: number;
  /** Rows evaluated at once at each epoch's end, and the classes of each row's log-probabilities. */
  evaluationRows: number;
  testRows: number;
  classes: number;
}

export interface RunMemoryEstimate {
  total: number;
  /** What makes up the total, largest first, for the message when it is refused. */
  parts: { what: string; bytes: number }[];
}

const FLOAT = 4;
/**
 * What a step holds beyond the engine's own count of its activations (modelFootprint). Measured on the
 * Fashion-MNIST CNN (configs/fashion-mnist-cnn.yaml, 2 arms): the peak resident size grew by 1.18 × that
 * count per batch row on the native backend (batch 128 → 512: 385 → 1168 MiB), 0.88 × on cpu.
 */
const ACTIVATION_SLACK = 1.25;
/** Node, TensorFlow.js and ls-bench itself, before any data or model: measured at 110–120 MB. */
const BASE_PROCESS_BYTES = 128 * 1024 * 1024;

/**
 * Per parameter and arm, in float32 values: the live weights, their gradients and the optimizer slots;
 * the arm's last good state (weights and slots, kept to roll a diverged arm back and to checkpoint); and
 * at each epoch's end, a new snapshot of that state while the old one is still held, and the checkpoint
 * (its payload and the file's bytes). Measured against the peak resident size of real runs (native
 * backend, Adam): 52 to 63 bytes per parameter and arm, where this gives 64.
 */
export function valuesPerParameter(optimizerSlots: number): number {
  const live = 2 + optimizerSlots;
  const state = 1 + optimizerSlots;
  return live + state * 4;
}

export function estimateRunMemory(i: RunMemoryInputs): RunMemoryEstimate {
  const parts = [
    { what: `${i.arms} model(s) of ${i.parameters.toLocaleString('en-US')} parameters with their optimizer state, last good state and checkpoint`, bytes: i.arms * i.parameters * valuesPerParameter(i.optimizerSlots) * FLOAT },
    // Loading copies the data once (subsets, splits), and the copy can outlive the load until a collection.
    { what: 'the data (and its copy while loading)', bytes: 2 * i.dataBytes },
    // × ACTIVATION_SLACK: the engines' temporaries of a step beyond what modelFootprint counts
    { what: 'activations of a batch and of an evaluation chunk', bytes: (i.arms * i.batchSize + i.evaluationRows) * i.activationsPerRow * FLOAT * ACTIVATION_SLACK },
    { what: 'test-set log-probabilities of every arm', bytes: (i.arms + 1) * i.testRows * i.classes * FLOAT },
    { what: 'the process itself (Node, TensorFlow.js)', bytes: BASE_PROCESS_BYTES },
  ].sort((a, b) => b.bytes - a.bytes);
  return { total: parts.reduce((n, p) => n + p.bytes, 0), parts };
}

export const MAX_MEMORY_ENV = 'LS_BENCH_MAX_MEMORY';

/** The machine's memory, or the container's limit where one is set (cgroups). */
export function availableMemory(): number {
  const constrained = (os as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  const total = os.totalmem();
  return constrained && constrained > 0 && constrained < total ? constrained : total;
}

/** The default limit: 75% of the machine's (or the container's) memory, leaving room for the rest of the system. */
export function defaultMemoryLimit(): number {
  return Math.floor(availableMemory() * 0.75);
}

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "512M", "4G", "4GiB", "1.5g", "8000000000": a size in bytes (K/M/G/T are binary); null when it is not one. */
export function parseByteSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) return null;
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** The smallest limit accepted: below this not even an empty run fits. */
const MIN_LIMIT = 256 * 1024 * 1024;

/** The memory limit: --max-memory, else $LS_BENCH_MAX_MEMORY, else the default; a bad value is named with its source. */
export function memoryLimit(flag?: string): { bytes: number; source: string } {
  const env = process.env[MAX_MEMORY_ENV];
  const [text, source] = flag !== undefined ? [flag, '--max-memory'] : env !== undefined && env.trim() !== '' ? [env, `$${MAX_MEMORY_ENV}`] : [null, 'default'];
  if (text === null) return { bytes: defaultMemoryLimit(), source: `the default, 75% of this machine's ${formatBytes(availableMemory())}` };
  const bytes = parseByteSize(text);
  if (bytes === null || bytes < MIN_LIMIT) throw new CliError(`${source} "${text}": expected a size of at least 256M, such as 512M, 8G or 1.5T (binary units)`);
  return { bytes, source };
}

/** Refuses (exit 2) a run whose estimate is above the limit, saying what takes the memory and how to go on. */
export function checkRunMemory(estimate: RunMemoryEstimate, limit: { bytes: number; source: string }, what: string): void {
  if (estimate.total <= limit.bytes) return;
  const largest = estimate.parts
    .slice(0, 2)
    .map((p) => `${p.what} ${formatBytes(p.bytes)}`)
    .join(', ');
  throw new CliError(
    `${what} would need about ${formatBytes(estimate.total)} of memory (${largest}), above the limit of ${formatBytes(limit.bytes)} (${limit.source}); use fewer arms (--epsilon), a smaller model (--hidden or model.layers) or batch (--batch-size), less data (--limit), or raise the limit with --max-memory`,
  );
}
