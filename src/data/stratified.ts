import { SeededRandom } from '../random/SeededRandom';

/** Indices of each class, in their original order. */
function indicesByClass(labels: ArrayLike<number>, numClasses: number): number[][] {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]!]!.push(i);
  return byClass;
}

/**
 * How many samples of each class a stratified split holds out: round(n_c · fraction). With `keepOne`, at
 * least one sample of every class stays (a validation split must not take a rare class's last training
 * sample). The one rule for every split, so that `ls-bench datasets` counts what a run gets.
 */
export function heldOutCounts(classCounts: readonly number[], fraction: number, options: { keepOne?: boolean } = {}): number[] {
  return classCounts.map((n) => {
    const held = Math.round(n * fraction);
    return options.keepOne ? Math.max(0, Math.min(held, n - 1)) : held;
  });
}

/**
 * A stratified split drawn from `rng`: each class contributes heldOutCounts of its samples to `test` (the
 * held-out part: a test or a validation set). Both index lists come back sorted so that data order does not
 * depend on the draw beyond membership.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  numClasses: number,
  testFraction: number,
  rng: SeededRandom,
  options: { keepOne?: boolean } = {},
): { train: Int32Array; test: Int32Array } {
  const train: number[] = [];
  const test: number[] = [];
  const byClass = indicesByClass(labels, numClasses);
  const held = heldOutCounts(byClass.map((m) => m.length), testFraction, options);
  byClass.forEach((members, c) => {
    const shuffled = rng.shuffle(members.slice());
    const nTest = held[c]!;
    // Loops, not push(...spread): a spread of a million indices overflows the call stack.
    for (let i = 0; i < shuffled.length; i++) (i < nTest ? test : train).push(shuffled[i]!);
  });
  const sorted = (a: number[]) => Int32Array.from(a).sort();
  return { train: sorted(train), test: sorted(test) };
}

/**
 * A stratified subset of at most `size` samples: class proportions kept (largest-remainder rounding),
 * members drawn from `rng`, returned sorted.
 */
export function stratifiedSubset(labels: ArrayLike<number>, numClasses: number, size: number, rng: SeededRandom): Int32Array {
  if (size >= labels.length) return Int32Array.from({ length: labels.length }, (_, i) => i);
  const byClass = indicesByClass(labels, numClasses);
  const exact = byClass.map((m) => (m.length * size) / labels.length);
  const quota = exact.map(Math.floor);
  let remaining = size - quota.reduce((a, b) => a + b, 0);
  const order = exact.map((e, c) => ({ c, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.c - b.c);
  for (const { c } of order) {
    if (remaining <= 0) break;
    if (quota[c]! < byClass[c]!.length) {
      quota[c]!++;
      remaining--;
    }
  }
  const chosen: number[] = [];
  byClass.forEach((members, c) => {
    for (const i of rng.shuffle(members.slice()).slice(0, quota[c])) chosen.push(i);
  });
  return Int32Array.from(chosen).sort();
}
