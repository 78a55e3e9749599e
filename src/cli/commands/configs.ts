import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { shippedConfigFile, shippedConfigs, SHIPPED_CONFIGS_DIR } from '../../config/shippedConfigs';
import { CliError, ExitCode } from '../../errors';
import { outputWidth, wrapParagraph } from '../../text/layout';
import { renderTabular } from '../../text/tabular';
import type { CommandIo } from '../commandIo';
import { addExamples } from '../help';

/** `ls-bench configs [name]`: the shipped configs (usable by name with --config), or one of them printed. */
export function configureConfigsCommand(command: Command, io: CommandIo, setExitCode: (code: number) => void): void {
  command
    .argument('[name]', 'print this shipped config (to start your own: ls-bench configs fashion-mnist > mine.yaml)')
    .option('--json', 'print one JSON document on stdout', false);
  addExamples(command, [
    ['ls-bench configs', 'the shipped configs and what each is for'],
    ['ls-bench train --config fashion-mnist', 'one of them, by name, from any directory'],
    ['ls-bench configs fashion-mnist > mine.yaml', 'a copy to edit'],
  ]);
  command.action((name: string | undefined, parsed: { json?: boolean }) => {
    const configs = shippedConfigs();
    if (name !== undefined) {
      const file = shippedConfigFile(name);
      if (!file) throw new CliError(`configs ${name}: no shipped config of that name (shipped: ${configs.map((c) => c.name).join(', ')})`);
      io.stdout.write(parsed.json ? `${JSON.stringify({ name, file, text: readFileSync(file, 'utf8') }, null, 2)}\n` : readFileSync(file, 'utf8'));
    } else if (parsed.json) {
      io.stdout.write(`${JSON.stringify({ dir: SHIPPED_CONFIGS_DIR, configs }, null, 2)}\n`);
    } else {
      const width = outputWidth(io.stdout);
      const table = { head: ['name (--config)', 'command', 'what it is'], rows: configs.map((c) => [c.name, c.sweep ? 'sweep, train' : 'train', c.description]) };
      io.stdout.write(`${renderTabular(table, 'table', { width })}\n${wrapParagraph(`in ${SHIPPED_CONFIGS_DIR}; a file of the same name in the working directory comes first`, width)}\n`);
    }
    setExitCode(ExitCode.ok);
  });
}
