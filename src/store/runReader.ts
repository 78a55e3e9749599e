import { existsSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { CliError } from '../errors';
import { FileTooLarge, formatBytes, NotARegularFile, readRegularFile } from '../data/boundedRead';
import { TrainConfigSchema, type TrainConfig } from '../config/schema';
import {
  EnvironmentInfoSchema,
  HistogramsFileSchema,
  MetricsRowSchema,
  RUN_FILES,
  RunMetaSchema,
  RunStatusFileSchema,
  RunSummarySchema,
  SCHEMA_VERSION,
  type EnvironmentInfo,
  type HistogramsFile,
  type MetricsRow,
  type RunMeta,
  type RunStatusFile,
  type RunSummary,
} from './runFiles';
import { fileSystemReason } from './fileSystemError';
import { listedStatus, type ListedStatus } from './runStatus';
import { readLock, type LockState } from './processLock';
import { describeIssue, schemaProblem } from './schemaIssue';

// Reading run directories. Every file is parsed defensively: a truncated or hand-edited file becomes a
// problem that names the file, never an exception that stops a listing.

export interface RunProblem {
  /** The file (name inside the run directory) that is missing or broken. */
  file: string;
  message: string;
}

export interface RunRecord {
  id: string;
  dir: string;
  /**
   * running (its process is alive), completed, failed, interrupted, died (status.json says running but its
   * process is gone: killed, crashed, power loss), unknown (running on another host: cannot be checked
   * from here), corrupt (a file missing or unreadable), unsupported (written by a newer ls-bench).
   */
  status: ListedStatus;
  /** Why `status` says what it says when it is not simply status.json's word. */
  statusNote: string | null;
  meta: RunMeta | null;
  config: TrainConfig | null;
  environment: EnvironmentInfo | null;
  statusFile: RunStatusFile | null;
  summary: RunSummary | null;
  histograms: HistogramsFile | null;
  /** The per-epoch rows of metrics.jsonl (empty unless read with metrics: true). */
  metrics: MetricsRow[];
  problems: RunProblem[];
}

export interface ReadOptions {
  /** Read metrics.jsonl too (default true). */
  metrics?: boolean;
}

class NewerSchema extends Error {}
class BrokenFile extends Error {}

/** Checks a parsed value against a schema; returns the value itself (fields the schema does not name are kept). */
function checked<T>(schema: z.ZodType, value: unknown): T {
  const problem = schemaProblem(schema, value);
  if (problem !== null) throw new BrokenFile(problem);
  return value as T;
}

/**
 * The most ls-bench reads of one run file. Run files are bounded by what training writes (the largest,
 * summary.json, grows with arms × epochs and is far smaller than this); anything larger was not written
 * by ls-bench and would only exhaust memory.
 */
export const MAX_RUN_FILE_BYTES = 512 * 1024 * 1024;

/** Why a run file cannot be read, in the words of a problem: missing, not a regular file, too large, or the system's reason. */
export function unreadableReason(error: unknown): string {
  if (error instanceof NotARegularFile) return `${error.kind}, not a regular file; replaced by hand?`;
  if (error instanceof FileTooLarge) return `larger than ${formatBytes(error.limit)}; not a file ls-bench wrote`;
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'missing' : `cannot read (${code ? fileSystemReason(error) : (error as Error).message})`;
}

function readText(dir: string, file: string): string {
  try {
    return readRegularFile(path.join(dir, file), MAX_RUN_FILE_BYTES).toString('utf8');
  } catch (error) {
    throw new BrokenFile(unreadableReason(error));
  }
}

/** Reads a run file as JSON, checking its schemaVersion if it has one. */
function readRunJson(dir: string, file: string, versioned: boolean): unknown {
  const text = readText(dir, file);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BrokenFile(`${text.trim() === '' ? 'empty' : 'not valid JSON'} (${(error as Error).message}); truncated or edited by hand?`);
  }
  if (versioned) {
    const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
    if (typeof version === 'number' && version > SCHEMA_VERSION) {
      throw new NewerSchema(`schemaVersion ${version} is newer than this ls-bench reads (${SCHEMA_VERSION}); upgrade ls-bench to read this run`);
    }
    if (version !== SCHEMA_VERSION) throw new BrokenFile(`schemaVersion: expected ${SCHEMA_VERSION}, got ${JSON.stringify(version)}`);
  }
  return value;
}

function parseRunFile<T>(dir: string, file: string, schema: z.ZodType, versioned: boolean): T {
  return checked<T>(schema, readRunJson(dir, file, versioned));
}

/** config.json is checked against the config schema itself: the run's config must be one this ls-bench can train. */
function parseConfigFile(dir: string): TrainConfig {
  const parsed = TrainConfigSchema.safeParse(readRunJson(dir, RUN_FILES.config, false), { reportInput: true });
  if (!parsed.success) throw new BrokenFile(describeIssue(parsed.error.issues[0]!));
  return parsed.data;
}

/** A damaged line of metrics.jsonl: its 1-based number and what is wrong with it. */
export interface MetricsLineProblem {
  line: number;
  message: string;
}

/**
 * The one parser of metrics.jsonl. Appends are not atomic, so a crash can leave one partial last line:
 * an unterminated last line that does not parse is skipped. Any other bad line is a problem.
 */
