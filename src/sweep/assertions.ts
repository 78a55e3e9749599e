import { CliError } from '../errors';
import { SCALED_METRIC, type AggregateMetric } from './aggregate';
import type { GateScope, SelectorItem } from './gateScope';

/**
 * The gate language of `--assert`: comparisons over a sweep's aggregate, joined by `and`.
 *
 *   assertion  := comparison ( "and" comparison )*
 *   comparison := sum ( "<" | "<=" | ">" | ">=" | "==" | "!=" ) sum
 *   sum        := term ( ( "+" | "-" ) term )*
 *   term       := number | "-" term | "(" sum ")" | arm "." metric
 *   arm        := "hard" | "hardTs" | "smoothed" | "smoothedTs" | "smoothed-" number | "smoothedTs-" number
 *   metric     := "accuracy" | "nll" | "ece" | "brier" | "meanConfidence" | "temperature"
 *
 * `arm.metric` is the mean over seeds of that arm's test metric. `smoothed` stands for each smoothed arm in
 * turn: the assertion must hold for every ε > 0 of the grid (and every smoothing variant). `hard` is the
 * hard arm of the same smoothing variant. An arm name ending in `Ts` is that arm after temperature scaling
 * on its run's validation set (`temperature` is only a metric of those). Numbers are decimals (0.005, 1e-3).
 *
 * With a grid over training options, an assertion holds at every grid point; `all(…)`, `any(…)` and
 * `at(point: …)` around it say which points (gateScope.ts).
 */

export const ASSERT_METRICS = ['accuracy', 'nll', 'ece', 'brier', 'meanConfidence', 'temperature'] as const;
export type AssertMetric = (typeof ASSERT_METRICS)[number];
export const COMPARISON_OPERATORS = ['<=', '>=', '==', '!=', '<', '>'] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

/** An arm reference: the hard arm, each smoothed arm (`smoothed`), or the arm of one ε. */
export type ArmRef = ({ kind: 'hard' } | { kind: 'each-smoothed' } | { kind: 'epsilon'; epsilon: number; text: string }) & { scaled: boolean };

/** The aggregate metric an arm reference and a metric name read: hardTs.ece is the hard arm's tsEce. */
export function aggregateMetricOf(scaled: boolean, metric: AssertMetric): AggregateMetric {
  if (metric === 'temperature') return 'temperature';
  return scaled ? SCALED_METRIC[metric] : metric;
}

export type ValueNode =
  | { type: 'number'; value: number }
  | { type: 'metric'; arm: ArmRef; metric: AssertMetric; text: string }
  | { type: 'negate'; operand: ValueNode }
  | { type: 'binary'; op: '+' | '-'; left: ValueNode; right: ValueNode };

export interface Comparison {
  op: ComparisonOperator;
  left: ValueNode;
  right: ValueNode;
}

export interface Assertion {
  source: string;
  /** The grid points it is about: every one unless any(…) or at(…) says otherwise. */
  scope: GateScope;
  comparisons: Comparison[];
}

type Token =
  | { kind: 'number'; value: number; pos: number; text: string }
  | { kind: 'arm'; ref: ArmRef; pos: number; text: string }
  | { kind: 'word'; pos: number; text: string }
  | { kind: 'op'; pos: number; text: string }
  | { kind: 'end'; pos: number; text: string };

/** A syntax error at a 1-based column of the assertion's text. */
export class AssertionSyntaxError extends Error {
  constructor(
    readonly source: string,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`at column ${column}: ${reason}`);
    this.name = 'AssertionSyntaxError';
  }
}

const NUMBER = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;
// "smoothed-0.05" is an arm only when a "." and a metric follow: "smoothed-0.05.ece".
const EPSILON_ARM = /^smoothed(Ts)?-(\d+\.?\d*|\.\d+)(?=\.[A-Za-z])/;
const WORD = /^[A-Za-z_][A-Za-z0-9_]*/;

