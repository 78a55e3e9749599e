import type { ArmSpec } from '../train/arms';
import type { TrainerEvents } from '../train/pairedTrainer';
import { epsilonLabel, fixed, percent } from './format';
import { displayWidth, wrapParagraph } from './layout';

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** A terminal's width (process.stdout.columns); a pipe has none. */
  columns?: number;
  /**
   * Writes a control sequence of ls-bench's own (the progress line's carriage return and erase-line) past
   * the escaping every other text gets (safeText.ts); absent on streams that do no escaping.
   */
  writeControl?(sequence: string): unknown;
}

/** Go up a line and erase it: the live display's lines above the cursor. */
const CLEAR_LINE_ABOVE = '\x1b[1A\x1b[2K';

/**
 * Whether stderr shows a live display: a terminal, and not a dumb one (Emacs' shell, some CI logs show
 * escape sequences as text); otherwise a line per epoch.
 */
export function liveTerminal(stream: OutputStream, term = process.env.TERM): boolean {
  return stream.isTTY === true && term !== 'dumb';
}

export interface ProgressOptions {
  /** Draw the live display (a terminal); otherwise only a line per epoch. */
  live: boolean;
  /** --quiet: nothing at all. */
  silent?: boolean;
  /** The terminal's width: the live display and the epoch lines fit it. */
  width?: number;
  /** The run's last epoch (for the run's ETA). */
  epochs: number;
  /** The clock, in ms (tests pass their own). */
  now?: () => number;
}

/** 1234 → "1.2k", 123456 → "123k": samples per second at a glance. */
export function rate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '—';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(perSecond >= 1e7 ? 0 : 1)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(perSecond >= 1e4 ? 0 : 1)}k`;
  return perSecond.toFixed(0);
}

/** A duration as a clock: 0:07, 4:05, 1:02:03. */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const two = (n: number) => String(n).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}` : `${Math.floor(s / 60)}:${two(s % 60)}`;
}

/** A bar of `width` cells, `fraction` of it filled. */
export function bar(fraction: number, width: number): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** How the live display and the epoch lines name an arm: "hard", "ε=0.1". */
function armName(arm: ArmSpec): string {
  return arm.epsilon === 0 ? 'hard' : epsilonLabel(arm.epsilon);
}

export interface LiveState {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  samples: number;
  /** Seconds since this epoch started, and the mean seconds of the epochs completed so far (null before the first). */
  epochSeconds: number;
  meanEpochSeconds: number | null;
  losses: { name: string; loss: number }[];
}

/** Erase the line the cursor is on and go back to its start. */
const CLEAR_LINE = '\r\x1b[2K';

/**
 * The live display, as lines no wider than `width`: the bar with batch/total, samples/s and the ETAs of the
 * epoch and the run; then the running training loss of each arm (this epoch so far), wrapped as needed.
 */
export function liveLines(state: LiveState, width = 80): string[] {
  const perBatch = state.batch > 0 ? state.epochSeconds / state.batch : NaN;
  const epochLeft = (state.batches - state.batch) * perBatch;
  const epochTime = state.meanEpochSeconds ?? state.batches * perBatch;
  const runLeft = epochLeft + (state.epochs - state.epoch) * epochTime;
  const head = `epoch ${state.epoch}/${state.epochs}`;
  const counter = `${state.batch}/${state.batches}`;
  const eta = `ETA ${clock(epochLeft)}, run ${clock(runLeft)}`;
  const tail = ` ${counter} · ${rate(state.samples / state.epochSeconds)} samples/s · ${eta}`;
  // the bar takes what is left, 10 to 30 cells; on a narrow terminal the bar goes first, then samples/s
  const room = width - 1 - displayWidth(head) - 1 - displayWidth(tail);
  const candidates = [room >= 10 ? `${head} ${bar(state.batch / state.batches, Math.min(30, room))}${tail}` : '', `${head}${tail}`, `${head} ${counter} · ${eta}`];
  const first = candidates.find((c) => c !== '' && displayWidth(c) < width) ?? `${head} ${counter}`;
  const losses = `  train loss so far: ${state.losses.map((l) => `${l.name} ${fixed(l.loss)}`).join(' · ')}`;
  return [first, ...wrapParagraph(losses, width - 1, '    ').split('\n')];
}

/**
 * An epoch's line: each arm's training loss and NLL, test NLL and accuracy, then how long the epoch took
 * in all (with the test evaluation) and the training rate (its batches only, as the live display shows it).
 */
export function epochLine(epoch: number, records: Parameters<NonNullable<TrainerEvents['onEpoch']>>[1], timing: { seconds: number; trainingSeconds: number; samples: number }): string {
  const parts = records.map(({ arm, record }) => `${arm.label}: loss ${fixed(record.trainLoss)} nll ${fixed(record.trainNll)} test nll ${fixed(record.testNll)} acc ${percent(record.testAccuracy)}`);
  return `epoch ${epoch}  ${parts.join(' | ')} | ${timing.seconds.toFixed(1)} s, training ${rate(timing.samples / timing.trainingSeconds)} samples/s`;
}

/**
 * Training progress on stderr. On a terminal: a live display redrawn in place (at most every 100 ms)
 * under a line per finished epoch, all fitted to the terminal's width. Otherwise (a pipe, CI, a log
 * file): only the per-epoch lines, one each, never a carriage return.
 */
export function progressReporter(stderr: OutputStream, options: ProgressOptions): TrainerEvents & { finish(): void } {
  const now = options.now ?? (() => Date.now());
  const width = options.width ?? 80;
  let epochStart = now();
  let lastDraw = -Infinity;
  let drawnLines = 0;
  let samples = 0;
  let lastBatchAt = epochStart;
  const epochSeconds: number[] = [];
  const losses = new Map<string, { name: string; loss: number }>();
  const clear = () => {
    // back to the display's first line, clearing each line on the way: ls-bench's own sequences, so past the escaping of text
    const sequence = `${CLEAR_LINE}${CLEAR_LINE_ABOVE.repeat(Math.max(0, drawnLines - 1))}`;
    if (drawnLines > 0) (stderr.writeControl ? stderr.writeControl(sequence) : stderr.write(sequence));
    drawnLines = 0;
  };
  return {
    onBatch({ epoch, arm, batch, batches, samples: seen, loss }) {
      if (options.silent) return;
      samples = seen;
      losses.set(arm.label, { name: armName(arm), loss });
      const t = now();
      lastBatchAt = t;
      if (!options.live) return;
      if (t - lastDraw < 100 && batch !== batches) return;
      lastDraw = t;
      const mean = epochSeconds.length ? epochSeconds.reduce((a, b) => a + b, 0) / epochSeconds.length : null;
      const lines = liveLines({ epoch, epochs: options.epochs, batch, batches, samples: seen, epochSeconds: (t - epochStart) / 1000, meanEpochSeconds: mean, losses: [...losses.values()] }, width);
      clear();
      stderr.write(lines.join('\n'));
      drawnLines = lines.length;
    },
    onEpoch(epoch, records) {
      if (options.silent) return;
      clear();
      const t = now();
      const seconds = (t - epochStart) / 1000;
      epochSeconds.push(seconds);
      const line = epochLine(epoch, records, { seconds, trainingSeconds: (lastBatchAt - epochStart) / 1000, samples });
      stderr.write(`${options.live ? wrapParagraph(line, width - 1, '  ') : line}\n`);
      epochStart = t;
      losses.clear();
    },
    finish: clear,
  };
}
