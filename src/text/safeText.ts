/**
 * Text that came from data or from disk (class labels, file names, the fields of a run.json in a shared
 * runs directory) is escaped for where it is shown, in one function per medium:
 *
 * - terminalText: for anything written to a terminal (stdout and stderr go through it: cli/main.ts), so no
 *   escape sequence — an OSC 52 that writes the reader's clipboard, a cursor move that hides a line — and
 *   no bidirectional override reaches the terminal;
 * - markdownText and markdownCodeBlock: for markdown that lands in $GITHUB_STEP_SUMMARY or a pull request,
 *   so no HTML, link, image or emphasis can be smuggled in by a label;
 * - CSV cells: csvCell in store/csvCell.ts (the lowest stage that writes CSV), which also neutralises formulas.
 */

/**
 * C0 controls but tab and newline, DEL, C1 controls (0x9b is CSI in 8-bit terminals), and the Unicode
 * bidirectional controls ("Trojan Source"). Written as \u001b: visible, unambiguous, and the same escape
 * JSON uses, so JSON output stays valid JSON with the same values.
 */
const UNSAFE_FOR_TERMINALS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalText(text: string): string {
  return text.replace(UNSAFE_FOR_TERMINALS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Inline markdown (a table cell, a heading, a sentence): HTML-significant characters as entities (no raw
 * HTML, no <autolink>), markdown punctuation backslash-escaped (no links, images, emphasis, code spans,
 * table pipes), bare URLs broken so GitHub does not link them, and line breaks folded (a cell is one line).
 */
export function markdownText(text: string): string {
  return terminalText(text.replace(/\r?\n/g, ' '))
    .replace(/\\/g, '\\\\')
    .replace(/[&<>]/g, (c) => HTML_ENTITIES[c]!)
    .replace(/[|[\]*_`~!#]/g, (c) => `\\${c}`)
    .replace(/(https?|ftp):\/\//gi, '$1\\://')
    .replace(/\bwww\./gi, 'www\\.');
}

/**
 * A fenced code block that `text` cannot close: the fence is longer than any run of backticks inside it
 * (CommonMark), so a label holding ``` stays inside the block.
 */
export function markdownCodeBlock(text: string, info = 'text'): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${terminalText(text)}\n${fence}`;
}
