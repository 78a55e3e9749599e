import path from 'node:path';

/** The project root (dist/src/data → ../../..), where data/ lives in a clone and in the npm package. */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Small real data sets shipped in data/ (see data/README.md for source and licence). */
export const BUNDLED_DATASETS = {
  iris: { file: 'iris.csv', source: 'Fisher 1936, UCI (CC BY 4.0), via scikit-learn' },
  wine: { file: 'wine.csv', source: 'Forina et al., UCI (CC BY 4.0), via scikit-learn' },
  'breast-cancer': { file: 'breast-cancer.csv', source: 'Breast Cancer Wisconsin (Diagnostic), UCI (CC BY 4.0), via scikit-learn' },
  digits: { file: 'digits.csv', source: 'Optical Recognition of Handwritten Digits 8×8, UCI (CC BY 4.0), via scikit-learn' },
} as const;

export type BundledName = keyof typeof BUNDLED_DATASETS;

export function isBundledName(name: string): name is BundledName {
  return Object.prototype.hasOwnProperty.call(BUNDLED_DATASETS, name);
}

export function bundledFile(name: BundledName): string {
  return path.join(PROJECT_ROOT, 'data', BUNDLED_DATASETS[name].file);
}

/** The bundled files are plain CSVs with a header and the label last: read with these options, whatever the config's csv keys say. */
export const BUNDLED_CSV_OPTIONS = { delimiter: ',', header: true, ignoreColumns: [] as string[] };
