import { Option, type Command } from 'commander';
import type { FlagValues } from '../config/loadConfig';
import { parseFlagText, type SchemaOption } from '../config/schemaOptions';
import { CliError } from '../errors';

/**
 * The values a schema flag takes, for shell completion. Not commander's own choices: the schema checks
 * them, so that a wrong value reads like every other mistake (naming the flag and what was expected).
 */
export const FLAG_CHOICES = new WeakMap<Option, readonly string[]>();

/** Adds one flag per key of a schema, with its help text and default from the schema. */
export function addSchemaFlags(command: Command, options: SchemaOption[]): void {
  for (const o of options) {
    const choices = o.choices ? ` (one of: ${o.choices.join(', ')})` : '';
    const shown = o.defaultValue === undefined ? '' : ` [default: ${Array.isArray(o.defaultValue) ? o.defaultValue.join(',') : String(o.defaultValue)}]`;
    const valueName = o.kind === 'number-list' ? 'list' : o.kind === 'number' ? 'number' : o.kind === 'yaml' ? 'yaml' : 'value';
    const option = new Option(`${o.flag} <${valueName}>`, `${o.description}${choices}${shown}`);
    if (o.choices) FLAG_CHOICES.set(option, o.choices);
    else if (o.kind === 'boolean') FLAG_CHOICES.set(option, ['true', 'false']);
    command.addOption(option);
  }
}

/** Converts the flags the user actually gave (not schema defaults) into the schema's kinds. */
export function collectFlags(parsed: Record<string, unknown>, options: SchemaOption[]): FlagValues {
  const flags: FlagValues = {};
  for (const o of options) {
    const text = parsed[o.key];
    if (text === undefined) continue;
    const result = parseFlagText(o, String(text));
    if ('error' in result) throw new CliError(`${o.flag}: ${result.error}`);
    flags[o.key] = result.value;
  }
  return flags;
}
