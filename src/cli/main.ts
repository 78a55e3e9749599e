import { Command, CommanderError, type Help, type Option } from 'commander';
import { CliError, ExitCode } from '../errors';
import { lsBenchVersion } from '../store/environment';
import { detail, milliseconds, type CommandIo } from './commandIo';
import { currentInvocation } from './invocation';
import { escapedIo } from './escapedIo';

/** Adds a command's flags and action to the command main created for it. */
export type ConfigureCommand = (command: Command, io: CommandIo, setExitCode: (code: number) => void) => void;

interface CommandEntry {
  name: string;
  description: string;
  /** Its arguments, for `ls-bench --help` (which lists every command without loading any). */
  args?: string;
  load(): Promise<ConfigureCommand>;
}

/**
 * The commands. Each one's module is loaded only when it runs (or for its --help): `ls-bench --version`
 * loads commander and nothing else, `ls-bench runs` never loads TensorFlow.js or the charting libraries.
 */
export const COMMANDS: CommandEntry[] = [
  {
    name: 'train',
    description: 'train a hard-label arm and label-smoothed arm(s) from the same initial weights on the same batches, and show what changed',
    load: async () => (await import('./commands/train')).configureTrainCommand,
  },
  {
    name: 'sweep',
    description: 'run a grid of paired runs (any training options × ε × seeds) in parallel, aggregate over seeds per grid point with 95% intervals and McNemar tests, and gate on the result',
    load: async () => (await import('./commands/sweep')).configureSweepCommand,
  },
  {
    name: 'runs',
    description: 'list runs, newest first, a sweep as one line with its progress; columns for the options that differ (statuses: running, completed, failed, interrupted, died, unknown, corrupt, unsupported)',
    load: async () => (await import('./commands/runs')).configureRunsCommand,
  },
  { name: 'show', args: '<run>', description: 'print a stored run as train printed it (from its files only)', load: async () => (await import('./commands/show')).configureShowCommand },
  {
    name: 'compare',
    args: '<runs...>',
    description: 'put completed runs side by side: config differences, final metrics with deltas vs the first run, per-epoch curves, confidence histograms',
    load: async () => (await import('./commands/compare')).configureCompareCommand,
  },
  {
    name: 'instances',
    args: '<run>',
    description:
      "list a completed run's test samples by what smoothing did to them: the largest drop or rise of the true class's probability, the samples right in only one arm, each arm's most confident mistakes (image data: with thumbnails)",
    load: async () => (await import('./commands/instances')).configureInstancesCommand,
  },
  {
    name: 'report',
    args: '<run>',
    description:
      'write a self-contained HTML report of a run (curves, reliability diagrams, confidence histograms, confusion matrices, per-class table, verdict) or of a sweep (metrics against ε with seed spread, paired differences with 95% intervals, verdicts, gates)',
    load: async () => (await import('./commands/report')).configureReportCommand,
  },
  {
    name: 'datasets',
    description: 'list the data sets available here: built in, bundled in data/, and found on this machine, with sizes and class counts',
    load: async () => (await import('./commands/datasets')).configureDatasetsCommand,
  },
  {
    name: 'configs',
    description: 'list the shipped configs (--config <name> finds them from any directory), or print one to start your own',
    load: async () => (await import('./commands/configs')).configureConfigsCommand,
  },
  {
    name: 'completion',
    args: '<shell>',
    description: 'print a shell completion script for bash, zsh or fish (e.g. `source <(ls-bench completion bash)`)',
    load: async () => (await import('./commands/completion')).configureCompletionCommand,
  },
];

/** The commands argv needs loaded: the one it runs (or asks help for); all of them for `completion`; none for the root's --help and --version. */
function commandsToLoad(argv: string[]): Set<string> {
  // the root has no options that take a value, so the first word is the command
  const words = argv.filter((a) => !a.startsWith('-'));
  const named = words[0] === 'help' ? words[1] : words[0];
  if (named === 'completion') return new Set(COMMANDS.map((c) => c.name));
  return new Set(named !== undefined && COMMANDS.some((c) => c.name === named) ? [named] : []);
}

