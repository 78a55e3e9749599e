import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CliError } from '../errors';
import { appendLinesDurable, writeJsonAtomic, writeFileAtomic } from './atomicFile';
import {
  METRICS_CSV_COLUMNS,
  RUN_FILES,
  RUN_STATUSES,
  SCHEMA_VERSION,
  type EnvironmentInfo,
  type HistogramsFile,
  type LabelNoiseFile,
  type MetricsRow,
  type PredictionsFile,
  type RunMeta,
  type RunStatus,
  type RunStatusFile,
  type RunSummary,
} from './runFiles';
import { TrainConfigSchema, type TrainConfig } from '../config/schema';
import type { TrainingCheckpoint } from '../train/pairedTrainer';
import { writeCheckpoint } from './checkpointFile';
import { fileSystemError } from './fileSystemError';

export const DEFAULT_RUNS_DIR = 'runs';
export const RUNS_DIR_ENV = 'LS_BENCH_RUNS_DIR';
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ID_PATTERN = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

/** The runs root: --runs-dir, else $LS_BENCH_RUNS_DIR, else ./runs. */
export function resolveRunsDir(flag?: string): string {
  return path.resolve(flag ?? process.env[RUNS_DIR_ENV] ?? DEFAULT_RUNS_DIR);
}

/** Run names and tags are plain words: they can never name a path outside the runs root. */
export function checkRunName(kind: '--name' | '--tag', value: string): void {
  if (!NAME_PATTERN.test(value) || value === '.' || value === '..' || value === 'latest') {
    throw new CliError(`${kind} "${value}": expected 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (and not "latest")`);
  }
}

