import type { TrainConfig } from '../config/schema';
import { datasetDigest, type Dataset } from '../data/Dataset';
import { loadDataset } from '../data/loadDataset';
import { CliError } from '../errors';
import type { RunSummary } from './runFiles';

const short = (digest: string) => `${digest.slice(0, 12)}…`;

/**
 * The data a completed run trained and was tested on, loaded again from its config (the same seeded
 * splits, --limit and validation split), for what its files do not hold: the test images behind its
 * stored probabilities, the training samples of a projection. The data's digest must be the one the run
 * recorded, else test sample i is not the sample the run predicted: one line naming the run, and what to
 * do instead (`instead`, e.g. "--thumbnails none lists the samples without images").
 */
export async function loadRunDataset(run: { id: string; config: TrainConfig; summary: RunSummary }, instead: string): Promise<Dataset> {
  const name = run.summary.dataset.name;
  let dataset: Dataset;
  try {
    dataset = await loadDataset(run.config);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    throw new CliError(`run ${run.id}: cannot load its data set again (${error.message}); ${instead}`, error.exitCode);
  }
  const digest = datasetDigest(dataset);
  if (digest !== run.summary.dataset.digest) {
    throw new CliError(`run ${run.id}: its data set ${name} changed since the run (data digest ${short(run.summary.dataset.digest)} then, ${short(digest)} now), so its test samples are not the ones it predicted; ${instead}`);
  }
  return dataset;
}
