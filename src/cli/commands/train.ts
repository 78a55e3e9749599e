import { resolveTrainConfig, type FlagValues } from '../../config/loadConfig';
import { loadDataset } from '../../data/loadDataset';
import { selectBackend } from '../../engine/backend';
import { progressReporter, type OutputStream } from '../../render/progress';
import { renderRun } from '../../render/runReport';
import { describeEnvironment } from '../../store/environment';
import { RunStore, resolveRunsDir, checkRunName } from '../../store/RunStore';
import { armsFromConfig } from '../../train/arms';
import { mlpSpec, trainPaired, TrainingInterrupted } from '../../train/pairedTrainer';
import { runResults } from '../../train/runResults';
import { CliError, ExitCode } from '../CliError';
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
}

export interface CommandIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Aborted on SIGINT/SIGTERM: training stops between two batches. */
  signal?: AbortSignal;
}

/**
 * config → data → engine → paired trainer → metrics → run store → render. Everything the user can get
 * wrong is checked before the run directory exists.
 */
export async function trainCommand(options: TrainOptions, io: CommandIo): Promise<number> {
  const config = resolveTrainConfig({ ...(options.configFile ? { configFile: options.configFile } : {}), flags: options.flags });
  if (options.name !== undefined) checkRunName('--name', options.name);
  for (const tag of options.tags) checkRunName('--tag', tag);
  const backend = await selectBackend(config.backend);
  io.stderr.write(`backend: ${backend.name} (${backend.label})\n`);
  if (backend.fallbackReason) io.stderr.write(`backend: fell back to ${backend.name}: ${backend.fallbackReason}\n`);
  const dataset = loadDataset(config);
  const arms = armsFromConfig(config);
  if (dataset.numClasses === 2 && arms.some((a) => a.epsilon > 0)) {
    io.stderr.write('note: with two classes, label smoothing only caps the gap between the two logits; calibration effects differ from the many-class case\n');
  }

  const store = new RunStore(resolveRunsDir(options.runsDir));
  const environment = describeEnvironment(backend);
  const writer = store.create({
    ...(options.name !== undefined ? { name: options.name } : {}),
    tags: options.tags,
    config,
    environment,
    command: options.argv,
  });
  io.stderr.write(`run: ${writer.dir}\n`);
  const progress = progressReporter(io.stderr);
  try {
    const result = trainPaired({
      config,
      dataset,
      arms,
      ...(io.signal ? { signal: io.signal } : {}),
      events: {
        onBatch: progress.onBatch,
        onEpoch(epoch, records) {
          progress.onEpoch!(epoch, records);
          writer.appendEpoch(records.map(({ arm, record }) => ({ arm: arm.label, epsilon: arm.epsilon, ...record })));
        },
      },
    });
    progress.finish();
    const { summary, histograms, predictions } = runResults({ runId: writer.id, config, dataset, spec: mlpSpec(config, dataset), backend: backend.name, result });
    writer.complete(summary, histograms, predictions);
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ ...summary, backendLabel: backend.label, backendFallbackReason: backend.fallbackReason ?? null, histograms, runDir: writer.dir }, null, 2)}\n`);
    } else {
      io.stdout.write(`${renderRun(summary, histograms, environment)}\n\nrun saved to ${writer.dir}\n`);
    }
  } catch (error) {
    progress.finish();
    if (error instanceof TrainingInterrupted) {
      writer.end('interrupted', error.message);
      const code = io.signal?.reason === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
      throw new CliError(`interrupted: ${error.message}; run ${writer.id} marked interrupted (${writer.dir})`, code);
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
  return ExitCode.ok;
}
