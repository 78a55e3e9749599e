/** An unsigned-byte IDX file: magic 00 00 08 rank, big-endian dims, then the body. */
export function idxBytes(dims: number[], body: ArrayLike<number>): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((n, d) => header.writeUInt32BE(n, 4 + 4 * d));
  return Buffer.concat([header, Buffer.from(Array.from(body))]);
}