/** Default values as `[default: x]`, the same as the schema's flags show theirs; false (an unset switch) is not shown. */
function optionDescription(option: Option): string {
  const choices = option.argChoices ? ` (one of: ${option.argChoices.join(', ')})` : '';
  const value = option.defaultValue as unknown;
  const shown = value === undefined || value === false || (Array.isArray(value) && value.length === 0) ? '' : ` [default: ${Array.isArray(value) ? value.join(',') : String(value)}]`;
  return `${option.description}${choices}${shown}`;
}

/** --quiet and --verbose on a command and every subcommand of it. */
function addVerbosityOptions(command: Command): void {
  if (!command.options.some((o) => o.long === '--quiet')) {
    command.option('-q, --quiet', 'print the results only: no progress, notes or timings (errors and warnings still go to stderr)', false);
    command.option('-v, --verbose', 'also print how the backend was chosen (in full) and how long each stage took, on stderr', false);
  }
  for (const sub of command.commands) addVerbosityOptions(sub);
}

/** Builds the program for `argv`, loading only the modules of the command it runs. Only bin/ls-bench.js calls process.exit. */
export async function buildProgram(io: CommandIo, setExitCode: (code: number) => void, argv: string[] = []): Promise<Command> {
  const program = new Command('ls-bench')
    .description('What does label smoothing do to this model on this data? Paired hard-label vs label-smoothed training, compared.')
    .version(lsBenchVersion())
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .configureHelp({ optionDescription, subcommandTerm: (cmd: Command) => `${cmd.name()} ${cmd.usage()}`.trim() } as Partial<Help>)
    .addHelpText('after', `\nEvery command has --help, -q/--quiet and -v/--verbose. Start with: ls-bench train --epsilon 0.1`)
    // `sweep` and its subcommands share option names (--json, --runs-dir, ...): options after "show"/"merge"
    // belong to the subcommand. The root has only --help and --version, which still work before a command.
    .enablePositionalOptions()
    .exitOverride();
  const load = commandsToLoad(argv);
  for (const entry of COMMANDS) {
    const command = program.command(entry.name).description(entry.description);
    if (load.has(entry.name)) {
      (await entry.load())(command, io, setExitCode);
      addVerbosityOptions(command);
    } else {
      command.usage(`[options]${entry.args ? ` ${entry.args}` : ''}`);
    }
  }
  program.hook('preAction', (_root, action) => {
    // given to the command or to its parent (`sweep --quiet show …`); not optsWithGlobals, where a parent's default would win
    let quiet = false;
    let verbose = false;
    for (let c: Command | null = action; c; c = c.parent) {
      quiet ||= c.opts().quiet === true;
      verbose ||= c.opts().verbose === true;
    }
    if (quiet && verbose) throw new CliError('--quiet and --verbose: choose one');
    io.verbosity = quiet ? 'quiet' : verbose ? 'verbose' : 'normal';
    detail(io, `timing: start-up, until the command runs: ${milliseconds(performance.now() - (io.startedAt ?? 0))}`);
  });
  program.hook('postAction', () => detail(io, `timing: the whole command: ${milliseconds(performance.now() - (io.startedAt ?? 0))}`));
  return program;
}

/**
 * Runs ls-bench with `argv` (without node and the script) and returns the exit code. User mistakes
 * (CliError, commander's usage errors) print one line; anything else is a bug and prints its stack.
 */
export async function run(argv: string[], streams: CommandIo): Promise<number> {
  let exitCode: number = ExitCode.ok;
  // Everything a command prints — results, notes, errors — is escaped for the terminal on its way out.
  const io: CommandIo = escapedIo({ ...streams, invocation: streams.invocation ?? currentInvocation(), startedAt: streams.startedAt ?? performance.now() });
  try {
    const program = await buildProgram(io, (code) => (exitCode = code), argv);
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
