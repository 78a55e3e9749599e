import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CliError } from '../errors';
import { fileSystemError } from '../store/fileSystemError';
import { expandGrid } from './grid';
import { dataChange } from './sweep';
import { SWEEP_FILES, SWEEP_SCHEMA_VERSION, SweepDir, type CellResult, type SweepMeta } from './sweepFiles';

/**
 * `sweep merge`: the directories of the shards of one sweep, joined into one sweep directory. Nothing is
 * written unless every input is the same sweep (same grid and config digest), of one split, and read the
 * same data. The merged directory is built beside --out and then takes its place whole, so a merge into
 * the directory of an earlier merge never keeps that merge's cells.
 */
export function mergeSweepDirs(inputs: SweepDir[], outDir: string, command: string[]): { sweepDir: SweepDir; meta: SweepMeta; cells: Map<string, CellResult>; duplicates: string[] } {
  const metas = inputs.map((d) => d.readMeta());
  const first = metas[0]!;
  metas.forEach((m, i) => {
    if (m.digest !== first.digest) {
      throw new CliError(`cannot merge ${inputs[i]!.dir} (${m.sweepId}) with ${inputs[0]!.dir} (${first.sweepId}): they are different sweeps (grid or config differ)`);
    }
  });
  const counts = new Set(metas.filter((m) => m.shard).map((m) => m.shard!.count));
  if (counts.size > 1) throw new CliError(`cannot merge shards of different splits (${[...counts].map((n) => `of ${n}`).join(', ')}); merge the shards of one --shard i/n split`);
  const out = path.resolve(outDir);
  if (existsSync(out)) checkReplaceable(new SweepDir(out), first);
  const input = inputs.find((d) => path.resolve(d.dir) === out);
  if (input) throw new CliError(`--out ${outDir}: is one of the directories being merged; merge into a new or empty directory`);
  checkSameSourceData(inputs, metas);
  const { cells, duplicates } = collectCells(inputs);
  checkSameCellData(cells, duplicates, inputs);

  const target = new SweepDir(out);
  const lock = target.lock(`sweep merge of ${first.sweepId}`, `--out ${outDir}: another ls-bench is running or merging into this sweep`);
  try {
    checkReplaceable(target, first);
    const meta: SweepMeta = { ...first, shard: null, cells: expandGrid(first.grid).map((c) => c.id), createdAt: new Date().toISOString(), command, mergedFrom: inputs.map((d) => d.dir) };
    const built = buildMerged(out, meta, inputs[0]!, cells.values());
    replaceWhole(out, built);
  } finally {
    lock.release();
  }
  return { sweepDir: target, meta: target.readMeta(), cells, duplicates: duplicates.map((d) => d.cellId) };
}

/** Shards that read different data files (one edited between the shards' runs) must not make one aggregate. */
function checkSameSourceData(inputs: SweepDir[], metas: SweepMeta[]): void {
  const recorded = metas.map((m, i) => ({ digest: m.sourceDigest, dir: inputs[i]!.dir })).filter((x) => typeof x.digest === 'string');
  for (const x of recorded) {
    const change = dataChange(recorded[0]!.digest, x.digest);
    if (change) {
      throw new CliError(`cannot merge ${x.dir} with ${recorded[0]!.dir}: they read different data (${change.replace(' then', ` in ${path.basename(recorded[0]!.dir)}`).replace(' now', ` in ${path.basename(x.dir)}`)}); rerun the shards on the same data`);
    }
  }
}

function collectCells(inputs: SweepDir[]): { cells: Map<string, CellResult & { from: string }>; duplicates: (CellResult & { from: string })[] } {
  const cells = new Map<string, CellResult & { from: string }>();
  const duplicates: (CellResult & { from: string })[] = [];
  for (const dir of inputs) {
    for (const [id, cell] of dir.readCells()) {
      if (cells.has(id)) duplicates.push({ ...cell, from: dir.dir });
      else cells.set(id, { ...cell, from: dir.dir });
    }
  }
  return { cells, duplicates };
}

