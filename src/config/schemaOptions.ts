import YAML from 'yaml';
import type { z } from 'zod';

/**
 * Reads a flat zod object schema as a list of command-line options, so that flags, their help text and
 * their defaults come from the schema and nowhere else.
 */
export type OptionKind = 'number' | 'string' | 'enum' | 'number-list' | 'string-list' | 'boolean' | 'yaml';

export interface SchemaOption {
  key: string;
  flag: string;
  kind: OptionKind;
  description: string;
  defaultValue: unknown;
  choices?: readonly string[];
}

type AnyDef = { type: string; innerType?: z.ZodType; out?: z.ZodType; in?: z.ZodType; element?: z.ZodType; options?: z.ZodType[]; entries?: Record<string, string>; defaultValue?: unknown };

function defOf(schema: z.ZodType): AnyDef {
  return (schema as unknown as { def: AnyDef }).def;
}

/** Strips default/optional/pipe wrappers, keeping the first default found. */
function unwrap(schema: z.ZodType): { core: z.ZodType; defaultValue: unknown } {
  let current = schema;
  let defaultValue: unknown;
  for (;;) {
    const def = defOf(current);
    if (def.type === 'default' || def.type === 'prefault') {
      if (defaultValue === undefined) defaultValue = typeof def.defaultValue === 'function' ? (def.defaultValue as () => unknown)() : def.defaultValue;
      current = def.innerType!;
    } else if (def.type === 'optional' || def.type === 'nullable' || def.type === 'readonly') {
      current = def.innerType!;
    } else if (def.type === 'pipe') {
      // preprocess(fn, schema) is a pipe from a transform into the schema that validates
      current = defOf(def.in!).type === 'transform' ? def.out! : def.in!;
    } else {
      return { core: current, defaultValue };
    }
  }
}

function kindOf(core: z.ZodType): { kind: OptionKind; choices?: readonly string[] } {
  const def = defOf(core);
  switch (def.type) {
    case 'number':
      return { kind: 'number' };
    case 'string':
      return { kind: 'string' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'object':
      // A nested option (model: its layer list) is a mapping on the command line too, written as inline YAML or JSON.
      return { kind: 'yaml' };
    case 'enum':
      return { kind: 'enum', choices: Object.values(def.entries!) };
    case 'array': {
      const element = kindOf(unwrap(def.element!).core);
      return { kind: element.kind === 'number' ? 'number-list' : 'string-list' };
    }
    case 'union':
      // A union that admits a string (sweep.seeds: "0-4", 3 or [0, 1]) takes the flag's text as it is;
      // the schema accepts it and the command parses it.
      if ((def.options ?? []).some((o) => defOf(unwrap(o).core).type === 'string')) return { kind: 'string' };
      throw new Error('schemaOptions: unsupported zod union without a string member');
    default:
      throw new Error(`schemaOptions: unsupported zod type ${def.type}`);
  }
}

export function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function schemaOptions(schema: z.ZodObject): SchemaOption[] {
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, field]) => {
    const { core, defaultValue } = unwrap(field);
    return {
      key,
      flag: `--${kebabCase(key)}`,
      ...kindOf(core),
      description: field.description ?? unwrap(field).core.description ?? '',
      defaultValue,
    };
  });
}

/**
 * Turns a flag's text into the value the schema expects; range checks stay with the schema.
 * Returns an error message (naming nothing: the caller names the flag) for text that is not of the kind.
 */
export function parseFlagText(option: SchemaOption, text: string): { value: unknown } | { error: string } {
  const parseNumber = (s: string): number | undefined => {
    const t = s.trim();
    if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return undefined;
    return Number(t);
  };
  switch (option.kind) {
    case 'number': {
      const n = parseNumber(text);
      return n === undefined ? { error: `expected a number, got "${text}"` } : { value: n };
    }
    case 'number-list': {
      if (text.trim() === '') return { value: [] };
      const parts = text.split(',');
      const values: number[] = [];
      for (const p of parts) {
        const n = parseNumber(p);
        if (n === undefined) return { error: `expected a comma-separated list of numbers, got "${text}" ("${p.trim()}" is not a number)` };
        values.push(n);
      }
      return { value: values };
    }
    case 'string-list':
      return { value: text.split(',').map((s) => s.trim()).filter((s) => s.length > 0) };
    case 'yaml': {
      let value: unknown;
      try {
        value = YAML.parse(text, { maxAliasCount: 50 });
      } catch (error) {
        return { error: `expected a mapping in YAML or JSON (${(error as Error).message.split('\n')[0]})` };
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: `expected a mapping in YAML or JSON, e.g. '{layers: [{dense: 64}]}', got "${text}"` };
      return { value };
    }
    case 'boolean': {
      // Anything but a clear yes or no is an error: "--header of" must not quietly mean false.
      const t = text.trim().toLowerCase();
      if (['true', 'yes', 'on', '1', ''].includes(t)) return { value: true };
      if (['false', 'no', 'off', '0'].includes(t)) return { value: false };
      return { error: `expected true or false, got "${text}"` };
    }
    default:
      return { value: text };
  }
}
