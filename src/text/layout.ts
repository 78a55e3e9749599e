/**
 * The width arithmetic of terminal output (pure): how many columns the output may take, how wide text is
 * on a terminal, where text may wrap, and how wide each column of a table may be so that the whole table
 * fits a given number of columns.
 */

/** Where output goes: a terminal reports its size, a pipe or a file does not. */
export interface SizedStream {
  isTTY?: boolean;
  columns?: number;
}

/** The width a terminal of unknown size is taken to have. */
export const FALLBACK_COLUMNS = 80;

/**
 * The columns output to `stream` may take: a terminal's own width (80 when it does not say); $COLUMNS when
 * it is set to a number (to lay out for a width in a pipe too); otherwise no limit, so a pipe or a file
 * gets every table whole.
 */
export function outputWidth(stream: SizedStream, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const fromEnv = /^\d+$/.test(env.COLUMNS ?? '') && Number(env.COLUMNS) > 0 ? Number(env.COLUMNS) : undefined;
  if (stream.isTTY) return stream.columns && stream.columns > 0 ? stream.columns : fromEnv ?? FALLBACK_COLUMNS;
  return fromEnv;
}

// CSI sequences (colours) take no room on the screen.
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
// Combining marks take none either; wide (East Asian, emoji) characters take two columns.
const COMBINING = /\p{M}/u;
const WIDE = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{20000}-\u{3FFFD}]/u;

/** Columns a line of text takes on a terminal. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text.replace(ANSI, '')) width += COMBINING.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
  return width;
}

/** The widest line of a (possibly multi-line) text. */
export function blockWidth(text: string): number {
  return Math.max(0, ...text.split('\n').map(displayWidth));
}

/**
 * The pieces a line may be broken between: words (a break after a space), and after "/" or "," so that
 * paths and lists wrap too. Each piece keeps its trailing "/" or ","; spaces are pieces of their own.
 */
function pieces(line: string): string[] {
  return line.match(/\s+|[^\s/,]*[/,]|[^\s/,]+/g) ?? [];
}

/** The narrowest a text can wrap without breaking a word: its widest piece. */
export function minimumWidth(text: string): number {
  return Math.max(0, ...text.split('\n').flatMap((line) => pieces(line).filter((p) => p.trim() !== '').map(displayWidth)));
}

function hardSplit(word: string, width: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const ch of word) {
    if (current !== '' && displayWidth(current + ch) > width) {
      out.push(current);
      current = '';
    }
    current += ch;
  }
  if (current !== '') out.push(current);
  return out;
}

/** Wraps text to lines of at most `width` columns: at spaces, after "/" and ","; a word wider than `width` is split. */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let current = '';
    let space = '';
    for (const piece of pieces(line)) {
      if (piece.trim() === '') {
        // spaces inside a line stay as they are (aligned columns of text); at a break they go
        space = current === '' ? '' : piece;
        continue;
      }
      if (displayWidth(current + space + piece) <= w) {
        current += space + piece;
      } else {
        if (current !== '') out.push(current);
        const parts = displayWidth(piece) > w ? hardSplit(piece, w) : [piece];
        out.push(...parts.slice(0, -1));
        current = parts[parts.length - 1]!;
      }
      space = '';
    }
    out.push(current);
  }
  return out;
}

/** cli-table3's frame: one space of padding on each side of a cell and a border between cells and at both ends. */
export const CELL_PADDING = 2;
export function framedWidth(contentWidths: number[]): number {
  return contentWidths.reduce((s, w) => s + w + CELL_PADDING + 1, 1);
}

/**
 * Content widths for columns whose text needs `natural` columns unwrapped and `minimum` wrapped, such that
 * the framed table is at most `width` wide: unchanged if it fits, else the widest columns are narrowed
 * first (to a common cap, never below a column's minimum). Null when even the minimum does not fit.
 */
export function fitWidths(natural: number[], minimum: number[], width: number): number[] | null {
  const budget = width - framedWidth(natural.map(() => 0));
  const total = (ws: number[]) => ws.reduce((s, w) => s + w, 0);
  if (total(natural) <= budget) return [...natural];
  const floor = natural.map((n, i) => Math.min(n, minimum[i]!));
  if (total(floor) > budget) return null;
  const capped = (cap: number) => natural.map((n, i) => Math.max(floor[i]!, Math.min(n, cap)));
  let low = 0;
  let high = Math.max(...natural);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (total(capped(mid)) <= budget) low = mid;
    else high = mid - 1;
  }
  // What is left over unwraps whole columns, those that need least first, and only all columns that need
  // the same at once, so that columns alike (each arm's "train NLL") stay alike.
  const widths = capped(low);
  let spare = budget - total(widths);
  const needs = [...new Set(widths.map((w, i) => natural[i]! - w).filter((n) => n > 0))].sort((a, b) => a - b);
  for (const need of needs) {
    const columns = widths.map((w, i) => (natural[i]! - w === need ? i : -1)).filter((i) => i >= 0);
    if (need * columns.length > spare) break;
    for (const i of columns) widths[i] = natural[i]!;
    spare -= need * columns.length;
  }
  return widths;
}

/**
 * Splits the columns of a table too wide for `width` into chunks that each fit: the key columns (e.g. the
 * epoch or the run id) start every chunk, then as many of the following units (a group of columns that
 * belong together, such as one arm's metrics, or a single column) as fit at their minimum widths. A unit
 * that does not fit even alone gets a chunk of its own (its words are then broken).
 */
export function chunkColumns(keys: number[], units: number[][], minimum: number[], width: number): number[][] {
  const fits = (columns: number[]) => framedWidth(columns.map((c) => minimum[c]!)) <= width;
  const greedy: number[][][] = [];
  let current: number[][] = [];
  for (const unit of units) {
    if (current.length > 0 && !fits([...keys, ...current.flat(), ...unit])) {
      greedy.push(current);
      current = [];
    }
    current.push(unit);
  }
  greedy.push(current);
  // as many parts as needed, with the units spread evenly over them (2 + 2 arms rather than 3 + 1) when that fits too
  const parts = greedy.length;
  const even = Array.from({ length: parts }, (_, p) => units.slice(Math.round((p * units.length) / parts), Math.round(((p + 1) * units.length) / parts)));
  const chosen = even.every((part) => part.length > 0 && fits([...keys, ...part.flat()])) ? even : greedy;
  return chosen.map((part) => [...keys, ...part.flat()]);
}

/**
 * A paragraph of prose wrapped to `width` (unchanged when there is no limit), its continuation lines
 * indented by `indent`: verdicts, legends and notes read as paragraphs on a narrow terminal too.
 */
export function wrapParagraph(text: string, width: number | undefined, indent = ''): string {
  if (width === undefined) return text;
  return text
    .split('\n')
    .map((line) => {
      const lead = /^\s*/.exec(line)![0];
      const rest = indent.length > lead.length ? indent : lead;
      const lines = wrapText(line.slice(lead.length), Math.max(10, width - displayWidth(rest)));
      return lines.map((l, i) => (i === 0 ? lead : rest) + l).join('\n');
    })
    .join('\n');
}
