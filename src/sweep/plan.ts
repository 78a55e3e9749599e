import { cpus } from 'node:os';
import { CliError } from '../errors';
import { describeIssue, expectation, readConfigFile, type FlagValues } from '../config/loadConfig';
import { SweepSectionSchema, TrainConfigSchema, type SweepSection, type TrainConfig } from '../config/schema';
import { kebabCase, schemaOptions, type SchemaOption } from '../config/schemaOptions';
import { FASHION_MNIST_CLASSES, locateFashionMnist } from '../data/fashionMnist';
import { loadDataset } from '../data/loadDataset';
import { selectBackend } from '../engine/backend';
import { checkModelSize, dataShapeOf, runMemoryInputs, type DataShape } from '../engine/mlpSpec';
import { estimateRunMemory } from '../engine/memoryEstimate';
import { formatBytes } from '../data/boundedRead';
import { readIdxDims } from '../data/idx';
import { SMOOTHING_VARIANTS, type SmoothingVariant } from '../smoothing/labelSmoothing';
import { checkAssertionArms, parseAssertions, type Assertion } from './assertions';
import { checkGrid, expandGrid, parseSeeds, smoothedEpsilons, sweepDigest, sweepIdOf, type SweepCell, type SweepGrid } from './grid';

export interface SweepPlan {
  sweepId: string;
  digest: string;
  grid: SweepGrid;
  config: TrainConfig;
  assertions: Assertion[];
  jobs: number;
  cells: SweepCell[];
}

export const DEFAULT_SEEDS = '0-4';

/** The keys of the `sweep:` section that are also flags of `ls-bench sweep`; --assert is its own repeatable flag. */
const SWEEP_FLAG_KEYS: readonly string[] = ['epsilon', 'seeds', 'smoothing', 'jobs'];

/** The grid flags, from SweepSectionSchema like the training flags from the training schema (collectFlags reads them). */
export function sweepFlagOptions(): SchemaOption[] {
  return schemaOptions(SweepSectionSchema).filter((o) => SWEEP_FLAG_KEYS.includes(o.key));
}

