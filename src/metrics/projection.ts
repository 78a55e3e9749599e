import { smoothedTargetValues, type SmoothingVariant } from '../smoothing/labelSmoothing';

/**
 * The penultimate-layer picture of Müller, Kornblith & Hinton (2019, "When does label smoothing help?",
 * figure 1), as pure functions: three classes, the plane through their templates (the output layer's
 * weights for those classes), and the last hidden layer's activations projected onto it. Also the logit
 * gap that smoothing bounds. Nothing here runs a model: the activations come from the engine.
 */

/** An orthonormal basis of the plane through three templates, and the point the coordinates are measured from. */
export interface TemplatePlane {
  classes: [number, number, number];
  /** The first template: coordinates are measured from it. */
  origin: Float64Array;
  /** Unit vector from the first template towards the second. */
  u: Float64Array;
  /** Unit vector orthogonal to u, in the plane, on the side of the third template. */
  v: Float64Array;
  /** Where the three templates fall on the plane, in the same coordinates as the points: (0, 0) first. */
  templates: [number, number][];
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/**
 * Column `c` of a dense kernel [width × classes] (row-major, as both engines store it): the template of class c,
 * the vector whose dot product with the penultimate activations is the class's logit (less its bias).
 */
export function classTemplate(kernel: ArrayLike<number>, width: number, numClasses: number, c: number): Float64Array {
  if (kernel.length !== width * numClasses) throw new RangeError(`classTemplate: kernel of ${kernel.length} values is not ${width}×${numClasses}`);
  return Float64Array.from({ length: width }, (_, i) => kernel[i * numClasses + c]!);
}

/**
 * The plane through the templates of three classes (Gram–Schmidt on their differences). Null when the three
 * lie on one line (or two coincide), where there is no plane to project on.
 */
export function templatePlane(kernel: ArrayLike<number>, width: number, numClasses: number, classes: [number, number, number]): TemplatePlane | null {
  const [a, b, c] = classes.map((k) => classTemplate(kernel, width, numClasses, k)) as [Float64Array, Float64Array, Float64Array];
  const ab = a.map((x, i) => b[i]! - x);
  const ac = a.map((x, i) => c[i]! - x);
  const abNorm = Math.sqrt(dot(ab, ab));
  if (!(abNorm > 1e-12)) return null;
  const u = ab.map((x) => x / abNorm);
  const along = dot(ac, u);
  const w = ac.map((x, i) => x - along * u[i]!);
  const wNorm = Math.sqrt(dot(w, w));
  if (!(wNorm > 1e-9 * Math.max(1, Math.sqrt(dot(ac, ac))))) return null;
  const v = w.map((x) => x / wNorm);
  return { classes, origin: a, u, v, templates: [[0, 0], [abNorm, 0], [along, wNorm]] };
}

/** The coordinates on the plane of `count` rows of activations ([count × width]): [x0, y0, x1, y1, …]. */
export function projectOnPlane(activations: ArrayLike<number>, count: number, width: number, plane: TemplatePlane): Float64Array {
  if (activations.length !== count * width || plane.u.length !== width) throw new RangeError(`projectOnPlane: ${activations.length} values are not ${count} rows of ${plane.u.length}`);
  const out = new Float64Array(2 * count);
  for (let r = 0; r < count; r++) {
    let x = 0;
    let y = 0;
    for (let i = 0; i < width; i++) {
      const d = activations[r * width + i]! - plane.origin[i]!;
      x += d * plane.u[i]!;
      y += d * plane.v[i]!;
    }
    out[2 * r] = x;
    out[2 * r + 1] = y;
  }
  return out;
}

/** Above this many classes, the triple is sought among the classes most confused overall (the search is cubic). */
const TRIPLE_CANDIDATES = 40;

/**
 * The three classes most confused with one another: the triple with the most test samples of one predicted as
 * another (both directions, summed over the confusion matrices given), ties to the lower class indices.
 * With many classes, among the TRIPLE_CANDIDATES classes with the most confusion of any kind.
 */
export function mostConfusedTriple(confusions: number[][][]): [number, number, number] {
  const k = confusions[0]?.length ?? 0;
  if (k < 3) throw new RangeError(`mostConfusedTriple: ${k} classes, a projection needs three`);
  const pair = (i: number, j: number) => confusions.reduce((s, m) => s + m[i]![j]! + m[j]![i]!, 0);
  let candidates = Array.from({ length: k }, (_, c) => c);
  if (k > TRIPLE_CANDIDATES) {
    const confused = candidates.map((c) => confusions.reduce((s, m) => s + m[c]!.reduce((r, n, j) => r + (j === c ? 0 : n + m[j]![c]!), 0), 0));
    candidates = candidates.sort((a, b) => confused[b]! - confused[a]! || a - b).slice(0, TRIPLE_CANDIDATES).sort((a, b) => a - b);
  }
  let best: [number, number, number] = [candidates[0]!, candidates[1]!, candidates[2]!];
  let bestScore = -1;
  for (const [ia, a] of candidates.entries()) {
    for (const [ib, b] of candidates.entries()) {
      if (ib <= ia) continue;
      const ab = pair(a, b);
      for (const c of candidates.slice(ib + 1)) {
        const score = ab + pair(a, c) + pair(b, c);
        if (score > bestScore) [best, bestScore] = [[a, b, c], score];
      }
    }
  }
  return best;
}

/** The confusion matrix [true][predicted] of predictions against labels. */
export function confusionOf(predicted: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]!]![predicted[i]!]!++;
  return m;
}

/**
 * The mean over samples of the top logit minus the mean of the others. Log-probabilities differ from the
 * logits by one constant per sample, so their differences are the logits' and probabilities.bin suffices.
 */
export function meanLogitGap(logProbs: ArrayLike<number>, numClasses: number): number {
  const samples = logProbs.length / numClasses;
  let total = 0;
  for (let s = 0; s < samples; s++) {
    let top = -Infinity;
    let sum = 0;
    for (let c = 0; c < numClasses; c++) {
      const v = logProbs[s * numClasses + c]!;
      sum += v;
      if (v > top) top = v;
    }
    total += top - (sum - top) / (numClasses - 1);
  }
  return total / samples;
}

/**
 * The logit gap a smoothed arm's loss is minimised at: log(q_true / q_other) of its targets, the same for every
 * sample — log((1 − ε + ε/K)/(ε/K)) for uniform smoothing (4.51 for K = 10, ε = 0.1). Unbounded (Infinity) at ε = 0.
 */
export function logitGapBound(epsilon: number, numClasses: number, smoothing: SmoothingVariant = 'uniform'): number {
  if (epsilon === 0) return Infinity;
  const { onValue, offValue } = smoothedTargetValues({ epsilon, smoothing }, numClasses);
  return Math.log(onValue / offValue);
}
