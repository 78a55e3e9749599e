import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { resolveTrainConfig, type FlagValues } from '../../config/loadConfig';
import type { TrainConfig } from '../../config/schema';
import type { Dataset } from '../../data/Dataset';
import { loadDataset } from '../../data/loadDataset';
import type { Engine } from '../../engine/backend';
import { checkRunMemory, estimateRunMemory, memoryLimit } from '../../engine/memoryEstimate';
import { describeModel } from '../../engine/describeModel';
import { checkModelSize } from '../../engine/modelSize';
import type { ModelSpec } from '../../engine/modelSpec';
import { dataShapeOf, runMemoryInputs } from '../../engine/runMemory';
import { outputWidth } from '../../text/layout';
import { liveTerminal, progressReporter } from '../../text/progress';
import { renderRun } from '../../text/runReport';
import { describeEnvironment } from '../../store/environment';
import { RunStore, resolveRunsDir } from '../../store/RunStore';
import { checkRunName } from '../../store/runNames';
import type { RunWriter } from '../../store/runWriter';
import type { DeterminismCheck, EnvironmentInfo, HistogramsFile, RunSummary, SweepCellRef } from '../../store/runFiles';
import { armsFromConfig, checkEpsilonFits, setupWarnings, type ArmSpec } from '../../train/arms';
import { trainPaired, TrainingInterrupted, type EpochRecord, type PairedResult, type TrainingCheckpoint } from '../../train/pairedTrainer';
import { labelNoiseFile, runResults } from '../../store/runResults';
import { CliError, ExitCode } from '../../errors';
import { detail, note, timed, type CommandIo } from '../commandIo';
import { interruptible, reportWritten, writeRunReportLazily } from './report';

export interface TrainOptions {
  configFile?: string;
  flags: FlagValues;
  json: boolean;
  runsDir?: string;
  name?: string;
  tags: string[];
  /** Write the HTML report at the end (ls-bench report). */
  report?: boolean;
  argv: string[];
  /** Continue this interrupted run (an id, a unique id prefix or a run directory). */
  resume?: string;
  /** Train a second time in memory and compare, bit for bit. */
  checkDeterminism?: boolean;
  /** Told the new run's id and directory as soon as it exists (`ls-bench sweep` listens through --events-fd). */
  onRunCreated?(run: { runId: string; runDir: string }): void;
  /** The sweep cell this run is (`ls-bench sweep` passes --sweep-cell), recorded in run.json. */
  sweepCell?: SweepCellRef;
  /** --max-memory: the limit the run's memory estimate must stay under (memoryEstimate.ts). */
  maxMemory?: string;
}

/** A run ready to train: new, or reopened by --resume with its checkpoint. */
export interface Session {
  config: TrainConfig;
  dataset: Dataset;
  spec: ModelSpec;
  arms: ArmSpec[];
  backend: Engine;
  environment: EnvironmentInfo;
  writer: RunWriter;
  resume?: { checkpoint: TrainingCheckpoint; histories: EpochRecord[][] };
}

/**
 * config → data → engine → paired trainer → metrics → run store → render. Everything the user can get
 * wrong is checked before the run directory exists.
 */
export async function trainCommand(options: TrainOptions, io: CommandIo): Promise<number> {
  const runsDir = resolveRunsDir(options.runsDir);
  const notes: string[] = [];
  const config = resolveTrainConfig({ ...(options.configFile !== undefined ? { configFile: options.configFile } : {}), flags: options.flags, notes });
  if (options.name !== undefined) checkRunName('--name', options.name);
  for (const tag of options.tags) checkRunName('--tag', tag);
  const limit = memoryLimit(options.maxMemory);
  const backend = await announceBackend(config, io);
  const dataset = await timed(io, `load the data set (${config.dataset})`, () => loadDataset(config, limit.bytes));
  const spec = checkModelSize(config, dataset);
  checkEpsilonFits(config, dataset.numClasses, fromFlagOrFile('epsilon', options));
  checkMemory(config, dataset, spec, limit);
  for (const line of notes) note(io, `note: ${line}`);
  const arms = armsFromConfig(config);
  const environment = describeEnvironment(backend);
  // Loading is mostly synchronous: let a signal that came meanwhile (or, for a sweep's cell, the end of its
  // sweep) be seen now, so that it leaves no run behind rather than one that stops at its first batch.
  await new Promise((resolve) => setImmediate(resolve));
  if (io.signal?.aborted) {
    throw new CliError('interrupted before the run started; nothing was written', io.signal.reason === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted);
  }
  const writer = new RunStore(runsDir).create({
    ...(options.name !== undefined ? { name: options.name } : {}),
    tags: options.tags,
    config,
    environment,
    command: options.argv,
    ...(options.sweepCell ? { sweep: options.sweepCell } : {}),
  });
  note(io, `run: ${writer.dir}`);
  options.onRunCreated?.({ runId: writer.id, runDir: writer.dir });
  const noise = labelNoiseFile(dataset, config.seed);
  if (noise) {
    try {
      writer.writeLabelNoise(noise);
    } catch (error) {
      writer.end('failed', (error as Error).message);
      writer.release();
      throw error;
    }
  }
  return runSession({ config, dataset, spec, arms, backend, environment, writer }, options, io);
}

