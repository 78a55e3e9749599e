import type { Command } from 'commander';
import { TrainConfigSchema } from '../../config/schema';
import { schemaOptions } from '../../config/schemaOptions';
import { sweepFlagOptions } from '../../sweep/plan';
import { addSchemaFlags, collectFlags } from '../schemaFlags';
import { MAX_MEMORY_ENV } from '../../engine/memoryEstimate';
import type { CommandIo } from '../commandIo';
import { mergeSweepCommand } from './sweepMerge';
import { addSweepOutputFlags, sweepOutputOptions } from './sweepOutput';
import { runSweepCommand } from './sweepRun';
import { showSweepCommand } from './sweepShow';

/** The training flags a sweep passes on to its cells; the grid sets seed, epsilon and smoothing itself. */
const GRID_KEYS = new Set(['seed', 'epsilon', 'smoothing']);

/**
 * `ls-bench sweep` (run a grid of paired runs), `sweep show <sweep>` and `sweep merge <dir>...`: the
 * flags, wired to runSweepCommand, showSweepCommand and mergeSweepCommand.
 */
export function registerSweepCommand(program: Command, io: CommandIo, setExitCode: (code: number) => void): void {
  const trainOptions = schemaOptions(TrainConfigSchema).filter((o) => !GRID_KEYS.has(o.key));
  const gridOptions = sweepFlagOptions();
  // `sweep` and its subcommands share option names (--json, --runs-dir, ...): with positional options,
  // options after "show"/"merge" belong to the subcommand. Commander needs it on the root too (the root has
  // only --help and --version, which still work before the command).
  program.enablePositionalOptions();
  const sweep = program
    .command('sweep')
    .description('run an ε × seed (× smoothing) grid of paired runs in parallel, aggregate over seeds with 95% intervals and McNemar tests, and gate on the result')
    .enablePositionalOptions()
    .option('-c, --config <file>', 'YAML or JSON config file: training options at the top level, the grid in a "sweep:" section; flags override it');
  addSchemaFlags(sweep, gridOptions);
  sweep
    .option('--shard <i/n|auto>', 'run only shard i of n (1-based); auto reads JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID/COUNT')
    .option('--shard-count <n>', 'the number of shards for --shard auto with JOB_COMPLETION_INDEX (or $LS_BENCH_SHARD_COUNT)')
    .option('--sweep-dir <dir>', 'the sweep directory [default: <runs>/sweeps/<sweep id>, or <id>.shard-<i>-of-<n>]')
    .option('--report', 'write the HTML report (ls-bench report <sweep>) to <sweep dir>/report.html at the end', false)
    .option('--max-memory <size>', `refuse a sweep whose cells running at once would need more memory than this, e.g. 8G (default: $${MAX_MEMORY_ENV}, else 75% of this machine's memory)`);
  addSweepOutputFlags(sweep);
  addSchemaFlags(sweep, trainOptions);
  sweep.action(async (parsed: Record<string, unknown>) => {
    const options = {
      ...(parsed.config !== undefined ? { configFile: String(parsed.config) } : {}),
      trainFlags: collectFlags(parsed, trainOptions),
      sweepFlags: collectFlags(parsed, gridOptions),
      ...(parsed.shard !== undefined ? { shard: String(parsed.shard) } : {}),
      ...(parsed.shardCount !== undefined ? { shardCount: String(parsed.shardCount) } : {}),
      ...(parsed.sweepDir !== undefined ? { sweepDir: String(parsed.sweepDir) } : {}),
      report: parsed.report === true,
      ...(parsed.maxMemory !== undefined ? { maxMemory: String(parsed.maxMemory) } : {}),
      output: sweepOutputOptions(parsed),
      argv: process.argv.slice(2),
    };
    setExitCode(await runSweepCommand(options, io));
  });

  const show = sweep
    .command('show')
    .description('show the aggregate of a sweep (a sweep directory or a sweep id), and check --assert gates on it')
    .argument('<sweep>', 'a sweep directory, or a sweep id under <runs>/sweeps/');
  addSweepOutputFlags(show);
  show.action((ref: string, parsed: Record<string, unknown>) => setExitCode(showSweepCommand(ref, sweepOutputOptions(parsed), io)));

  const merge = sweep
    .command('merge')
    .description('merge the directories of the shards of one sweep into one sweep and its aggregate; refuses shards of different sweeps')
    .argument('<dirs...>', 'shard sweep directories (or sweep ids under <runs>/sweeps/)')
    .option('--out <dir>', 'the merged sweep directory [default: <runs>/sweeps/<sweep id>]');
  addSweepOutputFlags(merge);
  merge.action((refs: string[], parsed: Record<string, unknown>) => {
    const options = { ...(parsed.out !== undefined ? { out: String(parsed.out) } : {}), output: sweepOutputOptions(parsed), argv: process.argv.slice(2) };
    setExitCode(mergeSweepCommand(refs, options, io));
  });
}