/** The file's `sweep:` section, validated by its schema; errors name the file and the key. */
function fileSection(rawSection: unknown, file: string | undefined): SweepSection {
  const result = SweepSectionSchema.safeParse(rawSection ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = file ?? 'config';
  if (issue.code === 'unrecognized_keys') {
    throw new CliError(`${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"sweep.${k}"`).join(', ')}; expected one of: ${Object.keys(SweepSectionSchema.shape).map((k) => `sweep.${k}`).join(', ')}`);
  }
  if (issue.path.length === 0) throw new CliError(`${where}: key "sweep": expected a mapping (epsilon, seeds, smoothing, jobs, assert), got ${JSON.stringify(rawSection)}`);
  const key = String(issue.path[0]);
  throw new CliError(`${where}: key "sweep.${issue.path.join('.')}": ${expectation(issue)}, got ${JSON.stringify((rawSection as Record<string, unknown>)[key])}`);
}

function checkVariantNames(names: readonly string[], source: string): void {
  for (const s of names) {
    if (!(SMOOTHING_VARIANTS as readonly string[]).includes(s)) throw new CliError(`${source}: expected ${SMOOTHING_VARIANTS.map((v) => `"${v}"`).join(' or ')}, got "${s}"`);
  }
}

/** The grid flags (collectFlags over sweepFlagOptions), validated by the same schema as the file's section; errors name the flag. */
function flagSection(flags: FlagValues): SweepSection {
  // A bad variant name gets the grid's own message, which names the one bad name rather than the list.
  if (Array.isArray(flags.smoothing)) checkVariantNames(flags.smoothing as string[], '--smoothing');
  const result = SweepSectionSchema.safeParse(flags);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = String(issue.path[0] ?? '');
  throw new CliError(`--${kebabCase(key)}: ${expectation(issue)}, got ${JSON.stringify(flags[key])}`);
}

/** The grid: each of ε, seeds and variants from the flag, else the file's sweep section, else the training config. */
function gridOf(flags: SweepSection, section: SweepSection, config: TrainConfig, trainKeys: Record<string, unknown>, file: string | undefined): SweepGrid {
  const sectionName = (key: string) => `${file ?? 'config'}: key "sweep.${key}"`;
  const epsilonSource =
    flags.epsilon !== undefined ? '--epsilon' : section.epsilon !== undefined ? sectionName('epsilon') : file && 'epsilon' in trainKeys ? `${file}: key "epsilon"` : '--epsilon';
  const epsilons = flags.epsilon ?? section.epsilon ?? [0, ...config.epsilon];
  const smoothingSource = flags.smoothing !== undefined ? '--smoothing' : section.smoothing !== undefined ? sectionName('smoothing') : 'smoothing';
  const smoothing: SmoothingVariant[] = flags.smoothing ?? section.smoothing ?? [config.smoothing];
  const seeds =
    flags.seeds !== undefined ? parseSeeds('--seeds', flags.seeds) : section.seeds !== undefined ? parseSeeds(sectionName('seeds'), section.seeds) : parseSeeds('--seeds', DEFAULT_SEEDS);
  return checkGrid({ epsilons, seeds, smoothing }, { epsilon: epsilonSource, smoothing: smoothingSource });
}

/**
 * Everything the sweep needs, checked before anything is trained or written: the config file (its
 * `sweep:` section validated by SweepSectionSchema, the rest by the training schema), the flags (the grid
 * flags by SweepSectionSchema too, the training flags by the training schema), the grid, the assertions
 * and the number of jobs. Precedence: flag, then the sweep section, then the top-level key.
 */
export function planSweep(options: { configFile?: string; trainFlags: FlagValues; sweepFlags: FlagValues; assert: string[] }): SweepPlan {
  const file = options.configFile;
  const { sweep: rawSection, ...trainKeys } = file !== undefined ? readConfigFile(file) : {};
  const section = fileSection(rawSection, file);
  const merged = { ...trainKeys, ...options.trainFlags };
  const parsed = TrainConfigSchema.safeParse(merged);
  if (!parsed.success) throw new CliError(describeIssue(parsed.error.issues[0]!, merged, options.trainFlags, file));
  const config = parsed.data;
  const flags = flagSection(options.sweepFlags);

  const grid = gridOf(flags, section, config, trainKeys, file);
  const assertions = parseAssertions([...(section.assert ?? []), ...options.assert]);
  checkAssertionArms(assertions, smoothedEpsilons(grid));
  const jobs = flags.jobs ?? section.jobs ?? Math.max(1, cpus().length);
  const digest = sweepDigest(grid, config);
  return { sweepId: sweepIdOf(digest), digest, grid, config, assertions, jobs, cells: expandGrid(grid) };
}

/**
 * What the cells would otherwise each fail on, checked once before the sweep directory exists: the
 * backend loads, the data set is there (the synthetic data is generated for the first seed; the
 * Fashion-MNIST files are only located and their headers read, not parsed, to keep the parent light),
 * the model fits, and the cells that run at once fit in memory together.
 */
export async function checkSweepInputs(plan: SweepPlan, limit: { bytes: number; source: string }, cellCount = plan.cells.length): Promise<string> {
  const backend = await selectBackend(plan.config.backend);
  let shape: DataShape;
  if (plan.config.dataset === 'fashion-mnist') {
    const files = locateFashionMnist(plan.config.dataDir);
    const [train, test] = [readIdxDims(files.trainImages), readIdxDims(files.testImages)];
    shape = { numFeatures: train.slice(1).reduce((a, b) => a * b, 1), numClasses: FASHION_MNIST_CLASSES.length, trainRows: train[0]!, testRows: test[0]! };
  } else {
    const dataset = await loadDataset({ ...plan.config, seed: plan.grid.seeds[0]! }, limit.bytes);
    checkModelSize(plan.config, dataset);
    shape = dataShapeOf(dataset);
  }
  checkSweepMemory(plan, shape, limit, cellCount);
  return backend.name;
}

/** Each cell is one `train` process of every arm of the ε grid; `jobs` of them run at once, so they must fit together. */
function checkSweepMemory(plan: SweepPlan, shape: DataShape, limit: { bytes: number; source: string }, cellCount: number): void {
  const cellConfig = { ...plan.config, epsilon: smoothedEpsilons(plan.grid) };
  const perCell = estimateRunMemory(runMemoryInputs(cellConfig, shape));
  const atOnce = Math.max(1, Math.min(plan.jobs, cellCount));
  const fit = Math.floor(limit.bytes / perCell.total);
  if (perCell.total * atOnce <= limit.bytes) return;
  const advice = fit >= 1 ? `run at most ${fit} at once (--jobs ${fit})` : 'use fewer ε values, a smaller model (--hidden) or less data (--limit)';
  throw new CliError(
    `sweep: ${atOnce} cell(s) at once, each training ${1 + cellConfig.epsilon.length} arms, would need about ${formatBytes(perCell.total * atOnce)} of memory (${formatBytes(perCell.total)} per cell), above the limit of ${formatBytes(limit.bytes)} (${limit.source}); ${advice}, or raise the limit with --max-memory`,
  );
}
