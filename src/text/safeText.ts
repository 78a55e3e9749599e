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


/**
 * Inline markdown (a table cell, a heading, a sentence): a `<` or `&` that would start HTML as an entity (no
 * raw HTML, no <autolink>, no entity), markdown punctuation backslash-escaped where it would make a link, an image,
 * emphasis, a code span or a table pipe, bare URLs broken so GitHub does not link them, and line breaks
 * folded (a cell is one line).
 */
export function markdownText(text: string): string {
  return terminalText(text.replace(/\r?\n/g, ' '))
    .replace(/\\/g, '\\\\')
    // only what could start HTML: a tag, a comment or an autolink (<a, </, <!, <?) or an entity (&lt;);
    // a comparison such as "ece <= 0.05" or "AT&T" is left as it reads
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '&amp;')
    .replace(/<(?=[A-Za-z/!?])/g, '&lt;')
    // a bracket only where it would close a link or an image, [text](url) or [text][ref]: plain brackets,
    // such as an interval [−1.00, +2.00], stay as they are
    .replace(/\](?=[([])/g, '\\]')
    .replace(/!(?=\[)/g, '\\!')
    .replace(/[|*_`~]/g, (c) => `\\${c}`)
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
