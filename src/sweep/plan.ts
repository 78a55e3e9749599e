import { cpus } from 'node:os';
import { CliError } from '../errors';
import { describeIssue, expectation, readConfigFile, type FlagValues } from '../config/loadConfig';
import { SweepSectionSchema, TrainConfigSchema, type SweepSection, type TrainConfig } from '../config/schema';
import { kebabCase, schemaOptions, type SchemaOption } from '../config/schemaOptions';
import { locateConfigFile } from '../config/shippedConfigs';
import { FASHION_MNIST_CLASSES, locateFashionMnist } from '../data/fashionMnist';
import { checkEpsilonFits } from '../train/arms';
import { loadDataset } from '../data/loadDataset';
import { checkModelSize } from '../engine/mlpSpec';
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
  const file = options.configFile ? locateConfigFile(options.configFile) : undefined;
  const { sweep: rawSection, ...trainKeys } = file ? readConfigFile(file) : {};
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
 * Fashion-MNIST files are only located, not parsed, to keep the parent light).
 */
export async function checkSweepInputs(plan: SweepPlan): Promise<string> {
  // TensorFlow.js loads only here, when a sweep is about to run (not for `sweep --help`)
  const { selectBackend } = await import('../engine/backend');
  const backend = await selectBackend(plan.config.backend);
  let numClasses = FASHION_MNIST_CLASSES.length;
  if (plan.config.dataset === 'fashion-mnist') locateFashionMnist(plan.config.dataDir);
  else {
    const dataset = await loadDataset({ ...plan.config, seed: plan.grid.seeds[0]! });
    checkModelSize(plan.config, dataset);
    numClasses = dataset.numClasses;
  }
  for (const smoothing of plan.grid.smoothing) checkEpsilonFits({ epsilon: smoothedEpsilons(plan.grid), smoothing }, numClasses, '--epsilon');
  return backend.name;
}
