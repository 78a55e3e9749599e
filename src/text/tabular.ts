import Table from 'cli-table3';
import { CliError } from '../errors';
import { csvCell } from '../store/csvCell';
import { markdownText, terminalText } from './safeText';

/**
 * One table, three renderings: a terminal table (cli-table3), a GitHub-flavoured markdown table that
 * pastes into a pull request as it is, and CSV (RFC 4180 quoting).
 */
export interface Tabular {
  head: string[];
  rows: string[][];
  /** Columns to right-align (numbers); the others are left-aligned. */
  numeric?: number[];
}

export const OUTPUT_FORMATS = ['table', 'markdown', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number] | 'json';

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

export function renderTabular(table: Tabular, format: 'table' | 'markdown' | 'csv'): string {
  switch (format) {
    case 'markdown':
      return markdownTable(table);
    case 'csv':
      return csvTable(table);
    default:
      return terminalTable(table);
  }
}

function terminalTable(t: Tabular): string {
  const numeric = new Set(t.numeric ?? []);
  const table = new Table({ head: t.head.map(terminalText), style: { head: [], border: [], compact: true } });
  // Escaped before layout, so that column widths are those of what is shown.
  for (const row of t.rows) table.push(row.map((content, i) => ({ content: terminalText(content), hAlign: numeric.has(i) ? ('right' as const) : ('left' as const) })));
  return table.toString();
}

function markdownTable(t: Tabular): string {
  const numeric = new Set(t.numeric ?? []);
  const lines = [
    `| ${t.head.map(markdownText).join(' | ')} |`,
    `| ${t.head.map((_, i) => (numeric.has(i) ? '---:' : '---')).join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.map(markdownText).join(' | ')} |`),
  ];
  return lines.join('\n');
}

function csvTable(t: Tabular): string {
  return [t.head, ...t.rows].map((r) => r.map(csvCell).join(',')).join('\n');
}
