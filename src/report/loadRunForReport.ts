import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../cli/CliError';
import { resolveRunsDir } from '../store/RunStore';
import { RUN_FILES, type EnvironmentInfo, type HistogramsFile, type RunMeta, type RunStatusFile, type RunSummary } from '../store/runFiles';

/** Everything the report of one run is made from, read from its directory. */
export interface RunReportInput {
  dir: string;
  meta: RunMeta;
  status: RunStatusFile | null;
  environment: EnvironmentInfo | null;
  summary: RunSummary;
  histograms: HistogramsFile;
}

/**
 * Turns what the user typed into a run directory: a path to a directory, else an id (or a unique
 * id prefix) under the runs root. Kept to this one function so that the store's own resolver (names,
 * "latest", …) can replace it without touching the report.
 */
export function resolveReportTarget(target: string, runsDirFlag?: string): string {
  if (existsSync(target) && statSync(target).isDirectory()) return path.resolve(target);
  const root = resolveRunsDir(runsDirFlag);
  const direct = path.join(root, target);
  if (!target.includes('/') && !target.includes(path.sep) && existsSync(direct) && statSync(direct).isDirectory()) return direct;
  throw new CliError(`${target}: no such run (expected a run directory, or a run id under ${root})`);
}

function readJson<T>(dir: string, file: string, required: true): T;
function readJson<T>(dir: string, file: string, required: false): T | null;
function readJson<T>(dir: string, file: string, required: boolean): T | null {
  const full = path.join(dir, file);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`${full}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new CliError(`${full}: not valid JSON (${(error as Error).message})`);
  }
}

/** Reads a completed run; a run without results (running, failed, interrupted) is a clear error. */
export function loadRunForReport(dir: string): RunReportInput {
  if (!existsSync(path.join(dir, RUN_FILES.meta))) {
    throw new CliError(`${dir}: not a run directory (no ${RUN_FILES.meta})`);
  }
  const meta = readJson<RunMeta>(dir, RUN_FILES.meta, true);
  const status = readJson<RunStatusFile>(dir, RUN_FILES.status, false);
  if (!existsSync(path.join(dir, RUN_FILES.summary))) {
    const state = status ? `status ${status.status}, ${status.completedEpochs} epoch(s) done` : 'no status.json';
    throw new CliError(`${dir}: run ${meta.id} has no ${RUN_FILES.summary} (${state}); a report needs a completed run`);
  }
  const summary = readJson<RunSummary>(dir, RUN_FILES.summary, true);
  const histograms = readJson<HistogramsFile>(dir, RUN_FILES.histograms, true);
  checkShape(dir, summary, histograms);
  return { dir, meta, status, environment: readJson<EnvironmentInfo>(dir, RUN_FILES.environment, false), summary, histograms };
}

/** The fields the charts read, checked so that a hand-edited or foreign file fails with its name, not a stack trace. */
function checkShape(dir: string, summary: RunSummary, histograms: HistogramsFile): void {
  const fail = (file: string, what: string) => {
    throw new CliError(`${path.join(dir, file)}: ${what}`);
  };
  if (!Array.isArray(summary.arms) || summary.arms.length === 0) fail(RUN_FILES.summary, 'expected "arms" to be a non-empty list');
  if (!Array.isArray(summary.dataset?.classNames)) fail(RUN_FILES.summary, 'expected "dataset.classNames" to be a list');
  summary.arms.forEach((arm, i) => {
    if (!Array.isArray(arm.history)) fail(RUN_FILES.summary, `expected "arms[${i}].history" to be a list`);
    if (!Array.isArray(arm.test?.confusionMatrix) || !Array.isArray(arm.test?.perClass)) fail(RUN_FILES.summary, `expected "arms[${i}].test" to hold confusionMatrix and perClass`);
    if (!histograms.arms?.some((h) => h.label === arm.label)) fail(RUN_FILES.histograms, `no entry for arm "${arm.label}"`);
  });
  if (!Array.isArray(histograms.confidenceBins)) fail(RUN_FILES.histograms, 'expected "confidenceBins" to be a list');
  histograms.arms.forEach((h, i) => {
    if (!Array.isArray(h.reliability) || !Array.isArray(h.confidenceHistogram)) fail(RUN_FILES.histograms, `expected "arms[${i}]" to hold reliability and confidenceHistogram lists`);
  });
}
