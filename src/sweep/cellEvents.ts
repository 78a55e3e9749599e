import { fstatSync, writeSync } from 'node:fs';
import { CliError } from '../errors';
import { schemaProblem } from '../store/schemaIssue';
import { SweepCellRefSchema, type SweepCellRef } from '../store/runFiles';

/**
 * The structured channel from a cell's `ls-bench train` child back to `ls-bench sweep`.
 *
 * The sweep spawns each child with a fourth pipe (its fd 3) and passes `--events-fd 3`, a hidden option of
 * `train`. Train writes one JSON object per line to that descriptor when something the parent must know
 * happens. There is one event today, written as soon as the run directory exists:
 *
 *   {"event":"run-created","runId":"20260101-120000-ab12","runDir":"/…/runs/20260101-120000-ab12"}
 *
 * so that progress.json names the run of a cell while it is still running (an interrupted cell's run can
 * be found). The cell's result comes from the JSON document `train --json` prints on stdout at the end;
 * stderr stays human text for the user (the last line of a failed child is its message). A pipe of its
 * own, rather than lines mixed into stderr, means no log line can be mistaken for an event.
 */
export const EVENTS_FD_FLAG = '--events-fd';

/** The child's descriptor of the events pipe: stdin, stdout and stderr are 0–2. */
export const EVENTS_FD = 3;

export interface RunCreatedEvent {
  event: 'run-created';
  runId: string;
  runDir: string;
}

export type CellEvent = RunCreatedEvent;

function isCellEvent(value: unknown): value is CellEvent {
  const v = value as Partial<RunCreatedEvent> | null;
  return typeof v === 'object' && v !== null && v.event === 'run-created' && typeof v.runId === 'string' && typeof v.runDir === 'string';
}

/**
 * Reads the events out of the pipe's text as it arrives, in chunks that may split a line. Lines that are
 * not an event this version knows are skipped: a newer child may say more than this parent understands.
 */
export class CellEventReader {
  private pending = '';

  push(chunk: string): CellEvent[] {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop()!;
    const events: CellEvent[] = [];
    for (const line of lines) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      if (isCellEvent(value)) events.push(value);
    }
    return events;
  }
}

/**
 * The child's side: `--events-fd <fd>` checked before anything is trained (an fd that is not open is a
 * usage error), then a function that writes the run-created event. A failed write is ignored: the events
 * only report progress to the parent, and a run must not fail because its parent stopped listening.
 */
export function runCreatedReporter(fdText: string): (run: { runId: string; runDir: string }) => void {
  const fd = Number(fdText);
  if (!/^\d+$/.test(fdText.trim()) || fd < EVENTS_FD) throw new CliError(`${EVENTS_FD_FLAG}: expected a file descriptor ≥ ${EVENTS_FD}, got "${fdText}"`);
  let stat;
  try {
    stat = fstatSync(fd);
  } catch (error) {
    throw new CliError(`${EVENTS_FD_FLAG} ${fd}: not an open file descriptor (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  // Node keeps descriptors of its own (epoll, eventfd): only a pipe, socket or file can be the channel.
  if (!stat.isFIFO() && !stat.isSocket() && !stat.isFile()) throw new CliError(`${EVENTS_FD_FLAG} ${fd}: not a pipe, socket or file`);
  return (run) => {
    const event: RunCreatedEvent = { event: 'run-created', runId: run.runId, runDir: run.runDir };
    try {
      writeSync(fd, `${JSON.stringify(event)}\n`);
    } catch {
      // see above: progress only
    }
  };
}

/**
 * `--sweep-cell <json>`, the other hidden option of a cell's `train`: {"id": sweep id, "cell": cell id,
 * "dir": sweep directory}, recorded in the run's run.json so that `ls-bench runs` groups the cells of a
 * sweep and a rerun of the sweep finds them.
 */
export const SWEEP_CELL_FLAG = '--sweep-cell';

export function parseSweepCellRef(text: string): SweepCellRef {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError(`${SWEEP_CELL_FLAG}: expected a JSON object {"id", "cell", "dir"}, got ${JSON.stringify(text.slice(0, 80))}`);
  }
  const problem = schemaProblem(SweepCellRefSchema, value);
  if (problem !== null) throw new CliError(`${SWEEP_CELL_FLAG}: ${problem}`);
  return value as SweepCellRef;
}

/** Is this descriptor a pipe or a socket (what child_process gives a child), not a terminal, file or /dev/null? */
function isPipe(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

/**
 * A cell's `train` stops when the sweep that started it is gone. The sweep gives each child a stdin pipe it
 * never writes to; when the sweep process dies (even by SIGKILL) the system closes its end and the child
 * reads end-of-file, and stops as on SIGTERM: between two batches, its run marked interrupted, so that
 * the next run of the sweep resumes it instead of finding it still running (or finished by nobody).
 * Without such a pipe (a terminal, a file, /dev/null) `signal` is returned as it is.
 */
export function abortWhenParentGone(stdin: NodeJS.ReadableStream | undefined, signal: AbortSignal | undefined): AbortSignal | undefined {
  if (!stdin || !isPipe(0)) return signal;
  const gone = new AbortController();
  const abort = () => gone.abort('SIGTERM');
  stdin.on('end', abort);
  stdin.on('error', abort);
  stdin.resume();
  return signal ? AbortSignal.any([signal, gone.signal]) : gone.signal;
}
