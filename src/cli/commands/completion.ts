import type { Command, Option } from 'commander';
import { shippedConfigs } from '../../config/shippedConfigs';
import { CliError, ExitCode } from '../../errors';
import type { CommandIo } from '../commandIo';
import { completionScript, SHELLS, type CompletionCommand, type Shell, type ValueKind } from '../completion';
import { addExamples } from '../help';
import { FLAG_CHOICES } from '../schemaFlags';

const DIRECTORY_FLAGS = new Set(['--runs-dir', '--sweep-dir', '--data-dir', '--out']);

/** What an option's value completes to: its choices, a config, a directory, or nothing the shell can guess. */
function optionValue(option: Option, configNames: string[]): ValueKind | null {
  if (!option.required && !option.optional) return null;
  const choices = option.argChoices ?? FLAG_CHOICES.get(option);
  if (choices) return { kind: 'choices', values: choices };
  if (option.long === '--config') return { kind: 'config', names: configNames };
  if (option.long === '--resume') return { kind: 'run' };
  if (option.long && DIRECTORY_FLAGS.has(option.long)) return { kind: 'dir' };
  return { kind: 'none' };
}

/** What a command's positional argument completes to, by what it names. */
function argumentValue(path: string, configNames: string[]): ValueKind | null {
  switch (path) {
    case 'show':
    case 'instances':
    case 'compare':
    case 'runs/rm':
      return { kind: 'run' };
    case 'report':
      return { kind: 'run-or-sweep' };
    case 'sweep/show':
    case 'sweep/merge':
      return { kind: 'sweep' };
    case 'configs':
      return { kind: 'choices', values: configNames };
    case 'completion':
      return { kind: 'choices', values: SHELLS };
    default:
      return null;
  }
}

/** The program and every command under it, as the completion scripts need them. */
export function completionModel(program: Command, configNames: string[]): CompletionCommand[] {
  const out: CompletionCommand[] = [];
  const visit = (command: Command, path: string) => {
    const options = command.options.filter((o) => !o.hidden);
    out.push({
      path,
      subcommands: command.commands.map((c) => ({ name: c.name(), description: c.description() })),
      options: [
        ...options.map((o) => ({ flags: [o.short, o.long].filter((f): f is string => f !== undefined), description: o.description, value: optionValue(o, configNames) })),
        { flags: ['-h', '--help'], description: 'display help for command', value: null },
      ],
      argument: argumentValue(path, configNames),
    });
    for (const sub of command.commands) visit(sub, path === '' ? sub.name() : `${path}/${sub.name()}`);
  };
  visit(program, '');
  return out;
}

/** `ls-bench completion bash|zsh|fish`: prints the script (main loads every command for this one). */
export function configureCompletionCommand(command: Command, io: CommandIo, setExitCode: (code: number) => void): void {
  command.argument('<shell>', `the shell: ${SHELLS.join(', ')}`);
  addExamples(command, [
    ['source <(ls-bench completion bash)', 'completion in this bash session (add the line to ~/.bashrc to keep it)'],
    ['ls-bench completion fish > ~/.config/fish/completions/ls-bench.fish', 'completion in fish, for good'],
  ]);
  command.action((shell: string) => {
    if (!(SHELLS as readonly string[]).includes(shell)) throw new CliError(`completion: expected one of ${SHELLS.join(', ')}, got "${shell}"`);
    const program = command.parent!;
    io.stdout.write(completionScript(shell as Shell, completionModel(program, shippedConfigs().map((c) => c.name))));
    setExitCode(ExitCode.ok);
  });
}
