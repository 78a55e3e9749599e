import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from '../../src/errors';
import { AssertionSyntaxError, checkAssertionArms, parseAssertion, parseAssertions } from '../../src/sweep/assertions';
import { evaluateAssertion, type AssertionContext } from '../../src/sweep/gateEvaluation';

/** Means per (variant, ε, metric), as the aggregate would give them. */
function context(values: Record<string, Record<number, Partial<Record<string, number>>>>, smoothedEpsilons: number[]): AssertionContext {
  return {
    variants: Object.keys(values),
    smoothedEpsilons,
    value: (variant, epsilon, metric) => values[variant]?.[epsilon]?.[metric],
  };
}

const ONE = context({ uniform: { 0: { accuracy: 0.8, nll: 0.5, ece: 0.04, meanConfidence: 0.85 }, 0.1: { accuracy: 0.805, nll: 0.48, ece: 0.02, meanConfidence: 0.8 } } }, [0.1]);

function holds(source: string, ctx = ONE): boolean {
  return evaluateAssertion(parseAssertion(source), ctx).holds;
}

test('each comparison operator', () => {
  assert.equal(holds('smoothed.accuracy > hard.accuracy'), true);
  assert.equal(holds('smoothed.accuracy < hard.accuracy'), false);
  assert.equal(holds('smoothed.ece <= 0.02'), true);
  assert.equal(holds('smoothed.ece < 0.02'), false);
  assert.equal(holds('hard.ece >= 0.04'), true);
  assert.equal(holds('hard.ece > 0.04'), false);
  assert.equal(holds('hard.accuracy == 0.8'), true);
  assert.equal(holds('hard.accuracy != 0.8'), false);
  assert.equal(holds('hard.nll != 0.4'), true);
});

test('arithmetic, negation, parentheses, numbers with exponents, and', () => {
  assert.equal(holds('smoothed.accuracy >= hard.accuracy - 0.005'), true);
  assert.equal(holds('smoothed.accuracy - hard.accuracy >= 5e-3 - 1e-9'), true);
  assert.equal(holds('smoothed.accuracy >= hard.accuracy + 0.01'), false);
  assert.equal(holds('-(smoothed.nll - hard.nll) >= 0.02 - 1e-9'), true);
  assert.equal(holds('smoothed.nll - hard.nll <= -0.01'), true);
  assert.equal(holds('smoothed.ece <= 0.05 and smoothed.meanConfidence < hard.meanConfidence'), true);
  assert.equal(holds('smoothed.ece <= 0.05 and smoothed.nll > 1'), false);
  assert.equal(holds('smoothed-0.1.ece<=.03'), true, 'no spaces needed, leading-dot numbers');
});

test('a failing assertion names itself and every measured value', () => {
  const outcome = evaluateAssertion(parseAssertion('smoothed.accuracy >= hard.accuracy + 0.01'), ONE);
  assert.equal(outcome.holds, false);
  assert.equal(outcome.failures.length, 1);
  assert.match(outcome.failures[0]!, /assertion failed \[uniform, ε=0\.1\]: smoothed\.accuracy >= hard\.accuracy \+ 0\.01 \(measured: smoothed-0\.1\.accuracy = 0\.805, hard\.accuracy = 0\.8\)/);
});

test('"smoothed" must hold for every smoothed ε and variant; smoothed-<ε> for that ε only', () => {
  const ctx = context(
    {
      uniform: { 0: { ece: 0.04 }, 0.05: { ece: 0.03 }, 0.2: { ece: 0.07 } },
      others: { 0: { ece: 0.04 }, 0.05: { ece: 0.02 }, 0.2: { ece: 0.03 } },
    },
    [0.05, 0.2],
  );
  const all = evaluateAssertion(parseAssertion('smoothed.ece <= 0.05'), ctx);
  assert.equal(all.holds, false);
  assert.equal(all.instances.length, 4);
  assert.deepEqual(all.failures.length, 1);
  assert.match(all.failures[0]!, /\[uniform, ε=0\.2\].*smoothed-0\.2\.ece = 0\.07/);
  assert.equal(holds('smoothed-0.05.ece <= 0.05', ctx), true);
  assert.equal(evaluateAssertion(parseAssertion('smoothed-0.05.ece <= 0.05'), ctx).instances.length, 2, 'once per variant');
});