/**
 * Cells of one seed train on the same data (the seed draws the split and the synthetic data), whichever
 * shard ran them: two cells of one seed with different data digests come from different data.
 */
function checkSameCellData(cells: Map<string, CellResult & { from: string }>, duplicates: (CellResult & { from: string })[], inputs: SweepDir[]): void {
  const bySeed = new Map<number, CellResult & { from: string }>();
  for (const cell of [...cells.values(), ...duplicates]) {
    if (cell.dataDigest === undefined) continue;
    const other = bySeed.get(cell.seed);
    if (!other) bySeed.set(cell.seed, cell);
    else if (other.dataDigest !== cell.dataDigest) {
      const where = (c: CellResult & { from: string }) => `${c.cellId} in ${inputs.length > 1 ? path.basename(c.from) : c.from}: data digest ${c.dataDigest!.slice(0, 12)}…`;
      throw new CliError(`cannot merge: cells of seed ${cell.seed} trained on different data (${where(other)}, ${where(cell)}); rerun the shards on the same data`);
    }
  }
}

/** --out may be new, empty, or an earlier merge of this same sweep (replaced whole); anything else is refused. */
function checkReplaceable(target: SweepDir, meta: SweepMeta): void {
  if (target.exists()) {
    const existing = target.readMeta();
    if (existing.digest !== meta.digest) throw new CliError(`${target.dir}: holds another sweep (${existing.sweepId}); choose another --out`);
    if (existing.shard !== null) throw new CliError(`${target.dir}: holds shard ${existing.shard.index}/${existing.shard.count}, not a merged sweep; choose another --out`);
    return;
  }
  if (!statSync(target.dir).isDirectory()) throw new CliError(`${target.dir}: exists and is not a directory; choose another --out`);
  const others = readdirSync(target.dir).filter((name) => name !== SWEEP_FILES.lock);
  if (others.length > 0) throw new CliError(`${target.dir}: not empty and not a sweep directory (it holds ${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''}); merge into a new or empty directory`);
}

/** Writes the merged sweep into a new directory beside `out`; returns it. */
function buildMerged(out: string, meta: SweepMeta, firstInput: SweepDir, cells: Iterable<CellResult & { from: string }>): string {
  const built = path.join(path.dirname(out), `.${path.basename(out)}.merging-${randomBytes(4).toString('hex')}`);
  const sweepDir = new SweepDir(built);
  try {
    sweepDir.create(meta, firstInput.readTrainConfig());
    const done = new Map<string, CellResult>();
    for (const { from: _from, ...cell } of cells) {
      sweepDir.writeCell(cell);
      done.set(cell.cellId, cell);
    }
    const now = new Date().toISOString();
    sweepDir.writeProgress({
      schemaVersion: SWEEP_SCHEMA_VERSION,
      sweepId: meta.sweepId,
      updatedAt: now,
      cells: meta.cells.map((id) => {
        const c = done.get(id);
        return { id, status: c ? 'completed' : 'pending', runId: c?.runId ?? null, runDir: c?.runDir ?? null, message: c ? null : 'not completed in any merged shard', attempts: c ? 1 : 0, updatedAt: now };
      }),
    });
  } catch (error) {
    rmSync(built, { recursive: true, force: true });
    throw error;
  }
  return built;
}

/** Puts `built` in the place of `out`: the old directory is moved aside, then removed; never half of each. */
function replaceWhole(out: string, built: string): void {
  const aside = path.join(path.dirname(out), `.${path.basename(out)}.replaced-${randomBytes(4).toString('hex')}`);
  try {
    if (existsSync(out) && statSync(out).isDirectory()) renameSync(out, aside);
    renameSync(built, out);
  } catch (error) {
    if (!existsSync(out) && existsSync(aside)) renameSync(aside, out);
    rmSync(built, { recursive: true, force: true });
    throw fileSystemError(error, 'replace the merged sweep', out);
  }
  rmSync(aside, { recursive: true, force: true });
}
