import { CliError } from '../errors';
import { TrainConfigSchema } from '../config/schema';
import { canonicalJson } from './canonicalJson';
import type { RunRecord } from './runReader';
import { runCreatedAt, runDataset, runOption, runSeconds } from './runQuery';

/**
 * `runs --sort KEY[:asc|:desc]`: by a column of the list or any training option. Ascending unless `:desc`;
 * runs without a value (no summary yet, no such option) come last either way; equal values keep the
 * list's order (newest first).
 */
export interface RunSort {
  key: string;
  descending: boolean;
}

/** The list's own columns; any training option (learningRate, seed, …) is a key too. */
export const RUN_SORT_KEYS = ['created', 'id', 'name', 'status', 'dataset', 'epochs', 'duration', 'hard.accuracy', 'hard.ece', 'smoothed.accuracy', 'smoothed.ece'] as const;

export function parseSort(text: string): RunSort {
  const m = /^\s*([A-Za-z][A-Za-z0-9.]*)\s*(?::\s*(asc|desc))?\s*$/.exec(text);
  const options = Object.keys(TrainConfigSchema.shape);
  if (!m || !((RUN_SORT_KEYS as readonly string[]).includes(m[1]!) || options.includes(m[1]!))) {
    throw new CliError(`--sort "${text}": expected KEY or KEY:desc, where KEY is one of ${RUN_SORT_KEYS.join(', ')} or a training option (${options.join(', ')})`);
  }
  return { key: m[1]!, descending: m[2] === 'desc' };
}

/** A comparable value: numbers as numbers, everything else as its canonical JSON text; undefined when absent. */
export type SortValue = number | string | undefined;

function comparable(value: unknown): SortValue {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' ? value : typeof value === 'string' ? value : canonicalJson(value);
}

/** A run's value of a sort key. */
export function runSortValue(record: RunRecord, key: string, now = Date.now()): SortValue {
  const arm = (smoothed: boolean) => record.summary?.arms.find((a) => (smoothed ? a.epsilon > 0 : a.epsilon === 0));
  switch (key) {
    case 'created':
      return runCreatedAt(record);
    case 'id':
      return record.id;
    case 'name':
      return record.meta?.name ?? undefined;
    case 'status':
      return record.status;
    case 'dataset':
      return runDataset(record) ?? undefined;
    case 'duration':
      return runSeconds(record, now) ?? undefined;
    case 'hard.accuracy':
    case 'smoothed.accuracy':
      return arm(key.startsWith('smoothed'))?.test.accuracy;
    case 'hard.ece':
    case 'smoothed.ece':
      return arm(key.startsWith('smoothed'))?.test.ece;
    default:
      return comparable(runOption(record, key));
  }
}

/** Compares two values for `sort`: absent values last, numbers before text. */
export function compareSortValues(a: SortValue, b: SortValue, descending: boolean): number {
  if (a === undefined || b === undefined) return a === undefined ? (b === undefined ? 0 : 1) : -1;
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  const order = a < b ? -1 : a > b ? 1 : 0;
  return descending ? -order : order;
}

/** Sorts items by their values of the key (a stable sort: ties keep their order). */
export function sortBy<T>(items: T[], sort: RunSort, valueOf: (item: T) => SortValue): T[] {
  return items
    .map((item) => ({ item, value: valueOf(item) }))
    .sort((x, y) => compareSortValues(x.value, y.value, sort.descending))
    .map((x) => x.item);
}
