import { cpus } from 'node:os';
import { CliError, nonEmptyPath } from '../errors';
import { describeIssue, expectation, readConfigFile, type FlagValues } from '../config/loadConfig';
import { SweepSectionSchema, TrainConfigSchema, type SweepSection, type TrainConfig } from '../config/schema';
import { kebabCase, schemaOptions, type SchemaOption } from '../config/schemaOptions';
import { locateConfigFile } from '../config/shippedConfigs';
import { SMOOTHING_VARIANTS, type SmoothingVariant } from '../smoothing/labelSmoothing';
import { checkAssertionArms, parseAssertions, type Assertion } from './assertions';
import { checkGrid, expandGrid, parseSeeds, smoothedEpsilons, sweepDigest, sweepIdOf, type SweepCell, type SweepGrid } from './grid';
import { resolveScope } from './gateScope';
import { checkGridPoints, fileAxes, mergeAxes, parseGridFlag } from './gridAxes';

export interface SweepPlan {
  sweepId: string;
  digest: string;
  grid: SweepGrid;
  config: TrainConfig;
  assertions: Assertion[];
  jobs: number;
  cells: SweepCell[];
  /** The whole training config of each grid point (in gridPoints order), as its cells train it but for seed, variant and ε. */
  pointConfigs: TrainConfig[];
}

export const DEFAULT_SEEDS = '0-4';

/** The grid flags, from SweepSectionSchema like the training flags from the training schema (collectFlags reads them). --assert and --grid are repeatable flags of their own. */
export function sweepFlagOptions(): SchemaOption[] {
  return schemaOptions(SweepSectionSchema.pick({ epsilon: true, seeds: true, smoothing: true, jobs: true }));
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
  if (issue.path.length === 0) throw new CliError(`${where}: key "sweep": expected a mapping (epsilon, seeds, smoothing, jobs, assert, grid), got ${JSON.stringify(rawSection)}`);
  const key = String(issue.path[0]);
  if (key === 'grid' && issue.path.length === 1) {
    throw new CliError(`${where}: key "sweep.grid": expected a mapping of training options to lists of values (learningRate: [0.001, 0.003]), got ${JSON.stringify((rawSection as Record<string, unknown>).grid)}`);
  }
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

/** The grid: each of ε, seeds and variants from the flag, else the file's sweep section, else the training config; the axes from both (mergeAxes). */
function gridOf(flags: SweepSection, section: SweepSection, config: TrainConfig, trainKeys: Record<string, unknown>, file: string | undefined, axes: SweepGrid['axes']): SweepGrid {
  const sectionName = (key: string) => `${file ?? 'config'}: key "sweep.${key}"`;
  const epsilonSource =
    flags.epsilon !== undefined ? '--epsilon' : section.epsilon !== undefined ? sectionName('epsilon') : file && 'epsilon' in trainKeys ? `${file}: key "epsilon"` : '--epsilon';
  const epsilons = flags.epsilon ?? section.epsilon ?? [0, ...config.epsilon];
  const smoothingSource = flags.smoothing !== undefined ? '--smoothing' : section.smoothing !== undefined ? sectionName('smoothing') : 'smoothing';
  const smoothing: SmoothingVariant[] = flags.smoothing ?? section.smoothing ?? [config.smoothing];
  const seeds =
    flags.seeds !== undefined ? parseSeeds('--seeds', flags.seeds) : section.seeds !== undefined ? parseSeeds(sectionName('seeds'), section.seeds) : parseSeeds('--seeds', DEFAULT_SEEDS);
  return checkGrid({ epsilons, seeds, smoothing, ...(axes ? { axes } : {}) }, { epsilon: epsilonSource, smoothing: smoothingSource });
}

/**
 * Everything the sweep needs, checked before anything is trained or written: the config file (its
 * `sweep:` section validated by SweepSectionSchema, the rest by the training schema), the flags (the grid
 * flags by SweepSectionSchema too, the training flags by the training schema), the grid, the assertions
 * and the number of jobs. Precedence: flag, then the sweep section, then the top-level key.
 */
export function planSweep(options: { configFile?: string; trainFlags: FlagValues; sweepFlags: FlagValues; assert: string[]; grid?: string[] }): SweepPlan {
  const file = options.configFile !== undefined ? locateConfigFile(nonEmptyPath('--config', options.configFile)) : undefined;
  const { sweep: rawSection, ...trainKeys } = file !== undefined ? readConfigFile(file) : {};
  const section = fileSection(rawSection, file);
  const merged = { ...trainKeys, ...options.trainFlags };
  const parsed = TrainConfigSchema.safeParse(merged);
  if (!parsed.success) throw new CliError(describeIssue(parsed.error.issues[0]!, merged, options.trainFlags, file));
  const config = parsed.data;
  const flags = flagSection(options.sweepFlags);

  const axes = mergeAxes(fileAxes(section.grid, file), (options.grid ?? []).map(parseGridFlag), options.trainFlags);
  const grid = gridOf(flags, section, config, trainKeys, file, axes);
  const pointConfigs = checkGridPoints(grid, merged);
  const assertions = parseAssertions([...(section.assert ?? []), ...options.assert]);
  checkAssertionArms(assertions, smoothedEpsilons(grid));
  for (const a of assertions) resolveScope(a.scope, grid, a.source);
  const jobs = flags.jobs ?? section.jobs ?? Math.max(1, cpus().length);
  const digest = sweepDigest(grid, config);
  return { sweepId: sweepIdOf(digest), digest, grid, config, assertions, jobs, cells: expandGrid(grid), pointConfigs };
}
