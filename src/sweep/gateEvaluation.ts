import type { AggregateMetric } from './aggregate';
import { aggregateMetricOf, armRefs, type Assertion, type ComparisonOperator, type ValueNode } from './assertions';

/**
 * Evaluating a gate (`--assert`, parsed by assertions.ts) on a sweep's aggregate: at each grid point the
 * gate is about (gateScope.ts), for every smoothing variant and, when it says `smoothed`, every smoothed ε.
 */

/** The aggregate values an assertion reads: mean over seeds of an arm's metric, per grid point, variant and ε. */
export interface AssertionContext {
  /** The grid points the assertion is about (gateScope.ts resolves them); one unnamed point if absent. */
  points?: { id: string; label: string }[];
  variants: string[];
  smoothedEpsilons: number[];
  /** The mean over seeds, or undefined when no seed completed (or, for the temperature-scaled metrics, none had a validation set). */
  value(variant: string, epsilon: number, metric: AggregateMetric, pointId: string): number | undefined;
  /** Why the arm's values at the grid point must not pass a gate (seeds where it diverged), or null. */
  problem?(variant: string, epsilon: number, pointId: string): string | null;
}

export interface AssertionInstance {
  /** The grid point's id (p1, …); with its label when the grid has axes. */
  point: string;
  pointLabel: string;
  variant: string;
  epsilon: number | null;
  holds: boolean;
  values: Record<string, number | null>;
  /** Why the instance fails whatever its values say: an arm it reads diverged in some seed. */
  problems: string[];
}

/**
 * A gate's result, as the sweep's outputs (table, markdown, JSON, the HTML report) show it and gates.json
 * stores it (sweepFiles.ts): the gate, whether it holds, one line saying so, and every instance checked with
 * the values it read.
 */
export interface AssertionOutcome {
  source: string;
  holds: boolean;
  /** One line: "holds: …" or the failing instances with their values. */
  message: string;
  /** One line per failing instance: the binding (grid point, variant, ε) and every value read. */
  failures: string[];
  /** Every instance checked. */
  instances: AssertionInstance[];
}

/** One instance: the assertion at one grid point, for one variant and (when it says `smoothed`) one ε. */
function evaluateInstance(assertion: Assertion, context: AssertionContext, point: { id: string; label: string }, variant: string, bound: number | null): AssertionInstance {
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
        const v = context.value(variant, epsilon, aggregateMetricOf(node.arm.scaled, node.metric), point.id);
        values[name] = v ?? null;
        if (v === undefined) missing = true;
        const problem = context.problem?.(variant, epsilon, point.id) ?? null;
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
  return { point: point.id, pointLabel: point.label, variant, epsilon: bound, holds: holds && problems.length === 0, values, problems };
}

/**
 * Evaluates an assertion at each of its grid points, for every smoothing variant and, when it mentions
 * `smoothed`, every smoothed ε. A value that is missing (no completed seed) makes that instance fail: a gate
 * must not pass on no data. It holds when every instance holds, or for any(…) when every instance of one
 * grid point does.
 */
export function evaluateAssertion(assertion: Assertion, context: AssertionContext): AssertionOutcome {
  const quantified = armRefs(assertion).some((r) => r.kind === 'each-smoothed');
  const points = context.points ?? [{ id: 'p1', label: '' }];
  const outcome: AssertionOutcome = { source: assertion.source, holds: true, message: '', failures: [], instances: [] };
  for (const point of points) {
    for (const variant of context.variants) {
      for (const bound of quantified ? context.smoothedEpsilons : [null]) outcome.instances.push(evaluateInstance(assertion, context, point, variant, bound));
    }
  }
  const pointHolds = (id: string) => outcome.instances.filter((i) => i.point === id).every((i) => i.holds);
  outcome.holds = assertion.scope.kind === 'any' ? points.some((p) => pointHolds(p.id)) : outcome.instances.every((i) => i.holds);
  const n = outcome.instances.length;
  outcome.message = `holds${n > 1 ? ` in ${assertion.scope.kind === 'any' ? 'every case of a grid point' : `all ${n} cases`}` : ''}: ${assertion.source}`;
  if (outcome.holds) return outcome;
  for (const instance of outcome.instances.filter((i) => !i.holds)) {
    const where = [
      ...(instance.pointLabel ? [instance.pointLabel] : []),
      ...(context.variants.length > 1 || quantified ? [instance.variant] : []),
      ...(instance.epsilon !== null ? [`ε=${instance.epsilon}`] : []),
    ];
    const measured = measuredValues(instance.values);
    const none = assertion.scope.kind === 'any' ? ' (holds at no grid point)' : '';
    const reason = instance.problems.length > 0 ? `; not usable: ${instance.problems.join('; ')}` : '';
    outcome.failures.push(`assertion failed${where.length > 0 ? ` [${where.join(', ')}]` : ''}: ${assertion.source}${none} (measured: ${measured}${reason})`);
  }
  outcome.message = outcome.failures.join('; ');
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
