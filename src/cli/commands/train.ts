import { existsSync } from 'node:fs';
import path from 'node:path';
import { resolveTrainConfig, type FlagValues } from '../../config/loadConfig';
import type { TrainConfig } from '../../config/schema';
import { datasetDigest, type Dataset } from '../../data/Dataset';
import { loadDataset } from '../../data/loadDataset';
import { selectBackend, type Engine } from '../../engine/backend';
import { glorotInitialWeights } from '../../engine/initialWeights';
import { checkModelSize, mlpSpec } from '../../engine/mlpSpec';
import { progressReporter } from '../../text/progress';
import { renderRun } from '../../text/runReport';
import { checkpointMismatch, readCheckpoint } from '../../store/checkpointFile';
import { describeEnvironment } from '../../store/environment';
import { RunStore, resolveRunsDir } from '../../store/RunStore';
import { checkRunName } from '../../store/runNames';
import { readValidRunDirectory } from '../../store/runReader';
import { RunWriter } from '../../store/runWriter';
import { RUN_FILES, type DeterminismCheck, type EnvironmentInfo, type SweepCellRef } from '../../store/runFiles';
import { armsFromConfig, checkEpsilonFits, setupWarnings, type ArmSpec } from '../../train/arms';
import { trainPaired, TrainingInterrupted, type EpochRecord, type PairedResult, type TrainingCheckpoint } from '../../train/pairedTrainer';
import { labelNoiseFile, runResults } from '../../store/runResults';
import { CliError, ExitCode } from '../../errors';
import type { CommandIo } from '../commandIo';
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
  const config = resolveTrainConfig({ ...(options.configFile ? { configFile: options.configFile } : {}), flags: options.flags });
  if (options.name !== undefined) checkRunName('--name', options.name);
  for (const tag of options.tags) checkRunName('--tag', tag);
  const backend = await announceBackend(config, io);
  const dataset = await loadDataset(config);
  checkModelSize(config, dataset);
  checkEpsilonFits(config, dataset.numClasses, fromFlagOrFile('epsilon', options));
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
  io.stderr.write(`run: ${writer.dir}\n`);
  options.onRunCreated?.({ runId: writer.id, runDir: writer.dir });
  const noise = labelNoiseFile(dataset, config.seed);
  if (noise) writer.writeLabelNoise(noise);
  return runSession({ config, dataset, arms, backend, environment, writer }, options, io);
}

/** Where a config key's value came from, for an error message: the flag, else the config file's key. */
function fromFlagOrFile(key: string, options: TrainOptions): string {
  if (key in options.flags || !options.configFile) return `--${key}`;
  return `${options.configFile}: key "${key}"`;
}

async function announceBackend(config: TrainConfig, io: CommandIo): Promise<Engine> {
  const backend = await selectBackend(config.backend);
  io.stderr.write(`backend: ${backend.name} (${backend.label})\n`);
  if (backend.fallbackReason) io.stderr.write(`backend: fell back to ${backend.name}: ${backend.fallbackReason}\n`);
  return backend;
}

/** `train --resume <run>`: the run's own config and checkpoint, continued after its last completed epoch. */
async function resumeCommand(options: TrainOptions, io: CommandIo): Promise<number> {
  if (options.configFile || Object.keys(options.flags).length > 0 || options.name !== undefined || options.tags.length > 0 || options.sweepCell) {
    throw new CliError('--resume continues a run with its own stored config; drop the other training flags (--config, --epochs, --name, ...)');
  }
  const dir = new RunStore(resolveRunsDir(options.runsDir)).locate(options.resume!);
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
  checkModelSize(config, dataset);
  const arms = armsFromConfig(config);
  // Before anything is written: a refused resume leaves the run exactly as it was.
  const mismatch = checkpointMismatch(checkpoint, {
    dataDigest: datasetDigest(dataset),
    initialWeightsDigest: glorotInitialWeights(mlpSpec(config, dataset), config.seed).digest,
    armLabels: arms.map((a) => a.label),
  });
  if (mismatch) throw new CliError(`--resume ${options.resume}: run ${id}: ${mismatch}`);
  if (checkpoint.dataDigest === null) io.stderr.write(`note: run ${id}'s checkpoint predates data digests; cannot check that the data is unchanged\n`);
  const writer = RunWriter.reopen(dir, record.statusFile!);
  const rows = writer.truncateMetrics(checkpoint.epoch);
  const histories = arms.map((arm) =>
    rows.filter((r) => r.arm === arm.label).map(({ arm: _a, epsilon: _e, ...record }) => record as EpochRecord),
  );
  writer.writeStatus('running');
  io.stderr.write(`run: ${dir} (resuming after epoch ${checkpoint.epoch} of ${config.epochs})\n`);
  return runSession({ config, dataset, arms, backend, environment: describeEnvironment(backend), writer, resume: { checkpoint, histories } }, options, io);
}

async function runSession(session: Session, options: TrainOptions, io: CommandIo): Promise<number> {
  const { config, dataset, arms, backend, environment, writer } = session;
  for (const warning of setupWarnings(dataset, arms)) io.stderr.write(`note: ${warning}\n`);
  const progress = progressReporter(io.stderr);
  let deterministic = true;
  try {
    const result = await trainPaired({
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
    });
    progress.finish();
    if (result.parallelArms > 1) io.stderr.write(`arms: trained at the same time, ${result.parallelArms} threads\n`);
    const { summary, histograms, predictions } = runResults({ runId: writer.id, config, dataset, spec: mlpSpec(config, dataset), backend: backend.name, result });
    summary.resumedAfterEpoch = session.resume?.checkpoint.epoch ?? null;
    if (options.checkDeterminism) {
      io.stderr.write('determinism: training again from the same seed to compare…\n');
      const again = await trainPaired({ config, dataset, arms, engine: backend, ...(io.signal ? { signal: io.signal } : {}) });
      summary.determinism = compareRuns(result, again);
      io.stderr.write(`determinism: ${summary.determinism.identical ? 'identical, bit for bit' : `DIFFERENT: ${summary.determinism.firstDifference}`}\n`);
    }
    writer.complete(summary, histograms, predictions);
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ ...summary, backendLabel: backend.label, backendFallbackReason: backend.fallbackReason ?? null, histograms, runDir: writer.dir }, null, 2)}\n`);
    } else {
      io.stdout.write(`${renderRun(summary, histograms, environment)}\n\nrun saved to ${writer.dir}\n`);
    }
    deterministic = !summary.determinism || summary.determinism.identical;
  } catch (error) {
    progress.finish();
    if (error instanceof TrainingInterrupted) {
      writer.end('interrupted', error.message);
      const code = io.signal?.reason === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
      throw new CliError(`interrupted: ${error.message}; run ${writer.id} marked interrupted (${writer.dir}); continue it with: ls-bench train --resume ${writer.id}`, code);
    }
    writer.end('failed', error instanceof Error ? error.message : String(error));
    throw error;
  }
  // After the run is complete: a report that cannot be written leaves the run as it is. With --json,
  // stdout holds only the JSON document, so the report's path goes to stderr.
  if (options.report) {
    const written = await writeRunReportLazily(writer.dir);
    reportWritten(written, options.json ? { ...io, stdout: io.stderr } : io);
  }
  return deterministic ? ExitCode.ok : ExitCode.failure;
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
