import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { CliError, nonEmptyPath } from '../errors';
import { FileTooLarge, formatBytes, readBounded } from '../data/boundedRead';
import { LAYER_KEY_ALIASES, modelKeysAt } from './modelSchema';
import { TrainConfigSchema, type TrainConfig } from './schema';
import { kebabCase } from './schemaOptions';
import { locateConfigFile, shippedConfigs } from './shippedConfigs';

/** Values given on the command line, already converted to the schema's kinds. */
export type FlagValues = Record<string, unknown>;

export const MAX_CONFIG_BYTES = 1 << 20;
const MAX_NESTING = 16;

/** Depth of nested arrays/objects, computed without recursion (a hostile file can nest thousands deep). */
function nestingDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    max = Math.max(max, depth + 1);
    if (max > MAX_NESTING) return max;
    for (const child of Object.values(v as object)) stack.push([child, depth + 1]);
  }
  return max;
}

/** A value for an error message: short, and safe for any input. */
function showValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? '[…]' : typeof value === 'object' ? '{…}' : String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Reads a YAML or JSON config file into a plain object; every failure names the file. `ref` is a path, or
 * the name of a shipped config (`fashion-mnist`) when no file of that name exists here; `-` is stdin.
 * The file is read with a bound, so /dev/zero, an endless FIFO or a huge file is refused after 1 MiB.
 */