/** The tokens of source[from, to): positions stay those of the whole text, so errors give its columns. */
function tokenize(source: string, from: number, to: number): Token[] {
  const tokens: Token[] = [];
  let i = from;
  while (i < to) {
    const rest = source.slice(i, to);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const armMatch = EPSILON_ARM.exec(rest);
    if (armMatch) {
      tokens.push({ kind: 'arm', ref: { kind: 'epsilon', epsilon: Number(armMatch[2]), text: armMatch[0], scaled: armMatch[1] !== undefined }, pos: i, text: armMatch[0] });
      i += armMatch[0].length;
      continue;
    }
    const word = WORD.exec(rest);
    if (word) {
      tokens.push({ kind: 'word', pos: i, text: word[0] });
      i += word[0].length;
      continue;
    }
    const num = NUMBER.exec(rest);
    if (num) {
      tokens.push({ kind: 'number', value: Number(num[0]), pos: i, text: num[0] });
      i += num[0].length;
      continue;
    }
    const op = ['<=', '>=', '==', '!=', '<', '>', '+', '-', '(', ')', '.', '='].find((o) => rest.startsWith(o));
    if (op) {
      tokens.push({ kind: 'op', pos: i, text: op });
      i += op.length;
      continue;
    }
    const hint = rest.startsWith('&&') ? ' (use "and")' : '';
    throw new AssertionSyntaxError(source, i + 1, `unexpected character "${rest[0]}"${hint}`);
  }
  tokens.push({ kind: 'end', pos: to, text: 'end of assertion' });
  return tokens;
}

/** The positions of `char` in source[from, to) outside brackets, braces and quotes. */
function topLevel(source: string, char: string, from: number, to: number): number[] {
  const found: number[] = [];
  let depth = 0;
  let quoted = false;
  for (let i = from; i < to; i++) {
    const c = source[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '[' || c === '{')) depth++;
    else if (!quoted && (c === ']' || c === '}')) depth--;
    else if (!quoted && depth === 0 && c === char) found.push(i);
  }
  return found;
}

