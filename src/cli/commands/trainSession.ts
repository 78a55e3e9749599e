import type { FlagValues } from '../../config/loadConfig';
import type { TrainConfig } from '../../config/schema';
import type { Dataset } from '../../data/Dataset';
import { selectBackend, type Engine } from '../../engine/backend';
import { dataShapeOf, describeModel, mlpSpec, runMemoryInputs } from '../../engine/mlpSpec';
import { checkRunMemory, estimateRunMemory } from '../../engine/memoryEstimate';
import { progressReporter } from '../../text/progress';
import { renderRun } from '../../text/runReport';
import type { RunWriter } from '../../store/runWriter';
import type { DeterminismCheck, EnvironmentInfo, HistogramsFile, RunSummary } from '../../store/runFiles';
import { setupWarnings, type ArmSpec } from '../../train/arms';
import { trainPaired, TrainingInterrupted, type EpochRecord, type PairedResult, type TrainingCheckpoint } from '../../train/pairedTrainer';
import { runResults } from '../../store/runResults';
import { CliError, ExitCode } from '../../errors';
import type { CommandIo } from '../commandIo';
import { interruptible, reportWritten, writeRunReportLazily } from './report';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

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
  /** --max-memory: the limit the run's memory estimate must stay under (memoryEstimate.ts). */
  maxMemory?: string;
  /** Told the new run's id and directory as soon as it exists (`ls-bench sweep` listens through --events-fd). */
  onRunCreated?(run: { runId: string; runDir: string }): void;
}

/** A run ready to train: new, or reopened by --resume with its checkpoint. */
export interface Session {
  config: TrainConfig;
  dataset: Dataset;
  arms: ArmSpec[];
  backend: Engine;
  environment: EnvironmentInfo;
  writer: RunWriter;
  resume?: { checkpoint: TrainingCheckpoint; histories: EpochRecord[][] };
}

/**
 * Refuses (exit 2) a run whose estimated memory — every arm's model and optimizer state, the data, the
 * activations — is above the limit, before any model exists (the data is loaded already, within the limit).
 */
export function checkMemory(config: TrainConfig, dataset: Dataset, limit: { bytes: number; source: string }): void {
  const spec = mlpSpec(config, dataset);
  const estimate = estimateRunMemory(runMemoryInputs(config, dataShapeOf(dataset)));
  checkRunMemory(estimate, limit, `training ${1 + config.epsilon.length} arms of ${describeModel(spec)} on ${dataset.name}`);
}

export async function announceBackend(config: TrainConfig, io: CommandIo): Promise<Engine> {
  const backend = await selectBackend(config.backend);
  io.stderr.write(`backend: ${backend.name} (${backend.label})\n`);
  if (backend.fallbackReason) io.stderr.write(`backend: fell back to ${backend.name}: ${backend.fallbackReason}\n`);
  return backend;
}

/**
 * Trains the session's run to completion and prints it. The run's lock is released as soon as the run's
 * files are final (completed, interrupted or failed); printing and the --report come after, so a failure
 * there can never change a completed run's status.
 */
export async function runSession(session: Session, options: TrainOptions, io: CommandIo): Promise<number> {
  const { backend, environment, writer } = session;
  let done: { summary: RunSummary; histograms: HistogramsFile };
  try {
    done = await trainToCompletion(session, options, io);
  } finally {
    writer.release();
  }
  const { summary, histograms } = done;
  // A signal that came during the last steps (evaluation, writing) is seen here: the run is complete and stays so.
  await yieldToEventLoop();
  if (io.signal?.aborted) throw interruptedAfterCompletion(writer.id, io.signal);
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ ...summary, backendLabel: backend.label, backendFallbackReason: backend.fallbackReason ?? null, histograms, runDir: writer.dir }, null, 2)}\n`);
  } else {
    io.stdout.write(`${renderRun(summary, histograms, environment)}\n\nrun saved to ${writer.dir}\n`);
  }
  // With --json, stdout holds only the JSON document, so the report's path goes to stderr.
  if (options.report) {
    const written = await interruptible(() => writeRunReportLazily(writer.dir, io.signal ? { signal: io.signal } : {}));
    reportWritten(written, options.json ? { ...io, stdout: io.stderr } : io);
  }
  return !summary.determinism || summary.determinism.identical ? ExitCode.ok : ExitCode.failure;
}

function interruptedAfterCompletion(id: string, signal: AbortSignal): CliError {
  return new CliError(`interrupted: run ${id} completed, but was not printed; \`ls-bench show ${id}\` prints it`, signal.reason === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted);
}

/** The training itself, up to the completed run's files; an interruption or an error marks the run and is rethrown. */
async function trainToCompletion(session: Session, options: TrainOptions, io: CommandIo): Promise<{ summary: RunSummary; histograms: HistogramsFile }> {
  const { config, dataset, arms, backend, writer } = session;
  for (const warning of setupWarnings(dataset, arms)) io.stderr.write(`note: ${warning}\n`);
  const progress = progressReporter(io.stderr);
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
    const { summary, histograms, predictions, confusion } = runResults({ runId: writer.id, config, dataset, spec: mlpSpec(config, dataset), backend: backend.name, result });
    summary.resumedAfterEpoch = session.resume?.checkpoint.epoch ?? null;
    if (options.checkDeterminism) {
      io.stderr.write('determinism: training again from the same seed to compare…\n');
      const again = await trainPaired({ config, dataset, arms, engine: backend, ...(io.signal ? { signal: io.signal } : {}) });
      summary.determinism = compareRuns(result, again);
      io.stderr.write(`determinism: ${summary.determinism.identical ? 'identical, bit for bit' : `DIFFERENT: ${summary.determinism.firstDifference}`}\n`);
    }
    writer.complete(summary, histograms, predictions, confusion);
    return { summary, histograms };
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