/** Where a config key's value came from, for an error message: the flag, else the config file's key. */
function fromFlagOrFile(key: string, options: TrainOptions): string {
  if (key in options.flags || options.configFile === undefined) return `--${key}`;
  return `${options.configFile}: key "${key}"`;
}

/**
 * Refuses (exit 2) a run whose estimated memory — every arm's model and optimizer state, the data, the
 * activations — is above the limit, before any model exists (the data is loaded already, within the limit).
 */
export function checkMemory(config: TrainConfig, dataset: Dataset, spec: ModelSpec, limit: { bytes: number; source: string }): void {
  const estimate = estimateRunMemory(runMemoryInputs(config, dataShapeOf(dataset), dataset.name));
  checkRunMemory(estimate, limit, `training ${1 + config.epsilon.length} arms of ${describeModel(spec)} on ${dataset.name}`);
}

/**
 * Loads TensorFlow.js and picks the backend. Said on stderr only with --verbose: the run's header says
 * which backend trained it (and, briefly, why auto fell back), and nothing comes before a one-line error.
 */
export async function announceBackend(config: TrainConfig, io: CommandIo): Promise<Engine> {
  const { selectBackend } = await timed(io, 'load TensorFlow.js', () => import('../../engine/backend'));
  const backend = await timed(io, `select the backend (--backend ${config.backend})`, () => selectBackend(config.backend));
  detail(io, `backend: ${backend.name} (${backend.label})`);
  if (backend.fallbackReason) detail(io, `backend: auto fell back to ${backend.name}: ${backend.fallbackReason}`);
  return backend;
}

export async function runSession(session: Session, options: TrainOptions, io: CommandIo): Promise<number> {
  const { config, dataset, arms, backend, writer } = session;
  for (const warning of setupWarnings(dataset, arms)) note(io, `note: ${warning}`);
  const progress = progressReporter(io.stderr, { live: liveTerminal(io.stderr), silent: io.verbosity === 'quiet', width: outputWidth(io.stderr) ?? 80, epochs: config.epochs });
  let result: PairedResult;
  try {
    result = await timed(io, 'training, with the per-epoch test evaluation', () =>
      trainPaired({
        config,
        dataset,
        arms,
        engine: backend,
        ...(io.signal ? { signal: io.signal } : {}),
        ...(session.resume ? { resume: session.resume } : {}),
        events: {
          onBatch: progress.onBatch,
          onEpoch(epoch, records) {
            progress.onEpoch!(epoch, records);
            writer.appendEpoch(records.map(({ arm, record }) => ({ arm: arm.label, epsilon: arm.epsilon, ...record })));
          },
          onDiverged(arm, info) {
            progress.finish();
            io.stderr.write(`warning: ${info.message}; ${arm.label} stops here (its metrics are from its last finite weights), the other arms go on\n`);
          },
          onCheckpoint: (checkpoint) => writer.writeCheckpoint(checkpoint),
        },
      }),
    );
  } catch (error) {
    progress.finish();
    if (error instanceof TrainingInterrupted) {
      writer.end('interrupted', error.message);
      writer.release();
      const code = io.signal?.reason === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
      const again = `${io.invocation ?? 'ls-bench'} train --resume ${writer.id}${options.runsDir ? ` --runs-dir ${options.runsDir}` : ''}`;
      throw new CliError(`interrupted: ${error.message}; run ${writer.id} marked interrupted (${writer.dir}); continue it with: ${again}`, code);
    }
    writer.end('failed', error instanceof Error ? error.message : String(error));
    writer.release();
    throw error;
  }
  progress.finish();
  return finishSession(session, result, options, io);
}

