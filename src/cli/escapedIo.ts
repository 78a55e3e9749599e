import type { OutputStream } from '../text/progress';
import { terminalText } from '../text/safeText';
import type { CommandIo } from './commandIo';

/**
 * A stream whose text is escaped for terminals (safeText.ts) on its way out: every command writes through
 * one, so a class label, a file name or a field of a run.json in a shared runs directory reaches the
 * reader's terminal — in a table, a header or an error message alike — without its control characters.
 * ls-bench's own control sequences (the progress line) go through writeControl.
 */
export function escapedStream(stream: OutputStream): OutputStream {
  const escaped: OutputStream = {
    write: (text: string) => stream.write(terminalText(String(text))),
    writeControl: (sequence: string) => stream.write(sequence),
  };
  // Live views of the underlying stream: a terminal can be resized while a command runs.
  Object.defineProperty(escaped, 'isTTY', { get: () => stream.isTTY, enumerable: true });
  Object.defineProperty(escaped, 'columns', { get: () => (stream as { columns?: number }).columns, enumerable: true });
  return escaped;
}

/** The command's io with both output streams escaped; stdin and the signal pass through. */
export function escapedIo<T extends CommandIo>(io: T): T {
  return { ...io, stdout: escapedStream(io.stdout), stderr: escapedStream(io.stderr) };
}
