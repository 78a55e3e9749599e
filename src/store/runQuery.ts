import { CliError } from '../errors';
import { TrainConfigSchema } from '../config/schema';
import { canonicalJson } from './canonicalJson';
import type { SweepCellRef } from './runFiles';
import { idTime } from './runNames';
import type { RunRecord } from './runReader';
import { LISTED_STATUSES, type ListedStatus } from './runStatus';

/** Filters of `ls-bench runs`. */
export interface RunFilter {
  dataset?: string;
  statuses?: ListedStatus[];
  /** Only runs created at or after this time (ms since the epoch). */
  since?: number;
  tag?: string;
  limit?: number;
}

const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * --since: a duration back from `now` (30m, 2h, 7d, 1w) or a date/time (2026-11-25, 2026-11-25T14:00Z;
 * a date without a time is midnight UTC). Returns ms since the epoch.
 */
export function parseSince(text: string, now: number = Date.now()): number {
  const t = text.trim();
  const duration = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(t);
  if (duration) return now - Number(duration[1]) * DURATION_UNITS[duration[2]!.toLowerCase()]!;
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) {
    const withZone = /^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : t;
    const ms = Date.parse(withZone);
    if (Number.isFinite(ms)) return ms;
  }
  throw new CliError(`--since "${text}": expected a duration (30m, 2h, 7d, 1w) or a date (2026-11-25, 2026-11-25T14:00Z)`);
}

export function parseStatuses(text: string): ListedStatus[] {
  const statuses = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const s of statuses) {
    if (!(LISTED_STATUSES as readonly string[]).includes(s)) throw new CliError(`--status "${s}": expected one of ${LISTED_STATUSES.join(', ')}`);
  }
  return statuses as ListedStatus[];
}

export function parseLimit(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new CliError(`--limit "${text}": expected a whole number ≥ 1`);
  return Number(text);
}

/** When a run was created: run.json's createdAt, else the time in its id (ids are UTC timestamps). */
export function runCreatedAt(record: Pick<RunRecord, 'id' | 'meta'>): number {
  const fromMeta = record.meta ? Date.parse(record.meta.createdAt) : NaN;
  return Number.isFinite(fromMeta) ? fromMeta : idTime(record.id);
}

/** The identity of a run as every --json output starts it: id, name, tags, status and creation time. */
export function runIdentityJson(r: RunRecord) {
  return {
    id: r.id,
    name: r.meta?.name ?? null,
    tags: r.meta?.tags ?? [],
    status: r.status,
    statusNote: r.statusNote,
    createdAt: new Date(runCreatedAt(r)).toISOString(),
  };
}

export function runDataset(record: RunRecord): string | null {
  return record.summary?.dataset.name ?? record.config?.dataset ?? null;
}

/** Runs newest first in, the matching ones out (still newest first), at most `limit`. */
export function filterRuns(records: RunRecord[], filter: RunFilter): RunRecord[] {
  const matching = records.filter(
    (r) =>
      (filter.dataset === undefined || runDataset(r) === filter.dataset) &&
      (filter.statuses === undefined || filter.statuses.length === 0 || filter.statuses.includes(r.status)) &&
      (filter.since === undefined || runCreatedAt(r) >= filter.since) &&
      (filter.tag === undefined || (r.meta?.tags ?? []).includes(filter.tag)),
  );
  return filter.limit === undefined ? matching : matching.slice(0, filter.limit);
}

/** Wall time of a run: the trainer's own measure when it completed, else start to last update (or now, if running). */
export function runSeconds(record: RunRecord, now: number = Date.now()): number | null {
  if (record.summary) return record.summary.seconds;
  const s = record.statusFile;
  if (!s) return null;
  const start = Date.parse(s.startedAt);
  const end = record.status === 'running' ? now : Date.parse(s.endedAt ?? s.updatedAt);
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, (end - start) / 1000) : null;
}

/** A sweep's id: `sweep-` and 12 hex digits. */
const SWEEP_ID = /^sweep-[0-9a-f]{12}$/;

/**
 * The sweep cell a run is: run.json's `sweep`, or, for runs written before that was recorded, the sweep's
 * tag with a name that starts with it (`<sweep id>-<cell>`, the sweep's workers' naming); null otherwise.
 */
export function sweepRefOf(record: Pick<RunRecord, 'meta'>): (Omit<SweepCellRef, 'dir'> & { dir: string | null }) | null {
  const meta = record.meta;
  if (!meta) return null;
  if (meta.sweep) return meta.sweep;
  const tag = meta.tags.find((t) => SWEEP_ID.test(t) && meta.name?.startsWith(`${t}-`));
  return tag ? { id: tag, cell: meta.name!.slice(tag.length + 1), dir: null } : null;
}

/** Options with columns of their own in `runs` (data set, ε and smoothing, epochs): never repeated as differing options. */
const SHOWN_OPTIONS = new Set(['dataset', 'epsilon', 'smoothing', 'epochs']);

/**
 * The config keys whose values differ between these runs (as `dvc exp show --only-changed`), in the
 * schema's order: the columns that tell the listed runs apart. A key a run lacks counts as a value.
 */
export function differingOptions(records: RunRecord[]): string[] {
  const configs = records.map((r) => r.summary?.config ?? r.config).filter((c): c is NonNullable<typeof c> => c !== null);
  const schemaOrder = Object.keys(TrainConfigSchema.shape);
  const rank = (k: string) => (schemaOrder.includes(k) ? schemaOrder.indexOf(k) : schemaOrder.length);
  const keys = [...new Set(configs.flatMap((c) => Object.keys(c)))].filter((k) => !SHOWN_OPTIONS.has(k)).sort((x, y) => rank(x) - rank(y));
  return keys.filter((k) => new Set(configs.map((c) => canonicalJson((c as Record<string, unknown>)[k]) ?? 'undefined')).size > 1);
}

/** A run's value of a config key, for its column (undefined when the run has no readable config). */
export function runOption(record: RunRecord, key: string): unknown {
  const config = record.summary?.config ?? record.config;
  return config ? (config as Record<string, unknown>)[key] : undefined;
}