/**
 * After training: the results, the determinism check, the run completed on disk — then the run's lock is
 * released, and the output and the report follow: nothing after completion can change a completed run's
 * status, and a signal that came meanwhile stops the printing, not the run.
 */
async function finishSession(session: Session, result: PairedResult, options: TrainOptions, io: CommandIo): Promise<number> {
  const { config, dataset, spec, arms, backend, environment, writer } = session;
  let summary: RunSummary;
  let histograms: HistogramsFile;
  try {
    if (result.parallelArms > 1) note(io, `arms: trained at the same time, ${result.parallelArms} threads`);
    const results = await timed(io, 'final metrics', () => runResults({ runId: writer.id, config, dataset, spec, backend: backend.name, result }));
    ({ summary, histograms } = results);
    summary.resumedAfterEpoch = session.resume?.checkpoint.epoch ?? null;
    if (options.checkDeterminism) {
      note(io, 'determinism: training again from the same seed to compare…');
      const again = await trainPaired({ config, dataset, arms, engine: backend, ...(io.signal ? { signal: io.signal } : {}) });
      summary.determinism = compareRuns(result, again);
      note(io, `determinism: ${summary.determinism.identical ? 'identical, bit for bit' : `DIFFERENT: ${summary.determinism.firstDifference}`}`);
    }
    await timed(io, 'write the run', () => writer.complete(results.summary, results.histograms, results.predictions, results.probabilities, results.confusion));
  } catch (error) {
    // a run whose results could not be computed or written is failed, not left running
    writer.end('failed', error instanceof Error ? error.message : String(error));
    throw error;
  } finally {
    writer.release();
  }
  await yieldToEventLoop();
  if (io.signal?.aborted) {
    const code = io.signal.reason === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
    throw new CliError(`interrupted: run ${writer.id} completed, but was not printed; \`${io.invocation ?? 'ls-bench'} show ${writer.id}\` prints it`, code);
  }
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ ...summary, backendLabel: backend.label, backendFallbackReason: backend.fallbackReason ?? null, histograms, runDir: writer.dir }, null, 2)}\n`);
  } else {
    const layout = { width: outputWidth(io.stdout), verbose: io.verbosity === 'verbose', commandSeconds: (performance.now() - (io.startedAt ?? 0)) / 1000 };
    io.stdout.write(`${renderRun(summary, histograms, environment, layout)}\n\nrun saved to ${writer.dir}\n`);
  }
  // After the run is complete: a report that cannot be written leaves the run as it is. With --json,
  // stdout holds only the JSON document, so the report's path goes to stderr.
  if (options.report) {
    const written = await timed(io, 'the HTML report', () => interruptible(() => writeRunReportLazily(writer.dir, io.signal ? { signal: io.signal } : {})));
    reportWritten(written, options.json ? { ...io, stdout: io.stderr } : io);
  }
  return !summary.determinism || summary.determinism.identical ? ExitCode.ok : ExitCode.failure;
}

/** The first difference between two trainings of the same config, or none: histories, then weights. */
export function compareRuns(a: PairedResult, b: PairedResult): DeterminismCheck {
  for (let i = 0; i < a.arms.length; i++) {
    const x = a.arms[i]!;
    const y = b.arms[i]!;
    for (let e = 0; e < Math.max(x.history.length, y.history.length); e++) {
      const rx = x.history[e];
      const ry = y.history[e];
      if (!rx || !ry) return { identical: false, firstDifference: `${x.label}: ${x.history.length} vs ${y.history.length} epochs` };
      for (const key of ['trainLoss', 'trainNll', 'testNll', 'testAccuracy'] as const) {
        if (!Object.is(rx[key], ry[key])) return { identical: false, firstDifference: `${x.label}, epoch ${rx.epoch}, ${key}: ${rx[key]} vs ${ry[key]}` };
      }
    }
    if (x.finalWeightsDigest !== y.finalWeightsDigest) return { identical: false, firstDifference: `${x.label}: final weights differ` };
  }
  return { identical: true, firstDifference: null };
}