export function parseMetricsJsonl(text: string): { rows: MetricsRow[]; problem: MetricsLineProblem | null } {
  const lines = text.split('\n');
  const rows: MetricsRow[] = [];
  // One row per epoch and arm: a repeated one is damage (two processes once appended to one run).
  const seen = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let value: unknown;
    let problem: string | null;
    try {
      value = JSON.parse(line);
      problem = schemaProblem(MetricsRowSchema, value);
    } catch {
      problem = 'not valid JSON';
    }
    if (problem === null) {
      const row = value as MetricsRow;
      const key = `${row.epoch}\u0000${row.arm}`;
      const first = seen.get(key);
      if (first !== undefined) return { rows, problem: { line: i + 1, message: `epoch ${row.epoch} of arm "${row.arm}" again (first on line ${first})` } };
      seen.set(key, i + 1);
      rows.push(row);
    } else if (i < lines.length - 1) return { rows, problem: { line: i + 1, message: problem } };
  }
  return { rows, problem: null };
}

/** metrics.jsonl of a run that is being continued: a damaged line is the user's to repair (exit 2, naming the file and line). */
export function readMetricsFile(file: string): MetricsRow[] {
  let text: string;
  try {
    text = readRegularFile(file, MAX_RUN_FILE_BYTES).toString('utf8');
  } catch (error) {
    throw new CliError(`${file}: cannot read the metrics (${unreadableReason(error)})`);
  }
  const { rows, problem } = parseMetricsJsonl(text);
  if (problem) throw new CliError(`${file}: line ${problem.line}: ${problem.message}; repair or remove that line to continue the run`);
  return rows;
}

function readMetricsRows(dir: string): MetricsRow[] {
  const { rows, problem } = parseMetricsJsonl(readText(dir, RUN_FILES.metricsJsonl));
  if (problem) throw new BrokenFile(`line ${problem.line}: ${problem.message}`);
  return rows;
}

/** run.json when it is readable, else null: for listing and resolving, where a broken run must not stop the others. */
export function readMetaLeniently(dir: string): RunMeta | null {
  try {
    return parseRunFile<RunMeta>(dir, RUN_FILES.meta, RunMetaSchema, true);
  } catch {
    return null;
  }
}

/** Collects each file's problem instead of throwing it; remembers whether any file came from a newer ls-bench. */
class ProblemLog {
  readonly problems: RunProblem[] = [];
  newer = false;

  attempt<T>(file: string, read: () => T): T | null {
    try {
      return read();
    } catch (error) {
      if (error instanceof NewerSchema) this.newer = true;
      else if (!(error instanceof BrokenFile)) throw error;
      this.problems.push({ file, message: (error as Error).message });
      return null;
    }
  }
}

/** Reads one run directory. Never throws for a broken run: its problems are in the record. */
export function readRunDirectory(id: string, dir: string, options: ReadOptions = {}): RunRecord {
  const log = new ProblemLog();
  const meta = log.attempt(RUN_FILES.meta, () => parseRunFile<RunMeta>(dir, RUN_FILES.meta, RunMetaSchema, true));
  if (meta && meta.id !== id) log.problems.push({ file: RUN_FILES.meta, message: `"id": says ${meta.id}, but the directory is ${id}` });
  const statusFile = log.attempt(RUN_FILES.status, () => parseRunFile<RunStatusFile>(dir, RUN_FILES.status, RunStatusFileSchema, true));
  const config = log.attempt(RUN_FILES.config, () => parseConfigFile(dir));
  const environment = log.attempt(RUN_FILES.environment, () => parseRunFile<EnvironmentInfo>(dir, RUN_FILES.environment, EnvironmentInfoSchema, false));
  const metrics = options.metrics === false ? [] : (log.attempt(RUN_FILES.metricsJsonl, () => readMetricsRows(dir)) ?? []);
  let summary: RunSummary | null = null;
  let histograms: HistogramsFile | null = null;
  // A completed run must have its results; results without a completed status are leftovers of a crash between writes.
  if (statusFile?.status === 'completed') {
    summary = log.attempt(RUN_FILES.summary, () => parseRunFile<RunSummary>(dir, RUN_FILES.summary, RunSummarySchema, true));
    histograms = log.attempt(RUN_FILES.histograms, () => parseRunFile<HistogramsFile>(dir, RUN_FILES.histograms, HistogramsFileSchema, true));
    // The two files must describe the same arms: every view looks each arm of the summary up in the histograms.
    const missing = summary?.arms.find((a) => !histograms?.arms.some((h) => h.label === a.label));
    if (missing && histograms) log.problems.push({ file: RUN_FILES.histograms, message: `no entry for arm "${missing.label}" of ${RUN_FILES.summary}` });
    if (!existsSync(path.join(dir, RUN_FILES.predictions))) log.problems.push({ file: RUN_FILES.predictions, message: 'missing' });
  }
  const { status, statusNote } = listedStatus(statusFile, log.problems, log.newer, statusFile?.status === 'running' ? runLock(dir) : null);
  return { id, dir, status, statusNote, meta, config, environment, statusFile, summary, histograms, metrics, problems: log.problems };
}

/** The run's lock, if one is there; an unreadable one counts as absent (status.json's own pid is then checked). */
function runLock(dir: string): LockState | null {
  try {
    const state = readLock(path.join(dir, RUN_FILES.lock));
    return state.kind === 'free' ? null : state;
  } catch {
    return null;
  }
}

/**
 * Reads a run directory for a command that needs its contents (show, compare, report, --resume): a
 * run whose files are broken or from a newer format is an error naming the run and the file.
 */
export function readValidRunDirectory(dir: string, options: ReadOptions = {}): RunRecord {
  const record = readRunDirectory(path.basename(dir), dir, options);
  if (record.status === 'corrupt' || record.status === 'unsupported') {
    const p = record.problems[0]!;
    throw new CliError(`run ${record.id}: ${p.file}: ${p.message}`, 2);
  }
  return record;
}
