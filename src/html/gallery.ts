import type { Image } from '../data/sampleImages';
import { escapeHtml } from './html';
import { encodePng, pngDataUrl } from './pngImage';
import { CHART_FONT } from './runCharts';
import { textWidth } from './textMetrics';

/**
 * The report's gallery as one SVG, laid out here rather than by vega (a grid of images, each with its own
 * small bar chart): one row per view of `instances`, one card per sample — its image, and each shown arm's
 * probability over the classes as bars, the true class in bold. The images are PNGs inside the SVG (data:
 * URLs), so the page stays one self-contained file and --png/--svg export it as they do every chart.
 */

export interface GalleryCard {
  /** Index into the test set. */
  index: number;
  label: number;
  image: Image;
  /** The probability of each class under each shown arm, [arm][class]. */
  probabilities: number[][];
}

export interface GalleryRow {
  title: string;
  subtitle: string;
  cards: GalleryCard[];
}

export interface GalleryArm {
  heading: string;
  colour: string;
}

export const GALLERY_CARDS_PER_ROW = 6;
const CARD_WIDTH = 196;
const GAP = 12;
const PAD = 8;
const IMAGE_BOX = 84;
const BAR_ROW = 12;
const NAME_WIDTH_MAX = 82;
/** Above this many classes a card shows the true class and the likeliest others, not every class. */
const CLASSES_SHOWN = 10;

