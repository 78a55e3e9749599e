import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { parse, CsvError } from 'csv-parse';
import { CliError } from '../errors';
import { formatBytes } from './boundedRead';
import { SeededRandom } from '../random/SeededRandom';
import { makeSplit, selectRows, type Dataset } from './Dataset';
import { featureStats, standardizeInPlace, type FeatureStats } from './standardize';
import { stratifiedSplit } from './stratified';

/** How to read a CSV file: the csv-related keys of the config. */
export interface CsvOptions {
  /** Header name or 0-based index; default the last column. */
  labelColumn?: string | undefined;
  delimiter: string;
  header: boolean;
  /** Header names or 0-based indices. */
  ignoreColumns: string[];
}

/** The columns of a file, fixed by its first record; a test file must have the same ones. */
interface CsvLayout {
  width: number;
  /** Header names, or "column 0".. when the file has no header. */
  columnNames: string[];
  labelIndex: number;
  featureIndices: number[];
}

/** A file read into typed arrays: features row-major, labels as ids into `labelKeys` (order of first appearance). */
interface CsvTable {
  layout: CsvLayout;
  rows: number;
  x: Float32Array;
  labelIds: Int32Array;
  labelKeys: string[];
}

function checkReadable(file: string, what: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`${file}: cannot read ${what} (${code === 'ENOENT' ? 'no such file' : String(code ?? error)})`);
  }
  if (!isFile) throw new CliError(`${file}: cannot read ${what} (not a file)`);
}

/** Column `spec` (a header name, else a 0-based index) of a record of `width` fields. */
function resolveColumn(spec: string, names: string[], header: boolean, file: string, what: string): number {
  if (header) {
    const byName = names.indexOf(spec);
    if (byName >= 0) return byName;
  }
  if (/^\d+$/.test(spec) && Number(spec) < names.length) return Number(spec);
  const known = header ? `columns: ${names.map((n) => JSON.stringify(n)).join(', ')}` : `the file has ${names.length} columns, indices 0 to ${names.length - 1}`;
  throw new CliError(`${file}: ${what} "${spec}" does not exist; ${known}`);
}

/** A header naming two columns alike would make --label-column and --ignore-columns pick one silently. */
function checkUniqueNames(names: string[], file: string, line: number): void {
  const first = new Map<string, number>();
  names.forEach((name, i) => {
    const earlier = first.get(name);
    if (earlier !== undefined) {
      throw new CliError(`${file}:${line}: the header names columns ${earlier + 1} and ${i + 1} both ${JSON.stringify(name)}; expected unique column names`);
    }
    first.set(name, i);
  });
}

function layoutFrom(firstRecord: string[], options: CsvOptions, file: string, line: number): CsvLayout {
  const width = firstRecord.length;
  const columnNames = options.header ? firstRecord.map((n) => n.trim()) : firstRecord.map((_, i) => `column ${i}`);
  if (options.header) checkUniqueNames(columnNames, file, line);
  const labelIndex = options.labelColumn === undefined ? width - 1 : resolveColumn(options.labelColumn, columnNames, options.header, file, 'label column');
  const ignored = new Set(options.ignoreColumns.map((c) => resolveColumn(c, columnNames, options.header, file, 'ignored column')));
  if (ignored.has(labelIndex)) throw new CliError(`${file}: column "${columnNames[labelIndex]}" is both the label column and ignored`);
  const featureIndices = columnNames.map((_, i) => i).filter((i) => i !== labelIndex && !ignored.has(i));
  if (featureIndices.length === 0) throw new CliError(`${file}: no feature columns left (${width} column(s), one is the label${ignored.size ? `, ${ignored.size} ignored` : ''})`);
  return { width, columnNames, labelIndex, featureIndices };
}

/**
 * Streams a CSV file through csv-parse into typed arrays: the text is never held whole, the features
 * go straight into a Float32Array that grows by doubling. BOM, CRLF, quoted fields with newlines and
 * empty lines are handled by the parser; every error names the file, the line and the column.
 */