/** A short id, unique and sortable by time: 20261125-142233-a1b2 (UTC). */
export function newRunId(now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

function fsError(error: unknown, what: string, target: string): CliError {
  return fileSystemError(error, what, target);
}

/** A run being written. All writes go through here; every JSON file is replaced atomically. */
export class RunWriter {
  private status: RunStatusFile;

  /** Reopens an existing run to continue it (--resume): keeps its start time, takes ownership. */
  static reopen(dir: string): RunWriter {
    const previous = readJsonFile<RunStatusFile>(path.join(dir, RUN_FILES.status));
    const writer = new RunWriter(path.basename(dir), dir, previous.startedAt);
    writer.status.completedEpochs = previous.completedEpochs;
    return writer;
  }

  constructor(
    readonly id: string,
    readonly dir: string,
    startedAt: string,
  ) {
    this.status = {
      schemaVersion: SCHEMA_VERSION,
      status: 'running',
      startedAt,
      updatedAt: startedAt,
      endedAt: null,
      completedEpochs: 0,
      message: null,
      pid: process.pid,
      host: os.hostname(),
    };
  }

  file(name: keyof typeof RUN_FILES): string {
    return path.join(this.dir, RUN_FILES[name]);
  }

  private guard(what: string, target: string, write: () => void): void {
    try {
      write();
    } catch (error) {
      throw fsError(error, what, target);
    }
  }

  writeStatus(status: RunStatus, message: string | null = null): void {
    const now = new Date().toISOString();
    this.status = { ...this.status, status, updatedAt: now, endedAt: status === 'running' ? null : now, message };
    this.guard('write the run status', this.file('status'), () => writeJsonAtomic(this.file('status'), this.status));
  }

  appendEpoch(rows: MetricsRow[]): void {
    this.guard('append metrics', this.file('metricsJsonl'), () => {
      appendLinesDurable(this.file('metricsJsonl'), rows.map((r) => JSON.stringify(r)));
      appendLinesDurable(this.file('metricsCsv'), rows.map(metricsCsvLine));
    });
    this.status.completedEpochs = Math.max(this.status.completedEpochs, ...rows.map((r) => r.epoch));
    this.writeStatus('running');
  }

  /** With --label-noise: which training samples were flipped, written before training starts. */
  writeLabelNoise(noise: LabelNoiseFile): void {
    this.guard('write the label noise', this.file('labelNoise'), () => writeFileAtomic(this.file('labelNoise'), `${JSON.stringify(noise)}\n`));
  }

  /** Writes the results, then flips the status: a summary exists only for a run that completed. */
  complete(summary: RunSummary, histograms: HistogramsFile, predictions: PredictionsFile): void {
    this.guard('write the run results', this.dir, () => {
      writeJsonAtomic(this.file('histograms'), histograms);
      writeFileAtomic(this.file('predictions'), `${JSON.stringify(predictions)}\n`);
      writeJsonAtomic(this.file('summary'), summary);
    });
    this.writeStatus('completed');
  }

  writeCheckpoint(checkpoint: TrainingCheckpoint): void {
    this.guard('write the checkpoint', this.file('checkpoint'), () => writeCheckpoint(this.file('checkpoint'), checkpoint));
  }

  /** Keeps only the metrics rows of epochs ≤ `epoch` (a crash between appending metrics and the checkpoint can leave one more). */
  truncateMetrics(epoch: number): MetricsRow[] {
    const rows = readMetricsRows(this.file('metricsJsonl')).filter((r) => r.epoch <= epoch);
    this.guard('rewrite metrics', this.dir, () => {
      writeFileAtomic(this.file('metricsJsonl'), rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
      writeFileAtomic(this.file('metricsCsv'), [METRICS_CSV_COLUMNS.join(','), ...rows.map(metricsCsvLine)].map((l) => `${l}\n`).join(''));
    });
    this.status.completedEpochs = epoch;
    return rows;
  }

  /** Best effort: marking a run failed must not hide the error that failed it. */
  end(status: 'failed' | 'interrupted', message: string): void {
    try {
      this.writeStatus(status, message);
    } catch {
      // the original error is what the user needs to see
    }
  }
}

/** The runs root. Creating, listing and reading runs all go through this class. */
export class RunStore {
  constructor(readonly root: string) {}

  /**
   * Creates a run directory with its identity, config and environment, status `running`. Called only
   * after the config and data are validated, so bad input leaves nothing behind.
   */
  create(options: { name?: string; tags?: string[]; config: TrainConfig; environment: EnvironmentInfo; command: string[]; now?: Date }): RunWriter {
    if (options.name !== undefined) checkRunName('--name', options.name);
    for (const tag of options.tags ?? []) checkRunName('--tag', tag);
    try {
      mkdirSync(this.root, { recursive: true });
    } catch (error) {
      throw fsError(error, 'create the runs directory', this.root);
    }
    let id = '';
    let dir = '';
    // mkdir without recursive fails if the directory exists: ids stay unique across processes.
    for (let attempt = 0; ; attempt++) {
      id = newRunId(options.now);
      dir = path.join(this.root, id);
      try {
        mkdirSync(dir);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 50) throw fsError(error, 'create a run directory', dir);
      }
    }
    const createdAt = (options.now ?? new Date()).toISOString();
    const writer = new RunWriter(id, dir, createdAt);
    try {
      const meta: RunMeta = { schemaVersion: SCHEMA_VERSION, id, name: options.name ?? null, tags: options.tags ?? [], createdAt, command: options.command };
      writeJsonAtomic(writer.file('meta'), meta);
      writeJsonAtomic(writer.file('config'), options.config);
      writeJsonAtomic(writer.file('environment'), options.environment);
      writeFileAtomic(writer.file('metricsCsv'), `${METRICS_CSV_COLUMNS.join(',')}\n`);
      writeFileAtomic(writer.file('metricsJsonl'), '');
      writer.writeStatus('running');
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error instanceof CliError ? error : fsError(error, 'write the new run', dir);
    }
    return writer;
  }

  /**
   * The directory of the run `ref` names: a run directory path, or whatever `resolve` takes (id,
   * `latest`, name, unique id prefix).
   */
  locate(ref: string): string {
    if (existsSync(path.join(ref, RUN_FILES.meta))) return path.resolve(ref);
    return this.dirOf(this.resolve(ref));
  }

  /**
   * Run directories under the root (names that look like run ids), newest first: by run.json's
   * createdAt (ms), which orders runs started within the same second; by the id when that is unreadable.
   */
  runIds(): string[] {
    const created = (id: string) => {
      const ms = Date.parse(readMetaLeniently(this.dirOf(id))?.createdAt ?? '');
      return Number.isFinite(ms) ? ms : idTime(id);
    };
    const ids = this.directoryIds().map((id) => ({ id, at: created(id) }));
    return ids.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((x) => x.id);
  }

  private directoryIds(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw fsError(error, 'list the runs directory', this.root);
    }
    return names
      .filter((n) => ID_PATTERN.test(n) && isDirectory(path.join(this.root, n)))
      .sort()
      .reverse();
  }

  dirOf(id: string): string {
    return path.join(this.root, id);
  }

  /** Reads one run. Never throws for a broken run directory: its problems are in the record. */
  read(id: string, options: ReadOptions = {}): RunRecord {
    return readRunDirectory(id, this.dirOf(id), options);
  }

  /** Every run, newest first; a broken directory is listed as `corrupt` or `unsupported`, never skipped. */
  list(options: ReadOptions = {}): RunRecord[] {
    return this.runIds().map((id) => this.read(id, options));
  }

  /**
   * The run that `ref` names: an id, `latest`, a run name, or a unique id prefix. Unknown and ambiguous
   * references are user errors (exit 2) that list what would have matched.
   */
  resolve(ref: string): string {
    const ids = this.runIds();
    if (ref.trim() === '') throw new CliError('run: expected an id, an id prefix, a name or "latest", got an empty string');
    if (ids.length === 0) throw new CliError(`run "${ref}": there are no runs in ${this.root}`);
    if (ids.includes(ref)) return ref;
    if (ref === 'latest') return ids[0]!;
    const named = ids.filter((id) => readMetaLeniently(this.dirOf(id))?.name === ref);
    if (named.length === 1) return named[0]!;
    if (named.length > 1) throw new CliError(`run "${ref}": ${named.length} runs have this name, name one by id: ${candidates(named)}`);
    const prefixed = ids.filter((id) => id.startsWith(ref));
    if (prefixed.length === 1) return prefixed[0]!;
    if (prefixed.length > 1) throw new CliError(`run "${ref}": ambiguous id prefix, matches ${prefixed.length} runs: ${candidates(prefixed)}`);
    throw new CliError(`run "${ref}": no run with this id, id prefix or name in ${this.root} (\`ls-bench runs\` lists them)`);
  }

  /**
   * Reads a run for `show` or `compare`: a run whose files are broken or from a newer format is an error
   * naming the run and the file.
   */
  readValid(id: string): RunRecord {
    return readValidRunDirectory(this.dirOf(id));
  }

  /** Deletes a run directory. A run whose process is alive is refused: its writer would recreate files. */
  remove(id: string): void {
    if (!ID_PATTERN.test(id)) throw new CliError(`run "${id}": not a run id`);
    const record = this.read(id, { metrics: false });
    if (record.status === 'running') {
      throw new CliError(`run ${id} is still running (pid ${record.statusFile?.pid}); stop it before removing it`);
    }
    try {
      rmSync(this.dirOf(id), { recursive: true, force: true });
    } catch (error) {
      throw fsError(error, 'remove the run', this.dirOf(id));
    }
  }
}

