import { CliError } from '../errors';
import type { GateResult } from './sweepFiles';
import { SCALED_METRIC, type AggregateMetric } from './aggregate';

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

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
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
    const op = ['<=', '>=', '==', '!=', '<', '>', '+', '-', '(', ')', '.'].find((o) => rest.startsWith(o));
    if (op) {
      tokens.push({ kind: 'op', pos: i, text: op });
      i += op.length;
      continue;
    }
    const hint = rest[0] === '=' ? ' (did you mean "=="?)' : rest.startsWith('&&') ? ' (use "and")' : '';
    throw new AssertionSyntaxError(source, i + 1, `unexpected character "${rest[0]}"${hint}`);
  }
  tokens.push({ kind: 'end', pos: source.length, text: 'end of assertion' });
  return tokens;
}

/** Parses one assertion; throws AssertionSyntaxError with the column of the first problem. */
export function parseAssertion(source: string): Assertion {
  const tokens = tokenize(source);
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
  return { source, comparisons };
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

/** The aggregate values an assertion reads: mean over seeds of an arm's metric, per variant and ε. */
export interface AssertionContext {
  variants: string[];
  smoothedEpsilons: number[];
  /** The mean over seeds, or undefined when no seed completed (or, for the temperature-scaled metrics, none had a validation set). */
  value(variant: string, epsilon: number, metric: AggregateMetric): number | undefined;
  /** Why the arm's values must not pass a gate (seeds where it diverged), or null. */
  problem?(variant: string, epsilon: number): string | null;
}

/**
 * A gate's result, as the sweep's outputs (table, markdown, JSON, the HTML report) show it: the gate, whether
 * it holds, every instance checked with the values it read, and one line saying so (sweepFiles.ts stores it).
 */
export type AssertionOutcome = GateResult;

/**
 * Evaluates an assertion for every smoothing variant and, when it mentions `smoothed`, every smoothed ε.
 * A value that is missing (no completed seed) makes that instance fail: a gate must not pass on no data.
 */
export function evaluateAssertion(assertion: Assertion, context: AssertionContext): AssertionOutcome {
  const quantified = armRefs(assertion).some((r) => r.kind === 'each-smoothed');
  const outcome: AssertionOutcome = { source: assertion.source, holds: true, message: '', failures: [], instances: [] };
  for (const variant of context.variants) {
    for (const bound of quantified ? context.smoothedEpsilons : [null]) {
      const values: Record<string, number | null> = {};
      const problems: string[] = [];
      let missing = false;
      const valueOf = (node: ValueNode): number => {
        switch (node.type) {
          case 'number':
            return node.value;
          case 'negate':
            return -valueOf(node.operand);
          case 'binary':
            return node.op === '+' ? valueOf(node.left) + valueOf(node.right) : valueOf(node.left) - valueOf(node.right);
          case 'metric': {
            const epsilon = node.arm.kind === 'hard' ? 0 : node.arm.kind === 'epsilon' ? node.arm.epsilon : bound!;
            const name = node.arm.kind === 'each-smoothed' ? `smoothed${node.arm.scaled ? 'Ts' : ''}-${epsilon}.${node.metric}` : node.text;
            const v = context.value(variant, epsilon, aggregateMetricOf(node.arm.scaled, node.metric));
            values[name] = v ?? null;
            if (v === undefined) missing = true;
            const problem = context.problem?.(variant, epsilon) ?? null;
            if (problem !== null && !problems.includes(problem)) problems.push(problem);
            return v ?? NaN;
          }
        }
      };
      const holds = assertion.comparisons.every((c) => compare(valueOf(c.left), c.op, valueOf(c.right))) && !missing;
      // evaluate every comparison for the message, even after one failed
      for (const c of assertion.comparisons) {
        valueOf(c.left);
        valueOf(c.right);
      }
      // A diverged arm fails every gate that reads it, whatever its remaining seeds say.
      const passes = holds && problems.length === 0;
      outcome.instances.push({ variant, epsilon: bound, holds: passes, values });
      if (!passes) {
        outcome.holds = false;
        const where = context.variants.length > 1 || quantified ? ` [${variant}${bound !== null ? `, ε=${bound}` : ''}]` : '';
        const measured = measuredValues(values);
        const reason = problems.length > 0 ? `; not usable: ${problems.join('; ')}` : '';
        outcome.failures.push(`assertion failed${where}: ${assertion.source} (measured: ${measured}${reason})`);
      }
    }
  }
  const n = outcome.instances.length;
  outcome.message = outcome.holds
    ? `holds${n > 1 ? ` in all ${n} cases (${quantified ? 'every smoothed ε' : 'every smoothing variant'})` : ''}: ${assertion.source}`
    : outcome.failures.join('; ');
  return outcome;
}

/** The values an instance read, as the outputs print them: "smoothed-0.1.ece = 0.0123, hard.ece = 0.0456". */
export function measuredValues(values: Record<string, number | null>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k} = ${v === null ? 'missing (no completed seed)' : formatValue(v)}`)
    .join(', ');
}

export function compare(left: number, op: ComparisonOperator, right: number): boolean {
  switch (op) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    case '==':
      return left === right;
    case '!=':
      return left !== right;
  }
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/0+$/, '').replace(/\.$/, '');
}
