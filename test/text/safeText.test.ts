import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell } from '../../src/store/csvCell';
import { markdownCodeBlock, markdownText, terminalText } from '../../src/text/safeText';
import { renderTabular } from '../../src/text/tabular';

/** Hostile strings of every kind a label, a file name or a hand-edited run.json can hold. */
export const HOSTILE = {
  osc52: '\u001b]52;c;ZWNobyBwd25lZA==\u0007',
  csi: '\u001b[2J\u001b[1;1H',
  c1csi: '\u009b31m',
  bell: 'ding\u0007',
  carriageReturn: 'safe\rEVIL',
  backspace: 'abc\b\b\bxyz',
  del: 'a\u007fb',
  bidi: 'user\u202Egnp.exe',
  nul: 'a\u0000b',
};

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

test('terminal text: every control character but tab and newline, and the bidirectional controls, become visible escapes', () => {
  for (const [name, s] of Object.entries(HOSTILE)) {
    const out = terminalText(s);
    assert.doesNotMatch(out, RAW_CONTROL, name);
    assert.equal(terminalText(out), out, `${name}: escaping is idempotent`);
  }
  assert.equal(terminalText(HOSTILE.osc52), '\\u001b]52;c;ZWNobyBwd25lZA==\\u0007');
  assert.equal(terminalText('tab\there\nnext line, ε=0.1 — “quoted” ✓'), 'tab\there\nnext line, ε=0.1 — “quoted” ✓', 'ordinary text is untouched');
  assert.deepEqual(JSON.parse(terminalText(JSON.stringify({ label: `x${HOSTILE.c1csi}${HOSTILE.del}${HOSTILE.bidi}` }))), { label: `x${HOSTILE.c1csi}${HOSTILE.del}${HOSTILE.bidi}` }, 'escaped JSON is still the same JSON');
});

test('markdown text: no HTML, no links or images, no emphasis or code spans, no table break-out, one line', () => {
  const cases: [string, string][] = [
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)>'],
    ['<script>alert(1)</script>', '&lt;script>alert(1)&lt;/script>'],
    ['<!-- hidden -->', '&lt;!-- hidden -->'],
    ['<https://evil.example>', '&lt;https\\://evil.example>'],
    ['&lt;b&gt; and &#60;', '&amp;lt;b&amp;gt; and &amp;#60;'],
    ['smoothed.ece <= 0.05 and acc >= hard - 0.01, a < b', 'smoothed.ece <= 0.05 and acc >= hard - 0.01, a < b'],
    ['[click](javascript:alert(1))', '[click\\](javascript:alert(1))'],
    ['[click] (x) and [ref][1]', '[click] (x) and [ref\\][1]'],
    ['![pixel](https://tracker.example/p.gif)', '\\![pixel\\](https\\://tracker.example/p.gif)'],
    ['an interval [−1.00 pts, +2.00 pts]', 'an interval [−1.00 pts, +2.00 pts]'],
    ['see https://evil.example and www.evil.example', 'see https\\://evil.example and www\\.evil.example'],
    ['**bold** _it_ `code` ~~s~~', '\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~'],
    ['a|b', 'a\\|b'],
    ['back\\slash', 'back\\\\slash'],
    ['two\nlines\r\nthree', 'two lines three'],
    ['AT&T', 'AT&T'],
    ['smoothed (ε=0.1) 12.50%', 'smoothed (ε=0.1) 12.50%'],
  ];
  for (const [input, expected] of cases) assert.equal(markdownText(input), expected, input);
  assert.doesNotMatch(markdownText(HOSTILE.osc52), RAW_CONTROL);
  const table = renderTabular({ head: ['class'], rows: [['<b>x</b>'], ['a|b'], ['[l](u)']] }, 'markdown');
  assert.equal(table, '| class |\n| --- |\n| &lt;b>x&lt;/b> |\n| a\\|b |\n| [l\\](u) |');
});

test('a markdown code block cannot be closed from inside', () => {
  assert.equal(markdownCodeBlock('plain'), '```text\nplain\n```');
  const block = markdownCodeBlock('label ```\n<img src=x>\n````');
  assert.ok(block.startsWith('`````text\n') && block.endsWith('\n`````'), block);
});

test('CSV cells: formulas neutralised (OWASP), plain numbers kept, quoting as RFC 4180', () => {
  const cases: [unknown, string][] = [
    ['=HYPERLINK("http://evil.example","click")', `"'=HYPERLINK(""http://evil.example"",""click"")"`],
    ['+cmd|/c calc!A1', "'+cmd|/c calc!A1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
    ['-0.5', '-0.5'],
    ['+3', '+3'],
    ['-1e-7', '-1e-7'],
    [-0.25, '-0.25'],
    ['a,b', '"a,b"'],
    [null, ''],
    ['ok', 'ok'],
  ];
  for (const [input, expected] of cases) assert.equal(csvCell(input), expected, String(input));
});