/** The UTC time an id was made (second precision). */
export function idTime(id: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})/.exec(id);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : 0;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function candidates(ids: string[]): string {
  const shown = ids.slice(0, 10);
  return `${shown.join(', ')}${ids.length > shown.length ? `, … (${ids.length - shown.length} more)` : ''}`;
}

// ---------------------------------------------------------------------------------------------------
// Reading run directories. Every file is parsed defensively: a truncated or hand-edited file becomes a
// problem that names the file, never an exception that stops a listing.

/** What `runs` shows: the stored status, checked against reality. */
export const LISTED_STATUSES = [...RUN_STATUSES, 'died', 'unknown', 'corrupt', 'unsupported'] as const;
export type ListedStatus = (typeof LISTED_STATUSES)[number];

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

type FieldKind = 'string' | 'number' | 'array' | 'object' | 'string|null' | 'number|null';

function checkFields(value: unknown, fields: Record<string, FieldKind>): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BrokenFile('expected a JSON object');
  const obj = value as Record<string, unknown>;
  for (const [key, kind] of Object.entries(fields)) {
    const v = obj[key];
    const ok = kind.split('|').some((k) =>
      k === 'null' ? v === null : k === 'array' ? Array.isArray(v) : k === 'object' ? typeof v === 'object' && v !== null && !Array.isArray(v) : typeof v === k,
    );
    if (!ok) throw new BrokenFile(`"${key}": expected ${kind.replace('|', ' or ')}, got ${v === undefined ? 'nothing' : JSON.stringify(v)?.slice(0, 40)}`);
  }
}

