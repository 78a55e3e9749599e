import { existsSync } from 'node:fs';
import * as fontkit from 'fontkit';
import * as vega from 'vega';

/**
 * Text widths for vega's layout in Node. Without a canvas, vega guesses 0.8 × font size per character,
 * about a third too wide for DejaVu Sans: titles, legends and axis labels then get their room reserved
 * for text that is not there. Vega lets a caller supply the measure (vl-convert does the same); we read
 * the advance widths from the font the charts are drawn in (fonts-dejavu-core), and keep vega's guess
 * where the font is absent.
 */
const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
export const DEJAVU_SANS = { regular: `${FONT_DIR}/DejaVuSans.ttf`, bold: `${FONT_DIR}/DejaVuSans-Bold.ttf` };

interface TextItem {
  text?: unknown;
  fontSize?: number;
  fontWeight?: string | number;
}

type WidthOf = (item: TextItem, text?: unknown) => number;

interface VegaTextMetrics {
  width: WidthOf;
  estimateWidth: WidthOf;
}

function openFont(file: string): fontkit.Font | null {
  if (!existsSync(file)) return null;
  const opened = fontkit.openSync(file);
  // a .ttc collection would hold several fonts; DejaVu's files are single fonts
  return 'layout' in opened ? (opened as fontkit.Font) : null;
}

let installed: boolean | undefined;

/** Makes vega measure text with DejaVu Sans; returns whether the font was found (once per process). */
export function useDejaVuTextMetrics(): boolean {
  if (installed !== undefined) return installed;
  const regular = openFont(DEJAVU_SANS.regular);
  const bold = openFont(DEJAVU_SANS.bold) ?? regular;
  installed = regular !== null;
  if (!regular) return installed;
  const metrics = (vega as unknown as { textMetrics: VegaTextMetrics }).textMetrics;
  const cache = new Map<string, number>();
  metrics.width = (item, text) => {
    const raw = text ?? item.text;
    const value = Array.isArray(raw) ? raw.join(' ') : raw === undefined || raw === null ? '' : String(raw);
    const size = item.fontSize ?? 11;
    const isBold = item.fontWeight === 'bold' || (typeof item.fontWeight === 'number' && item.fontWeight >= 600);
    const key = `${isBold ? 'b' : 'r'}${size}:${value}`;
    let width = cache.get(key);
    if (width === undefined) {
      const font = isBold ? bold! : regular;
      width = (font.layout(value).advanceWidth / font.unitsPerEm) * size;
      cache.set(key, width);
    }
    return width;
  };
  return installed;
}

let fonts: { regular: fontkit.Font; bold: fontkit.Font } | null | undefined;

/**
 * The width of `text` in DejaVu Sans at `fontSize` px, for SVG the report lays out itself (the gallery);
 * where the font is absent, vega's own guess of 0.6 em per character (DejaVu's average is about that).
 */
export function textWidth(text: string, fontSize: number, bold = false): number {
  if (fonts === undefined) {
    const regular = openFont(DEJAVU_SANS.regular);
    fonts = regular ? { regular, bold: openFont(DEJAVU_SANS.bold) ?? regular } : null;
  }
  if (!fonts) return text.length * fontSize * 0.6;
  const font = bold ? fonts.bold : fonts.regular;
  return (font.layout(text).advanceWidth / font.unitsPerEm) * fontSize;
}
