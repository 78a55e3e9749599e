import type { z } from 'zod';
import { CliError } from '../errors';
import { expectation } from '../config/loadConfig';
import { TrainConfigSchema, type TrainConfig } from '../config/schema';
import { kebabCase, parseFlagText, schemaOptions, type SchemaOption } from '../config/schemaOptions';
import { canonicalJson, CELL_KEYS, formatGridValue, gridPoints, pointLabel, type GridAxis, type GridValue, type SweepGrid } from './grid';

/**
 * The axes of a sweep's grid: training options and their values, from `--grid key=values` flags and the
 * config file's `sweep.grid` mapping. Every value is validated by the training schema's own field for that
 * key (so the grid accepts exactly what `train` accepts), and every grid point's whole config by the whole
 * schema; each message names the flag or the file and key, and the value.
 */

/** A grid may have at most this many cells (each is one training process). */
export const MAX_CELLS = 10_000;
const MAX_AXIS_VALUES = 1000;

/** An axis as given, before its values are checked. */
export interface RawAxis {
  key: string;
  values: unknown[];
  /** Where it came from, for messages: "--grid learningRate" or `file: key "sweep.grid.learningRate"`. */
  source: string;
  /** Where value i came from (a file names its index). */
  valueSource(index: number): string;
}

function trainOptions(): SchemaOption[] {
  return schemaOptions(TrainConfigSchema);
}

const WHY_NOT_AN_AXIS: Record<(typeof CELL_KEYS)[number], string> = {
  seed: 'the seeds are the replicates of every grid point (--seeds)',
  epsilon: 'ε gives the arms of every cell (--epsilon)',
  smoothing: 'the smoothing variants have their own flag (--smoothing)',
};

/** The training key a grid names: camelCase as in config files, or the flag's kebab-case (learning-rate). */
export function gridKey(name: string, source: string): string {
  const options = trainOptions();
  const option = options.find((o) => o.key === name || o.flag === `--${name}`);
  if (!option) {
    const close = options.find((o) => o.key.toLowerCase() === name.toLowerCase().replace(/[-_]/g, ''));
    throw new CliError(`${source}: "${name}" is not a training option${close ? ` (did you mean "${close.key}"?)` : ''}; expected one of: ${options.filter((o) => !(CELL_KEYS as readonly string[]).includes(o.key)).map((o) => o.key).join(', ')}`);
  }
  if ((CELL_KEYS as readonly string[]).includes(option.key)) {
    throw new CliError(`${source}: ${option.key} cannot be a grid axis: ${WHY_NOT_AN_AXIS[option.key as (typeof CELL_KEYS)[number]]}`);
  }
  return option.key;
}

/** Kinds whose value text never holds a comma of its own: their values may be separated by commas. */
const SCALAR_KINDS: readonly string[] = ['number', 'string', 'enum', 'boolean'];

/**
 * `--grid key=v1,v2`: values separated by commas, or by semicolons when the text has any. A list option
 * (hidden, ignoreColumns) or a nested one always separates its values by semicolons, and a list value's
 * elements by commas: `hidden=64;256,128` is the two values [64] and [256, 128].
 */
export function parseGridFlag(text: string): RawAxis {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    throw new CliError(`--grid "${text}": expected key=value,value,… (e.g. learningRate=0.001,0.003, or hidden=64;256,128 for a list option)`);
  }
  const name = text.slice(0, eq).trim();
  const key = gridKey(name, `--grid ${name}`);
  const option = trainOptions().find((o) => o.key === key)!;
  const body = text.slice(eq + 1);
  const parts = !SCALAR_KINDS.includes(option.kind) || body.includes(';') ? body.split(';') : body.split(',');
  const values = parts.map((part) => {
    const parsed = parseFlagText(option, part.trim());
    if ('error' in parsed) throw new CliError(`--grid ${key}: ${parsed.error}`);
    return parsed.value;
  });
  return { key, values, source: `--grid ${key}`, valueSource: () => `--grid ${key}` };
}

