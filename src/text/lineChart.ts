import { plot } from 'asciichart';

/**
 * Several series in one terminal line chart (asciichart), told apart without colour: each series is
 * drawn with its own line characters (light, heavy, double, dotted, …) on identical axes, and the
 * drawings are overlaid, the first series on top. Colour would vanish in a pipe, a log or a PR comment.
 */
type Symbols = [string, string, string, string, string, string, string, string, string, string];
const LINE_STYLES: Symbols[] = [
  ['┼', '┤', '╶', '╴', '─', '╰', '╭', '╮', '╯', '│'],
  ['┼', '┤', '╶', '╴', '━', '┗', '┏', '┓', '┛', '┃'],
  ['┼', '┤', '╶', '╴', '═', '╚', '╔', '╗', '╝', '║'],
  ['┼', '┤', '╶', '╴', '┄', '└', '┌', '┐', '┘', '┆'],
  ['┼', '┤', '╶', '╴', '*', '*', '*', '*', '*', '*'],
  ['┼', '┤', '╶', '╴', 'o', 'o', 'o', 'o', 'o', 'o'],
  ['┼', '┤', '╶', '╴', '+', '+', '+', '+', '+', '+'],
  ['┼', '┤', '╶', '╴', '#', '#', '#', '#', '#', '#'],
];

export function lineStyleSample(index: number): string {
  return LINE_STYLES[index % LINE_STYLES.length]![4].repeat(3);
}

/** Points at integer x, linearly interpolated so each step between epochs spans `stride` columns. */
export function stretch(values: number[], stride: number): number[] {
  if (values.length <= 1 || stride <= 1) return [...values];
  const out: number[] = [];
  for (let i = 0; i < values.length - 1; i++) {
    for (let s = 0; s < stride; s++) out.push(values[i]! + ((values[i + 1]! - values[i]!) * s) / stride);
  }
  out.push(values[values.length - 1]!);
  return out;
}

export interface LineChartOptions {
  height?: number;
  /** Target width of the plotting area in columns. */
  width?: number;
  format: (value: number) => string;
  /** The x label of point i (e.g. the epoch number). */
  xLabel?: (index: number) => string;
}

export function lineChart(series: number[][], options: LineChartOptions): string {
  const drawable = series.filter((s) => s.length > 0);
  if (drawable.length === 0) return '(no data)';
  const longest = Math.max(...drawable.map((s) => s.length));
  const stride = longest > 1 ? Math.max(1, Math.floor((options.width ?? 60) / (longest - 1))) : 1;
  const all = drawable.flat();
  const min = Math.min(...all);
  const max = Math.max(...all);
  const labelWidth = Math.max(options.format(min).length, options.format(max).length);
  const format = (x: number) => options.format(x).padStart(labelWidth);
  const height = options.height ?? 12;
  const drawings = series.map((s, i) =>
    s.length === 0 ? [] : plot(stretch(s, stride), { min, max, height, format, symbols: LINE_STYLES[i % LINE_STYLES.length]! }).split('\n').map((row) => Array.from(row)),
  );
  const rows = Math.max(...drawings.map((d) => d.length));
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const width = Math.max(...drawings.map((d) => d[r]?.length ?? 0));
    let line = '';
    for (let c = 0; c < width; c++) {
      const ch = drawings.map((d) => d[r]?.[c] ?? ' ').find((x) => x !== ' ') ?? ' ';
      line += ch;
    }
    lines.push(line.trimEnd());
  }
  // x axis: point x sits in column labelWidth + 1 + x (asciichart puts the axis at labelWidth + 1)
  const plotWidth = (longest - 1) * stride + 1;
  lines.push(`${' '.repeat(labelWidth + 1)}└${'─'.repeat(plotWidth - 1)}`);
  if (options.xLabel) {
    const ticks = Array.from(' '.repeat(labelWidth + 2 + plotWidth + 4));
    let free = 0;
    for (let i = 0; i < longest; i++) {
      const text = options.xLabel(i);
      const at = labelWidth + 1 + i * stride;
      if (at < free) continue;
      Array.from(text).forEach((ch, j) => (ticks[at + j] = ch));
      free = at + text.length + 1;
    }
    lines.push(ticks.join('').trimEnd());
  }
  return lines.join('\n');
}
