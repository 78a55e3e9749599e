import { SeededRandom } from '../random/SeededRandom';
import { makeSplit, selectRows, type Dataset } from './Dataset';
import { stratifiedSplit } from './stratified';

export interface SyntheticOptions {
  samples: number;
  features: number;
  classes: number;
  testFraction: number;
  seed: number;
}

/** Spread of the cluster centres relative to the unit within-cluster noise: sets how much classes overlap. */
const CENTRE_SCALE = 0.62;
const CLUSTERS_PER_CLASS = 2;

/**
 * The built-in data set: class-conditional Gaussian mixtures (two clusters per class, so that a hidden
 * layer helps) whose clusters overlap enough that no model reaches 100%. Generated from the seed alone;
 * labels are balanced (sample i has class i mod K before the split).
 */
export function syntheticDataset(options: SyntheticOptions): Dataset {
  const { samples, features, classes, testFraction, seed } = options;
  const rng = new SeededRandom(seed, 'synthetic-data');
  const centres: Float64Array[] = [];
  for (let c = 0; c < classes * CLUSTERS_PER_CLASS; c++) {
    const centre = new Float64Array(features);
    for (let f = 0; f < features; f++) centre[f] = rng.nextNormal() * CENTRE_SCALE;
    centres.push(centre);
  }
  const x = new Float32Array(samples * features);
  const y = new Int32Array(samples);
  for (let i = 0; i < samples; i++) {
    const label = i % classes;
    const centre = centres[label * CLUSTERS_PER_CLASS + rng.nextInt(CLUSTERS_PER_CLASS)]!;
    y[i] = label;
    for (let f = 0; f < features; f++) x[i * features + f] = centre[f]! + rng.nextNormal();
  }
  const all = makeSplit(x, y, features);
  const split = stratifiedSplit(y, classes, testFraction, new SeededRandom(seed, 'synthetic-split'));
  const train = selectRows(all, split.train, features);
  const test = selectRows(all, split.test, features);
  return {
    name: 'synthetic',
    description: `built-in class-conditional Gaussian mixtures (seed ${seed})`,
    numFeatures: features,
    numClasses: classes,
    classNames: Array.from({ length: classes }, (_, c) => `class ${c}`),
    train,
    test,
  };
}
