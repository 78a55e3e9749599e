import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Reading files whose size nobody has checked: a config file may be /dev/zero, a FIFO or stdin, and a file
 * in a shared runs directory may have been replaced by any of those. Both readers here stop at a bound
 * before holding more than it, whatever the kind of file.
 */

export class FileTooLarge extends Error {
  constructor(
    readonly file: string,
    readonly limit: number,
  ) {
    super(`${file}: larger than ${formatBytes(limit)}`);
  }
}

export class NotARegularFile extends Error {
  constructor(
    readonly file: string,
    readonly kind: string,
  ) {
    super(`${file}: ${kind}, not a regular file`);
  }
}

/** 1048576 → "1 MiB": sizes in messages, in binary units. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number(value.toFixed(value < 10 ? 2 : 1))} ${units[unit]}`;
}

const CHUNK = 64 * 1024;
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * The bytes of `file` ("-" is stdin), read in chunks until its end, and never more than `limit` + 1
 * bytes: from a regular file, a device (/dev/zero ends here), a FIFO or a pipe alike. Throws FileTooLarge
 * past the limit; errors of the file system (ENOENT, EISDIR, ...) pass through.
 */
export function readBounded(file: string, limit: number): Buffer {
  const fd = file === '-' ? 0 : openSync(file, 'r');
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, limit + 1 - total));
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        // stdin may be non-blocking: wait for its writer instead of failing
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
          sleep(10);
          continue;
        }
        throw error;
      }
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > limit) throw new FileTooLarge(file, limit);
    }
  } finally {
    if (fd !== 0) closeSync(fd);
  }
  return Buffer.concat(chunks, total);
}

/**
 * A regular file's bytes, refusing anything else without waiting on it (a FIFO is opened non-blocking,
 * then refused) and refusing a file over `limit` before reading it. For files ls-bench wrote itself
 * (run and sweep files): if one is not a regular file, someone replaced it.
 */
export function readRegularFile(file: string, limit: number): Buffer {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new NotARegularFile(file, stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a FIFO' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : stat.isSocket() ? 'a socket' : 'not a file');
    if (stat.size > limit) throw new FileTooLarge(file, limit);
    const bytes = Buffer.allocUnsafe(stat.size);
    let at = 0;
    while (at < bytes.length) {
      const n = readSync(fd, bytes, at, bytes.length - at, at);
      if (n === 0) break;
      at += n;
    }
    return bytes.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}
