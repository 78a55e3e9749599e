import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { CliError } from '../errors';

/** An IDX file (the format of MNIST and its relatives), unsigned bytes only. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;
/** Refuse to inflate more than this: the largest IDX set in common use (EMNIST byclass) is ~550 MB. */
const MAX_INFLATED_BYTES = 1 << 30;

/** Reads an IDX file, gzip-compressed or not, checking magic number, type and that the body matches the dimensions. */
export function readIdxFile(file: string, expectedRank?: number): IdxArray {
  let raw: Buffer;
  try {
    if (!statSync(file).isFile()) throw new CliError(`${file}: not a file`);
    raw = readFileSync(file);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`${file}: cannot read IDX file (${code === 'ENOENT' ? 'no such file' : String(code ?? error)})`);
  }
  let bytes: Buffer = raw;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      bytes = gunzipSync(raw, { maxOutputLength: MAX_INFLATED_BYTES });
    } catch (error) {
      throw new CliError(`${file}: corrupt or truncated gzip data (${(error as Error).message})`);
    }
  }
  return parseIdx(bytes, file, expectedRank);
}

export function parseIdx(bytes: Uint8Array, file: string, expectedRank?: number): IdxArray {
  if (bytes.length < 4) throw new CliError(`${file}: not an IDX file (only ${bytes.length} bytes)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new CliError(`${file}: not an IDX file (magic number starts ${hex(bytes[0]!)} ${hex(bytes[1]!)}, expected 00 00)`);
  }
  const type = bytes[2]!;
  const rank = bytes[3]!;
  if (type !== UBYTE) throw new CliError(`${file}: IDX data type ${hex(type)} is not supported, expected 0x08 (unsigned byte)`);
  if (rank < 1 || rank > 4) throw new CliError(`${file}: IDX rank ${rank}, expected 1 to 4`);
  if (expectedRank !== undefined && rank !== expectedRank) {
    throw new CliError(`${file}: IDX file has ${rank} dimension(s), expected ${expectedRank}`);
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw new CliError(`${file}: truncated IDX header (${bytes.length} bytes, expected ${headerBytes})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let size = 1;
  for (let d = 0; d < rank; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    if (n === 0) throw new CliError(`${file}: IDX dimension ${d} is 0`);
    dims.push(n);
    size *= n;
  }
  // Compare the declared size with the body before allocating anything of that size.
  const body = bytes.length - headerBytes;
  if (body !== size) {
    throw new CliError(`${file}: IDX body has ${body} bytes but the header declares ${dims.join('×')} = ${size}${body < size ? ' (truncated file?)' : ''}`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

function hex(b: number): string {
  return `0x${b.toString(16).padStart(2, '0')}`;
}

/** Bytes read to find an IDX header: a compressed file's first block inflates to far more than the 20-byte header. */
const HEADER_PROBE_BYTES = 4096;

/**
 * The dimensions of an IDX file from its first bytes only (inflating just the start of a gzip file),
 * for listings that must not decompress tens of megabytes. The body is not checked: readIdxFile does that.
 */
export function readIdxDims(file: string): number[] {
  let head: Buffer;
  try {
    const fd = openSync(file, 'r');
    try {
      head = Buffer.alloc(HEADER_PROBE_BYTES);
      head = head.subarray(0, readSync(fd, head, 0, HEADER_PROBE_BYTES, 0));
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`${file}: cannot read IDX file (${code === 'ENOENT' ? 'no such file' : String(code ?? error)})`);
  }
  let bytes: Buffer = head;
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    try {
      // SYNC_FLUSH: give back what inflates from a prefix instead of failing on the missing end.
      bytes = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch (error) {
      throw new CliError(`${file}: corrupt gzip data (${(error as Error).message})`);
    }
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new CliError(`${file}: not an IDX file`);
  const rank = bytes[3]!;
  if (bytes.length < 4 + 4 * rank) throw new CliError(`${file}: truncated IDX header`);
  return Array.from({ length: rank }, (_, d) => bytes.readUInt32BE(4 + 4 * d));
}
