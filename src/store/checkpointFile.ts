import { createHash } from 'node:crypto';
import { constants as bufferConstants } from 'node:buffer';
import { readRegularFile } from '../data/boundedRead';
import { unreadableReason } from './runReader';
import { z } from 'zod';
import type { ModelState } from '../engine/model';
import type { TrainingCheckpoint } from '../train/pairedTrainer';
import { writeFileAtomic } from './atomicFile';
import { SCHEMA_VERSION } from './runFiles';
import { schemaProblem } from './schemaIssue';

/**
 * checkpoint.bin: the state after the last completed epoch, rewritten atomically each epoch.
 * Layout: 8-byte magic "LSBCKPT1", uint32 LE header length, the JSON header, zero padding to a multiple of
 * 4, then every float32 array in header order (little-endian). The header holds the sha256 of the payload
 * and the digest of the data trained on (absent in checkpoints written before it was recorded).
 */
const MAGIC = 'LSBCKPT1';

const numberOrNull = z.union([z.number(), z.null()]);

/** The JSON header, checked before any of it is trusted: a damaged header is an error naming the file, not a crash. */
const CheckpointHeaderSchema = z.object({
  schemaVersion: z.number(),
  epoch: z.number().int().nonnegative(),
  initialWeightsDigest: z.string(),
  /** Absent in checkpoints written before the data digest was recorded. */
  dataDigest: z.string().optional(),
  payloadDigest: z.string(),
  arms: z.array(
    z.object({
      label: z.string(),
      diverged: z.union([z.object({ epoch: z.number(), batch: numberOrNull, lastFiniteLoss: numberOrNull, message: z.string() }), z.null()]),
      initialWeightsDigest: z.string(),
      iterations: z.number(),
      betaPowers: z.array(z.number()),
      weights: z.array(z.number().int().nonnegative()),
      slots: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()) })),
    }),
  ),
});
type CheckpointHeader = z.infer<typeof CheckpointHeaderSchema>;

export function encodeCheckpoint(cp: TrainingCheckpoint): Uint8Array {
  const arrays: Float32Array[] = [];
  const arms = cp.arms.map((arm) => {
    arrays.push(...arm.state.weights, ...arm.state.optimizerSlots.map((s) => s.values));
    return {
      label: arm.label,
      diverged: arm.diverged,
      initialWeightsDigest: arm.initialWeightsDigest,
      iterations: arm.state.iterations,
      betaPowers: arm.state.betaPowers,
      weights: arm.state.weights.map((w) => w.length),
      slots: arm.state.optimizerSlots.map((s) => ({ name: s.name, shape: s.shape })),
    };
  });
  const payloadLength = arrays.reduce((n, a) => n + a.length, 0) * 4;
  const payload = new Uint8Array(payloadLength);
  let offset = 0;
  for (const a of arrays) {
    payload.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    offset += a.byteLength;
  }
  const header: CheckpointHeader = {
    schemaVersion: SCHEMA_VERSION,
    epoch: cp.epoch,
    initialWeightsDigest: cp.initialWeightsDigest,
    ...(cp.dataDigest !== null ? { dataDigest: cp.dataDigest } : {}),
    payloadDigest: createHash('sha256').update(payload).digest('hex'),
    arms,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = 8 + 4 + headerBytes.length;
  const padded = Math.ceil(prefix / 4) * 4;
  const out = Buffer.alloc(padded + payloadLength);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(headerBytes.length, 8);
  headerBytes.copy(out, 12);
  out.set(payload, padded);
  return out;
}

export function writeCheckpoint(file: string, cp: TrainingCheckpoint): void {
  writeFileAtomic(file, encodeCheckpoint(cp));
}

/** Reads and verifies a checkpoint; any damage is an Error naming the file. */
export function readCheckpoint(file: string): TrainingCheckpoint {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(file, bufferConstants.MAX_LENGTH);
  } catch (error) {
    throw new Error(`${file}: ${unreadableReason(error)}`);
  }
  const fail = (why: string): never => {
    throw new Error(`${file}: ${why}`);
  };
  if (bytes.length < 12 || bytes.toString('latin1', 0, 8) !== MAGIC) fail('not an ls-bench checkpoint (bad magic)');
  const headerLength = bytes.readUInt32LE(8);
  if (12 + headerLength > bytes.length) fail('truncated checkpoint header');
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8', 12, 12 + headerLength));
  } catch {
    return fail('unreadable checkpoint header');
  }
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > SCHEMA_VERSION) fail(`checkpoint schema version ${version} is newer than this ls-bench (${SCHEMA_VERSION})`);
  const problem = schemaProblem(CheckpointHeaderSchema, json);
  if (problem !== null) fail(`damaged checkpoint header (${problem})`);
  const header = json as CheckpointHeader;
  const start = Math.ceil((12 + headerLength) / 4) * 4;
  const payload = bytes.subarray(start);
  if (createHash('sha256').update(payload).digest('hex') !== header.payloadDigest) fail('checkpoint payload does not match its digest (truncated or modified)');
  // Copy into an aligned buffer: Float32Array views need 4-byte alignment.
  const floats = new Float32Array(new Uint8Array(payload).buffer);
  let offset = 0;
  const take = (n: number): Float32Array => {
    if (offset + n > floats.length) fail('checkpoint payload is shorter than its header says');
    const a = floats.slice(offset, offset + n);
    offset += n;
    return a;
  };
  const arms = header.arms.map((arm) => {
    const weights = arm.weights.map((n) => take(n));
    const optimizerSlots = arm.slots.map((s) => ({ name: s.name, shape: s.shape, values: take(s.shape.reduce((a, b) => a * b, 1)) }));
    const state: ModelState = { weights, optimizerSlots, iterations: arm.iterations, betaPowers: arm.betaPowers };
    return { label: arm.label, state, diverged: arm.diverged, initialWeightsDigest: arm.initialWeightsDigest };
  });
  if (offset !== floats.length) fail('checkpoint payload is longer than its header says');
  return { epoch: header.epoch, initialWeightsDigest: header.initialWeightsDigest, dataDigest: header.dataDigest ?? null, arms };
}

/** What a resumed training will start from: its data, its initial weights and its arms. */
export interface ResumeTarget {
  dataDigest: string;
  initialWeightsDigest: string;
  armLabels: string[];
}

const short = (digest: string) => `${digest.slice(0, 12)}…`;

/**
 * Why `checkpoint` cannot continue training `target`, or null when it can. Checked before a resume
 * writes anything: the data must be the data it was trained on (an edited CSV would silently train on
 * other data), and the arms and initial weights those of the run's config.
 */
export function checkpointMismatch(checkpoint: TrainingCheckpoint, target: ResumeTarget): string | null {
  if (checkpoint.dataDigest !== null && checkpoint.dataDigest !== target.dataDigest) {
    return `the training data changed since the checkpoint (data digest ${short(checkpoint.dataDigest)} then, ${short(target.dataDigest)} now); a run continues only on the data it started with`;
  }
  const labels = checkpoint.arms.map((a) => a.label);
  if (labels.join() !== target.armLabels.join()) {
    return `the checkpoint's arms (${labels.join(', ')}) differ from those of the run's config (${target.armLabels.join(', ')})`;
  }
  if (checkpoint.initialWeightsDigest !== target.initialWeightsDigest) {
    return `the checkpoint was trained from other initial weights (${short(checkpoint.initialWeightsDigest)} vs ${short(target.initialWeightsDigest)}): the model, the seed or the data's columns differ from the run's`;
  }
  return null;
}
