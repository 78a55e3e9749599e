import { deflateSync } from 'node:zlib';
import type { Image } from '../data/sampleImages';

/**
 * A sample image as a PNG, for the report's gallery: enlarged by a whole factor (each pixel a block, as
 * the model saw it — no smoothing), grey or RGB, 8 bits per channel. PNG's format is small enough to write
 * here (signature, IHDR, one IDAT of deflated rows, IEND) rather than rasterise an SVG of pixels.
 */

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** The PNG of `image` (values in [0, 1]) enlarged `scale` times; one or two channels are grey, three or more RGB. */
export function encodePng(image: Image, scale = 1): Buffer {
  const colour = image.channels >= 3;
  const channels = colour ? 3 : 1;
  const width = image.width * scale;
  const height = image.height * scale;
  const rowBytes = 1 + width * channels;
  const raw = Buffer.alloc(rowBytes * height);
  for (let y = 0; y < height; y++) {
    // each row starts with its filter type: 0, none
    for (let x = 0; x < width; x++) {
      const at = (Math.floor(y / scale) * image.width + Math.floor(x / scale)) * image.channels;
      for (let c = 0; c < channels; c++) raw[y * rowBytes + 1 + x * channels + c] = Math.round(Math.min(1, Math.max(0, image.values[at + c]!)) * 255);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = colour ? 2 : 0; // colour type: RGB or grey
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

/** A PNG as a data: URL, which the report's Content-Security-Policy (img-src data:) allows. */
export function pngDataUrl(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}
