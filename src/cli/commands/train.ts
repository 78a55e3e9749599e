import { resolveTrainConfig } from '../../config/loadConfig';
import { loadDataset } from '../../data/loadDataset';
import { checkModelSize } from '../../engine/mlpSpec';
import { memoryLimit } from '../../engine/memoryEstimate';
import { describeEnvironment } from '../../store/environment';
import { RunStore, resolveRunsDir } from '../../store/RunStore';
import { checkRunName } from '../../store/runNames';
import { armsFromConfig } from '../../train/arms';
import { labelNoiseFile } from '../../store/runResults';
import type { CommandIo } from '../commandIo';
import { resumeCommand } from './trainResume';
import { announceBackend, checkMemory, runSession, type TrainOptions } from './trainSession';

export type { TrainOptions } from './trainSession';
export { compareRuns } from './trainSession';

/**
 * config → data → engine → paired trainer → metrics → run store → render. Everything the user can get
 * wrong is checked before the run directory exists.
 */
export async function trainCommand(options: TrainOptions, io: CommandIo): Promise<number> {
  if (options.resume !== undefined) return resumeCommand(options, io);
  const runsDir = resolveRunsDir(options.runsDir);
  const config = resolveTrainConfig({ ...(options.configFile !== undefined ? { configFile: options.configFile } : {}), flags: options.flags });
  if (options.name !== undefined) checkRunName('--name', options.name);
  for (const tag of options.tags) checkRunName('--tag', tag);
  const limit = memoryLimit(options.maxMemory);
  const backend = await announceBackend(config, io);
  const dataset = await loadDataset(config, limit.bytes);
  checkModelSize(config, dataset);
  checkMemory(config, dataset, limit);
  const arms = armsFromConfig(config);
  const environment = describeEnvironment(backend);
  const writer = new RunStore(runsDir).create({
    ...(options.name !== undefined ? { name: options.name } : {}),
    tags: options.tags,
    config,
    environment,
    command: options.argv,
  });
  io.stderr.write(`run: ${writer.dir}\n`);
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
  return runSession({ config, dataset, arms, backend, environment, writer }, options, io);
}


