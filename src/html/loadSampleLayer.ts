import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Dataset } from '../data/Dataset';
import { mayHoldImages, sampleImages } from '../data/sampleImages';
import { CliError } from '../errors';
import { readRunProbabilities } from '../store/probabilitiesFile';
import { loadRunDataset } from '../store/runDataset';
import { RUN_FILES } from '../store/runFiles';
import type { RunReportInput } from './loadRunForReport';
import type { SampleLayer } from './sampleCharts';

/** The per-sample layer and, for image data, the data set it was loaded from (the projection reuses it). */
export interface LoadedSampleLayer {
  layer: SampleLayer | null;
  dataset: Dataset | null;
  /** Why the per-sample charts are missing or partial, for the page. */
  notes: string[];
}

/**
 * What the report's per-sample charts need: probabilities.bin, and for image data the test images, from
 * the data set loaded again by the run's config and checked by its digest. A run written before
 * probabilities.bin existed, or data that changed since, leaves those charts out with a note saying why;
 * the rest of the report is still written. A damaged probabilities.bin is an error like any damaged file.
 */
export async function loadSampleLayer(input: RunReportInput, needData: boolean): Promise<LoadedSampleLayer> {
  const { summary } = input;
  if (summary.arms.length < 2) return { layer: null, dataset: null, notes: [] };
  if (!existsSync(path.join(input.dir, RUN_FILES.probabilities))) {
    return { layer: null, dataset: null, notes: [`This run has no ${RUN_FILES.probabilities} (written by an ls-bench before per-sample probabilities were kept): train it again for the gallery, the scatter and the projection.`] };
  }
  const stored = readRunProbabilities({ id: input.meta.id, dir: input.dir, summary });
  const notes: string[] = [];
  let dataset: Dataset | null = null;
  if (needData || mayHoldImages(summary.dataset.name)) {
    try {
      dataset = await loadRunDataset({ id: input.meta.id, config: input.config, summary }, 'the report leaves out what needs the samples themselves');
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      notes.push(`${error.message}.`);
    }
  }
  const images = dataset ? sampleImages(dataset, dataset.test) : null;
  if (dataset && !images && mayHoldImages(summary.dataset.name)) notes.push(`The data set ${summary.dataset.name} holds no 2-D samples, so the report has no gallery of images.`);
  return { layer: { stored, images, notes }, dataset, notes };
}
