import Table from 'cli-table3';
import { CliError } from '../errors';
import { csvCell } from '../store/csvCell';
import { blockWidth, chunkColumns, CELL_PADDING, fitWidths, framedWidth, minimumWidth, wrapText } from './layout';
import { markdownText, terminalText } from './safeText';

/**
 * One table, three renderings: a terminal table (cli-table3) fitted to the terminal's width, a
 * GitHub-flavoured markdown table that pastes into a pull request as it is, and CSV (RFC 4180 quoting).
 */
export interface Tabular {
  head: string[];
  rows: string[][];
  /** Columns to right-align (numbers); the others are left-aligned. */
  numeric?: number[];
  /**
   * Headings over runs of columns that belong together (one arm's metrics): a row of its own above the
   * head on a terminal, a prefix of each column's heading in markdown and CSV. A table too wide for the
   * terminal is split between groups, never inside one.
   */
  groups?: ColumnGroup[];
  /** How many leading columns name the row (epoch, run id, class): repeated in every part of a split table. Default 1. */
  keyColumns?: number;
}

export interface ColumnGroup {
  title: string;
  /** The group's first column and how many columns it spans. */
  first: number;
  count: number;
}

export const OUTPUT_FORMATS = ['table', 'markdown', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number] | 'json';

/** How a terminal table is laid out: `width` is the columns it may take (undefined: no limit, e.g. in a pipe). */
export interface LayoutOptions {
  width?: number;
}

/** --json and --format, checked together: one output format. */
export function outputFormat(options: { json?: boolean; format?: string }): OutputFormat {
  const format = options.format ?? 'table';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw new CliError(`--format: expected one of ${OUTPUT_FORMATS.join(', ')}, got "${format}"`);
  if (options.json) {
    if (options.format !== undefined && options.format !== 'table') throw new CliError(`--json and --format ${format}: choose one output format`);
    return 'json';
  }
  return format as OutputFormat;
}

export function renderTabular(table: Tabular, format: 'table' | 'markdown' | 'csv', layout: LayoutOptions = {}): string {
  switch (format) {
    case 'markdown':
      return markdownTable(table);
    case 'csv':
      return csvTable(table);
    default:
      return terminalTable(table, layout.width);
  }
}

/** The heading of column i where groups cannot be drawn as a row of their own (markdown, CSV). */
function flatHead(t: Tabular): string[] {
  return t.head.map((h, i) => {
    const group = t.groups?.find((g) => i >= g.first && i < g.first + g.count);
    return group ? `${group.title} ${h}` : h;
  });
}

/**
 * A terminal table no wider than `width`: as it is if it fits; else with its widest columns wrapped (at
 * spaces, after "/" and ","); else split into parts stacked one above the other, each repeating the key
 * columns, between groups (so each arm keeps its columns together), each part wrapped as needed.
 */
function terminalTable(raw: Tabular, width: number | undefined): string {
  // Escaped before layout (safeText.ts), so that column widths are those of what is shown.
  const t: Tabular = { ...raw, head: raw.head.map(terminalText), rows: raw.rows.map((r) => r.map(terminalText)), ...(raw.groups ? { groups: raw.groups.map((g) => ({ ...g, title: terminalText(g.title) })) } : {}) };
  const columnText = (c: number) => [t.head[c]!, ...t.rows.map((r) => r[c] ?? '')];
  const natural = t.head.map((_, c) => Math.max(...columnText(c).map(blockWidth)));
  const every = t.head.map((_, i) => i);
  if (width === undefined || framedWidth(natural) + groupSlack(t, every, natural) <= width) return drawTable(t, every, natural);
  // too wide: first leave out the columns that hold nothing (e.g. the names of runs that have none)
  const keyCount = Math.min(t.keyColumns ?? 1, t.head.length - 1);
  const inGroup = (c: number) => t.groups?.some((g) => c >= g.first && c < g.first + g.count) ?? false;
  const all = every.filter((c) => c < keyCount || inGroup(c) || t.rows.some((r) => (r[c] ?? '') !== ''));
  const minimum = every.map((c) => Math.min(natural[c]!, Math.max(...columnText(c).map(minimumWidth))));
  const pick = (ws: number[], columns: number[]) => columns.map((c) => ws[c]!);
  const whole = fitWidths(pick(natural, all), pick(minimum, all), width);
  if (whole) return drawTable(t, all, spread(natural, all, whole));
  const keys = all.slice(0, keyCount);
  const chunks = chunkColumns(keys, columnUnits(t, keyCount).map((u) => u.filter((c) => all.includes(c))).filter((u) => u.length > 0), minimum, width);
  return chunks
    .map((columns) => {
      // a part that does not fit even wrapped at words has its words broken: every column at least 1 wide
      const widths = fitWidths(pick(natural, columns), pick(minimum, columns), width) ?? fitWidths(pick(natural, columns), columns.map(() => 1), width) ?? columns.map(() => 1);
      return drawTable(t, columns, spread(natural, columns, widths));
    })
    .join('\n');
}