test('a missing value (no completed seed) fails the gate', () => {
  const ctx = context({ uniform: { 0: { accuracy: 0.8 } } }, [0.1]);
  const outcome = evaluateAssertion(parseAssertion('smoothed.accuracy >= 0'), ctx);
  assert.equal(outcome.holds, false);
  assert.match(outcome.failures[0]!, /smoothed-0\.1\.accuracy = missing/);
});

test('parse errors give the column and what was expected', () => {
  const cases: [string, number, RegExp][] = [
    ['smoothed.accuracy >= ', 22, /expected a number or an arm metric .* got the end/],
    ['smoothed.acc >= 0.9', 10, /expected a metric \(accuracy, nll, ece, brier, meanConfidence, temperature\), got "acc"/],
    ['smooth.ece <= 0.1', 1, /expected a number or an arm metric/],
    ['smoothed.ece = 0.1', 14, /unexpected character "=" \(did you mean "=="\?\)/],
    ['smoothed.ece 0.1', 14, /expected a comparison \(<= >= == != < >\), got "0\.1"/],
    ['smoothed.ece <= 0.1 or hard.ece <= 1', 21, /expected "and" or the end of the assertion, got "or"/],
    ['smoothed.ece <= 0.1 $', 21, /unexpected character "\$"/],
    ['(hard.nll <= 1', 11, /expected "\)"/],
    ['hard <= 1', 6, /expected "\." and a metric after "hard"/],
    ['', 1, /got the end of the assertion/],
  ];
  for (const [source, column, pattern] of cases) {
    assert.throws(
      () => parseAssertion(source),
      (e: unknown) => e instanceof AssertionSyntaxError && e.column === column && pattern.test(e.reason),
      `${source} → column ${column}`,
    );
  }
  assert.throws(
    () => parseAssertions(['smoothed.ece <= 0.05', 'smoothed.ece =< 0.05']),
    (e: unknown) => e instanceof CliError && e.exitCode === 2 && /^--assert 'smoothed\.ece =< 0\.05': at column 14: unexpected character "="/.test(e.message),
  );
});

test('arms the grid does not have are refused before training', () => {
  checkAssertionArms(parseAssertions(['smoothed-0.1.ece <= 1', 'smoothed.ece <= 1', 'hard.ece <= 1']), [0.1]);
  assert.throws(
    () => checkAssertionArms(parseAssertions(['smoothed-0.3.ece <= 1']), [0.05, 0.1]),
    (e: unknown) => e instanceof CliError && /smoothed-0\.3 is not an arm of this sweep; its smoothed arms are smoothed-0\.05, smoothed-0\.1/.test(e.message),
  );
});

test('hardTs and smoothedTs name the arms after temperature scaling; temperature is their metric only', () => {
  const values = { uniform: { 0: { ece: 0.05, tsEce: 0.01, temperature: 1.4 }, 0.1: { ece: 0.03, tsEce: 0.02, temperature: 0.9 } } };
  const ctx = context(values, [0.1]);
  assert.equal(holds('smoothed.ece <= hardTs.ece', ctx), false);
  assert.equal(holds('smoothedTs.ece <= 0.02 and hardTs.temperature > 1', ctx), true);
  assert.equal(holds('smoothedTs-0.1.temperature < 1', ctx), true);
  const outcome = evaluateAssertion(parseAssertion('smoothed.ece <= hardTs.ece'), ctx);
  assert.match(outcome.failures[0]!, /smoothed-0\.1\.ece = 0\.03, hardTs\.ece = 0\.01/);
  assert.throws(() => parseAssertion('hard.temperature < 2'), /column 6: expected a metric of hard \(temperature is a metric of the temperature-scaled arms/);
});

test('a gate that reads a diverged arm fails with the reason, even when its mean would pass', () => {
  const ctx: AssertionContext = {
    ...context({ uniform: { 0: { accuracy: 0.8 }, 0.1: { accuracy: 0.9 } } }, [0.1]),
    problem: (_variant, epsilon) => (epsilon === 0.1 ? 'smoothed-0.1 diverged in seed 2 (left out of its mean)' : null),
  };
  const outcome = evaluateAssertion(parseAssertion('smoothed.accuracy >= hard.accuracy'), ctx);
  assert.equal(outcome.holds, false);
  assert.match(outcome.failures[0]!, /not usable: smoothed-0\.1 diverged in seed 2/);
  assert.equal(evaluateAssertion(parseAssertion('hard.accuracy >= 0.5'), ctx).holds, true, 'a gate on the healthy arm alone still holds');
});
