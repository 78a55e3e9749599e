import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TrainConfig } from '../config/schema';
import type { TrainingCheckpoint } from '../train/pairedTrainer';
import { CliError } from '../errors';
import { appendLinesDurable, writeFileAtomic, writeJsonAtomic } from './atomicFile';
import { writeCheckpoint } from './checkpointFile';
import { csvCell } from './csvCell';
import { fileSystemError } from './fileSystemError';
import {
  METRICS_CSV_COLUMNS,
  RUN_FILES,
  SCHEMA_VERSION,
  type EnvironmentInfo,
  type ConfusionFile,
  type HistogramsFile,
  type LabelNoiseFile,
  type MetricsRow,
  type PredictionsFile,
  type RunMeta,
  type RunStatus,
  type RunStatusFile,
  type RunSummary,
  type SweepCellRef,
} from './runFiles';
import { checkRunName, newRunId } from './runNames';
import { readMetricsFile } from './runReader';
import { currentProcess } from './processIdentity';
import { ProcessLock } from './processLock';

export interface NewRun {
  name?: string;
  tags?: string[];
  config: TrainConfig;
  environment: EnvironmentInfo;
  command: string[];
  /** The sweep cell this run is (ls-bench sweep's workers). */
  sweep?: SweepCellRef;
  now?: Date;
}

/** Takes a run's lock (run.lock), or refuses (exit 2) naming the process that holds it. */
export function lockRun(dir: string, refusal: string): ProcessLock {
  return ProcessLock.acquire(path.join(dir, RUN_FILES.lock), `training run ${path.basename(dir)}`, refusal);
}

/**
 * A run being written. All writes go through here; every JSON file is replaced atomically. The writer
 * holds the run's lock from creation (or reopening) until release().
 */
export class RunWriter {
  private status: RunStatusFile;

  /**
   * Creates a run directory under `root` with its identity, config and environment, status `running`.
   * Called only after the config and data are validated, so bad input leaves nothing behind.
   */
  static create(root: string, options: NewRun): RunWriter {
    if (options.name !== undefined) checkRunName('--name', options.name);
    for (const tag of options.tags ?? []) checkRunName('--tag', tag);
    try {
      mkdirSync(root, { recursive: true });
    } catch (error) {
      throw fileSystemError(error, 'create the runs directory', root);
    }
    const { id, dir } = makeRunDirectory(root, options.now);
    const createdAt = (options.now ?? new Date()).toISOString();
    let writer: RunWriter | undefined;
    try {
      // A fresh directory: nobody else can hold its lock yet.
      writer = new RunWriter(id, dir, createdAt, lockRun(dir, `run ${id}`));
      const meta: RunMeta = {
        schemaVersion: SCHEMA_VERSION,
        id,
        name: options.name ?? null,
        tags: options.tags ?? [],
        createdAt,
        command: options.command,
        ...(options.sweep ? { sweep: options.sweep } : {}),
      };
      writeJsonAtomic(writer.file('meta'), meta);
      writeJsonAtomic(writer.file('config'), options.config);
      writeJsonAtomic(writer.file('environment'), options.environment);
      writeFileAtomic(writer.file('metricsCsv'), `${METRICS_CSV_COLUMNS.join(',')}\n`);
      writeFileAtomic(writer.file('metricsJsonl'), '');
      writer.writeStatus('running');
    } catch (error) {
      // never a half-written run
      writer?.release();
      rmSync(dir, { recursive: true, force: true });
      throw fileSystemError(error, 'write the new run', dir);
    }
    return writer;
  }

  /** Reopens an existing run to continue it (--resume), under the lock the caller took: keeps its start time. */
  static reopen(dir: string, previous: RunStatusFile, lock: ProcessLock): RunWriter {
    const writer = new RunWriter(path.basename(dir), dir, previous.startedAt, lock);
    writer.status.completedEpochs = previous.completedEpochs;
    return writer;
  }

  constructor(
    readonly id: string,
    readonly dir: string,
    startedAt: string,
    private readonly lock: ProcessLock,
  ) {
    const me = currentProcess();
    this.status = {
      schemaVersion: SCHEMA_VERSION,
      status: 'running',
      startedAt,
      updatedAt: startedAt,
      endedAt: null,
      completedEpochs: 0,
      message: null,
      pid: me.pid,
      host: me.hostname,
      startTime: me.startTime,
      bootId: me.bootId,
    };
  }

