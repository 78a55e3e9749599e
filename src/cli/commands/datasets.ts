import type { Command } from 'commander';
import { TrainConfigSchema } from '../../config/schema';
import { BUNDLED_DATASETS, bundledFile, type BundledName } from '../../data/bundled';
import { classCounts } from '../../data/Dataset';
import { loadDataset } from '../../data/loadDataset';
import { heldOutCounts } from '../../data/stratified';
import { FASHION_MNIST_CLASSES, fashionMnistSearchPath, locateFashionMnist } from '../../data/fashionMnist';
import { readIdxDims, readIdxFile } from '../../data/idx';
import { ExitCode, nonEmptyPath } from '../../errors';
import { outputWidth, wrapParagraph } from '../../text/layout';
import { renderTabular, type Tabular } from '../../text/tabular';
import type { CommandIo } from '../commandIo';
import { addExamples } from '../help';

/** One line of `ls-bench datasets`. */
export interface DatasetListing {
  name: string;
  kind: 'built-in' | 'bundled' | 'found';
  samples: number;
  /** What a run with the default options trains on, validates on (--val-fraction) and tests on. */
  trainSamples: number;
  validationSamples: number;
  testSamples: number;
  features: number;
  classes: number;
  /** Samples per class over all splits, in class order. */
  classCounts: number[];
  classNames: string[];
  /** A file or folder, or "generated from the seed". */
  location: string;
  source: string;
}

/** Synthetic and bundled sets: loaded with the default options through the same code as a run, so the split sizes are a run's. */
async function loadedListing(name: string, kind: DatasetListing['kind'], location: string, source: string): Promise<DatasetListing> {
  const dataset = await loadDataset(TrainConfigSchema.parse({ dataset: name }));
  const splits = [dataset.train, dataset.test, ...(dataset.validation ? [dataset.validation] : [])];
  const perSplit = splits.map((s) => classCounts(s.y, dataset.numClasses));
  return {
    name,
    kind,
    samples: splits.reduce((n, s) => n + s.count, 0),
    trainSamples: dataset.train.count,
    validationSamples: dataset.validation?.count ?? 0,
    testSamples: dataset.test.count,
    features: dataset.numFeatures,
    classes: dataset.numClasses,
    classCounts: perSplit[0]!.map((_, c) => perSplit.reduce((n, counts) => n + counts[c]!, 0)),
    classNames: dataset.classNames,
    location,
    source,
  };
}

const syntheticListing = () => loadedListing('synthetic', 'built-in', 'generated from the seed (--samples, --features, --classes)', 'class-conditional Gaussian mixtures');

const bundledListing = (name: BundledName) => loadedListing(name, 'bundled', bundledFile(name), BUNDLED_DATASETS[name].source);

/** Fashion-MNIST if its IDX files are in the search path: labels read in full (small), images by header only. */
function fashionMnistListing(dataDir?: string): DatasetListing | undefined {
  let files;
  try {
    files = locateFashionMnist(dataDir);
  } catch {
    return undefined;
  }
  const trainLabels = readIdxFile(files.trainLabels, 1).data;
  const testLabels = readIdxFile(files.testLabels, 1).data;
  const dims = readIdxDims(files.trainImages);
  const k = FASHION_MNIST_CLASSES.length;
  const train = classCounts(trainLabels, k);
  const test = classCounts(testLabels, k);
  // the validation split's rule, on the label counts alone (the images are not read)
  const validation = heldOutCounts(train, TrainConfigSchema.parse({}).valFraction, { keepOne: true }).reduce((a, b) => a + b, 0);
  return {
    name: 'fashion-mnist',
    kind: 'found',
    samples: trainLabels.length + testLabels.length,
    trainSamples: trainLabels.length - validation,
    validationSamples: validation,
    testSamples: testLabels.length,
    features: dims.slice(1).reduce((a, b) => a * b, 1),
    classes: k,
    classCounts: train.map((n, c) => n + test[c]!),
    classNames: FASHION_MNIST_CLASSES,
    location: files.trainImages.replace(/\/[^/]+$/, ''),
    source: 'Zalando Research (MIT licence), IDX files',
  };
}

export async function listDatasets(options: { dataDir?: string } = {}): Promise<{ datasets: DatasetListing[]; searched: string[] }> {
  const datasets: DatasetListing[] = [await syntheticListing()];
  for (const name of Object.keys(BUNDLED_DATASETS) as BundledName[]) datasets.push(await bundledListing(name));
  const fashion = fashionMnistListing(options.dataDir);
  if (fashion) datasets.push(fashion);
  return { datasets, searched: fashionMnistSearchPath(options.dataDir) };
}

/** The data sets as a table (fitted to `width`), then where Fashion-MNIST was looked for and how to use your own data. */
export function renderDatasets(listing: { datasets: DatasetListing[]; searched: string[] }, width?: number): string {
  const table: Tabular = {
    head: ['name (--dataset)', 'kind', 'samples', 'train / val / test', 'features', 'classes', 'per class', 'where'],
    numeric: [2, 4, 5],
    rows: listing.datasets.map((d) => {
      const min = Math.min(...d.classCounts);
      const max = Math.max(...d.classCounts);
      return [d.name, d.kind, String(d.samples), `${d.trainSamples} / ${d.validationSamples} / ${d.testSamples}`, String(d.features), String(d.classes), min === max ? `${min} each` : `${min}–${max}`, d.location];
    }),
  };
  const lines = [renderTabular(table, 'table', { width })];
  if (!listing.datasets.some((d) => d.name === 'fashion-mnist')) {
    lines.push(`fashion-mnist: not found (searched ${listing.searched.join(', ')}; on Debian: apt-get install dataset-fashion-mnist)`);
  }
  lines.push(`train / val / test: what a run gets with the default options; the validation set (--val-fraction ${TrainConfigSchema.parse({}).valFraction}) is held out of the training set to fit temperatures.`);
  lines.push('Your own data: --dataset csv:FILE (label column last unless --label-column) or --dataset idx:IMAGES,LABELS[,TEST-IMAGES,TEST-LABELS].');
  return lines.map((l, i) => (i === 0 ? l : wrapParagraph(l, width, '  '))).join('\n');
}

export function configureDatasetsCommand(command: Command, io: CommandIo, setExitCode: (code: number) => void): void {
  command
    .option('--json', 'print one JSON document on stdout', false)
    .option('--data-dir <dir>', 'also look for the fashion-mnist IDX files in this folder (instead of the default search path)');
  addExamples(command, [['ls-bench datasets', 'what --dataset can name here']]);
  command.action(async (parsed: { json?: boolean; dataDir?: string }) => {
    const listing = await listDatasets(parsed.dataDir !== undefined ? { dataDir: nonEmptyPath('--data-dir', parsed.dataDir) } : {});
    io.stdout.write(parsed.json ? `${JSON.stringify(listing, null, 2)}\n` : `${renderDatasets(listing, outputWidth(io.stdout))}\n`);
    setExitCode(ExitCode.ok);
  });
}
