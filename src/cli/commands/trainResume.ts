import { existsSync } from 'node:fs';
import path from 'node:path';
import { datasetDigest } from '../../data/Dataset';
import { loadDataset } from '../../data/loadDataset';
import { initialWeights } from '../../engine/initialWeights';
import { checkModelSize } from '../../engine/modelSize';
import { memoryLimit } from '../../engine/memoryEstimate';
import { checkpointMismatch, readCheckpoint } from '../../store/checkpointFile';
import { blasThreadsChange, describeEnvironment } from '../../store/environment';
import type { ProcessLock } from '../../store/processLock';
import { RunStore, resolveRunsDir } from '../../store/RunStore';
import { readValidRunDirectory, type RunRecord } from '../../store/runReader';
import { SWEEP_ID } from '../../sweep/grid';
import { lockRun, RunWriter } from '../../store/runWriter';
import { RUN_FILES } from '../../store/runFiles';
import { armsFromConfig } from '../../train/arms';
import { checkpointRestoreProblem } from '../../train/pairedRun';
import type { EpochRecord, TrainingCheckpoint } from '../../train/pairedTrainer';
import { CliError } from '../../errors';
import { note, timed, type CommandIo } from '../commandIo';
import { announceBackend, checkMemory, runSession, type Session, type TrainOptions } from './trainSession';

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
export async function resumeCommand(options: TrainOptions, io: CommandIo): Promise<number> {
  if (options.configFile !== undefined || Object.keys(options.flags).length > 0 || options.name !== undefined || options.tags.length > 0 || options.sweepCell) {
    throw new CliError('--resume continues a run with its own stored config; drop the other training flags (--config, --epochs, --name, ...)');
  }
  const dir = locateRunToResume(new RunStore(resolveRunsDir(options.runsDir)), options.resume!);
  // The run's lock first: a second resume (or the training itself) refuses here, and nothing below can
  // change under this one. Until the writer takes it over, a refusal releases it and leaves the run as it was.
  const lock = lockRun(dir, `--resume ${options.resume}: run ${path.basename(dir)} is being trained`);
  let session: Session;
  try {
    session = await prepareResume(dir, lock, options, io);
  } catch (error) {
    lock.release();
    throw error;
  }
  return runSession(session, options, io);
}

/** Everything a resume checks before it writes anything; then the reopened writer and where training goes on from. */
async function prepareResume(dir: string, lock: ProcessLock, options: TrainOptions, io: CommandIo): Promise<Session> {
  const ref = options.resume!;
  // Through the store: its files validated (config against the schema), its status honest (a dead owner is `died`).
  const record = readValidRunDirectory(dir, { metrics: false });
  const id = record.id;
  if (record.status === 'completed') throw new CliError(`--resume ${ref}: run ${id} already completed; nothing to resume`);
  if (record.status === 'running' || record.status === 'unknown') {
    throw new CliError(`--resume ${ref}: run ${id} is still running (process ${record.statusFile?.pid}${record.statusNote ? `, ${record.statusNote}` : ''})`);
  }
  const config = record.config!;
  const checkpoint = readResumeCheckpoint(dir, ref, config.epochs);
  const backend = await announceBackend(config, io);
  const previousBackend = record.environment?.backend;
  if (previousBackend !== backend.name) {
    // Optimizer state is laid out per backend, and results would not match an uninterrupted run anyway.
    throw new CliError(`--resume ${ref}: the run was trained on the ${previousBackend} backend, but ${backend.name} was selected here; a checkpoint continues only on the backend that wrote it`);
  }
  const environment = describeEnvironment(backend);
  const limit = memoryLimit(options.maxMemory);
  const dataset = await timed(io, `load the data set (${config.dataset})`, () => loadDataset(config, limit.bytes));
  const spec = checkModelSize(config, dataset);
  checkMemory(config, dataset, spec, limit);
  const arms = armsFromConfig(config);
  // Before anything is written: a refused resume leaves the run exactly as it was.
  const initial = initialWeights(spec, config.seed);
  const mismatch = checkpointMismatch(checkpoint, { dataDigest: datasetDigest(dataset), initialWeightsDigest: initial.digest, armLabels: arms.map((a) => a.label) });
  if (mismatch) throw new CliError(`--resume ${ref}: run ${id}: ${mismatch}`);
  const unrestorable = await checkpointRestoreProblem(backend, spec, initial, config, checkpoint);
  if (unrestorable) throw new CliError(`--resume ${ref}: run ${id}: ${path.join(dir, RUN_FILES.checkpoint)}: ${unrestorable}`);
  if (checkpoint.dataDigest === null) note(io, `note: run ${id}'s checkpoint predates data digests; cannot check that the data is unchanged`);
  const blasNote = blasThreadsChange(record.environment, environment);
  if (blasNote) io.stderr.write(`warning: run ${id}: ${blasNote}\n`);
  const writer = RunWriter.reopen(dir, record.statusFile!, lock);
  const rows = writer.truncateMetrics(checkpoint.epoch);
  const histories = arms.map((arm) => rows.filter((r) => r.arm === arm.label).map(({ arm: _a, epsilon: _e, ...r }) => r as EpochRecord));
  writer.writeStatus('running');
  note(io, `run: ${dir} (resuming after epoch ${checkpoint.epoch} of ${config.epochs})`);
  return { config, dataset, spec, arms, backend, environment, writer, resume: { checkpoint, histories } };
}

/** The run's checkpoint, read and checked against its config; every problem names the file. */
function readResumeCheckpoint(dir: string, ref: string, epochs: number): TrainingCheckpoint {
  const checkpointFile = path.join(dir, RUN_FILES.checkpoint);
  if (!existsSync(checkpointFile)) {
    throw new CliError(`--resume ${ref}: ${checkpointFile} does not exist (the run stopped before its first epoch completed); start a new run`);
  }
  let checkpoint: TrainingCheckpoint;
  try {
    checkpoint = readCheckpoint(checkpointFile);
  } catch (error) {
    throw new CliError(`--resume: ${(error as Error).message}`);
  }
  if (checkpoint.epoch > epochs) {
    throw new CliError(`--resume ${ref}: ${path.join(dir, RUN_FILES.config)}: "epochs" is ${epochs}, but ${checkpointFile} is after epoch ${checkpoint.epoch}; expected at least ${checkpoint.epoch}`);
  }
  return checkpoint;
}

