import type { Command } from 'commander';

/** An "Examples:" section at the end of a command's --help: each command line with what it does. */
export function addExamples(command: Command, examples: [string, string][]): Command {
  const lines = examples.map(([line, what]) => `  $ ${line}\n      ${what}`);
  return command.addHelpText('after', `\nExamples:\n${lines.join('\n')}`);
}
