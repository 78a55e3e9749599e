import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { CliError } from '../errors';
import { bundledFile, isBundledName } from './bundled';
import { locateFashionMnist } from './fashionMnist';
import { parseIdxSpec } from './idxDataset';
import type { DataOptions } from './loadDataset';

/**
 * The files a data set is read from, and one digest of their bytes: what a sweep records so that its
 * shards, run on different days or machines, can be shown to have read the same data (an edited CSV
 * between two shards would otherwise be mixed into one aggregate). The synthetic set has no files: it is
 * a function of the config and the seed, which the sweep's own digest covers.
 */
export function dataSourceFiles(config: Pick<DataOptions, 'dataset' | 'dataDir' | 'testFile'>): string[] {
  const name = config.dataset;
  if (name === 'synthetic') return [];
  if (name === 'fashion-mnist') return Object.values(locateFashionMnist(config.dataDir));
  if (isBundledName(name)) return [bundledFile(name)];
  if (name.startsWith('csv:')) return [name.slice('csv:'.length), ...(config.testFile !== undefined ? [config.testFile] : [])];
  if (name.startsWith('idx:')) {
    const f = parseIdxSpec(name);
    return [f.images, f.labels, ...(f.testImages && f.testLabels ? [f.testImages, f.testLabels] : [])];
  }
  return [];
}

/** sha256 over the bytes of the data set's files in order (each prefixed by its length), or null for generated data. */
export function dataSourceDigest(config: Pick<DataOptions, 'dataset' | 'dataDir' | 'testFile'>): string | null {
  const files = dataSourceFiles(config);
  if (files.length === 0) return null;
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(1 << 20);
  for (const file of files) {
    let fd: number;
    try {
      // Non-blocking: a FIFO in the data's place is refused below instead of waited on.
      fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      throw new CliError(`${file}: cannot read the data (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    try {
      if (!fstatSync(fd).isFile()) throw new CliError(`${file}: cannot read the data (not a regular file)`);
      const fileHash = createHash('sha256');
      for (let n = readSync(fd, chunk, 0, chunk.length, null); n > 0; n = readSync(fd, chunk, 0, chunk.length, null)) fileHash.update(chunk.subarray(0, n));
      hash.update(fileHash.digest());
    } finally {
      closeSync(fd);
    }
  }
  return hash.digest('hex');
}

/** One digest over the data of several configs (a sweep's grid points may read different files); null when all are generated. */
export function dataSourcesDigest(configs: Pick<DataOptions, 'dataset' | 'dataDir' | 'testFile'>[]): string | null {
  const seen = new Map<string, string | null>();
  for (const config of configs) {
    const key = JSON.stringify([config.dataset, config.dataDir ?? null, config.testFile ?? null]);
    if (!seen.has(key)) seen.set(key, dataSourceDigest(config));
  }
  const digests = [...seen.values()].filter((d): d is string => d !== null);
  if (digests.length === 0) return null;
  return digests.length === 1 ? digests[0]! : createHash('sha256').update(digests.join('\n')).digest('hex');
}
