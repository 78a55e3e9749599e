import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressReporter } from '../../src/text/progress';

const arm = { label: 'hard', epsilon: 0, smoothing: 'uniform' as const };
const record = { epoch: 1, trainLoss: 1, trainNll: 1, testNll: 1, testAccuracy: 0.5, seconds: 1 };

function drive(isTTY: boolean, term: string | undefined, withControl: boolean) {
  const written: string[] = [];
  const controls: string[] = [];
  const stream = { isTTY, write: (s: string) => written.push(s), ...(withControl ? { writeControl: (s: string) => controls.push(s) } : {}) };
  const p = progressReporter(stream, term);
  p.onBatch!({ epoch: 1, epochs: 2, arm, batch: 3, batches: 3 });
  p.onEpoch!(1, [{ arm, record }]);
  p.finish();
  return { written: written.join(''), controls };
}

test('progress: a live line on a terminal, drawn with ls-bench\'s own control sequences; none on a dumb terminal or a pipe', () => {
  const live = drive(true, 'xterm-256color', true);
  assert.match(live.written, /^epoch 1\/2  hard +\[#+\] batch 3\/3epoch 1  hard: loss/);
  assert.deepEqual(live.controls, ['\r\x1b[2K', '\r\x1b[2K'], 'erase before drawing, and before the epoch line');
  for (const [isTTY, term] of [[true, 'dumb'], [false, 'xterm']] as const) {
    const quiet = drive(isTTY, term, true);
    assert.deepEqual(quiet.controls, [], `${isTTY} ${term}`);
    assert.doesNotMatch(quiet.written, /[\r\x1b]/, `${isTTY} ${term}`);
    assert.equal(quiet.written, 'epoch 1  hard: loss 1.0000 nll 1.0000 test nll 1.0000 acc 50.00%\n');
  }
  const plain = drive(true, 'xterm', false);
  assert.match(plain.written, /^\r\x1b\[2Kepoch 1\/2/, 'a stream without writeControl gets the sequences as text');
});
