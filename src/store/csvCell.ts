/**
 * One CSV field, quoted as RFC 4180 asks: only when it holds a comma, a quote or a line break, with
 * quotes doubled; null and undefined are empty fields. It lives in the store, the lowest stage that writes
 * CSV (metrics.csv), so that the text views' CSV (text/tabular.ts) quotes the same way.
 */
export function csvCell(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
