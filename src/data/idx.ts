import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { CliError } from '../errors';
import { formatBytes } from './boundedRead';

/** An IDX file (the format of MNIST and its relatives), unsigned bytes only. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;
/**
 * Reads an IDX file, gzip-compressed or not, checking magic number, type and that the body matches the
 * dimensions. The header is read first: the body may be at most `maxBodyBytes` (the caller's share of the
 * memory limit), an uncompressed file must have exactly the declared size, and a compressed one is never
 * inflated past what its header declares — so a small .gz that inflates to gigabytes is refused after the
 * declared size, not after exhausting memory.
 */
export function readIdxFile(file: string, expectedRank?: number, maxBodyBytes = Number.POSITIVE_INFINITY): IdxArray {
  let raw: Buffer;
  let fileBytes: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new CliError(`${file}: not a file`);
    fileBytes = stat.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw cannotRead(file, error);
  }
  const { dims, gzip } = readIdxHead(file, expectedRank);
  const headerBytes = 4 + 4 * dims.length;
  const declared = dims.reduce((a, b) => a * b, 1);
  if (!gzip && fileBytes !== headerBytes + declared) {
    const body = fileBytes - headerBytes;
    throw new CliError(`${file}: IDX body has ${body} bytes but the header declares ${dims.join('×')} = ${declared}${body < declared ? ' (truncated file?)' : ''}`);
  }
  if (declared > maxBodyBytes) {
    throw new CliError(`${file}: the header declares ${dims.join('×')} = ${formatBytes(declared)} of data, more than the ${formatBytes(maxBodyBytes)} the memory limit leaves for it (--max-memory)`);
  }
  try {
    raw = readFileSync(file);
  } catch (error) {
    throw cannotRead(file, error);
  }
  let bytes: Buffer = raw;
  if (gzip) {
    try {
      bytes = gunzipSync(raw, { maxOutputLength: Math.max(1, headerBytes + declared) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new CliError(`${file}: the gzip data inflates to more than the ${headerBytes + declared} bytes its IDX header declares (${dims.join('×')})`);
      }
      throw new CliError(`${file}: corrupt or truncated gzip data (${(error as Error).message})`);
    }
  }
  return parseIdx(bytes, file, expectedRank);
}

function cannotRead(file: string, error: unknown): CliError {
  const code = (error as NodeJS.ErrnoException).code;
  return new CliError(`${file}: cannot read IDX file (${code === 'ENOENT' ? 'no such file' : String(code ?? error)})`);
}

export function parseIdx(bytes: Uint8Array, file: string, expectedRank?: number): IdxArray {
  const dims = parseIdxHeader(bytes, file, expectedRank);
  const headerBytes = 4 + 4 * dims.length;
  const size = dims.reduce((a, b) => a * b, 1);
  // Compare the declared size with the body before allocating anything of that size.
  const body = bytes.length - headerBytes;
  if (body !== size) {
    throw new CliError(`${file}: IDX body has ${body} bytes but the header declares ${dims.join('×')} = ${size}${body < size ? ' (truncated file?)' : ''}`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** The dimensions an IDX header declares, after checking its magic number, type and rank. */
function parseIdxHeader(bytes: Uint8Array, file: string, expectedRank?: number): number[] {
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
  return Array.from({ length: rank }, (_, d) => {
    const n = view.getUint32(4 + 4 * d, false);
    if (n === 0) throw new CliError(`${file}: IDX dimension ${d} is 0`);
    return n;
  });
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
  return readIdxHead(file).dims;
}

function readIdxHead(file: string, expectedRank?: number): { dims: number[]; gzip: boolean } {
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
    throw cannotRead(file, error);
  }
  let bytes: Buffer = head;
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  if (gzip) {
    try {
      // SYNC_FLUSH: give back what inflates from a prefix instead of failing on the missing end.
      bytes = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch (error) {
      throw new CliError(`${file}: corrupt or truncated gzip data (${(error as Error).message})`);
    }
  }
  return { dims: parseIdxHeader(bytes, file, expectedRank), gzip };
}