/** Widths for every column: `widths` for the given columns, the natural width for the rest. */
function spread(natural: number[], columns: number[], widths: number[]): number[] {
  const full = [...natural];
  columns.forEach((c, i) => (full[c] = widths[i]!));
  return full;
}

/** The units a wide table is split between: each group, and each column outside a group. */
function columnUnits(t: Tabular, keyCount: number): number[][] {
  const units: number[][] = [];
  for (let c = keyCount; c < t.head.length; c++) {
    const group = t.groups?.find((g) => g.first === c);
    if (group) {
      units.push(Array.from({ length: group.count }, (_, i) => c + i));
      c += group.count - 1;
    } else if (!t.groups?.some((g) => c > g.first && c < g.first + g.count)) {
      units.push([c]);
    }
  }
  return units;
}

/** Extra columns a group heading needs beyond its columns' width (cli-table3 would widen them). */
function groupSlack(t: Tabular, columns: number[], widths: number[]): number {
  return (t.groups ?? []).reduce((slack, g) => {
    const inside = columns.filter((c) => c >= g.first && c < g.first + g.count);
    if (inside.length === 0) return slack;
    const spanned = inside.reduce((s, c) => s + widths[c]!, 0) + (CELL_PADDING + 1) * (inside.length - 1);
    return slack + Math.max(0, blockWidth(g.title) - spanned);
  }, 0);
}

/** Draws the given columns at the given content widths (cells wrapped to them), group headings above the head. */
function drawTable(t: Tabular, columns: number[], widths: number[]): string {
  const numeric = new Set(t.numeric ?? []);
  const fitted = columns.length < t.head.length || widths.some((w, c) => w < Math.max(...[t.head[c]!, ...t.rows.map((r) => r[c] ?? '')].map(blockWidth)));
  const cell = (text: string, c: number) => (fitted ? wrapText(text, widths[c]!).join('\n') : text);
  const style = { head: [] as string[], border: [] as string[], compact: true };
  const groups = (t.groups ?? []).filter((g) => columns.some((c) => c >= g.first && c < g.first + g.count));
  const head = columns.map((c) => cell(t.head[c]!, c));
  const table = new Table({
    style,
    // with groups, the head is a row under the group headings (cli-table3's head cannot span columns)
    ...(groups.length === 0 ? { head } : {}),
    ...(fitted ? { colWidths: columns.map((c) => widths[c]! + CELL_PADDING) } : {}),
  });
  if (groups.length > 0) {
    const row: { content: string; colSpan?: number; hAlign: 'left' | 'center' }[] = [];
    for (let i = 0; i < columns.length; i++) {
      const group = groups.find((g) => columns[i]! >= g.first && columns[i]! < g.first + g.count);
      if (!group) {
        row.push({ content: '', hAlign: 'left' });
        continue;
      }
      let span = 1;
      while (i + span < columns.length && columns[i + span]! < group.first + group.count) span++;
      const spanned = columns.slice(i, i + span).reduce((s, c) => s + widths[c]!, 0) + (CELL_PADDING + 1) * (span - 1);
      row.push({ content: fitted ? wrapText(group.title, spanned).join('\n') : group.title, colSpan: span, hAlign: 'center' });
      i += span - 1;
    }
    table.push(row, head);
  }
  for (const r of t.rows) table.push(columns.map((c) => ({ content: cell(r[c] ?? '', c), hAlign: numeric.has(c) ? ('right' as const) : ('left' as const) })));
  return table.toString();
}

function markdownTable(t: Tabular): string {
  const numeric = new Set(t.numeric ?? []);
  const head = flatHead(t);
  const lines = [
    `| ${head.map(markdownText).join(' | ')} |`,
    `| ${head.map((_, i) => (numeric.has(i) ? '---:' : '---')).join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.map(markdownText).join(' | ')} |`),
  ];
  return lines.join('\n');
}

function csvTable(t: Tabular): string {
  return [flatHead(t), ...t.rows].map((r) => r.map(csvCell).join(',')).join('\n');
}
