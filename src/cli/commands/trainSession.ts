import { existsSync } from 'node:fs';
import path from 'node:path';
import { resolveTrainConfig, type FlagValues } from '../../config/loadConfig';
import type { TrainConfig } from '../../config/schema';
import { datasetDigest, type Dataset } from '../../data/Dataset';
import { loadDataset } from '../../data/loadDataset';
import type { Engine } from '../../engine/backend';
import { initialWeights } from '../../engine/initialWeights';
import { checkModelSize } from '../../engine/modelSize';
import type { ModelSpec } from '../../engine/modelSpec';
import { outputWidth } from '../../text/layout';
import { progressReporter } from '../../text/progress';
import { renderRun } from '../../text/runReport';
import { checkpointMismatch, readCheckpoint } from '../../store/checkpointFile';
import { describeEnvironment } from '../../store/environment';
import { RunStore, resolveRunsDir } from '../../store/RunStore';
import { checkRunName } from '../../store/runNames';
import { readValidRunDirectory, type RunRecord } from '../../store/runReader';
import { SWEEP_ID } from '../../sweep/grid';
import { RunWriter } from '../../store/runWriter';
import { RUN_FILES, type DeterminismCheck, type EnvironmentInfo, type SweepCellRef } from '../../store/runFiles';
import { armsFromConfig, checkEpsilonFits, setupWarnings, type ArmSpec } from '../../train/arms';
import { trainPaired, TrainingInterrupted, type EpochRecord, type PairedResult, type TrainingCheckpoint } from '../../train/pairedTrainer';
import { labelNoiseFile, runResults } from '../../store/runResults';
import { CliError, ExitCode } from '../../errors';
import { detail, note, timed, type CommandIo } from '../commandIo';
import { reportWritten, writeRunReportLazily } from './report';

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
}

