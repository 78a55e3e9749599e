import type { FlagValues } from '../../config/loadConfig';
import { formatGridValue, gridAxes, gridPoints, parseShard, shardCells, type ShardSpec } from '../../sweep/grid';
import { memoryLimit } from '../../engine/memoryEstimate';
import { dataSourcesDigest } from '../../data/dataSource';
import { sweepDirPath } from '../../sweep/locateSweep';
import { planSweep, type SweepPlan } from '../../sweep/plan';
import { checkSweepInputs } from '../../sweep/sweepInputs';
import { aggregateDir, defaultRunner, executeSweep, openSweepDir, type SweepRunReport } from '../../sweep/sweep';
import type { SweepDir } from '../../sweep/sweepFiles';
import type { SweepAggregate } from '../../sweep/aggregate';
import { CliError, ExitCode } from '../../errors';
import type { CommandIo } from '../commandIo';
import { interruptible, reportWritten, writeSweepReportLazily } from './report';
import type { SweepOutputOptions } from './sweepOutput';
import { evaluateGates, printSweep } from './sweepPrint';

export interface RunSweepOptions {
  configFile?: string;
  /** The training flags (collectFlags over the training schema, without the keys the grid sets). */
  trainFlags: FlagValues;
  /** --epsilon, --seeds, --smoothing, --jobs (collectFlags over sweepFlagOptions). */
  sweepFlags: FlagValues;
  /** The --grid flags as typed (key=values). */
  grid?: string[];
  shard?: string;
  shardCount?: string;
  sweepDir?: string;
  /** Write the HTML report at the end. */
  report: boolean;
  /** --max-memory: the limit the cells running at once must fit in together (each cell's train checks its own share). */
  maxMemory?: string;
  output: SweepOutputOptions;
  argv: string[];
}

function shardOf(shard: string | undefined, shardCount: string | undefined): ShardSpec | null {
  let count: number | undefined;
  if (shardCount !== undefined) {
    if (!/^\d+$/.test(shardCount) || Number(shardCount) < 1) throw new CliError(`--shard-count: expected an integer ≥ 1, got "${shardCount}"`);
    count = Number(shardCount);
  }
  return shard !== undefined ? parseShard(shard, count !== undefined ? { shardCount: count } : {}) : null;
}

function describeStart(plan: SweepPlan, shard: ShardSpec | null, cells: number, resumed: boolean, dir: string): string {
  const grid = plan.grid;
  const axes = gridAxes(grid);
  const points = axes.length > 0 ? `${gridPoints(grid).length} grid point(s) (${axes.map((a) => `${a.key} ${a.values.map(formatGridValue).join(', ')}`).join(' × ')}) × ` : '';
  return (
    `sweep ${plan.sweepId}${shard ? ` shard ${shard.index}/${shard.count}` : ''}: ${cells} cell(s) (${points}${grid.seeds.length} seed(s) × ${grid.smoothing.length} variant(s)), ` +
    `ε ${grid.epsilons.join(', ')}, ${plan.jobs} job(s)${resumed ? ', resuming' : ''}\nsweep dir: ${dir}\n`
  );
}

/** The exit code: the gates' unless cells failed (1) or the sweep was interrupted (130/143); says how to go on. */
function finalCode(gatesCode: number, run: SweepRunReport, io: CommandIo): number {
  let code = gatesCode;
  if (run.failed.length > 0) {
    io.stderr.write(`sweep: ${run.failed.length} cell(s) failed: ${run.failed.map((f) => `${f.id} (${f.message})`).join('; ')}; rerun the same command to retry them\n`);
    code = ExitCode.failure;
  }
  if (run.interrupted.length > 0) {
    io.stderr.write(`sweep: interrupted; ${run.interrupted.length} cell(s) not completed; rerun the same command to resume\n`);
    code = io.signal?.reason === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
  }
  return code;
}

/** --report: the HTML report, when there is anything to report. With --json, stdout holds only the JSON document, so the report's path goes to stderr (as in train --report). */
async function writeReport(sweepDir: SweepDir, anyCompleted: boolean, json: boolean, io: CommandIo): Promise<void> {
  if (!anyCompleted) {
    io.stderr.write('--report: no cell completed, so no report was written\n');
    return;
  }
  reportWritten(await interruptible(() => writeSweepReportLazily(sweepDir, io.signal ? { signal: io.signal } : {})), json ? { ...io, stdout: io.stderr } : io);
}

/**
 * `ls-bench sweep`: plan (everything checked), open or resume the sweep directory, run the cells that have
 * no result, aggregate, print, gate.
 */
export async function runSweepCommand(options: RunSweepOptions, io: CommandIo): Promise<number> {
  const { output } = options;
  const plan = planSweep({
    ...(options.configFile !== undefined ? { configFile: options.configFile } : {}),
    trainFlags: options.trainFlags,
    sweepFlags: options.sweepFlags,
    assert: output.assert,
    grid: options.grid ?? [],
  });
  const shard = shardOf(options.shard, options.shardCount);
  const limit = memoryLimit(options.maxMemory);
  await checkSweepInputs(plan, limit, (shard ? shardCells(plan.cells, shard) : plan.cells).length);
  const dir = sweepDirPath(options.sweepDir, output.runsDir, plan.sweepId, shard);
  const { sweepDir, meta, resumed, lock } = openSweepDir(dir, plan, shard, options.argv, dataSourcesDigest(plan.pointConfigs));
  let run: SweepRunReport;
  let aggregate: SweepAggregate;
  let gates: ReturnType<typeof evaluateGates>;
  try {
    io.stderr.write(describeStart(plan, shard, meta.cells.length, resumed, dir));
    run = await executeSweep({
      sweepDir,
      meta,
      plan,
      runner: defaultRunner(sweepDir, plan, output.runsDir, options.maxMemory),
      jobs: plan.jobs,
      ...(io.signal ? { signal: io.signal } : {}),
      log: (line) => io.stderr.write(`${line}\n`),
    });
    aggregate = aggregateDir(sweepDir, meta);
    sweepDir.writeAggregate(aggregate);
    gates = evaluateGates(sweepDir, plan.assertions, aggregate);
  } finally {
    lock.release();
  }
  const gatesCode = printSweep(io, output, { sweepDir: dir, aggregate, gates, extra: { shard, cells: run } });
  if (options.report) await writeReport(sweepDir, aggregate.missingCells.length < aggregate.expectedCells.length, output.json, io);
  return finalCode(gatesCode, run, io);
}
