import path from 'node:path';
import { Option, type Command } from 'commander';
import { TrainConfigSchema } from '../../config/schema';
import { schemaOptions } from '../../config/schemaOptions';
import { renderSweep, SWEEP_FORMATS, type SweepFormat } from '../../text/sweepReport';
import { resolveRunsDir } from '../../store/RunStore';
import type { SweepAggregate } from '../../sweep/aggregate';
import { parseAssertions, type Assertion, type AssertionOutcome } from '../../sweep/assertions';
import { parseShard, type ShardSpec } from '../../sweep/grid';
import {
  aggregateDir,
  checkSweepInputs,
  defaultRunner,
  defaultSweepDir,
  evaluateAssertions,
  executeSweep,
  mergeSweepDirs,
  openSweepDir,
  planSweep,
  resolveSweepDir,
  type SweepRunReport,
} from '../../sweep/sweep';
import { addSchemaFlags, collectFlags } from '../schemaFlags';
import { CliError, ExitCode } from '../../errors';
import { reportWritten, writeSweepReportLazily } from './report';
import type { CommandIo } from '../commandIo';

/** The training flags a sweep passes on to its cells; the grid sets seed, epsilon and smoothing itself. */
const GRID_KEYS = new Set(['seed', 'epsilon', 'smoothing']);

const collect = (v: string, acc: string[]) => [...acc, v];

function formatOf(text: unknown): SweepFormat {
  const f = String(text ?? 'table');
  if (!(SWEEP_FORMATS as readonly string[]).includes(f)) throw new CliError(`--format: expected one of ${SWEEP_FORMATS.join(', ')}, got "${f}"`);
  return f as SweepFormat;
}

