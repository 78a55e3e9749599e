/**
 * One CSV field, quoted as RFC 4180 asks: only when it holds a comma, a quote or a line break, with
 * quotes doubled; null and undefined are empty fields. A field a spreadsheet would run as a formula —
 * one starting with =, +, -, @, a tab or a carriage return (OWASP's CSV-injection rule) — is prefixed
 * with a single quote, unless it is a plain number (-0.5 stays a number). It lives in the store, the lowest
 * stage that writes CSV (metrics.csv), so that the text views' CSV (text/tabular.ts) is written the same way.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(s) && !PLAIN_NUMBER.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
