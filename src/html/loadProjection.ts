import type { Dataset, LabelledSplit } from '../data/Dataset';
import { CliError } from '../errors';
import { argmaxRows } from '../metrics/classification';
import { confusionOf, logitGapBound, meanLogitGap, mostConfusedTriple, projectOnPlane, templatePlane } from '../metrics/projection';
import { runActivations, type ArmActivations } from '../store/runActivations';
import type { RunReportInput } from './loadRunForReport';
import type { ArmProjection, ProjectedPoint, Projection } from './projectionChart';
import type { SampleLayer } from './sampleCharts';

/**
 * The numbers of the report's penultimate-layer projection: three classes (the most confused, or
 * --classes), their training and test samples through each arm's final weights (checkpoint.bin) on an
 * engine, projected onto the plane through the arm's own templates; each arm's logit gap from
 * probabilities.bin.
 */

/** At most this many samples of a class in each split: the picture is a cloud, not a census. */
export const PROJECTION_SAMPLES_PER_CLASS = 1000;

/** --classes a,b,c: three different classes of the run, by name or index. */
export function parseProjectionClasses(text: string, classNames: string[]): [number, number, number] {
  const parts = text.split(',').map((p) => p.trim());
  const expected = `expected three different classes of the run's data set, by name or index 0–${classNames.length - 1}, separated by commas: ${classNames.join(', ')}`;
  if (parts.length !== 3) throw new CliError(`--classes "${text}": ${parts.length} given; ${expected}`);
  const indices = parts.map((p) => {
    const byName = classNames.indexOf(p);
    if (byName >= 0) return byName;
    if (/^\d+$/.test(p) && Number(p) < classNames.length) return Number(p);
    throw new CliError(`--classes "${text}": "${p}" is not a class; ${expected}`);
  });
  if (new Set(indices).size !== 3) throw new CliError(`--classes "${text}": a class named twice; ${expected}`);
  return indices as [number, number, number];
}

/** The rows of the three classes, at most `perClass` each, evenly spaced through the split (deterministic). */
export function classRows(split: LabelledSplit, numFeatures: number, classes: number[], perClass: number): { x: Float32Array; labels: number[]; indices: number[]; available: number } {
  const picked: number[] = [];
  let available = 0;
  for (const c of classes) {
    const rows: number[] = [];
    for (let i = 0; i < split.count; i++) if (split.y[i] === c) rows.push(i);
    available += rows.length;
    const step = Math.max(1, rows.length / perClass);
    for (let k = 0; k * step < rows.length && k < perClass; k++) picked.push(rows[Math.floor(k * step)]!);
  }
  const x = new Float32Array(picked.length * numFeatures);
  picked.forEach((r, i) => x.set(split.x.subarray(r * numFeatures, (r + 1) * numFeatures), i * numFeatures));
  return { x, labels: picked.map((r) => split.y[r]!), indices: picked, available };
}

/** The largest difference between the arm's predictions now and probabilities.bin's for the same test samples. */
function reproductionError(arm: ArmActivations, layer: SampleLayer, armIndex: number, testIndices: number[]): number {
  const k = layer.stored.classes;
  const stored = layer.stored.arms[armIndex]!.logProbs;
  let worst = 0;
  testIndices.forEach((sample, row) => {
    for (let c = 0; c < k; c++) worst = Math.max(worst, Math.abs(arm.logProbs[1]![row * k + c]! - stored[sample * k + c]!));
  });
  return worst;
}

/**
 * The projection, or null with the reason (a note for the page): fewer than three classes, no usable final
 * weights, a diverged arm, templates on one line, or weights that no longer reproduce probabilities.bin.
 */
export async function loadProjection(input: RunReportInput, layer: SampleLayer, dataset: Dataset, asked?: [number, number, number]): Promise<{ projection: Projection | null; note?: string }> {
  const { summary } = input;
  const names = summary.dataset.classNames;
  if (names.length < 3) return { projection: null, note: `The penultimate-layer projection needs three classes; ${summary.dataset.name} has ${names.length}.` };
  const diverged = summary.arms.filter((a) => a.diverged);
  if (diverged.length > 0) return { projection: null, note: `No penultimate-layer projection: ${diverged.map((a) => a.label).join(', ')} diverged, so its weights are not a trained model.` };
  // from probabilities.bin: summary.json leaves the dense matrices out for many classes
  const classes = asked ?? mostConfusedTriple(layer.stored.arms.map((a) => confusionOf(argmaxRows(a.logProbs, names.length), layer.stored.labels, names.length)));
  const f = dataset.numFeatures;
  const training = classRows(dataset.train, f, classes, PROJECTION_SAMPLES_PER_CLASS);
  const test = classRows(dataset.test, f, classes, PROJECTION_SAMPLES_PER_CLASS);
  const { selectBackend } = await import('../engine/backend');
  const engine = await selectBackend('auto');
  let arms: ArmActivations[];
  try {
    arms = runActivations({ id: input.meta.id, dir: input.dir, config: input.config, summary }, dataset, engine, [
      { x: training.x, count: training.labels.length },
      { x: test.x, count: test.labels.length },
    ]);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return { projection: null, note: `No penultimate-layer projection: ${error.message}.` };
  }
  const projected: ArmProjection[] = [];
  for (const [a, arm] of arms.entries()) {
    const error = reproductionError(arm, layer, a, test.indices);
    if (!(error <= 1e-3)) return { projection: null, note: `No penultimate-layer projection: arm ${arm.label}'s final weights give test log-probabilities up to ${error.toExponential(1)} away from probabilities.bin's, so they are not the model the run evaluated.` };
    const plane = templatePlane(arm.kernel, arm.width, names.length, classes);
    if (!plane) return { projection: null, note: `No penultimate-layer projection: arm ${arm.label}'s templates of ${classes.map((c) => names[c]).join(', ')} lie on one line.` };
    const points = (['training', 'test'] as const).flatMap((split, s) => {
      const rows = s === 0 ? training : test;
      const xy = projectOnPlane(arm.activations[s]!, rows.labels.length, arm.width, plane);
      return rows.labels.map((label, i): ProjectedPoint => ({ split, label: names[label]!, x: xy[2 * i]!, y: xy[2 * i + 1]! }));
    });
    const meta = summary.arms[a]!;
    projected.push({
      arm: { label: meta.label, epsilon: meta.epsilon, smoothing: layer.stored.arms[a]!.smoothing },
      points,
      drawn: { training: training.labels.length, test: test.labels.length },
      available: { training: training.available, test: test.available },
      logitGap: meanLogitGap(layer.stored.arms[a]!.logProbs, names.length),
      bound: logitGapBound(meta.epsilon, names.length, layer.stored.arms[a]!.smoothing),
    });
  }
  return { projection: { classes, classNames: classes.map((c) => names[c]!) as [string, string, string], chosen: asked ? 'asked' : 'most-confused', arms: projected } };
}
