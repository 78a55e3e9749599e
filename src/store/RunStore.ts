import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CliError } from '../cli/CliError';
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
import type { TrainConfig } from '../config/schema';

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
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : code === 'ENOSPC' ? 'no space left on device' : String(code ?? (error as Error).message);
  return new CliError(`${target}: cannot ${what} (${reason})`, 1);
}

/** A run being written. All writes go through here; every JSON file is replaced atomically. */
export class RunWriter {
  private status: RunStatusFile;

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
      appendLinesDurable(this.file('metricsCsv'), rows.map((r) => METRICS_CSV_COLUMNS.map((c) => csvCell(r[c])).join(',')));
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
  create(options: { name?: string; tags?: string[]; config: TrainConfig; environment: EnvironmentInfo; command: string[] }): RunWriter {
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
      id = newRunId();
      dir = path.join(this.root, id);
      try {
        mkdirSync(dir);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 50) throw fsError(error, 'create a run directory', dir);
      }
    }
    const createdAt = new Date().toISOString();
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

  /** Run directories under the root (names that look like run ids), newest first. */
  runIds(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root)
      .filter((n) => ID_PATTERN.test(n) && statSync(path.join(this.root, n)).isDirectory())
      .sort()
      .reverse();
  }
}

function csvCell(value: unknown): string {
  const s = String(value);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function readJsonFile<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export { RUN_STATUSES };