interface Session {
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
  if (options.resume !== undefined) return resumeCommand(options, io);
  const notes: string[] = [];
  const config = resolveTrainConfig({ ...(options.configFile ? { configFile: options.configFile } : {}), flags: options.flags, notes });
  if (options.name !== undefined) checkRunName('--name', options.name);
  for (const tag of options.tags) checkRunName('--tag', tag);
  const backend = await announceBackend(config, io);
  const dataset = await timed(io, `load the data set (${config.dataset})`, () => loadDataset(config));
  const spec = checkModelSize(config, dataset);
  checkEpsilonFits(config, dataset.numClasses, fromFlagOrFile('epsilon', options));
  for (const line of notes) note(io, `note: ${line}`);
  const arms = armsFromConfig(config);
  const environment = describeEnvironment(backend);
  // Loading is mostly synchronous: let a signal that came meanwhile (or, for a sweep's cell, the end of its
  // sweep) be seen now, so that it leaves no run behind rather than one that stops at its first batch.
  await new Promise((resolve) => setImmediate(resolve));
  if (io.signal?.aborted) {
    throw new CliError('interrupted before the run started; nothing was written', io.signal.reason === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted);
  }
  const writer = new RunStore(resolveRunsDir(options.runsDir)).create({
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
  if (noise) writer.writeLabelNoise(noise);
  return runSession({ config, dataset, spec, arms, backend, environment, writer }, options, io);
}

/** Where a config key's value came from, for an error message: the flag, else the config file's key. */
function fromFlagOrFile(key: string, options: TrainOptions): string {
  if (key in options.flags || !options.configFile) return `--${key}`;
  return `${options.configFile}: key "${key}"`;
}

/**
 * Loads TensorFlow.js and picks the backend. Said on stderr only with --verbose: the run's header says
 * which backend trained it (and, briefly, why auto fell back), and nothing comes before a one-line error.
 */
async function announceBackend(config: TrainConfig, io: CommandIo): Promise<Engine> {
  const { selectBackend } = await timed(io, 'load TensorFlow.js', () => import('../../engine/backend'));
  const backend = await timed(io, `select the backend (--backend ${config.backend})`, () => selectBackend(config.backend));
  detail(io, `backend: ${backend.name} (${backend.label})`);
  if (backend.fallbackReason) detail(io, `backend: auto fell back to ${backend.name}: ${backend.fallbackReason}`);
  return backend;
}

/**
 * The run `--resume` names. `latest` is the newest run that can be resumed, not the newest run: a run
 * completed since (or a sweep's cell, which its sweep resumes when rerun) does not hide it.
 */
function locateRunToResume(store: RunStore, ref: string): string {
  if (ref !== 'latest') return store.locate(ref);
  const notSweepCell = (r: RunRecord) => !(r.meta?.tags ?? []).some((t) => SWEEP_ID.test(t));
  const [newest] = store.resumableRuns(notSweepCell);
  if (newest === undefined) {
    throw new CliError(
      `--resume latest: no run in ${store.root} can be resumed (one that was interrupted, failed or died after completing an epoch, and is not a sweep's cell: rerun the sweep to resume those); \`ls-bench runs --status interrupted,failed,died\` lists the candidates`,
    );
  }
  return store.dirOf(newest);
}

/** `train --resume <run>`: the run's own config and checkpoint, continued after its last completed epoch. */
async function resumeCommand(options: TrainOptions, io: CommandIo): Promise<number> {
  if (options.configFile || Object.keys(options.flags).length > 0 || options.name !== undefined || options.tags.length > 0 || options.sweepCell) {
    throw new CliError('--resume continues a run with its own stored config; drop the other training flags (--config, --epochs, --name, ...)');
  }
  const dir = locateRunToResume(new RunStore(resolveRunsDir(options.runsDir)), options.resume!);
  // Through the store: its files validated (config against the schema), its status honest (a dead owner is `died`).
  const record = readValidRunDirectory(dir, { metrics: false });
  const id = record.id;
  if (record.status === 'completed') throw new CliError(`--resume ${options.resume}: run ${id} already completed; nothing to resume`);
  if (record.status === 'running' || record.status === 'unknown') {
    throw new CliError(`--resume ${options.resume}: run ${id} is still running (process ${record.statusFile?.pid}${record.status === 'unknown' ? ', on another host' : ''})`);
  }
  const config = record.config!;
  const checkpointFile = path.join(dir, RUN_FILES.checkpoint);
  if (!existsSync(checkpointFile)) {
    throw new CliError(`--resume ${options.resume}: ${checkpointFile} does not exist (the run stopped before its first epoch completed); start a new run`);
  }
  let checkpoint: TrainingCheckpoint;
  try {
    checkpoint = readCheckpoint(checkpointFile);
  } catch (error) {
    throw new CliError(`--resume: ${(error as Error).message}`);
  }
  const backend = await announceBackend(config, io);
  const previousBackend = record.environment?.backend;
  if (previousBackend !== backend.name) {
    // Optimizer state is laid out per backend, and results would not match an uninterrupted run anyway.
    throw new CliError(`--resume ${options.resume}: the run was trained on the ${previousBackend} backend, but ${backend.name} was selected here; a checkpoint continues only on the backend that wrote it`);
  }
  const dataset = await loadDataset(config);
  const spec = checkModelSize(config, dataset);
  const arms = armsFromConfig(config);
  // Before anything is written: a refused resume leaves the run exactly as it was.
  const mismatch = checkpointMismatch(checkpoint, {
    dataDigest: datasetDigest(dataset),
    initialWeightsDigest: initialWeights(spec, config.seed).digest,
    armLabels: arms.map((a) => a.label),
  });
  if (mismatch) throw new CliError(`--resume ${options.resume}: run ${id}: ${mismatch}`);
  if (checkpoint.dataDigest === null) note(io, `note: run ${id}'s checkpoint predates data digests; cannot check that the data is unchanged`);
  const writer = RunWriter.reopen(dir, record.statusFile!);
  const rows = writer.truncateMetrics(checkpoint.epoch);
  const histories = arms.map((arm) =>
    rows.filter((r) => r.arm === arm.label).map(({ arm: _a, epsilon: _e, ...record }) => record as EpochRecord),
  );
  writer.writeStatus('running');
  note(io, `run: ${dir} (resuming after epoch ${checkpoint.epoch} of ${config.epochs})`);
  return runSession({ config, dataset, spec, arms, backend, environment: describeEnvironment(backend), writer, resume: { checkpoint, histories } }, options, io);
}

async function runSession(session: Session, options: TrainOptions, io: CommandIo): Promise<number> {
  const { config, dataset, arms, backend, writer } = session;
  for (const warning of setupWarnings(dataset, arms)) note(io, `note: ${warning}`);
  const progress = progressReporter(io.stderr, { live: io.stderr.isTTY === true, silent: io.verbosity === 'quiet', width: outputWidth(io.stderr) ?? 80, epochs: config.epochs });
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
      const code = io.signal?.reason === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
      const again = `${io.invocation ?? 'ls-bench'} train --resume ${writer.id}${options.runsDir ? ` --runs-dir ${options.runsDir}` : ''}`;
      throw new CliError(`interrupted: ${error.message}; run ${writer.id} marked interrupted (${writer.dir}); continue it with: ${again}`, code);
    }
    writer.end('failed', error instanceof Error ? error.message : String(error));
    throw error;
  }
  progress.finish();
  return finishSession(session, result, options, io);
}