/** The file's `sweep.grid` mapping (already a mapping of lists, by SweepSectionSchema). */
export function fileAxes(grid: Record<string, unknown[]> | undefined, file: string | undefined): RawAxis[] {
  const where = file ?? 'config';
  return Object.entries(grid ?? {}).map(([name, values]) => {
    const key = gridKey(name, `${where}: key "sweep.grid.${name}"`);
    return { key, values, source: `${where}: key "sweep.grid.${name}"`, valueSource: (i: number) => `${where}: key "sweep.grid.${name}.${i}"` };
  });
}

function fieldSchema(key: string): z.ZodType {
  return (TrainConfigSchema.shape as Record<string, z.ZodType>)[key]!;
}

/** One axis checked: each value by the training schema's field (normalised as train reads it), distinct, not too many. */
export function checkAxis(raw: RawAxis): GridAxis {
  if (raw.values.length === 0) throw new CliError(`${raw.source}: expected at least one value`);
  if (raw.values.length > MAX_AXIS_VALUES) throw new CliError(`${raw.source}: ${raw.values.length} values; expected at most ${MAX_AXIS_VALUES}`);
  const seen = new Set<string>();
  const values = raw.values.map((value, i) => {
    const parsed = fieldSchema(raw.key).safeParse(value);
    if (!parsed.success) throw new CliError(`${raw.valueSource(i)}: ${expectation(parsed.error.issues[0]!)}, got ${JSON.stringify(value)}`);
    const v = parsed.data as GridValue;
    const text = canonicalJson(v);
    if (seen.has(text)) throw new CliError(`${raw.source}: ${formatGridValue(v)} is repeated`);
    seen.add(text);
    return v;
  });
  return { key: raw.key, values };
}

/**
 * The grid's axes: the file's, with a `--grid` flag replacing the file's axis of the same key (flags
 * override the file), then the flags' other keys in the order given. A key given twice on the command line
 * is an error; so is a training flag for a key the flags also sweep (`--learning-rate` with `--grid
 * learningRate=…`), while a training flag for a key only the file sweeps pins it (the file's axis is dropped).
 */
export function mergeAxes(fromFile: RawAxis[], fromFlags: RawAxis[], trainFlags: Record<string, unknown>): GridAxis[] {
  const flagKeys = new Set<string>();
  for (const axis of fromFlags) {
    if (flagKeys.has(axis.key)) throw new CliError(`--grid ${axis.key}: given twice; give all its values in one --grid`);
    flagKeys.add(axis.key);
    if (axis.key in trainFlags) throw new CliError(`--${kebabCase(axis.key)} and --grid ${axis.key} both set ${axis.key}; drop one (the grid gives each cell its value)`);
  }
  const merged = [...fromFile.filter((a) => !flagKeys.has(a.key) && !(a.key in trainFlags)), ...fromFlags];
  return merged.map(checkAxis);
}

/**
 * Every grid point's whole training config, checked by the whole schema (the refinements that tie keys
 * together, such as samples × features, included), and the grid's size. Returns the checked configs.
 */
export function checkGridPoints(grid: SweepGrid, base: Record<string, unknown>): TrainConfig[] {
  const points = gridPoints(grid);
  const cells = points.length * grid.seeds.length * grid.smoothing.length;
  if (cells > MAX_CELLS) {
    throw new CliError(`the grid has ${cells} cells (${points.length} grid point(s) × ${grid.seeds.length} seed(s) × ${grid.smoothing.length} variant(s)); expected at most ${MAX_CELLS}`);
  }
  return points.map((point) => {
    const parsed = TrainConfigSchema.safeParse({ ...base, ...point.values });
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    throw new CliError(`grid point ${point.id} (${pointLabel(point)}): key "${issue.path.join('.')}": ${expectation(issue)}`);
  });
}
