/**
 * A small image drawn in a terminal, next to a row of numbers: in colour with half blocks (each character
 * two pixels, the upper one its foreground, the lower one its background, in the 24 greys of the
 * 256-colour palette), or in plain text with shade characters (each character the mean of two pixels),
 * which survives pipes, logs and pull-request comments. Pure: pixels in, lines out.
 */

import type { Image } from '../data/sampleImages';

export type { Image };

export type ThumbnailStyle = 'color' | 'text';

/** Images are drawn at most this many pixels wide: Fashion-MNIST's 28 at one character per pixel. */
export const THUMBNAIL_MAX_WIDTH = 28;
/** Smaller images are drawn twice as large (digits: 8×8 → 16 characters × 8 lines). */
const UPSCALE_BELOW = 12;

/** The grey level of pixel (y, x): the mean of its channels (a colour image drawn in greys). */
function grey(image: Image, y: number, x: number): number {
  let sum = 0;
  const at = (y * image.width + x) * image.channels;
  for (let c = 0; c < image.channels; c++) sum += image.values[at + c]!;
  return Math.min(1, Math.max(0, sum / image.channels));
}

/**
 * The image as greys at the size it is drawn: shrunk by an integer factor (box filter) to at most
 * THUMBNAIL_MAX_WIDTH pixels wide, or enlarged ×2 when it is tiny. Rows × columns, values in [0, 1].
 */
export function thumbnailPixels(image: Image): number[][] {
  const shrink = Math.max(1, Math.ceil(image.width / THUMBNAIL_MAX_WIDTH));
  const grow = Math.max(image.width, image.height) < UPSCALE_BELOW ? 2 : 1;
  const height = Math.ceil(image.height / shrink) * grow;
  const width = Math.ceil(image.width / shrink) * grow;
  return Array.from({ length: height }, (_, row) =>
    Array.from({ length: width }, (_, column) => {
      const y0 = Math.floor(row / grow) * shrink;
      const x0 = Math.floor(column / grow) * shrink;
      let sum = 0;
      let n = 0;
      for (let y = y0; y < Math.min(image.height, y0 + shrink); y++) {
        for (let x = x0; x < Math.min(image.width, x0 + shrink); x++) {
          sum += grey(image, y, x);
          n++;
        }
      }
      return sum / n;
    }),
  );
}

/** The 256-colour palette's greys from black to white: 16 (black), the ramp 232–255, 231 (white). */
const GREYS = [16, ...Array.from({ length: 24 }, (_, i) => 232 + i), 231];
const greyColour = (v: number) => GREYS[Math.round(v * (GREYS.length - 1))]!;

/** Darkest to brightest: bright pixels are drawn with more ink, as the image shows them on a dark page. */
const SHADES = [' ', '░', '▒', '▓', '█'];

export const RESET = '\x1b[0m';

/**
 * The thumbnail's lines, each as wide as the drawn image. Colour lines carry SGR sequences (each line ends
 * with a reset), which take no room on the terminal; text lines are plain characters.
 */
export function renderThumbnail(image: Image, style: ThumbnailStyle): string[] {
  const pixels = thumbnailPixels(image);
  const lines: string[] = [];
  for (let row = 0; row < pixels.length; row += 2) {
    const upper = pixels[row]!;
    const lower = pixels[row + 1];
    if (style === 'text') {
      lines.push(upper.map((v, x) => SHADES[Math.round(((v + (lower?.[x] ?? v)) / 2) * (SHADES.length - 1))]).join(''));
    } else {
      // an odd last row has no lower pixel: the background stays black there
      lines.push(`${upper.map((v, x) => `\x1b[38;5;${greyColour(v)};48;5;${greyColour(lower?.[x] ?? 0)}m▀`).join('')}${RESET}`);
    }
  }
  return lines;
}

// SGR sequences only: what renderThumbnail writes.
const SGR = /\x1b\[[0-9;]*m/g;

/** A stream that may take terminal control sequences apart from text (escaping streams keep those intact). */
export interface ControlStream {
  write(text: string): unknown;
  writeControl?(sequence: string): unknown;
}

/**
 * Writes text holding SGR sequences: the sequences through writeControl where the stream has one (a
 * stream that escapes control characters in text passes those through), the text through write.
 */
export function writeWithColours(stream: ControlStream, text: string): void {
  let last = 0;
  for (const match of text.matchAll(SGR)) {
    if (match.index! > last) stream.write(text.slice(last, match.index));
    if (stream.writeControl) stream.writeControl(match[0]);
    else stream.write(match[0]);
    last = match.index! + match[0].length;
  }
  if (last < text.length) stream.write(text.slice(last));
}
