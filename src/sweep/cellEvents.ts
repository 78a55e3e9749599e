import { fstatSync, writeSync } from 'node:fs';
import { CliError } from '../errors';

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