  /**
   * Before each write of results: if another process broke this run's lock (it saw no heartbeat for
   * minutes and took the run over), this one must stop writing into it.
   */
  private ensureStillHeld(): void {
    if (!this.lock.stillHeld()) throw new CliError(`run ${this.id}: its lock (${this.lock.file}) was taken over by another process; this process stops writing to the run`, 1);
  }

  /** Lets go of the run's lock: the run is no longer being written. */
  release(): void {
    this.lock.release();
  }

  file(name: keyof typeof RUN_FILES): string {
    return path.join(this.dir, RUN_FILES[name]);
  }

  private guard(what: string, target: string, write: () => void): void {
    try {
      write();
    } catch (error) {
      throw fileSystemError(error, what, target);
    }
  }

  writeStatus(status: RunStatus, message: string | null = null): void {
    const now = new Date().toISOString();
    this.status = { ...this.status, status, updatedAt: now, endedAt: status === 'running' ? null : now, message };
    this.guard('write the run status', this.file('status'), () => writeJsonAtomic(this.file('status'), this.status));
  }

  appendEpoch(rows: MetricsRow[]): void {
    this.ensureStillHeld();
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

  /**
   * Writes the results, then flips the status: a summary exists only for a run that completed.
   * `probabilities` is probabilities.bin's content (encodeProbabilities).
   */
  complete(summary: RunSummary, histograms: HistogramsFile, predictions: PredictionsFile, probabilities: Uint8Array, confusion?: ConfusionFile): void {
    this.ensureStillHeld();
    this.guard('write the run results', this.dir, () => {
      writeJsonAtomic(this.file('histograms'), histograms);
      if (confusion) writeFileAtomic(this.file('confusion'), `${JSON.stringify(confusion)}\n`);
      writeFileAtomic(this.file('predictions'), `${JSON.stringify(predictions)}\n`);
      writeFileAtomic(this.file('probabilities'), probabilities);
      writeJsonAtomic(this.file('summary'), summary);
    });
    this.writeStatus('completed');
  }

  writeCheckpoint(checkpoint: TrainingCheckpoint): void {
    this.guard('write the checkpoint', this.file('checkpoint'), () => writeCheckpoint(this.file('checkpoint'), checkpoint));
  }

  /**
   * Keeps only the metrics rows of epochs ≤ `epoch` (a crash between appending metrics and the checkpoint
   * can leave one more). A damaged line is an error naming the file and line, before anything is rewritten.
   */
  truncateMetrics(epoch: number): MetricsRow[] {
    const rows = readMetricsFile(this.file('metricsJsonl')).filter((r) => r.epoch <= epoch);
    this.guard('rewrite metrics', this.dir, () => {
      writeFileAtomic(this.file('metricsJsonl'), rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
      writeFileAtomic(this.file('metricsCsv'), [METRICS_CSV_COLUMNS.join(','), ...rows.map(metricsCsvLine)].map((l) => `${l}\n`).join(''));
    });
    this.status.completedEpochs = epoch;
    return rows;
  }

  /**
   * Best effort: marking a run failed must not hide the error that failed it. A completed run stays
   * completed (its results are written; nothing after that can undo them), and a run whose lock another
   * process has taken (it judged this one dead) is that process's to mark.
   */
  end(status: 'failed' | 'interrupted', message: string): void {
    if (this.status.status === 'completed' || !this.lock.stillHeld()) return;
    try {
      this.writeStatus(status, message);
    } catch {
      // the original error is what the user needs to see
    }
  }
}

/** A new, empty run directory. mkdir without `recursive` fails if the directory exists: ids stay unique across processes. */
function makeRunDirectory(root: string, now?: Date): { id: string; dir: string } {
  for (let attempt = 0; ; attempt++) {
    const id = newRunId(now);
    const dir = path.join(root, id);
    try {
      mkdirSync(dir);
      return { id, dir };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 50) throw fileSystemError(error, 'create a run directory', dir);
    }
  }
}

function metricsCsvLine(row: MetricsRow): string {
  return METRICS_CSV_COLUMNS.map((c) => csvCell(row[c])).join(',');
}
