import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CliError } from '../errors';
import { SMOOTHING_VARIANTS, type SmoothingVariant } from '../smoothing/labelSmoothing';
import { fileSystemReason } from './fileSystemError';
import { RUN_FILES, SCHEMA_VERSION, type RunSummary } from './runFiles';
import { schemaProblem } from './schemaIssue';

/**
 * probabilities.bin: every arm's log-probabilities on every test sample, as float32 — the very values the
 * run's test metrics were computed from, so accuracy, NLL, Brier, every ECE, the histograms and reliability
 * bins, the temperature-scaled metrics and the bootstrap intervals can all be recomputed (or re-binned)
 * from this file and the summary's temperatures and seed. Log-probabilities rather than probabilities:
 * they keep a tiny probability exact where float32 would round it to 0, and their differences are the
 * differences of the logits.
 *
 * Layout (little-endian): 8-byte magic "LSBPROB1", uint32 header length, the JSON header, zero padding to a
 * multiple of 4, then the payload: the test labels (int32, one per sample), then float32 values in the
 * order [arm][sample][class]. The header gives the shape, the class and arm order and the payload's sha256.
 * Size: 4·N + 4·A·N·K bytes of payload for N test samples, K classes and A arms (Fashion-MNIST, two arms:
 * 10 000 × 10 × 2 × 4 B + 40 kB = 0.84 MB).
 */
export const PROBABILITIES_MAGIC = 'LSBPROB1';
const PREFIX_BYTES = 12;

const ProbabilitiesHeaderSchema = z.object({
  schemaVersion: z.number(),
  /** What the values are: natural-log softmax of each arm's logits on the test split. */
  values: z.literal('log-probabilities'),
  split: z.literal('test'),
  samples: z.number().int().nonnegative(),
  classes: z.number().int().min(1),
  classNames: z.array(z.string()),
  arms: z.array(z.object({ label: z.string(), epsilon: z.number(), smoothing: z.enum(SMOOTHING_VARIANTS) })).min(1),
  layout: z.string(),
  payloadDigest: z.string(),
});
type ProbabilitiesHeader = z.infer<typeof ProbabilitiesHeaderSchema>;

const LAYOUT = 'int32 labels[samples], then float32 logProbs[arms][samples][classes], little-endian';

/** One arm's stored test log-probabilities, [samples × classes] row-major. */
export interface StoredArmProbabilities {
  label: string;
  epsilon: number;
  smoothing: SmoothingVariant;
  logProbs: Float32Array;
}

/** The contents of probabilities.bin. */
export interface StoredProbabilities {
  samples: number;
  classes: number;
  classNames: string[];
  /** The true class of each test sample. */
  labels: Int32Array;
  arms: StoredArmProbabilities[];
}

/** The file's bytes for `stored`; every arm's log-probabilities must be [samples × classes]. */
export function encodeProbabilities(stored: StoredProbabilities): Uint8Array {
  const { samples, classes, labels, arms } = stored;
  if (labels.length !== samples) throw new RangeError(`probabilities: ${labels.length} labels for ${samples} samples`);
  for (const arm of arms) {
    if (arm.logProbs.length !== samples * classes) throw new RangeError(`probabilities: arm ${arm.label} has ${arm.logProbs.length} values, expected ${samples}×${classes}`);
  }
  const payload = new Uint8Array(4 * samples * (1 + arms.length * classes));
  payload.set(new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength), 0);
  arms.forEach((arm, a) => payload.set(new Uint8Array(arm.logProbs.buffer, arm.logProbs.byteOffset, arm.logProbs.byteLength), 4 * samples * (1 + a * classes)));
  const header: ProbabilitiesHeader = {
    schemaVersion: SCHEMA_VERSION,
    values: 'log-probabilities',
    split: 'test',
    samples,
    classes,
    classNames: stored.classNames,
    arms: arms.map((a) => ({ label: a.label, epsilon: a.epsilon, smoothing: a.smoothing })),
    layout: LAYOUT,
    payloadDigest: createHash('sha256').update(payload).digest('hex'),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const start = payloadStart(headerBytes.length);
  const out = Buffer.alloc(start + payload.length);
  out.write(PROBABILITIES_MAGIC, 0, 'latin1');
  out.writeUInt32LE(headerBytes.length, 8);
  headerBytes.copy(out, PREFIX_BYTES);
  out.set(payload, start);
  return out;
}

/** Where the payload starts: after the magic, the length and the header, aligned to 4 bytes for the float32 views. */
function payloadStart(headerLength: number): number {
  return Math.ceil((PREFIX_BYTES + headerLength) / 4) * 4;
}

/** What is wrong with a probabilities file, in words that follow its name (the caller adds the run and file). */
export class DamagedProbabilities extends Error {}