function selectorItem(source: string, from: number, to: number): SelectorItem {
  const text = source.slice(from, to).trim();
  if (/^p\d+$/.test(text)) return { kind: 'point', id: text };
  const pair = /^([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.+)$/s.exec(text);
  const column = from + (source.slice(from, to).length - source.slice(from, to).trimStart().length) + 1;
  if (!pair) throw new AssertionSyntaxError(source, column, `expected a grid point (p2) or key=value (labelNoise=0.2), got "${text}"`);
  return { kind: 'value', name: pair[1]!, valueText: pair[2]!.trim().replace(/^"(.*)"$/s, '$1') };
}

const SCOPE = /^\s*(all|any|at)\s*\(/;

/** all(A), any(A), at(SELECTOR: A) or A alone: the scope, and the span of A in the text. */
function parseScope(source: string): { scope: GateScope; from: number; to: number } {
  const m = SCOPE.exec(source);
  if (!m) return { scope: { kind: 'all' }, from: 0, to: source.length };
  const open = m[0].length;
  const close = source.trimEnd().length - 1;
  if (close < open || source[close] !== ')') throw new AssertionSyntaxError(source, source.trimEnd().length + 1, `expected ")" to close "${m[1]}("`);
  if (m[1] !== 'at') return { scope: { kind: m[1] as 'all' | 'any' }, from: open, to: close };
  const colon = topLevel(source, ':', open, close)[0];
  if (colon === undefined) throw new AssertionSyntaxError(source, close + 1, 'expected ":" between the grid point and the assertion, as in at(labelNoise=0.2: smoothed.ece <= hard.ece)');
  const commas = topLevel(source, ',', open, colon);
  const bounds = [open, ...commas.map((c) => c + 1)];
  const items = bounds.map((from, i) => selectorItem(source, from, i < commas.length ? commas[i]! : colon));
  return { scope: { kind: 'at', items, text: source.slice(open, colon).trim() }, from: colon + 1, to: close };
}

/** Parses one assertion; throws AssertionSyntaxError with the column of the first problem. */
export function parseAssertion(source: string): Assertion {
  const { scope, from, to } = parseScope(source);
  const tokens = tokenize(source, from, to);
  let at = 0;
  const peek = (): Token => tokens[at]!;
  const fail = (token: Token, expected: string): never => {
    throw new AssertionSyntaxError(source, token.pos + 1, `expected ${expected}, got ${token.kind === 'end' ? 'the end of the assertion' : `"${token.text}"`}`);
  };
  const isOp = (t: Token, ...ops: string[]): boolean => t.kind === 'op' && ops.includes(t.text);

  const metricAfterDot = (armText: string, ref: ArmRef): ValueNode => {
    if (!isOp(peek(), '.')) fail(peek(), `"." and a metric after "${armText}"`);
    at++;
    const m = peek();
    if (m.kind !== 'word' || !(ASSERT_METRICS as readonly string[]).includes(m.text)) fail(m, `a metric (${ASSERT_METRICS.join(', ')})`);
    if (m.text === 'temperature' && !ref.scaled) fail(m, `a metric of ${armText} (temperature is a metric of the temperature-scaled arms: hardTs, smoothedTs, smoothedTs-<ε>)`);
    at++;
    return { type: 'metric', arm: ref, metric: m.text as AssertMetric, text: `${armText}.${m.text}` };
  };

  const term = (): ValueNode => {
    const t = peek();
    if (t.kind === 'number') {
      at++;
      return { type: 'number', value: t.value };
    }
    if (isOp(t, '-')) {
      at++;
      return { type: 'negate', operand: term() };
    }
    if (isOp(t, '(')) {
      at++;
      const inner = sum();
      if (!isOp(peek(), ')')) fail(peek(), '")"');
      at++;
      return inner;
    }
    if (t.kind === 'arm') {
      at++;
      return metricAfterDot(t.text, t.ref);
    }
    if (t.kind === 'word' && ['hard', 'smoothed', 'hardTs', 'smoothedTs'].includes(t.text)) {
      at++;
      const scaled = t.text.endsWith('Ts');
      return metricAfterDot(t.text, t.text.startsWith('hard') ? { kind: 'hard', scaled } : { kind: 'each-smoothed', scaled });
    }
    return fail(t, 'a number or an arm metric (hard.accuracy, smoothed.ece, smoothed-0.1.nll, hardTs.ece)');
  };

  const sum = (): ValueNode => {
    let left = term();
    while (isOp(peek(), '+', '-')) {
      const op = peek().text as '+' | '-';
      at++;
      left = { type: 'binary', op, left, right: term() };
    }
    return left;
  };

  const comparison = (): Comparison => {
    const left = sum();
    const t = peek();
    if (isOp(t, '=')) throw new AssertionSyntaxError(source, t.pos + 1, 'unexpected character "=" (did you mean "=="?)');
    if (!(t.kind === 'op' && (COMPARISON_OPERATORS as readonly string[]).includes(t.text))) fail(t, `a comparison (${COMPARISON_OPERATORS.join(' ')})`);
    at++;
    return { op: t.text as ComparisonOperator, left, right: sum() };
  };

  const comparisons = [comparison()];
  while (peek().kind === 'word' && peek().text === 'and') {
    at++;
    comparisons.push(comparison());
  }
  if (peek().kind !== 'end') fail(peek(), '"and" or the end of the assertion');
  return { source, scope, comparisons };
}

/** Parses every `--assert` before anything runs: a syntax error is a usage error (exit 2) with its column. */
export function parseAssertions(sources: readonly string[]): Assertion[] {
  return sources.map((source) => {
    try {
      return parseAssertion(source);
    } catch (error) {
      if (error instanceof AssertionSyntaxError) throw new CliError(`--assert '${source}': ${error.message}`);
      throw error;
    }
  });
}

function refsOf(node: ValueNode, out: ArmRef[] = []): ArmRef[] {
  if (node.type === 'metric') out.push(node.arm);
  else if (node.type === 'negate') refsOf(node.operand, out);
  else if (node.type === 'binary') {
    refsOf(node.left, out);
    refsOf(node.right, out);
  }
  return out;
}

export function armRefs(assertion: Assertion): ArmRef[] {
  return assertion.comparisons.flatMap((c) => [...refsOf(c.left), ...refsOf(c.right)]);
}

/** Refuses arms the grid does not have (e.g. smoothed-0.3 in a grid without 0.3), before training. */
export function checkAssertionArms(assertions: Assertion[], smoothedEpsilons: readonly number[]): void {
  for (const a of assertions) {
    for (const ref of armRefs(a)) {
      if (ref.kind === 'epsilon' && !smoothedEpsilons.includes(ref.epsilon)) {
        throw new CliError(`--assert '${a.source}': ${ref.text} is not an arm of this sweep; its smoothed arms are ${smoothedEpsilons.map((e) => `smoothed-${e}`).join(', ')}`);
      }
    }
  }
}