/** Parses a run file, checking its schemaVersion (if it has one) and the fields this ls-bench relies on. */
function parseRunFile<T>(dir: string, file: string, fields: Record<string, FieldKind>, versioned: boolean): T {
  let text: string;
  try {
    text = readFileSync(path.join(dir, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BrokenFile(code === 'ENOENT' ? 'missing' : `cannot read (${String(code ?? (error as Error).message)})`);
  }
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
  checkFields(value, fields);
  return value as T;
}

const META_FIELDS: Record<string, FieldKind> = { id: 'string', name: 'string|null', tags: 'array', createdAt: 'string', command: 'array' };
const STATUS_FIELDS: Record<string, FieldKind> = { status: 'string', startedAt: 'string', updatedAt: 'string', endedAt: 'string|null', completedEpochs: 'number', pid: 'number' };
const ENVIRONMENT_FIELDS: Record<string, FieldKind> = { lsBenchVersion: 'string', node: 'string', backend: 'string', backendLabel: 'string' };
const SUMMARY_FIELDS: Record<string, FieldKind> = { runId: 'string', dataset: 'object', backend: 'string', model: 'string', optimizer: 'string', config: 'object', arms: 'array', comparisons: 'array', seconds: 'number' };
const HISTOGRAM_FIELDS: Record<string, FieldKind> = { confidenceBins: 'array', arms: 'array' };
const ARM_FIELDS: Record<string, FieldKind> = { label: 'string', epsilon: 'number', smoothing: 'string', history: 'array', test: 'object' };
const ARM_TEST_FIELDS: Record<string, FieldKind> = { accuracy: 'number', nll: 'number', ece: 'number', meanConfidence: 'number', confusionMatrix: 'array', perClass: 'array', macro: 'object' };

function readMetaLeniently(dir: string): RunMeta | null {
  try {
    return parseRunFile<RunMeta>(dir, RUN_FILES.meta, META_FIELDS, true);
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

/** Is the process that owns a `running` run still there? Signal 0 checks without signalling. */
export function processLiveness(pid: number, host: string | undefined): 'alive' | 'dead' | 'elsewhere' {
  if (host !== undefined && host !== os.hostname()) return 'elsewhere';
  try {
    process.kill(pid, 0);
    return 'alive';
  } catch (error) {
    // EPERM: the process exists but belongs to someone else
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? 'alive' : 'dead';
  }
}

/** metrics.jsonl: a crash can leave one partial last line (appends are not atomic); it is skipped. */
function parseMetricsLines(dir: string): MetricsRow[] {
  let text: string;
  try {
    text = readFileSync(path.join(dir, RUN_FILES.metricsJsonl), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BrokenFile(code === 'ENOENT' ? 'missing' : `cannot read (${String(code)})`);
  }
  const lines = text.split('\n');
  const rows: MetricsRow[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const isUnterminatedLast = i === lines.length - 1;
    try {
      const row = JSON.parse(line) as MetricsRow;
      checkFields(row, { epoch: 'number', arm: 'string', epsilon: 'number', trainLoss: 'number', trainNll: 'number', testNll: 'number', testAccuracy: 'number' });
      rows.push(row);
    } catch (error) {
      if (isUnterminatedLast) return;
      throw new BrokenFile(`line ${i + 1}: ${error instanceof BrokenFile ? error.message : 'not valid JSON'}`);
    }
  });
  return rows;
}

export function readRunDirectory(id: string, dir: string, options: ReadOptions = {}): RunRecord {
  const record: RunRecord = {
    id,
    dir,
    status: 'corrupt',
    statusNote: null,
    meta: null,
    config: null,
    environment: null,
    statusFile: null,
    summary: null,
    histograms: null,
    metrics: [],
    problems: [],
  };
  let newer = false;
  const attempt = <T>(file: string, read: () => T): T | null => {
    try {
      return read();
    } catch (error) {
      if (error instanceof NewerSchema) newer = true;
      else if (!(error instanceof BrokenFile)) throw error;
      record.problems.push({ file, message: (error as Error).message });
      return null;
    }
  };
  record.meta = attempt(RUN_FILES.meta, () => parseRunFile<RunMeta>(dir, RUN_FILES.meta, META_FIELDS, true));
  if (record.meta && record.meta.id !== id) record.problems.push({ file: RUN_FILES.meta, message: `"id": says ${record.meta.id}, but the directory is ${id}` });
  record.statusFile = attempt(RUN_FILES.status, () => {
    const s = parseRunFile<RunStatusFile>(dir, RUN_FILES.status, STATUS_FIELDS, true);
    if (!(RUN_STATUSES as readonly string[]).includes(s.status)) throw new BrokenFile(`"status": expected one of ${RUN_STATUSES.join(', ')}, got "${s.status}"`);
    return s;
  });
  record.config = attempt(RUN_FILES.config, () => {
    const raw = parseRunFile<unknown>(dir, RUN_FILES.config, {}, false);
    const parsed = TrainConfigSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new BrokenFile(`"${issue.path.join('.')}": ${issue.message}`);
    }
    return parsed.data;
  });
  record.environment = attempt(RUN_FILES.environment, () => parseRunFile<EnvironmentInfo>(dir, RUN_FILES.environment, ENVIRONMENT_FIELDS, false));
  if (options.metrics !== false) record.metrics = attempt(RUN_FILES.metricsJsonl, () => parseMetricsLines(dir)) ?? [];

  const stored = record.statusFile?.status;
  if (stored === 'completed') {
    // a completed run must have its results; results without a completed status are leftovers of a crash between writes
    record.summary = attempt(RUN_FILES.summary, () => {
      const summary = parseRunFile<RunSummary>(dir, RUN_FILES.summary, SUMMARY_FIELDS, true);
      summary.arms.forEach((arm, i) => {
        try {
          checkFields(arm, ARM_FIELDS);
          checkFields(arm.test, ARM_TEST_FIELDS);
        } catch (error) {
          throw new BrokenFile(`arms[${i}]: ${(error as Error).message}`);
        }
      });
      if (summary.arms.length === 0) throw new BrokenFile('"arms": expected at least one arm');
      return summary;
    });
    record.histograms = attempt(RUN_FILES.histograms, () => parseRunFile<HistogramsFile>(dir, RUN_FILES.histograms, HISTOGRAM_FIELDS, true));
    if (!existsSync(path.join(dir, RUN_FILES.predictions))) record.problems.push({ file: RUN_FILES.predictions, message: 'missing' });
  }

  if (newer) {
    record.status = 'unsupported';
    record.statusNote = 'written by a newer ls-bench';
  } else if (record.problems.length > 0 || !record.statusFile) {
    record.status = 'corrupt';
    const p = record.problems[0];
    record.statusNote = p ? `${p.file}: ${p.message}` : null;
  } else if (stored === 'running') {
    const liveness = processLiveness(record.statusFile.pid, record.statusFile.host);
    if (liveness === 'alive') {
      record.status = 'running';
    } else if (liveness === 'dead') {
      record.status = 'died';
      record.statusNote = `status.json says running, but its process (pid ${record.statusFile.pid}) is gone; last update ${record.statusFile.updatedAt}`;
    } else {
      record.status = 'unknown';
      record.statusNote = `running on host ${record.statusFile.host}; cannot check its process from here`;
    }
  } else {
    record.status = stored!;
    record.statusNote = record.statusFile.message;
  }
  return record;
}

function metricsCsvLine(row: MetricsRow): string {
  return METRICS_CSV_COLUMNS.map((c) => csvCell(row[c])).join(',');
}

/** metrics.jsonl rows; a partial last line (a crash mid-append) is ignored, any other bad line is an error. */
export function readMetricsRows(file: string): MetricsRow[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const rows: MetricsRow[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      rows.push(JSON.parse(line) as MetricsRow);
    } catch {
      if (i !== lines.length - 1) throw new Error(`${file}:${i + 1}: not a JSON line`);
    }
  });
  return rows;
}

function csvCell(value: unknown): string {
  const s = String(value);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function readJsonFile<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export { RUN_STATUSES };