/** The header of a probabilities file, checked, with the payload after it. */
function parseHeader(bytes: Buffer): { header: ProbabilitiesHeader; payload: Buffer } {
  const fail = (why: string): never => {
    throw new DamagedProbabilities(why);
  };
  if (bytes.length < PREFIX_BYTES || bytes.toString('latin1', 0, 8) !== PROBABILITIES_MAGIC) fail(`not an ls-bench probabilities file (expected it to start with "${PROBABILITIES_MAGIC}")`);
  const headerLength = bytes.readUInt32LE(8);
  if (PREFIX_BYTES + headerLength > bytes.length) fail(`truncated: the header says ${headerLength} bytes, the file has ${bytes.length - PREFIX_BYTES} after its first ${PREFIX_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerLength));
  } catch (error) {
    return fail(`its header is not valid JSON (${(error as Error).message}); truncated or edited?`);
  }
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > SCHEMA_VERSION) fail(`schemaVersion ${version} is newer than this ls-bench reads (${SCHEMA_VERSION}); upgrade ls-bench to read it`);
  const problem = schemaProblem(ProbabilitiesHeaderSchema, json);
  if (problem !== null) fail(`damaged header (${problem})`);
  const header = json as ProbabilitiesHeader;
  if (header.schemaVersion !== SCHEMA_VERSION) fail(`"schemaVersion": expected ${SCHEMA_VERSION}, got ${header.schemaVersion}`);
  if (header.classNames.length !== header.classes) fail(`"classNames": ${header.classNames.length} names for ${header.classes} classes`);
  return { header, payload: bytes.subarray(payloadStart(headerLength)) };
}

/** Reads and checks probabilities.bin; any damage is a DamagedProbabilities saying what is wrong. */
export function decodeProbabilities(bytes: Buffer): StoredProbabilities {
  const { header, payload } = parseHeader(bytes);
  const { samples, classes, arms } = header;
  const expected = 4 * samples * (1 + arms.length * classes);
  if (payload.length !== expected) {
    throw new DamagedProbabilities(`${payload.length < expected ? 'truncated' : 'too long'}: ${payload.length} bytes of values, expected ${expected} (${samples} samples × ${classes} classes × ${arms.length} arms, and the labels)`);
  }
  if (createHash('sha256').update(payload).digest('hex') !== header.payloadDigest) throw new DamagedProbabilities('its values do not match their digest (modified or damaged)');
  // Float32Array and Int32Array views need 4-byte alignment; a buffer from the shared pool may lack it.
  const aligned = (payload.byteOffset % 4 === 0 ? payload : Buffer.from(payload)) as Buffer;
  const labels = new Int32Array(aligned.buffer, aligned.byteOffset, samples).slice();
  const bad = labels.findIndex((y) => y < 0 || y >= classes);
  if (bad >= 0) throw new DamagedProbabilities(`label ${labels[bad]} of test sample ${bad} is not a class (expected 0 to ${classes - 1})`);
  return {
    samples,
    classes,
    classNames: header.classNames,
    labels,
    arms: arms.map((arm, a) => ({
      ...arm,
      logProbs: new Float32Array(aligned.buffer, aligned.byteOffset + 4 * samples * (1 + a * classes), samples * classes),
    })),
  };
}


/** What the summary says the file must hold: as many samples and classes, the same arms in the same order. */
function mismatchWithSummary(stored: StoredProbabilities, summary: RunSummary): string | null {
  const { dataset } = summary;
  if (stored.samples !== dataset.testSamples) return `${stored.samples} test samples, but summary.json says ${dataset.testSamples}`;
  if (stored.classes !== dataset.classes) return `${stored.classes} classes, but summary.json says ${dataset.classes}`;
  const names = summary.arms.map((a) => a.label).join(', ');
  if (stored.arms.map((a) => a.label).join(', ') !== names) return `arms ${stored.arms.map((a) => a.label).join(', ')}, but summary.json has ${names}`;
  return null;
}

/**
 * The stored test probabilities of a completed run, checked against its summary. A missing or damaged file
 * is one line naming the run and the file (exit 2), like every other broken run file.
 */
export function readRunProbabilities(run: { id: string; dir: string; summary: RunSummary }): StoredProbabilities {
  const file = path.join(run.dir, RUN_FILES.probabilities);
  const fail = (why: string): never => {
    throw new CliError(`run ${run.id}: ${RUN_FILES.probabilities}: ${why}`);
  };
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'missing (the run was written before ls-bench kept per-sample probabilities, or the file was deleted); train it again to look at its samples' : `cannot read (${fileSystemReason(error)})`);
  }
  let stored: StoredProbabilities;
  try {
    stored = decodeProbabilities(bytes);
  } catch (error) {
    if (error instanceof DamagedProbabilities) return fail(error.message);
    throw error;
  }
  const mismatch = mismatchWithSummary(stored, run.summary);
  if (mismatch) fail(`holds ${mismatch}; the run's files do not belong together`);
  return stored;
}

/** probabilities.bin read from any path (the library's reader): damage is an Error naming the file and what is wrong. */
export function readProbabilitiesFile(file: string): StoredProbabilities {
  try {
    return decodeProbabilities(readFileSync(file));
  } catch (error) {
    if (error instanceof DamagedProbabilities) throw new Error(`${file}: ${error.message}`);
    throw error;
  }
}
