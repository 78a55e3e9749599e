import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { CliError, nonEmptyPath } from '../errors';
import { fileSystemError } from './fileSystemError';
import { RUN_FILES } from './runFiles';
import { idTime, isRunId } from './runNames';
import { readMetaLeniently, readRunDirectory, readValidRunDirectory, type ReadOptions, type RunRecord } from './runReader';
import { lockRun, RunWriter, type NewRun } from './runWriter';

export const DEFAULT_RUNS_DIR = 'runs';

/** The statuses of a run that `train --resume` can continue (given a checkpoint). */
export const RESUMABLE_STATUSES: readonly string[] = ['interrupted', 'failed', 'died'];
export const RUNS_DIR_ENV = 'LS_BENCH_RUNS_DIR';

/** The runs root: --runs-dir (which must not be empty), else $LS_BENCH_RUNS_DIR (an empty one counts as unset), else ./runs. */
export function resolveRunsDir(flag?: string): string {
  if (flag !== undefined) return path.resolve(nonEmptyPath('--runs-dir', flag));
  const env = process.env[RUNS_DIR_ENV];
  return path.resolve(env !== undefined && env.trim() !== '' ? env : DEFAULT_RUNS_DIR);
}

/** The runs root: which runs it holds, what a reference names, creating and removing runs. */
export class RunStore {
  constructor(readonly root: string) {}

  /** A new run under this root (see RunWriter.create). */
  create(options: NewRun): RunWriter {
    return RunWriter.create(this.root, options);
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
      throw fileSystemError(error, 'list the runs directory', this.root);
    }
    return names
      .filter((n) => isRunId(n) && isDirectory(path.join(this.root, n)))
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
    const named = this.namedRuns(ids).get(ref) ?? [];
    if (named.length === 1) return named[0]!;
    if (named.length > 1) throw new CliError(`run "${ref}": ${named.length} runs have this name, name one by id: ${candidates(named)}`);
    const prefixed = ids.filter((id) => id.startsWith(ref));
    if (prefixed.length === 1) return prefixed[0]!;
    if (prefixed.length > 1) throw new CliError(`run "${ref}": ambiguous id prefix, matches ${prefixed.length} runs: ${candidates(prefixed)}`);
    throw new CliError(`run "${ref}": no run with this id, id prefix or name in ${this.root} (\`ls-bench runs\` lists them)`);
  }

  /** The runs of each name (newest first, like `ids`), reading each run.json once: runs without a name are left out. */
  namedRuns(ids: string[] = this.runIds()): Map<string, string[]> {
    const byName = new Map<string, string[]>();
    for (const id of ids) {
      const name = readMetaLeniently(this.dirOf(id))?.name;
      if (name) byName.set(name, [...(byName.get(name) ?? []), id]);
    }
    return byName;
  }

  /**
   * The runs `train --resume` can continue, newest first: interrupted, failed, or died (their process is
   * gone), with the checkpoint of at least one completed epoch. `keep` filters them further.
   */
  resumableRuns(keep: (record: RunRecord) => boolean = () => true): string[] {
    return this.runIds().filter((id) => {
      const record = this.read(id, { metrics: false });
      return RESUMABLE_STATUSES.includes(record.status) && existsSync(path.join(this.dirOf(id), RUN_FILES.checkpoint)) && keep(record);
    });
  }

  /**
   * Reads a run for `show` or `compare`: a run whose files are broken or from a newer format is an error
   * naming the run and the file.
   */
  readValid(id: string): RunRecord {
    return readValidRunDirectory(this.dirOf(id));
  }

  /**
   * Deletes a run directory. A run whose process is alive is refused (its writer would recreate files):
   * the run's lock is taken first, so no resume can start while the directory is being removed.
   */
  remove(id: string): void {
    if (!isRunId(id)) throw new CliError(`run "${id}": not a run id`);
    const lock = lockRun(this.dirOf(id), `run ${id} is still running (stop it before removing it)`);
    try {
      const record = this.read(id, { metrics: false });
      if (record.status === 'running') {
        throw new CliError(`run ${id} is still running (pid ${record.statusFile?.pid}${record.statusNote ? `, ${record.statusNote}` : ''}); stop it before removing it`);
      }
      rmSync(this.dirOf(id), { recursive: true, force: true });
    } catch (error) {
      throw fileSystemError(error, 'remove the run', this.dirOf(id));
    } finally {
      lock.release();
    }
  }
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