/** Prints the aggregate and the gate results; returns the exit code the gates ask for. */
function report(
  io: CommandIo,
  options: { json: boolean; format: SweepFormat; sweepDir: string; aggregate: SweepAggregate; outcomes: AssertionOutcome[]; extra?: Record<string, unknown> },
): number {
  const { aggregate, outcomes } = options;
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ sweepId: aggregate.sweepId, sweepDir: options.sweepDir, ...options.extra, aggregate, assertions: outcomes }, null, 2)}\n`);
  } else {
    io.stdout.write(`${renderSweep(aggregate, options.format)}\n`);
  }
  for (const o of outcomes) {
    if (o.holds) io.stderr.write(`assertion holds: ${o.source}\n`);
    for (const f of o.failures) io.stderr.write(`${f}\n`);
  }
  return outcomes.every((o) => o.holds) ? ExitCode.ok : ExitCode.failure;
}

function addOutputFlags(command: Command): Command {
  return command
    .option('--json', 'print one JSON document (aggregate, assertion results) on stdout', false)
    .addOption(new Option('--format <format>', 'table, markdown (e.g. >> $GITHUB_STEP_SUMMARY) or csv').choices([...SWEEP_FORMATS]).default('table'))
    .option('--assert <expr>', "a gate over the aggregate, e.g. 'smoothed.accuracy >= hard.accuracy - 0.005' (repeatable)", collect, [] as string[])
    .option('--runs-dir <dir>', 'runs root (default: $LS_BENCH_RUNS_DIR, else ./runs); sweeps live in <runs>/sweeps/');
}

/**
 * `ls-bench sweep` (run a grid of paired runs), `sweep show <sweep>` and `sweep merge <dir>...`.
 */
export function registerSweepCommand(program: Command, io: CommandIo, setExitCode: (code: number) => void): void {
  const trainOptions = schemaOptions(TrainConfigSchema).filter((o) => !GRID_KEYS.has(o.key));
  // `sweep` and its subcommands share option names (--json, --runs-dir, ...): with positional options,
  // options after "show"/"merge" belong to the subcommand. Commander needs it on the root too (the root has
  // only --help and --version, which still work before the command).
  program.enablePositionalOptions();
  const sweep = program
    .command('sweep')
    .description('run an ε × seed (× smoothing) grid of paired runs in parallel, aggregate over seeds with 95% intervals and McNemar tests, and gate on the result')
    .enablePositionalOptions()
    .option('-c, --config <file>', 'YAML or JSON config file: training options at the top level, the grid in a "sweep:" section; flags override it')
    .option('--epsilon <list>', 'the ε grid, e.g. 0,0.05,0.1,0.2 (0 is the hard arm, trained in every cell) [default: 0 and the config\'s epsilon]')
    .option('--seeds <seeds>', 'seeds: 0-4, 0,2,5 or 0-2,7, ascending without repeats [default: 0-4]')
    .option('--smoothing <list>', 'smoothing variants, e.g. uniform,others; each seed × variant is one cell [default: the config\'s smoothing]')
    .option('--jobs <n>', 'cells run in parallel worker processes [default: the number of cores]')
    .option('--shard <i/n|auto>', 'run only shard i of n (1-based); auto reads JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID/COUNT')
    .option('--shard-count <n>', 'the number of shards for --shard auto with JOB_COMPLETION_INDEX (or $LS_BENCH_SHARD_COUNT)')
    .option('--sweep-dir <dir>', 'the sweep directory [default: <runs>/sweeps/<sweep id>, or <id>.shard-<i>-of-<n>]')
    .option('--report', 'write the HTML report (ls-bench report <sweep>) to <sweep dir>/report.html at the end', false);
  addOutputFlags(sweep);
  addSchemaFlags(sweep, trainOptions);
  sweep.action(async (parsed: Record<string, unknown>) => {
    const format = formatOf(parsed.format);
    const plan = planSweep({
      ...(parsed.config ? { configFile: String(parsed.config) } : {}),
      trainFlags: collectFlags(parsed, trainOptions),
      sweepFlags: {
        ...(parsed.epsilon !== undefined ? { epsilon: String(parsed.epsilon) } : {}),
        ...(parsed.seeds !== undefined ? { seeds: String(parsed.seeds) } : {}),
        ...(parsed.smoothing !== undefined ? { smoothing: String(parsed.smoothing) } : {}),
        ...(parsed.jobs !== undefined ? { jobs: String(parsed.jobs) } : {}),
        assert: (parsed.assert as string[]) ?? [],
      },
    });
    let shardCount: number | undefined;
    if (parsed.shardCount !== undefined) {
      if (!/^\d+$/.test(String(parsed.shardCount)) || Number(parsed.shardCount) < 1) throw new CliError(`--shard-count: expected an integer ≥ 1, got "${String(parsed.shardCount)}"`);
      shardCount = Number(parsed.shardCount);
    }
    const shard: ShardSpec | null = parsed.shard !== undefined ? parseShard(String(parsed.shard), shardCount !== undefined ? { shardCount } : {}) : null;
    await checkSweepInputs(plan);
    const runsDir = resolveRunsDir(parsed.runsDir ? String(parsed.runsDir) : undefined);
    const dir = parsed.sweepDir ? path.resolve(String(parsed.sweepDir)) : defaultSweepDir(runsDir, plan.sweepId, shard);
    const { sweepDir, meta, resumed } = openSweepDir(dir, plan, shard, process.argv.slice(2));
    io.stderr.write(
      `sweep ${plan.sweepId}${shard ? ` shard ${shard.index}/${shard.count}` : ''}: ${meta.cells.length} cell(s) (${plan.grid.seeds.length} seed(s) × ${plan.grid.smoothing.length} variant(s)), ε ${plan.grid.epsilons.join(', ')}, ${plan.jobs} job(s)${resumed ? ', resuming' : ''}\nsweep dir: ${dir}\n`,
    );
    const runReport: SweepRunReport = await executeSweep({
      sweepDir,
      meta,
      plan,
      runner: defaultRunner(sweepDir, plan, runsDir),
      jobs: plan.jobs,
      ...(io.signal ? { signal: io.signal } : {}),
      log: (line) => io.stderr.write(`${line}\n`),
    });
    const aggregate = aggregateDir(sweepDir, meta);
    sweepDir.writeAggregate(aggregate);
    const outcomes = evaluateAssertions(plan.assertions, aggregate);
    let code = report(io, { json: parsed.json === true, format, sweepDir: dir, aggregate, outcomes, extra: { shard, cells: runReport } });
    // With --json, stdout holds only the JSON document, so the report's path goes to stderr (as in train --report).
    if (parsed.report === true) {
      if (aggregate.missingCells.length < aggregate.expectedCells.length) reportWritten(await writeSweepReportLazily(sweepDir), parsed.json === true ? { ...io, stdout: io.stderr } : io);
      else io.stderr.write('--report: no cell completed, so no report was written\n');
    }
    if (runReport.failed.length > 0) {
      io.stderr.write(`sweep: ${runReport.failed.length} cell(s) failed: ${runReport.failed.map((f) => `${f.id} (${f.message})`).join('; ')}; rerun the same command to retry them\n`);
      code = ExitCode.failure;
    }
    if (runReport.interrupted.length > 0) {
      io.stderr.write(`sweep: interrupted; ${runReport.interrupted.length} cell(s) not completed; rerun the same command to resume\n`);
      code = io.signal?.reason === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
    }
    setExitCode(code);
  });

  const show = sweep
    .command('show')
    .description('show the aggregate of a sweep (a sweep directory or a sweep id), and check --assert gates on it')
    .argument('<sweep>', 'a sweep directory, or a sweep id under <runs>/sweeps/');
  addOutputFlags(show);
  show.action((ref: string, parsed: Record<string, unknown>) => {
    const format = formatOf(parsed.format);
    const assertions: Assertion[] = parseAssertions((parsed.assert as string[]) ?? []);
    const sweepDir = resolveSweepDir(ref, resolveRunsDir(parsed.runsDir ? String(parsed.runsDir) : undefined));
    const meta = sweepDir.readMeta();
    const aggregate = aggregateDir(sweepDir, meta);
    const outcomes = evaluateAssertions(assertions, aggregate);
    setExitCode(report(io, { json: parsed.json === true, format, sweepDir: sweepDir.dir, aggregate, outcomes, extra: { shard: meta.shard, progress: sweepDir.readProgress() } }));
  });

  const merge = sweep
    .command('merge')
    .description('merge the directories of the shards of one sweep into one sweep and its aggregate; refuses shards of different sweeps')
    .argument('<dirs...>', 'shard sweep directories (or sweep ids under <runs>/sweeps/)')
    .option('--out <dir>', 'the merged sweep directory [default: <runs>/sweeps/<sweep id>]');
  addOutputFlags(merge);
  merge.action((refs: string[], parsed: Record<string, unknown>) => {
    const format = formatOf(parsed.format);
    const assertions: Assertion[] = parseAssertions((parsed.assert as string[]) ?? []);
    const runsDir = resolveRunsDir(parsed.runsDir ? String(parsed.runsDir) : undefined);
    const inputs = refs.map((r) => resolveSweepDir(r, runsDir));
    const firstMeta = inputs[0]!.readMeta();
    const out = parsed.out ? path.resolve(String(parsed.out)) : defaultSweepDir(runsDir, firstMeta.sweepId, null);
    const { sweepDir, meta, duplicates } = mergeSweepDirs(inputs, out, process.argv.slice(2));
    if (duplicates.length > 0) io.stderr.write(`merge: cell(s) ${[...new Set(duplicates)].join(', ')} completed in more than one input; kept the first\n`);
    const aggregate = aggregateDir(sweepDir, meta);
    sweepDir.writeAggregate(aggregate);
    io.stderr.write(`merged ${inputs.length} director${inputs.length === 1 ? 'y' : 'ies'} into ${sweepDir.dir}\n`);
    const outcomes = evaluateAssertions(assertions, aggregate);
    let code = report(io, { json: parsed.json === true, format, sweepDir: sweepDir.dir, aggregate, outcomes });
    if (aggregate.missingCells.length > 0) {
      io.stderr.write(`merge: incomplete: ${aggregate.missingCells.length} cell(s) not completed in any input: ${aggregate.missingCells.join(', ')}\n`);
      code = ExitCode.failure;
    }
    setExitCode(code);
  });
}
