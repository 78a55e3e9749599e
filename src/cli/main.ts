import { Command, CommanderError, Option } from 'commander';
import { TrainConfigSchema } from '../config/schema';
import { schemaOptions } from '../config/schemaOptions';
import { lsBenchVersion } from '../store/environment';
import { EVENTS_FD_FLAG, runCreatedReporter } from '../sweep/cellEvents';
import { CliError, ExitCode } from '../errors';
import { MAX_MEMORY_ENV } from '../engine/memoryEstimate';
import type { CommandIo } from './commandIo';
import { escapedIo } from './escapedIo';
import { addSchemaFlags, collectFlags } from './schemaFlags';
import { trainCommand } from './commands/train';
import { registerSweepCommand } from './commands/sweep';
import { registerCompareCommand } from './commands/compare';
import { registerRunsCommand } from './commands/runs';
import { registerShowCommand } from './commands/show';
import { registerDatasetsCommand } from './commands/datasets';
import { registerReportCommand } from './commands/report';

/** Builds the program. Commands resolve to an exit code; only bin/ls-bench.js calls process.exit. */
export function buildProgram(io: CommandIo, setExitCode: (code: number) => void): Command {
  const program = new Command('ls-bench')
    .description('What does label smoothing do to this model on this data? Paired hard-label vs label-smoothed training, compared.')
    .version(lsBenchVersion())
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();

  const trainOptions = schemaOptions(TrainConfigSchema);
  const train = program
    .command('train')
    .description('train a hard-label arm and label-smoothed arm(s) from the same initial weights on the same batches, and show what changed')
    .option('-c, --config <file>', 'YAML or JSON config file; flags override its values')
    .option('--json', 'print one JSON document on stdout instead of tables (logs stay on stderr)', false)
    .option('--runs-dir <dir>', 'runs root (default: $LS_BENCH_RUNS_DIR, else ./runs)')
    .option('--name <name>', 'a name for the run')
    .option('--tag <tag>', 'a tag for the run (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--resume <run>', 'continue an interrupted run (id, unique id prefix or directory) after its last completed epoch')
    .option('--check-determinism', 'train a second time in memory and report the first difference, if any (exit 1 if not identical)', false)
    .option('--report', 'write the HTML report (<run>/report.html) at the end, as `ls-bench report` does', false)
    .option('--max-memory <size>', `refuse a run whose estimated memory is above this, e.g. 8G (default: $${MAX_MEMORY_ENV}, else 75% of this machine's memory)`)
    .addOption(new Option(`${EVENTS_FD_FLAG} <fd>`, 'for ls-bench sweep: JSON-line events to this file descriptor (src/sweep/cellEvents.ts)').hideHelp());
  addSchemaFlags(train, trainOptions);
  train.action(async (parsed: Record<string, unknown>) => {
    setExitCode(
      await trainCommand(
        {
          ...(parsed.config !== undefined ? { configFile: String(parsed.config) } : {}),
          flags: collectFlags(parsed, trainOptions),
          json: parsed.json === true,
          ...(parsed.runsDir !== undefined ? { runsDir: String(parsed.runsDir) } : {}),
          ...(parsed.name !== undefined ? { name: String(parsed.name) } : {}),
          tags: (parsed.tag as string[]) ?? [],
          ...(parsed.resume !== undefined ? { resume: String(parsed.resume) } : {}),
          checkDeterminism: parsed.checkDeterminism === true,
          report: parsed.report === true,
          ...(parsed.maxMemory !== undefined ? { maxMemory: String(parsed.maxMemory) } : {}),
          ...(parsed.eventsFd !== undefined ? { onRunCreated: runCreatedReporter(String(parsed.eventsFd)) } : {}),
          argv: process.argv.slice(2),
        },
        io,
      ),
    );
  });
  registerSweepCommand(program, io, setExitCode);
  registerRunsCommand(program, io, setExitCode);
  registerShowCommand(program, io, setExitCode);
  registerCompareCommand(program, io, setExitCode);
  registerDatasetsCommand(program, io, setExitCode);
  registerReportCommand(program, io, setExitCode);
  return program;
}

/**
 * Runs ls-bench with `argv` (without node and the script) and returns the exit code. User mistakes
 * (CliError, commander's usage errors) print one line; anything else is a bug and prints its stack.
 */
export async function run(argv: string[], rawIo: CommandIo): Promise<number> {
  // Everything a command prints — results, notes, errors — is escaped for the terminal on its way out.
  const io = escapedIo(rawIo);
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit 0; usage errors were already printed by commander
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof CliError) {
      io.stderr.write(`ls-bench: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`ls-bench: internal error (a bug; please report it with this trace)\n${error instanceof Error ? error.stack : String(error)}\n`);
    return ExitCode.failure;
  }
}