export function readConfigFile(ref: string): Record<string, unknown> {
  nonEmptyPath('--config', ref);
  const file = ref === '-' ? ref : locateConfigFile(ref);
  let text: string;
  try {
    text = readBounded(file, MAX_CONFIG_BYTES).toString('utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    if (error instanceof FileTooLarge) throw new CliError(`${file === '-' ? 'stdin' : file}: larger than ${formatBytes(MAX_CONFIG_BYTES)}; expected a config file (a YAML or JSON mapping of options) of at most ${formatBytes(MAX_CONFIG_BYTES)}`);
    const code = (error as NodeJS.ErrnoException).code;
    const shipped = shippedConfigs().map((c) => c.name);
    const hint = code === 'ENOENT' && !ref.includes('/') ? `, and no shipped config of that name (shipped: ${shipped.join(', ')}; \`ls-bench configs\` lists them)` : '';
    throw new CliError(`${file}: cannot read config file (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(code ?? error)}${hint})`);
  }
  let parsed: unknown;
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') {
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new CliError(`${file}: invalid JSON (${(error as Error).message})`);
    }
  } else {
    // maxAliasCount refuses "billion laughs" alias bombs before they expand.
    const doc = YAML.parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const line = e.linePos?.[0]?.line;
      throw new CliError(`${file}${line ? `:${line}` : ''}: invalid YAML (${e.message.split('\n')[0]})`);
    }
    try {
      parsed = doc.toJS({ maxAliasCount: 50 });
    } catch (error) {
      throw new CliError(`${file}: invalid YAML (${(error as Error).message.split('\n')[0]})`);
    }
  }
  if (parsed === null || parsed === undefined) return {};
  if (nestingDepth(parsed) > MAX_NESTING) throw new CliError(`${file}: values nested deeper than ${MAX_NESTING} levels; expected a flat mapping of option names to values`);
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CliError(`${file}: expected a mapping of option names to values at the top level, got ${Array.isArray(parsed) ? 'a list' : typeof parsed}`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * The resolved training config: schema defaults, then the config file, then command-line flags.
 * Errors name where the bad value came from (the file and key, or the flag) and what was expected.
 */
export function resolveTrainConfig(options: { configFile?: string; flags?: FlagValues; notes?: string[] }): TrainConfig {
  const file = options.configFile !== undefined ? locateConfigFile(nonEmptyPath('--config', options.configFile)) : undefined;
  // A `sweep:` section belongs to `ls-bench sweep` (which validates it); one file serves both commands.
  const { sweep: sweepSection, ...fromFile } = file !== undefined ? readConfigFile(file) : {};
  if (sweepSection !== undefined) {
    options.notes?.push(`${file}: its sweep: section is for \`ls-bench sweep\` (a grid over seeds and ε); train reads the rest of the file and trains one run`);
  }
  const flags = options.flags ?? {};
  const merged = { ...fromFile, ...flags };
  const result = TrainConfigSchema.safeParse(merged);
  if (!result.success) throw new CliError(describeIssue(result.error.issues[0]!, merged, flags, file));
  checkOneModel(result.data, fromFile, flags, file);
  return result.data;
}

const MLP_SHORT_FORM = ['hidden', 'activation', 'dropout'] as const;

/**
 * `model.layers` and the MLP short form (hidden, activation, dropout) both describe the model: given
 * together, one would be silently ignored. A short-form flag next to a layer list is refused; in a file,
 * a short-form key with its default value is allowed, because a resolved config (a sweep cell's, a run's
 * config.json) writes every key out.
 */
function checkOneModel(config: TrainConfig, fromFile: Record<string, unknown>, flags: FlagValues, configFile?: string): void {
  if (!config.model) return;
  const defaults = TrainConfigSchema.parse({});
  const modelFrom = 'model' in flags ? '--model' : `model in ${configFile ?? 'the config'}`;
  for (const key of MLP_SHORT_FORM) {
    const fromFlag = key in flags;
    if (!fromFlag && (!(key in fromFile) || JSON.stringify(config[key]) === JSON.stringify(defaults[key]))) continue;
    const where = fromFlag ? `--${kebabCase(key)}` : `${configFile ?? 'config'}: key "${key}"`;
    throw new CliError(`${where}: the model is given as a layer list (${modelFrom}); hidden, activation and dropout are the short form of an MLP, so put the layers you want in model.layers instead`);
  }
}

/** A path as a user would write it: model.layers[2].conv. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/** "did you mean": the known key that differs only in case, dashes or underscores, or a known alias. */
function suggestion(key: string, known: string[]): string | undefined {
  const plain = key.toLowerCase().replace(/[-_]/g, '');
  return known.find((n) => n.toLowerCase() === plain) ?? (known.includes(LAYER_KEY_ALIASES[plain] ?? '') ? LAYER_KEY_ALIASES[plain] : undefined);
}

export function describeIssue(issue: z.core.$ZodIssue, input: Record<string, unknown>, flags: FlagValues, configFile?: string): string {
  const key = String(issue.path[0] ?? '');
  const fromFlag = key in flags;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    const nested = issue.path.length > 0;
    const where = nested ? `${fromFlag ? `--${kebabCase(key)}` : configFile ?? 'config'}: ${formatPath(issue.path)}` : configFile ?? 'config';
    const known = (nested ? modelKeysAt(issue.path) : undefined) ?? Object.keys(TrainConfigSchema.shape);
    const hints = keys.map((k) => {
      const close = suggestion(k, known);
      return close ? `"${k}" (did you mean "${close}"?)` : `"${k}"`;
    });
    return `${where}: unknown key${keys.length > 1 ? 's' : ''} ${hints.join(', ')}; expected one of: ${known.join(', ')}`;
  }
  const path = formatPath(issue.path);
  // A flag is shown whole (--epsilon 0.1,1.5), except a nested one (--model), where the path inside it says more.
  const nestedFlag = fromFlag && issue.path.length > 1 && typeof flags[key] === 'object' && !Array.isArray(flags[key]);
  const where = fromFlag ? `--${kebabCase(key)}${nestedFlag ? `: ${path}` : ''}` : `${configFile ?? 'config'}: key "${path}"`;
  const got = fromFlag && !nestedFlag ? flags[key] : valueAt(fromFlag ? flags : input, issue.path);
  return `${where}: ${expectation(issue)}, got ${showValue(got)}`;
}

export function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected === 'int' ? 'an integer' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `expected at least ${issue.minimum} value(s)`
        : `expected a value ${issue.inclusive ? '≥' : '>'} ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array' ? `expected at most ${issue.maximum} value(s)` : `expected a value ${issue.inclusive ? '≤' : '<'} ${issue.maximum}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'custom':
      return issue.message;
    default:
      return issue.message.replace(/^Invalid input: /, '');
  }
}
