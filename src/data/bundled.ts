import path from 'node:path';

/** The project root (dist/src/data → ../../..), where data/ lives in a clone and in the npm package. */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

interface BundledDataset {
  file: string;
  source: string;
  /** The shape of one sample when it is an image. */
  sampleShape?: readonly number[];
}

/** Small real data sets shipped in data/ (see data/README.md for source and licence). */
export const BUNDLED_DATASETS: Record<'iris' | 'wine' | 'breast-cancer' | 'digits', BundledDataset> = {
  iris: { file: 'iris.csv', source: 'Fisher 1936, UCI (CC BY 4.0), via scikit-learn' },
  wine: { file: 'wine.csv', source: 'Forina et al., UCI (CC BY 4.0), via scikit-learn' },
  'breast-cancer': { file: 'breast-cancer.csv', source: 'Breast Cancer Wisconsin (Diagnostic), UCI (CC BY 4.0), via scikit-learn' },
  digits: { file: 'digits.csv', source: 'Optical Recognition of Handwritten Digits 8×8, UCI (CC BY 4.0), via scikit-learn', sampleShape: [8, 8, 1] },
};

/** The image shape of a bundled set's samples (digits: 8×8 pixels, one channel), or undefined for tabular ones. */
export function bundledSampleShape(name: BundledName): number[] | undefined {
  const shape = BUNDLED_DATASETS[name].sampleShape;
  return shape ? [...shape] : undefined;
}

export type BundledName = keyof typeof BUNDLED_DATASETS;

export function isBundledName(name: string): name is BundledName {
  return Object.prototype.hasOwnProperty.call(BUNDLED_DATASETS, name);
}

export function bundledFile(name: BundledName): string {
  return path.join(PROJECT_ROOT, 'data', BUNDLED_DATASETS[name].file);
}

/** The bundled files are plain CSVs with a header and the label last: read with these options, whatever the config's csv keys say. */
export const BUNDLED_CSV_OPTIONS = { delimiter: ',', header: true, ignoreColumns: [] as string[] };
