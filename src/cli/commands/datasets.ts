import Table from 'cli-table3';
import type { Command } from 'commander';
import { TrainConfigSchema } from '../../config/schema';
import { BUNDLED_DATASETS, BUNDLED_CSV_OPTIONS, bundledFile, type BundledName } from '../../data/bundled';
import { classCounts } from '../../data/Dataset';
import { csvDataset } from '../../data/csv';
import { FASHION_MNIST_CLASSES, fashionMnistSearchPath, locateFashionMnist } from '../../data/fashionMnist';
import { readIdxDims, readIdxFile } from '../../data/idx';
import { ExitCode, nonEmptyPath } from '../../errors';
import type { CommandIo } from '../commandIo';

/** One line of `ls-bench datasets`. */
export interface DatasetListing {
  name: string;
  kind: 'built-in' | 'bundled' | 'found';
  samples: number;
  trainSamples: number;
  testSamples: number;
  features: number;
  classes: number;
  /** Samples per class over both splits, in class order. */
  classCounts: number[];
  classNames: string[];
  /** A file or folder, or "generated from the seed". */
  location: string;
  source: string;
}

function syntheticListing(): DatasetListing {
  const d = TrainConfigSchema.parse({});
  const test = Math.round(d.samples * d.testFraction);
  const perClass = Array.from({ length: d.classes }, (_, c) => Math.floor(d.samples / d.classes) + (c < d.samples % d.classes ? 1 : 0));
  return {
    name: 'synthetic',
    kind: 'built-in',
    samples: d.samples,
    trainSamples: d.samples - test,
    testSamples: test,
    features: d.features,
    classes: d.classes,
    classCounts: perClass,
    classNames: Array.from({ length: d.classes }, (_, c) => `class ${c}`),
    location: 'generated from the seed (--samples, --features, --classes)',
    source: 'class-conditional Gaussian mixtures',
  };
}

async function bundledListing(name: BundledName): Promise<DatasetListing> {
  const d = TrainConfigSchema.parse({});
  const dataset = await csvDataset({ ...BUNDLED_CSV_OPTIONS, file: bundledFile(name), name, testFraction: d.testFraction, seed: d.seed });
  const train = classCounts(dataset.train.y, dataset.numClasses);
  const test = classCounts(dataset.test.y, dataset.numClasses);
  return {
    name,
    kind: 'bundled',
    samples: dataset.train.count + dataset.test.count,
    trainSamples: dataset.train.count,
    testSamples: dataset.test.count,
    features: dataset.numFeatures,
    classes: dataset.numClasses,
    classCounts: train.map((n, c) => n + test[c]!),
    classNames: dataset.classNames,
    location: bundledFile(name),
    source: BUNDLED_DATASETS[name].source,
  };
}

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
  return {
    name: 'fashion-mnist',
    kind: 'found',
    samples: trainLabels.length + testLabels.length,
    trainSamples: trainLabels.length,
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
  const datasets: DatasetListing[] = [syntheticListing()];
  for (const name of Object.keys(BUNDLED_DATASETS) as BundledName[]) datasets.push(await bundledListing(name));
  const fashion = fashionMnistListing(options.dataDir);
  if (fashion) datasets.push(fashion);
  return { datasets, searched: fashionMnistSearchPath(options.dataDir) };
}

export function renderDatasets(listing: { datasets: DatasetListing[]; searched: string[] }): string {
  const table = new Table({
    style: { head: [], border: [], compact: true },
    head: ['name (--dataset)', 'kind', 'samples', 'train / test', 'features', 'classes', 'per class', 'where'],
  });
  for (const d of listing.datasets) {
    const min = Math.min(...d.classCounts);
    const max = Math.max(...d.classCounts);
    table.push([d.name, d.kind, String(d.samples), `${d.trainSamples} / ${d.testSamples}`, String(d.features), String(d.classes), min === max ? `${min} each` : `${min}–${max}`, d.location]);
  }
  const lines = [table.toString()];
  if (!listing.datasets.some((d) => d.name === 'fashion-mnist')) {
    lines.push(`fashion-mnist: not found (searched ${listing.searched.join(', ')}; on Debian: apt-get install dataset-fashion-mnist)`);
  }
  lines.push('Your own data: --dataset csv:FILE (label column last unless --label-column) or --dataset idx:IMAGES,LABELS[,TEST-IMAGES,TEST-LABELS].');
  return lines.join('\n');
}

export function registerDatasetsCommand(program: Command, io: CommandIo, setExitCode: (code: number) => void): void {
  program
    .command('datasets')
    .description('list the data sets available here: built in, bundled in data/, and found on this machine, with sizes and class counts')
    .option('--json', 'print one JSON document on stdout', false)
    .option('--data-dir <dir>', 'also look for the fashion-mnist IDX files in this folder (instead of the default search path)')
    .action(async (parsed: { json?: boolean; dataDir?: string }) => {
      const listing = await listDatasets(parsed.dataDir !== undefined ? { dataDir: nonEmptyPath('--data-dir', parsed.dataDir) } : {});
      io.stdout.write(parsed.json ? `${JSON.stringify(listing, null, 2)}\n` : `${renderDatasets(listing)}\n`);
      setExitCode(ExitCode.ok);
    });
}
