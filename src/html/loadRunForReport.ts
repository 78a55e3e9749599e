import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors';
import { RunStore, resolveRunsDir } from '../store/RunStore';
import { readValidRunDirectory } from '../store/runReader';
import type { TrainConfig } from '../config/schema';
import { RUN_FILES, type EnvironmentInfo, type HistogramsFile, type RunMeta, type RunStatusFile, type RunSummary } from '../store/runFiles';

/** Everything the report of one run is made from, read from its directory. */
export interface RunReportInput {
  dir: string;
  meta: RunMeta;
  status: RunStatusFile | null;
  environment: EnvironmentInfo | null;
  /** The run's resolved config: what its data set is loaded again from (gallery, projection). */
  config: TrainConfig;
  summary: RunSummary;
  histograms: HistogramsFile;
}

/** Turns what the user typed into a run directory: a path to a directory, else what the run store resolves (id, prefix, name, latest). */
export function resolveReportTarget(target: string, runsDirFlag?: string): string {
  if (existsSync(target) && statSync(target).isDirectory()) return path.resolve(target);
  return new RunStore(resolveRunsDir(runsDirFlag)).locate(target);
}

/** Reads a completed run through the run store; a run without results (running, failed, interrupted) is a clear error. */
export function loadRunForReport(dir: string): RunReportInput {
  if (!existsSync(path.join(dir, RUN_FILES.meta))) {
    throw new CliError(`${dir}: not a run directory (no ${RUN_FILES.meta})`);
  }
  const record = readValidRunDirectory(dir, { metrics: false });
  const { meta, statusFile: status, summary, histograms } = record;
  if (!summary || !histograms) {
    const state = status ? `status ${status.status}, ${status.completedEpochs} epoch(s) done` : 'no status.json';
    throw new CliError(`${dir}: run ${meta?.id ?? record.id} has no ${RUN_FILES.summary} (${state}); a report needs a completed run`);
  }
  checkShape(dir, summary, histograms);
  return { dir, meta: meta!, status, environment: record.environment, config: record.config!, summary, histograms };
}

/**
 * The store's schemas check each file's shape; what they cannot see is whether the two files agree. The
 * charts look every arm up in histograms.json, so a missing one fails here with the file's name.
 */
function checkShape(dir: string, summary: RunSummary, histograms: HistogramsFile): void {
  for (const arm of summary.arms) {
    if (!histograms.arms.some((h) => h.label === arm.label)) throw new CliError(`${path.join(dir, RUN_FILES.histograms)}: no entry for arm "${arm.label}"`);
  }
}
