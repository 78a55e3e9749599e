import type { z } from 'zod';

/** A value in a message: short, and "nothing" for a missing field. */
function shown(value: unknown): string {
  return value === undefined ? 'nothing' : (JSON.stringify(value)?.slice(0, 40) ?? String(value));
}

/** A path inside a file as one would write it in JavaScript: arms[0].test.accuracy. */
function fieldPath(keys: readonly PropertyKey[]): string {
  return keys.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i > 0 ? '.' : ''}${String(k)}`)).join('');
}

/** A schema's first complaint in the words run files have always used: `"tags": expected array, got "x"`. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? `"${fieldPath(issue.path)}": ` : '';
  const got = `got ${shown(issue.input)}`;
  switch (issue.code) {
    case 'invalid_type':
      return `${where}expected ${issue.expected === 'object' && issue.path.length === 0 ? 'a JSON object' : issue.expected}, ${got}`;
    case 'invalid_union': {
      // orNull(x): every branch is a plain type mismatch at this spot, so list what would have done
      const expected = issue.errors.map((branch) => (branch.length === 1 && branch[0]!.code === 'invalid_type' && branch[0]!.path.length === 0 ? branch[0]!.expected : null));
      if (expected.every((e) => e !== null)) return `${where}expected ${expected.join(' or ')}, ${got}`;
      return `${where}${issue.message}, ${got}`;
    }
    case 'invalid_value':
      return `${where}expected one of ${issue.values.join(', ')}, ${got}`;
    case 'too_small':
      if (issue.origin === 'number') return `${where}expected a number ${issue.inclusive ? '>=' : '>'} ${issue.minimum}, ${got}`;
      if (issue.origin !== 'array') return `${where}${issue.message}`;
      return `${where}expected at least ${issue.minimum} ${issue.minimum === 1 ? 'entry' : 'entries'}, got ${(issue.input as unknown[] | undefined)?.length ?? 0}`;
    case 'too_big':
      if (issue.origin === 'number') return `${where}expected a number ${issue.inclusive ? '<=' : '<'} ${issue.maximum}, ${got}`;
      return `${where}${issue.message}`;
    default:
      return `${where}${issue.message}`;
  }
}

/** What is wrong with `value` by `schema`, in those words, or null when it passes. */
export function schemaProblem(schema: z.ZodType, value: unknown): string | null {
  const result = schema.safeParse(value, { reportInput: true });
  return result.success ? null : describeIssue(result.error.issues[0]!);
}