/** `text` cut with an ellipsis to fit `width` px. */
function fitText(text: string, width: number, size: number, bold = false): string {
  if (textWidth(text, size, bold) <= width) return text;
  let cut = text;
  while (cut.length > 1 && textWidth(`${cut}…`, size, bold) > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** `text` broken at spaces into lines no wider than `width` px. */
export function wrapLines(text: string, width: number, size: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, size) > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  return line ? [...lines, line] : lines;
}

function svgText(x: number, y: number, text: string, options: { size?: number; bold?: boolean; anchor?: 'start' | 'end' | 'middle'; fill?: string } = {}): string {
  const attributes = [
    `x="${x.toFixed(1)}"`,
    `y="${y.toFixed(1)}"`,
    `font-size="${options.size ?? 11}"`,
    ...(options.bold ? ['font-weight="bold"'] : []),
    ...(options.anchor && options.anchor !== 'start' ? [`text-anchor="${options.anchor}"`] : []),
    `fill="${options.fill ?? '#1a1a1a'}"`,
  ];
  return `<text ${attributes.join(' ')}>${escapeHtml(text)}</text>`;
}

/** The classes a card draws bars for: all of them when there are few, else the true class and the likeliest others. */
export function shownClasses(card: Pick<GalleryCard, 'label' | 'probabilities'>, numClasses: number): number[] {
  if (numClasses <= CLASSES_SHOWN) return Array.from({ length: numClasses }, (_, c) => c);
  const top = (c: number) => Math.max(...card.probabilities.map((p) => p[c]!));
  const others = Array.from({ length: numClasses }, (_, c) => c)
    .filter((c) => c !== card.label)
    .sort((a, b) => top(b) - top(a) || a - b);
  return [card.label, ...others.slice(0, CLASSES_SHOWN - 3)].sort((a, b) => a - b);
}

function cardHeight(numClasses: number): number {
  return PAD + IMAGE_BOX + 10 + Math.min(numClasses, CLASSES_SHOWN) * BAR_ROW + 14 + PAD;
}

/** One card at (x, y): the image, the sample's numbers beside it, the probability bars below. */
function cardSvg(card: GalleryCard, x: number, y: number, classNames: string[], arms: GalleryArm[], nameWidth: number): string {
  const { image } = card;
  const scale = Math.max(1, Math.floor(IMAGE_BOX / Math.max(image.height, image.width)));
  const parts = [`<g class="gallery-card" data-index="${card.index}" transform="translate(${x},${y})">`, `<rect width="${CARD_WIDTH}" height="${cardHeight(classNames.length)}" fill="#fafafa" stroke="#ddd" rx="3"/>`];
  parts.push(`<image x="${PAD}" y="${PAD}" width="${image.width * scale}" height="${image.height * scale}" href="${pngDataUrl(encodePng(image, scale))}"/>`);
  // room for "true: Ankle boot" at 11 px
  const textX = PAD + IMAGE_BOX + 6;
  const room = CARD_WIDTH - textX - PAD;
  parts.push(svgText(textX, PAD + 11, fitText(`test #${card.index}`, room, 11, true), { bold: true }));
  parts.push(svgText(textX, PAD + 26, fitText(`true: ${classNames[card.label]}`, room, 11)));
  parts.push(svgText(textX, PAD + 44, 'p(true class)', { size: 10, fill: '#555' }));
  arms.forEach((arm, a) => {
    const lineY = PAD + 58 + a * 13;
    parts.push(`<rect x="${textX}" y="${lineY - 8}" width="8" height="8" fill="${arm.colour}"/>`);
    parts.push(svgText(textX + 12, lineY, `${(card.probabilities[a]![card.label]! * 100).toFixed(1)}%`, { size: 10 }));
  });
  const barsX = PAD + nameWidth + 6;
  const barWidth = CARD_WIDTH - barsX - PAD - 4;
  const top = PAD + IMAGE_BOX + 10;
  const shown = shownClasses(card, classNames.length);
  for (const fraction of [0.5, 1]) {
    parts.push(`<line x1="${barsX + fraction * barWidth}" y1="${top - 2}" x2="${barsX + fraction * barWidth}" y2="${top + shown.length * BAR_ROW}" stroke="#ccc" stroke-dasharray="2,2"/>`);
  }
  shown.forEach((c, row) => {
    const rowY = top + row * BAR_ROW;
    const isTrue = c === card.label;
    if (isTrue) parts.push(`<rect x="${PAD - 2}" y="${rowY - 1}" width="${CARD_WIDTH - 2 * PAD + 4}" height="${BAR_ROW}" fill="#fff3c4"/>`);
    parts.push(svgText(barsX - 4, rowY + 8.5, fitText(classNames[c]!, nameWidth, 9, isTrue), { size: 9, bold: isTrue, anchor: 'end' }));
    const barHeight = (BAR_ROW - 2) / arms.length;
    arms.forEach((arm, a) => {
      const width = Math.max(0.5, card.probabilities[a]![c]! * barWidth);
      parts.push(`<rect x="${barsX}" y="${(rowY + a * barHeight).toFixed(1)}" width="${width.toFixed(1)}" height="${(barHeight - 0.5).toFixed(1)}" fill="${arm.colour}"/>`);
    });
  });
  const axisY = top + shown.length * BAR_ROW + 10;
  parts.push(svgText(barsX, axisY, '0', { size: 8, fill: '#555' }), svgText(barsX + barWidth / 2, axisY, '50%', { size: 8, fill: '#555', anchor: 'middle' }), svgText(barsX + barWidth, axisY, '100%', { size: 8, fill: '#555', anchor: 'end' }));
  parts.push('</g>');
  return parts.join('\n');
}

/** The whole gallery: a key, then each row's title and its cards. */
export function gallerySvg(rows: GalleryRow[], classNames: string[], arms: GalleryArm[]): string {
  const nameWidth = Math.min(NAME_WIDTH_MAX, Math.max(...classNames.map((n) => textWidth(n, 9, true))) + 2);
  const width = GALLERY_CARDS_PER_ROW * CARD_WIDTH + (GALLERY_CARDS_PER_ROW - 1) * GAP;
  const card = cardHeight(classNames.length);
  const parts: string[] = [];
  let y = 4;
  const key = arms.map((a, i) => `${i === 0 ? 'upper' : i === 1 ? 'lower' : `bar ${i + 1}`} bar: ${a.heading}`).join(' · ');
  arms.forEach((arm, i) => parts.push(`<rect x="${i * 14}" y="${y}" width="10" height="10" fill="${arm.colour}"/>`));
  parts.push(svgText(arms.length * 14 + 4, y + 9, `${key} · probability of each class; highlighted, in bold: the true class`, { size: 11, fill: '#444' }));
  y += 26;
  for (const row of rows) {
    parts.push(svgText(0, y + 12, row.title, { size: 14, bold: true }));
    const lines = wrapLines(row.subtitle, width, 11);
    lines.forEach((line, i) => parts.push(svgText(0, y + 28 + i * 14, line, { size: 11, fill: '#444' })));
    y += 36 + (lines.length - 1) * 14;
    if (row.cards.length === 0) {
      parts.push(svgText(0, y + 12, 'no test sample in this view', { size: 11, fill: '#777' }));
      y += 28;
      continue;
    }
    row.cards.forEach((c, i) => parts.push(cardSvg(c, i * (CARD_WIDTH + GAP), y, classNames, arms, nameWidth)));
    y += card + 18;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="${CHART_FONT}">
<rect width="${width}" height="${y}" fill="white"/>
${parts.join('\n')}
</svg>`;
}