/** After training: the results, the determinism check, the run completed on disk, the output, the report. */
async function finishSession(session: Session, result: PairedResult, options: TrainOptions, io: CommandIo): Promise<number> {
  const { config, dataset, spec, arms, backend, environment, writer } = session;
  let completed = false;
  try {
    if (result.parallelArms > 1) note(io, `arms: trained at the same time, ${result.parallelArms} threads`);
    const { summary, histograms, predictions, probabilities } = await timed(io, 'final metrics', () =>
      runResults({ runId: writer.id, config, dataset, spec, backend: backend.name, result }),
    );
    summary.resumedAfterEpoch = session.resume?.checkpoint.epoch ?? null;
    if (options.checkDeterminism) {
      note(io, 'determinism: training again from the same seed to compare…');
      const again = await trainPaired({ config, dataset, arms, engine: backend, ...(io.signal ? { signal: io.signal } : {}) });
      summary.determinism = compareRuns(result, again);
      note(io, `determinism: ${summary.determinism.identical ? 'identical, bit for bit' : `DIFFERENT: ${summary.determinism.firstDifference}`}`);
    }
    await timed(io, 'write the run', () => writer.complete(summary, histograms, predictions, probabilities));
    completed = true;
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ ...summary, backendLabel: backend.label, backendFallbackReason: backend.fallbackReason ?? null, histograms, runDir: writer.dir }, null, 2)}\n`);
    } else {
      const layout = { width: outputWidth(io.stdout), verbose: io.verbosity === 'verbose', commandSeconds: (performance.now() - (io.startedAt ?? 0)) / 1000 };
      io.stdout.write(`${renderRun(summary, histograms, environment, layout)}\n\nrun saved to ${writer.dir}\n`);
    }
    // After the run is complete: a report that cannot be written leaves the run as it is. With --json,
    // stdout holds only the JSON document, so the report's path goes to stderr.
    if (options.report) {
      const written = await timed(io, 'the HTML report', () => writeRunReportLazily(writer.dir));
      reportWritten(written, options.json ? { ...io, stdout: io.stderr } : io);
    }
    return !summary.determinism || summary.determinism.identical ? ExitCode.ok : ExitCode.failure;
  } catch (error) {
    // a run whose results could not be computed or written is failed, not left running
    if (!completed) writer.end('failed', error instanceof Error ? error.message : String(error));
    throw error;
  }
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
