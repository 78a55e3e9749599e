import type { TrainerEvents } from '../train/pairedTrainer';
import { fixed, percent } from './format';

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Training progress on stderr. On a terminal: one line rewritten in place (epoch, arm, batch), with a
 * line per finished epoch above it. Otherwise (a pipe, CI, a log file): only the per-epoch lines.
 */
export function progressReporter(stderr: OutputStream): TrainerEvents & { finish(): void } {
  const live = stderr.isTTY === true;
  let lastDraw = 0;
  let drawn = false;
  const clear = () => {
    if (drawn) stderr.write('\r\x1b[2K');
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
      stderr.write(`\r\x1b[2Kepoch ${epoch}/${epochs}  ${arm.label.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] batch ${batch}/${batches}`);
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
