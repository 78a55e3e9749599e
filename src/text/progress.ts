import type { TrainerEvents } from '../train/pairedTrainer';
import { fixed, percent } from './format';

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /**
   * Writes a control sequence of ls-bench's own (the progress line's carriage return and erase-line) past
   * the escaping every other text gets (safeText.ts); absent on streams that do no escaping.
   */
  writeControl?(sequence: string): unknown;
}

/** Erase the line the cursor is on and go back to its start. */
const CLEAR_LINE = '\r\x1b[2K';

/**
 * Training progress on stderr. On a terminal: one line rewritten in place (epoch, arm, batch), with a
 * line per finished epoch above it. Otherwise (a pipe, CI, a log file): only the per-epoch lines.
 */
export function progressReporter(stderr: OutputStream, term = process.env.TERM): TrainerEvents & { finish(): void } {
  // A dumb terminal (Emacs shell, some CI logs) shows escape sequences as text: line-oriented output there.
  const live = stderr.isTTY === true && term !== 'dumb';
  let lastDraw = 0;
  let drawn = false;
  const control = (sequence: string) => (stderr.writeControl ? stderr.writeControl(sequence) : stderr.write(sequence));
  const clear = () => {
    if (drawn) control(CLEAR_LINE);
    drawn = false;
  };
  return {
    onBatch({ epoch, epochs, arm, batch, batches }) {
      if (!live) return;
      const now = Date.now();
      if (now - lastDraw < 80 && batch !== batches) return;
      lastDraw = now;
      const width = 20;
      const filled = Math.round((batch / batches) * width);
      control(CLEAR_LINE);
      stderr.write(`epoch ${epoch}/${epochs}  ${arm.label.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] batch ${batch}/${batches}`);
      drawn = true;
    },
    onEpoch(epoch, records) {
      clear();
      const parts = records.map(({ arm, record }) => `${arm.label}: loss ${fixed(record.trainLoss)} nll ${fixed(record.trainNll)} test nll ${fixed(record.testNll)} acc ${percent(record.testAccuracy)}`);
      stderr.write(`epoch ${epoch}  ${parts.join(' | ')}\n`);
    },
    finish: clear,
  };
}
