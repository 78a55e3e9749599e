import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TrainConfig } from '../config/schema';
import type { Dataset } from '../data/Dataset';
import type { Engine } from '../engine/engine';
import { weightsDigest } from '../engine/initialWeights';
import { resolveModelSpec, weightTensors } from '../engine/modelSpec';
import { CliError } from '../errors';
import { readCheckpoint } from './checkpointFile';
import { RUN_FILES, type RunSummary } from './runFiles';

/**
 * What a completed run's models compute inside: each arm's final weights, read from checkpoint.bin (the
 * state after the last epoch, which the run's test predictions came from), rebuilt on an engine and run
 * over some samples for the activations of the last hidden layer — what the report's penultimate-layer
 * projection draws. The output layer's kernel comes with them (its columns are the class templates).
 */

export interface ArmActivations {
  label: string;
  /** The width of the last hidden layer: the output layer's input. */
  width: number;
  /** The output layer's kernel, [width × classes] row-major. */
  kernel: Float32Array;
  /** [count × width] per row set asked for, in order. */
  activations: Float32Array[];
  /** [count × classes] log-probabilities per row set: the model's predictions, to check against probabilities.bin. */
  logProbs: Float32Array[];
}

export interface RunForActivations {
  id: string;
  dir: string;
  config: TrainConfig;
  summary: RunSummary;
}

/** Why a run's final weights cannot be used, or null: no checkpoint, one from another epoch or other data. */
function checkpointProblem(run: RunForActivations, checkpoint: ReturnType<typeof readCheckpoint>): string | null {
  const epochs = Math.max(...run.summary.arms.map((a) => a.history.length));
  if (checkpoint.epoch !== epochs) return `its checkpoint is of epoch ${checkpoint.epoch}, not the last (${epochs})`;
  if (checkpoint.dataDigest !== null && checkpoint.dataDigest !== run.summary.dataset.digest) return 'its checkpoint was trained on other data than its summary says';
  if (checkpoint.arms.length !== run.summary.arms.length) return `its checkpoint holds ${checkpoint.arms.length} arms, its summary ${run.summary.arms.length}`;
  return null;
}

/**
 * Every arm's last hidden activations on each of `rows` (samples of `dataset`'s feature layout), from the
 * weights in checkpoint.bin. A run without a usable checkpoint is a CliError naming the run and the file.
 */
export function runActivations(run: RunForActivations, dataset: Dataset, engine: Engine, rows: { x: Float32Array; count: number }[]): ArmActivations[] {
  const file = path.join(run.dir, RUN_FILES.checkpoint);
  if (!existsSync(file)) throw new CliError(`run ${run.id}: ${file} is missing (the final weights)`);
  let checkpoint: ReturnType<typeof readCheckpoint>;
  try {
    checkpoint = readCheckpoint(file);
  } catch (error) {
    // readCheckpoint's errors name the file and what is wrong with it
    throw new CliError(`run ${run.id}: ${(error as Error).message}`);
  }
  const problem = checkpointProblem(run, checkpoint);
  if (problem) throw new CliError(`run ${run.id}: ${file}: ${problem}`);
  const spec = resolveModelSpec(run.config, dataset);
  const tensors = weightTensors(spec);
  const output = tensors.length - 2;
  if (tensors[output]?.kind !== 'kernel' || tensors[output]!.shape[1] !== spec.numClasses) throw new Error('runActivations: the output layer is not a dense kernel then its bias');
  const width = tensors[output]!.shape[0]!;
  return checkpoint.arms.map((arm) => {
    const values = arm.state.weights;
    if (values.length !== tensors.length) throw new CliError(`run ${run.id}: ${file}: arm ${arm.label} holds ${values.length} weight tensors, its model ${tensors.length}`);
    const model = engine.createModel(spec, { shapes: tensors.map((t) => t.shape), values, digest: weightsDigest(values) }, run.config);
    try {
      const predictions = rows.map((r) => model.predict(r.x, r.count, { penultimate: true }));
      return { label: arm.label, width, kernel: values[output]!, activations: predictions.map((p) => p.penultimate!), logProbs: predictions.map((p) => p.logProbs) };
    } finally {
      model.dispose();
    }
  });
}
