import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ArmSpec } from '../../src/train/arms';
import type { EpochRecord } from '../../src/train/pairedTrainer';
import { displayWidth } from '../../src/text/layout';
import { bar, clock, liveLines, liveTerminal, progressReporter, rate } from '../../src/text/progress';

const arms: ArmSpec[] = [0, 0.05, 0.1, 0.2].map((epsilon) => ({ label: epsilon === 0 ? 'hard' : `smoothed-${epsilon}`, epsilon, smoothing: 'uniform' }) as ArmSpec);
const record = (epoch: number): EpochRecord => ({ epoch, trainLoss: 0.5, trainNll: 0.45, testNll: 0.4, testAccuracy: 0.85, seconds: 10 });

test('rate, clock and bar read at a glance', () => {
  assert.deepEqual([rate(812), rate(12_345), rate(1234), rate(2_500_000)], ['812', '12k', '1.2k', '2.5M']);
  assert.deepEqual([clock(7), clock(245), clock(3723)], ['0:07', '4:05', '1:02:03']);
  assert.equal(bar(0.5, 10), '█████░░░░░');
  assert.equal(bar(2, 4), '████');
});

test('the live display: bar, batch/total, samples/s, the ETAs of the epoch and the run, each arm\'s running loss', () => {
  const lines = liveLines(
    { epoch: 3, epochs: 10, batch: 200, batches: 469, samples: 25_600, epochSeconds: 4, meanEpochSeconds: 10, losses: arms.map((a, i) => ({ name: a.epsilon === 0 ? 'hard' : `ε=${a.epsilon}`, loss: 0.4 + i / 100 })) },
    100,
  );
  // 4 s for 200 batches: 5.38 s left in the epoch, and 7 more epochs of 10 s each
  assert.match(lines[0]!, /^epoch 3\/10 [█░]{30} 200\/469 · 6\.4k samples\/s · ETA 0:05, run 1:15$/);
  assert.equal(lines[1], '  train loss so far: hard 0.4000 · ε=0.05 0.4100 · ε=0.1 0.4200 · ε=0.2 0.4300');
  for (const line of lines) assert.ok(displayWidth(line) < 100);
  // narrow: the bar shrinks, the losses wrap, nothing is wider than the terminal
  const narrow = liveLines({ epoch: 3, epochs: 10, batch: 200, batches: 469, samples: 25_600, epochSeconds: 4, meanEpochSeconds: null, losses: [{ name: 'hard', loss: 0.4 }, { name: 'ε=0.05', loss: 0.41 }, { name: 'ε=0.1', loss: 0.42 }, { name: 'ε=0.2', loss: 0.43 }] }, 60);
  assert.ok(narrow.length > 2, 'the losses wrap');
  for (const line of narrow) assert.ok(displayWidth(line) < 60, line);
  assert.match(narrow[0]!, /^epoch 3\/10 200\/469 · 6\.4k samples\/s · ETA 0:05, run 1:11$/, 'no room for the bar: it goes; before the first epoch ends, the run ETA is 469 batches at the rate so far');
});

test('on a terminal the display is redrawn in place, at most every 100 ms, and an epoch line replaces it', () => {
  let out = '';
  let now = 0;
  const p = progressReporter({ write: (s) => (out += s), isTTY: true }, { live: true, width: 100, epochs: 2, now: () => now });
  const batch = (b: number, arm: ArmSpec, loss: number) => p.onBatch!({ epoch: 1, epochs: 2, arm, batch: b, batches: 4, samples: b * 32, loss });
  batch(1, arms[0]!, 1.0);
  now = 50;
  batch(1, arms[1]!, 1.1);
  assert.equal(out.split('epoch 1/2').length - 1, 1, 'the second arm within 100 ms: not redrawn');
  now = 200;
  batch(2, arms[0]!, 0.9);
  assert.match(out, /\r\x1b\[2K\x1b\[1A\x1b\[2Kepoch 1\/2 /, 'the two lines cleared, then drawn again');
  assert.match(out, /hard 0\.9000 · ε=0\.05 1\.1000/, 'each arm\'s latest running loss');
  now = 1000;
  p.onEpoch!(1, [{ arm: arms[0]!, record: record(1) }]);
  // 1 s in all; the training (the batches) took the first 0.2 s of it: 64 samples in 0.2 s
  assert.match(out, /\r\x1b\[2K\x1b\[1A\x1b\[2Kepoch 1  hard: loss 0\.5000 nll 0\.4500 test nll 0\.4000 acc 85\.00% \| 1\.0 s, training 320 samples\/s\n$/);
});

test('in a pipe: one line per epoch, no carriage return, no escape; --quiet: nothing', () => {
  let out = '';
  let now = 0;
  const p = progressReporter({ write: (s) => (out += s) }, { live: false, epochs: 2, now: () => now });
  now = 1000;
  p.onBatch!({ epoch: 1, epochs: 2, arm: arms[0]!, batch: 1, batches: 1, samples: 64, loss: 1 });
  now = 2000;
  p.onEpoch!(1, [{ arm: arms[0]!, record: record(1) }, { arm: arms[1]!, record: record(1) }]);
  p.finish();
  assert.match(out, /^epoch 1 {2}hard: loss 0\.5000 .* \| smoothed-0\.05: loss 0\.5000 .* \| 2\.0 s, training 64 samples\/s\n$/);
  assert.doesNotMatch(out, /[\r\x1b]/);
  let quiet = '';
  const q = progressReporter({ write: (s) => (quiet += s), isTTY: true }, { live: true, silent: true, epochs: 2 });
  q.onBatch!({ epoch: 1, epochs: 2, arm: arms[0]!, batch: 1, batches: 1, samples: 64, loss: 1 });
  q.onEpoch!(1, [{ arm: arms[0]!, record: record(1) }]);
  q.finish();
  assert.equal(quiet, '');
});

test('the display\'s own control sequences go through writeControl (past the escaping of text); a dumb terminal or a pipe gets no live display', () => {
  assert.equal(liveTerminal({ write: () => true, isTTY: true }, 'xterm-256color'), true);
  assert.equal(liveTerminal({ write: () => true, isTTY: true }, 'dumb'), false, 'TERM=dumb shows escape sequences as text');
  assert.equal(liveTerminal({ write: () => true, isTTY: false }, 'xterm'), false);
  let text = '';
  const controls: string[] = [];
  let now = 0;
  const p = progressReporter({ write: (s) => (text += s), writeControl: (s) => controls.push(s), isTTY: true }, { live: true, width: 100, epochs: 2, now: () => now });
  p.onBatch!({ epoch: 1, epochs: 2, arm: arms[0]!, batch: 1, batches: 2, samples: 32, loss: 1 });
  now = 500;
  p.onBatch!({ epoch: 1, epochs: 2, arm: arms[0]!, batch: 2, batches: 2, samples: 64, loss: 0.9 });
  p.onEpoch!(1, [{ arm: arms[0]!, record: record(1) }]);
  p.finish();
  assert.ok(controls.length >= 2 && controls.every((c) => c.startsWith('\r\x1b[2K')), JSON.stringify(controls));
  assert.doesNotMatch(text, /[\r\x1b]/, 'the text itself holds no control sequence');
  assert.match(text, /epoch 1 {2}hard: loss /);
});
