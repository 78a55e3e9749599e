import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { readRegularFile } from '../data/boundedRead';
import { MAX_RUN_FILE_BYTES, unreadableReason } from '../store/runReader';
import path from 'node:path';
import { CliError } from '../errors';
import { TrainConfigSchema, type TrainConfig } from '../config/schema';
import { describeIssue as schemaIssueText } from '../store/schemaIssue';
import { writeJsonAtomic } from '../store/atomicFile';
import { fileSystemError } from '../store/fileSystemError';
import { ProcessLock } from '../store/processLock';
import type { SmoothingVariant } from '../smoothing/labelSmoothing';
import type { BaseConfig, ShardSpec, SweepGrid } from './grid';

/**
 * The on-disk format of a sweep directory, version 1 (runs/sweeps/<sweep-id>/, or --sweep-dir). Every
 * file is written atomically. The directory is self-contained: `sweep merge` and `sweep show` need only it,
 * not the run directories of its cells (which may live on another machine).
 *
 *   sweep.json                identity: id, digest, grid, base config, shard, this directory's cells (written once)
 *   train-config.json         the resolved base training config, before the grid sets seed, ε and smoothing (written once)
 *   cell-configs/<cell>.json  the full training config of a cell (cellConfig), which its worker trains with
 *                             `train --config` (written when the cell starts)
 *   progress.json             every cell's status, run id and message (rewritten on each change)
 *   cells/<cell>.json         a completed cell's test metrics (also after temperature scaling), divergence, and
 *                             per-seed McNemar tests (written once per cell)
 *   aggregate.json            the aggregate over the completed cells (rewritten at the end)
 *   gates.json                the gates (--assert, or the config's sweep.assert) and their results on that
 *                             aggregate (rewritten with it; `sweep show` and the HTML report read it)
 *   sweep.lock                held by the process running (or merging into) the sweep (processLock.ts)
 */
export const SWEEP_SCHEMA_VERSION = 1;

export const SWEEP_FILES = {
  sweep: 'sweep.json',
  trainConfig: 'train-config.json',
  progress: 'progress.json',
  cells: 'cells',
  cellConfigs: 'cell-configs',
  aggregate: 'aggregate.json',
  gates: 'gates.json',
  lock: 'sweep.lock',
} as const;

/**
 * A gate's result (gateEvaluation.ts evaluates it), as the sweep's outputs and gates.json hold it: the gate,
 * whether it holds, one line saying so, each failing case, and every case checked with the values it read.
 */
export interface GateResult {
  source: string;
  holds: boolean;
  message: string;
  failures: string[];
  instances: { point?: string; pointLabel?: string; variant: string; epsilon: number | null; holds: boolean; values: Record<string, number | null>; problems?: string[] }[];
}

/** gates.json: the gates a sweep was run (or merged) with, and their results when the aggregate was last written. */
export interface GatesFile {
  schemaVersion: number;
  sweepId: string;
  evaluatedAt: string;
  results: GateResult[];
}

export interface SweepMeta {
  schemaVersion: number;
  sweepId: string;
  /** sha256 of the grid and the base config: equal digests ⇔ the same sweep. */
  digest: string;
  grid: SweepGrid;
  /** The resolved training config without the keys the grid sets (seed, epsilon, smoothing and its axes). */
  config: BaseConfig;
  /** null for the whole grid (or a merge of shards). */
  shard: ShardSpec | null;
  /** The ids of the cells this directory is responsible for. */
  cells: string[];
  createdAt: string;
  command: string[];
  /** For a merged sweep: the directories it was merged from. */
  mergedFrom?: string[];
  /**
   * sha256 of the data set's files (dataSourceDigest), when the sweep started; null for generated data,
   * absent in sweeps written before it was recorded. Shards and reruns must have read the same data.
   */
  sourceDigest?: string | null;
}

export const CELL_STATUSES = ['pending', 'running', 'completed', 'failed', 'interrupted'] as const;
export type CellStatus = (typeof CELL_STATUSES)[number];

export interface CellProgress {
  id: string;
  status: CellStatus;
  runId: string | null;
  runDir: string | null;
  message: string | null;
  attempts: number;
  updatedAt: string;
}

export interface ProgressFile {
  schemaVersion: number;
  sweepId: string;
  updatedAt: string;
  cells: CellProgress[];
}

export interface CellArmResult {
  /** The arm's label in the cell's run: hard, smoothed or smoothed-<ε>. */
  label: string;
  epsilon: number;
  accuracy: number;
  nll: number;
  ece: number;
  meanConfidence: number;
  /** Absent in cells written before these were measured. */
  brier?: number;
  /** Why the arm diverged (its metrics are from its last finite weights, and the aggregate leaves them out); null when it did not. */
  diverged?: string | null;
  /** After temperature scaling on the run's validation set; null without one (--val-fraction 0). */
  temperatureScaled?: { temperature: number; accuracy: number; nll: number; ece: number; brier: number; meanConfidence: number } | null;
}

export interface CellMcNemar {
  epsilon: number;
  /** Test samples only the hard arm classified correctly. */
  onlyHardCorrect: number;
  /** Test samples only the smoothed arm classified correctly. */
  onlySmoothedCorrect: number;
  pValue: number;
}

export interface CellResult {
  schemaVersion: number;
  cellId: string;
  seed: number;
  smoothing: SmoothingVariant;
  runId: string;
  runDir: string;
  testSamples: number;
  seconds: number;
  /** The digest of the data the cell's run trained on (its summary's dataset.digest); absent in older cells. */
  dataDigest?: string;
  arms: CellArmResult[];
  mcnemar: CellMcNemar[];
  completedAt: string;
}

