import type { Command } from 'commander';
import { TrainConfigSchema } from '../../config/schema';
import { schemaOptions } from '../../config/schemaOptions';
import { CELL_KEYS } from '../../sweep/grid';
import { sweepFlagOptions } from '../../sweep/plan';
import { MAX_MEMORY_ENV } from '../../engine/memoryEstimate';
import type { CommandIo } from '../commandIo';
import { addExamples } from '../help';
import { addSchemaFlags, collectFlags } from '../schemaFlags';
import { addSweepOutputFlags, sweepOutputOptions } from './sweepOutput';

/** The training flags a sweep passes on to its cells; the grid sets seed, epsilon and smoothing itself. */
const GRID_KEYS = new Set<string>(CELL_KEYS);

/**
 * `ls-bench sweep` (run a grid of paired runs), `sweep show <sweep>` and `sweep merge <dir>...`: the
 * flags, wired to runSweepCommand, showSweepCommand and mergeSweepCommand (loaded when they run).
 */
export function configureSweepCommand(sweep: Command, io: CommandIo, setExitCode: (code: number) => void): void {
  const trainOptions = schemaOptions(TrainConfigSchema).filter((o) => !GRID_KEYS.has(o.key));
  const gridOptions = sweepFlagOptions();
  sweep
    .enablePositionalOptions()
    .option('-c, --config <file>', 'YAML or JSON config file, or a shipped config by name: training options at the top level, the grid and gates in a "sweep:" section; flags override it')
    .option(
      '--grid <key=values>',
      'sweep a training option over these values, e.g. learningRate=0.001,0.003 or hidden=64;256,128 (";" between the values of a list option); repeatable, the grid is the product',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    );
  addSchemaFlags(sweep, gridOptions);
  sweep
    .option('--shard <i/n|auto>', 'run only shard i of n (1-based); auto reads JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID/COUNT')
    .option('--shard-count <n>', 'the number of shards for --shard auto with JOB_COMPLETION_INDEX (or $LS_BENCH_SHARD_COUNT)')
    .option('--sweep-dir <dir>', 'the sweep directory [default: <runs>/sweeps/<sweep id>, or <id>.shard-<i>-of-<n>]')
    .option('--report', 'write the HTML report (ls-bench report <sweep>) to <sweep dir>/report.html at the end', false)
    .option('--max-memory <size>', `refuse a sweep whose cells running at once would need more memory than this, e.g. 8G [default: $${MAX_MEMORY_ENV}, else 75% of this machine's memory]`);
  addSweepOutputFlags(sweep);
  addSchemaFlags(sweep, trainOptions);
  addExamples(sweep, [
    ['ls-bench sweep --config sweep', 'the shipped sweep: ε 0, 0.05, 0.1, 0.2 × seeds 0-4 on the synthetic data, with its gates'],
    ['ls-bench sweep --grid learningRate=0.001,0.003 --epsilon 0,0.1 --seeds 0-2', 'a grid over another training option too'],
    ["ls-bench sweep --epsilon 0,0.1 --seeds 0-9 --assert 'smoothed.ece <= hard.ece'", 'ten seeds, failing (exit 1) unless smoothing lowers the ECE'],
  ]);
  sweep.action(async (parsed: Record<string, unknown>) => {
    const options = {
      ...(parsed.config !== undefined ? { configFile: String(parsed.config) } : {}),
      trainFlags: collectFlags(parsed, trainOptions),
      sweepFlags: collectFlags(parsed, gridOptions),
      grid: (parsed.grid as string[] | undefined) ?? [],
      ...(parsed.shard !== undefined ? { shard: String(parsed.shard) } : {}),
      ...(parsed.shardCount !== undefined ? { shardCount: String(parsed.shardCount) } : {}),
      ...(parsed.sweepDir !== undefined ? { sweepDir: String(parsed.sweepDir) } : {}),
      report: parsed.report === true,
      ...(parsed.maxMemory !== undefined ? { maxMemory: String(parsed.maxMemory) } : {}),
      output: sweepOutputOptions(parsed),
      argv: process.argv.slice(2),
    };
    const { runSweepCommand } = await import('./sweepRun');
    setExitCode(await runSweepCommand(options, io));
  });

  const show = sweep
    .command('show')
    .description('show the aggregate of a sweep (a sweep directory or a sweep id), and check --assert gates on it')
    .argument('<sweep>', 'a sweep directory, or a sweep id under <runs>/sweeps/');
  addSweepOutputFlags(show);
  addExamples(show, [
    ['ls-bench sweep show sweep-1a2b3c4d5e6f', 'the aggregate and the gates the sweep was run with'],
    ['ls-bench sweep show sweep-1a2b3c4d5e6f --format markdown >> "$GITHUB_STEP_SUMMARY"', 'the same as markdown, gate results included, for a CI job summary'],
  ]);
  show.action(async (ref: string, parsed: Record<string, unknown>) => {
    const { showSweepCommand } = await import('./sweepShow');
    setExitCode(showSweepCommand(ref, sweepOutputOptions(parsed), io));
  });

  const merge = sweep
    .command('merge')
    .description('merge the directories of the shards of one sweep into one sweep and its aggregate; refuses shards of different sweeps')
    .argument('<dirs...>', 'shard sweep directories (or sweep ids under <runs>/sweeps/)')
    .option('--out <dir>', 'the merged sweep directory [default: <runs>/sweeps/<sweep id>]');
  addSweepOutputFlags(merge);
  addExamples(merge, [['ls-bench sweep merge shard-1/ shard-2/ shard-3/ --out merged/', 'join the shards of a sweep split with --shard i/3']]);
  merge.action(async (refs: string[], parsed: Record<string, unknown>) => {
    const options = { ...(parsed.out !== undefined ? { out: String(parsed.out) } : {}), output: sweepOutputOptions(parsed), argv: process.argv.slice(2) };
    const { mergeSweepCommand } = await import('./sweepMerge');
    setExitCode(mergeSweepCommand(refs, options, io));
  });
}