async function readCsvTable(file: string, options: CsvOptions, memoryLimit: number, expected?: { layout: CsvLayout; source: string }): Promise<CsvTable> {
  checkReadable(file, 'CSV file');
  const input = createReadStream(file);
  const parser = parse({ bom: true, delimiter: options.delimiter, info: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_empty_values: true });
  input.on('error', (error) => parser.destroy(error));
  let layout = expected?.layout;
  let headerPending = options.header;
  let capacity = 1024;
  let x = new Float32Array(0);
  let labelIds = new Int32Array(capacity);
  const labelKeys: string[] = [];
  const labelIdOf = new Map<string, number>();
  let rows = 0;
  try {
    for await (const { record, info } of input.pipe(parser) as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      if (headerPending) {
        headerPending = false;
        if (expected) {
          const names = record.map((n) => n.trim());
          if (names.join('\u0000') !== expected.layout.columnNames.join('\u0000')) {
            throw new CliError(`${file}:${line}: header ${JSON.stringify(names)} differs from ${expected.source}'s ${JSON.stringify(expected.layout.columnNames)}; expected the same columns`);
          }
        } else {
          layout = layoutFrom(record, options, file, line);
        }
        continue;
      }
      if (!layout) layout = layoutFrom(record, options, file, line);
      if (record.length !== layout.width) {
        throw new CliError(`${file}:${line}: ${record.length} field(s), expected ${layout.width} (as in ${expected ? expected.source : options.header ? 'the header' : 'the first row'})`);
      }
      const f = layout.featureIndices.length;
      if (rows === capacity || x.length === 0) {
        if (rows === capacity) capacity *= 2;
        checkCsvMemory(capacity * f, memoryLimit, file, line);
        const grownX = new Float32Array(capacity * f);
        grownX.set(x);
        x = grownX;
        const grownY = new Int32Array(capacity);
        grownY.set(labelIds);
        labelIds = grownY;
      }
      for (let j = 0; j < f; j++) {
        const column = layout.featureIndices[j]!;
        const text = record[column]!.trim();
        const value = decimalCell(text);
        if (typeof value === 'string') throw new CliError(`${file}:${line}: column ${column + 1} (${JSON.stringify(layout.columnNames[column])}) is ${JSON.stringify(text)}, ${value}`);
        x[rows * f + j] = value;
      }
      const label = record[layout.labelIndex]!.trim();
      if (label === '') throw new CliError(`${file}:${line}: the label (column ${JSON.stringify(layout.columnNames[layout.labelIndex])}) is empty`);
      let id = labelIdOf.get(label);
      if (id === undefined) {
        id = labelKeys.length;
        labelIdOf.set(label, id);
        labelKeys.push(label);
      }
      labelIds[rows] = id;
      rows++;
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (error instanceof CsvError) throw new CliError(`${file}: ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`${file}: cannot read CSV file (${String(code ?? (error as Error).message)})`);
  } finally {
    input.destroy();
  }
  if (!layout || rows === 0) throw new CliError(`${file}: no data rows`);
  const f = layout.featureIndices.length;
  return { layout, rows, x: x.slice(0, rows * f), labelIds: labelIds.slice(0, rows), labelKeys };
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * A feature cell as a float32 value, or what is wrong with it. Only decimal notation: JavaScript's
 * Number() would also read 0x1F, 0b101 and 0o17, which no spreadsheet or pandas export means. A value
 * beyond float32's range would become Infinity once stored, so it is refused here, with its place.
 */
export function decimalCell(text: string): number | string {
  if (!DECIMAL.test(text)) {
    return /^[+-]?0[xXbBoO]/.test(text) ? 'expected a decimal number (hexadecimal, binary and octal notation are not read as numbers)' : 'expected a finite number';
  }
  const value = Number(text);
  if (!Number.isFinite(value) || Math.abs(value) > FLOAT32_MAX) return `outside the float32 range; expected a finite number within ±${FLOAT32_MAX.toPrecision(8)}`;
  return value;
}

/**
 * Features read so far are held three times over at worst: the growing array and its doubled successor,
 * then the final copy and the training split's copy. Refused while reading, at the line that would cross.
 */
const CSV_MEMORY_PER_VALUE = 4 * 3;

function checkCsvMemory(values: number, memoryLimit: number, file: string, line: number): void {
  if (values * CSV_MEMORY_PER_VALUE > memoryLimit) {
    throw new CliError(`${file}:${line}: the data read so far would need more than the memory limit of ${formatBytes(memoryLimit)} (--max-memory); use a smaller file or raise the limit`);
  }
}

/**
 * A test value far outside the training data's spread (a column nearly constant in training) can overflow
 * float32 once standardised: refused, naming the column, instead of becoming Infinity in the model's input.
 */
function checkStandardized(x: Float32Array, numFeatures: number, layout: CsvLayout, file: string): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) {
      const column = layout.featureIndices[i % numFeatures]!;
      throw new CliError(
        `${file}: test row ${Math.floor(i / numFeatures) + 1}, column ${column + 1} (${JSON.stringify(layout.columnNames[column])}): standardised with the training rows' mean and spread it overflows float32; expected test values on the training data's scale`,
      );
    }
  }
}

/** Class order: numeric when every label is an integer (so 1, 2, 10 stay in order), else by string. */
export function orderClassLabels(labels: string[]): string[] {
  const allIntegers = labels.every((l) => /^[+-]?\d+$/.test(l));
  return labels.slice().sort(allIntegers ? (a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function classIndices(table: CsvTable, classOf: Map<string, number>, file: string, trainFile: string): Int32Array {
  const y = new Int32Array(table.rows);
  const mapped = table.labelKeys.map((key) => {
    const c = classOf.get(key);
    if (c === undefined) throw new CliError(`${file}: class ${JSON.stringify(key)} does not occur in ${trainFile}; expected only the training file's classes`);
    return c;
  });
  for (let i = 0; i < table.rows; i++) y[i] = mapped[table.labelIds[i]!]!;
  return y;
}

/**
 * A data set from a CSV file (and an optional test file, else a stratified seeded split), class
 * labels mapped to indices in label order, features standardised with the training split's
 * statistics only (the test split must not leak into them).
 */
export async function csvDataset(
  options: CsvOptions & { file: string; testFile?: string | undefined; testFraction: number; seed: number; name?: string; memoryLimit?: number },
): Promise<Dataset> {
  const { file, testFile } = options;
  const memoryLimit = options.memoryLimit ?? Number.POSITIVE_INFINITY;
  const table = await readCsvTable(file, options, memoryLimit);
  const classNames = orderClassLabels(table.labelKeys);
  const classOf = new Map(classNames.map((name, c) => [name, c]));
  const numFeatures = table.layout.featureIndices.length;
  const y = classIndices(table, classOf, file, file);
  let train;
  let test;
  if (testFile !== undefined) {
    const testTable = await readCsvTable(testFile, options, memoryLimit, { layout: table.layout, source: file });
    train = makeSplit(table.x, y, numFeatures);
    test = makeSplit(testTable.x, classIndices(testTable, classOf, testFile, file), numFeatures);
  } else {
    const all = makeSplit(table.x, y, numFeatures);
    const split = stratifiedSplit(y, classNames.length, options.testFraction, new SeededRandom(options.seed, 'csv-split'));
    train = selectRows(all, split.train, numFeatures);
    test = selectRows(all, split.test, numFeatures);
  }
  let standardization: FeatureStats | undefined;
  if (train.count > 0) {
    standardization = featureStats(train.x, numFeatures);
    standardizeInPlace(train.x, numFeatures, standardization);
    standardizeInPlace(test.x, numFeatures, standardization);
    checkStandardized(test.x, numFeatures, table.layout, testFile ?? file);
  }
  const labelName = table.layout.columnNames[table.layout.labelIndex]!;
  const splitText = testFile !== undefined ? `test file ${testFile}` : `stratified ${options.testFraction} test split (seed ${options.seed})`;
  return {
    name: options.name ?? `csv:${file}`,
    description: `CSV ${path.basename(file)}, label column ${JSON.stringify(labelName)}, ${splitText}, features standardised with training statistics`,
    numFeatures,
    numClasses: classNames.length,
    classNames,
    train,
    test,
    ...(standardization ? { standardization } : {}),
  };
}