function readJson<T>(file: string, what: string): T {
  let text: string;
  try {
    text = readRegularFile(file, MAX_RUN_FILE_BYTES).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`${file}: no such file; is ${path.dirname(file)} a sweep directory?`);
    throw new CliError(`${file}: cannot read ${what} (${unreadableReason(error)})`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new CliError(`${file}: cannot read ${what} (${(error as Error).message})`);
  }
}

/** A sweep directory: all reads and writes of its files go through here. */
export class SweepDir {
  constructor(readonly dir: string) {}

  file(name: keyof typeof SWEEP_FILES): string {
    return path.join(this.dir, SWEEP_FILES[name]);
  }

  cellFile(cellId: string): string {
    return path.join(this.dir, SWEEP_FILES.cells, `${cellId}.json`);
  }

  cellConfigFile(cellId: string): string {
    return path.join(this.dir, SWEEP_FILES.cellConfigs, `${cellId}.json`);
  }

  exists(): boolean {
    return existsSync(this.file('sweep'));
  }

  /**
   * Takes sweep.lock (processLock.ts), creating the directory if needed: one process at a time runs or
   * merges into a sweep directory. `refusal` says what cannot be done while another process holds it.
   */
  lock(purpose: string, refusal: string): ProcessLock {
    if (existsSync(this.dir) && !statSync(this.dir).isDirectory()) throw new CliError(`${this.dir}: exists and is not a directory`);
    this.write('create the sweep directory', () => mkdirSync(this.dir, { recursive: true }));
    return ProcessLock.acquire(this.file('lock'), purpose, refusal);
  }

  readMeta(): SweepMeta {
    const meta = readJson<SweepMeta>(this.file('sweep'), 'the sweep');
    if (meta.schemaVersion !== SWEEP_SCHEMA_VERSION || typeof meta.digest !== 'string' || !Array.isArray(meta.cells)) {
      throw new CliError(`${this.file('sweep')}: not a sweep file of format version ${SWEEP_SCHEMA_VERSION}`);
    }
    return meta;
  }

  /** train-config.json, checked against the training schema: a merge copies it into the merged sweep. */
  readTrainConfig(): TrainConfig {
    const parsed = TrainConfigSchema.safeParse(readJson<unknown>(this.file('trainConfig'), 'the training config'));
    if (!parsed.success) throw new CliError(`${this.file('trainConfig')}: ${schemaIssueText(parsed.error.issues[0]!)}`);
    return parsed.data;
  }

  /** Creates the directory with its identity and the base config. */
  create(meta: SweepMeta, trainConfig: TrainConfig): void {
    this.write('create the sweep directory', () => {
      mkdirSync(path.join(this.dir, SWEEP_FILES.cells), { recursive: true });
      writeJsonAtomic(this.file('trainConfig'), trainConfig);
      writeJsonAtomic(this.file('sweep'), meta);
    });
  }

  /** Completed cells stored here, by cell id. Files that do not parse are treated as not completed. */
  readCells(): Map<string, CellResult> {
    const cells = new Map<string, CellResult>();
    const folder = path.join(this.dir, SWEEP_FILES.cells);
    if (!existsSync(folder)) return cells;
    for (const name of readdirSync(folder).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
      try {
        const cell = JSON.parse(readRegularFile(path.join(folder, name), MAX_RUN_FILE_BYTES).toString('utf8')) as CellResult;
        if (cell.schemaVersion === SWEEP_SCHEMA_VERSION && `${cell.cellId}.json` === name) cells.set(cell.cellId, cell);
      } catch {
        // written atomically, so only a foreign file can fail to parse: it is not a completed cell
      }
    }
    return cells;
  }

  readProgress(): ProgressFile | null {
    return existsSync(this.file('progress')) ? readJson<ProgressFile>(this.file('progress'), 'the progress') : null;
  }

  writeCell(cell: CellResult): void {
    this.write('write a cell result', () => {
      mkdirSync(path.join(this.dir, SWEEP_FILES.cells), { recursive: true });
      writeJsonAtomic(this.cellFile(cell.cellId), cell);
    });
  }

  /** Writes the training config of one cell; returns its path, for the worker's `--config`. */
  writeCellConfig(cellId: string, config: TrainConfig): string {
    const file = this.cellConfigFile(cellId);
    this.write('write a cell config', () => {
      mkdirSync(path.dirname(file), { recursive: true });
      writeJsonAtomic(file, config);
    });
    return file;
  }

  writeProgress(progress: ProgressFile): void {
    this.write('write the progress', () => writeJsonAtomic(this.file('progress'), progress));
  }

  writeAggregate(aggregate: unknown): void {
    this.write('write the aggregate', () => writeJsonAtomic(this.file('aggregate'), aggregate));
  }

  /** The gates and their results; null for a sweep written before gates were stored. */
  readGates(): GatesFile | null {
    if (!existsSync(this.file('gates'))) return null;
    const gates = readJson<GatesFile>(this.file('gates'), 'the gates');
    if (gates.schemaVersion !== SWEEP_SCHEMA_VERSION || !Array.isArray(gates.results) || gates.results.some((r) => typeof r?.source !== 'string')) {
      throw new CliError(`${this.file('gates')}: not a gates file of format version ${SWEEP_SCHEMA_VERSION}`);
    }
    return gates;
  }

  writeGates(sweepId: string, results: GateResult[]): void {
    const gates: GatesFile = { schemaVersion: SWEEP_SCHEMA_VERSION, sweepId, evaluatedAt: new Date().toISOString(), results };
    this.write('write the gates', () => writeJsonAtomic(this.file('gates'), gates));
  }

  private write(what: string, action: () => void): void {
    try {
      action();
    } catch (error) {
      throw fileSystemError(error, what, this.dir);
    }
  }
}
