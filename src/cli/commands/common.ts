import type { Command } from 'commander';
import { RunStore, resolveRunsDir } from '../../store/RunStore';
import { runIdentityJson } from '../../store/runQuery';
import { OUTPUT_FORMATS, outputFormat, type OutputFormat } from '../../text/tabular';

/** Options shared by the commands that read runs: --runs-dir, --json, --format. */
export function addReadOptions(command: Command): Command {
  return command
    .option('--runs-dir <dir>', 'runs root [default: $LS_BENCH_RUNS_DIR, else ./runs]')
    .option('--json', 'print one JSON document (stable keys) instead of tables', false)
    .option('--format <format>', `output format: ${OUTPUT_FORMATS.join(', ')} (markdown pastes into a pull request) [default: table]`);
}

export function readOptions(parsed: Record<string, unknown>): { store: RunStore; format: OutputFormat } {
  return {
    store: new RunStore(resolveRunsDir(parsed.runsDir === undefined ? undefined : String(parsed.runsDir))),
    format: outputFormat({ json: parsed.json === true, ...(parsed.format !== undefined ? { format: String(parsed.format) } : {}) }),
  };
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** The identity of a run as every --json output starts it (store/runQuery.ts, where `runs` builds its entries too). */
export { runIdentityJson };
