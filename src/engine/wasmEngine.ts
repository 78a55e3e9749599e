import fs from 'node:fs';
import { armBatch, type BackendChoice, type Engine, type SharedBatch, type TrainedArms } from './engine';
import type { Model } from './model';
import { NativeModel } from './nativeModel';
import { SharedRows, WasmArm, WORKER_PATH } from './wasmArm';
import { wasmModule } from './wasmInstance';

/**
 * The wasm-fused engine: the native backend's fused training step (the same C kernels and network,
 * compiled to WebAssembly SIMD128 with its own sgemm) on any machine Node runs on, nothing to build.
 * Each model lives in its own worker thread with its own instance of the module; a step writes the batch's
 * rows and dropout masks once into a SharedArrayBuffer that every arm's worker reads, and runs up to
 * `threads` arms at the same time. An arm's arithmetic does not depend on which others run beside it,
 * so results are bit-identical whatever the number of threads.
 */
export function wasmFusedEngine(module: WebAssembly.Module, choice: BackendChoice): Engine {
  const rows = new SharedRows();
  const arms = new WeakMap<Model, WasmArm>();
  return {
    ...choice,
    createModel(spec, initial, optimizer) {
      const arm = new WasmArm(module, rows);
      const model = new NativeModel(arm, spec, initial, optimizer);
      arms.set(model, arm);
      return model;
    },
    trainArms(models, batch, { threads }) {
      const own = models.map((model) => {
        const arm = arms.get(model);
        if (!arm || !(model instanceof NativeModel)) throw new Error('the wasm-fused engine steps only its own models: this one was not built by it');
        return { model, arm };
      });
      return trainOnWorkers(own, rows, batch, Math.max(1, Math.min(threads, models.length)));
    },
  };
}

/** One step of every arm on the shared rows: `threads` at a time (1: one after the other, each timed on its own). */
function trainOnWorkers(arms: { model: NativeModel; arm: WasmArm }[], rows: SharedRows, batch: SharedBatch, threads: number): TrainedArms {
  const masks = batch.dropoutMasks ?? null;
  const counts = rows.write(batch.size, arms[0]!.arm.inSize, batch.x, masks);
  const results = arms.map((_, i) => ({ loss: 0, logProbs: new Float32Array(batch.targets[i]!.length) }));
  const seconds = arms.map(() => 0);
  const started = performance.now();
  for (let start = 0; start < arms.length; start += threads) {
    const group = arms.slice(start, start + threads);
    const groupStarted = performance.now();
    group.forEach(({ model, arm }, j) => {
      model.handleForStep();
      arm.startStep(batch.size, armBatch(batch, start + j).targets, counts);
    });
    group.forEach(({ arm }, j) => {
      results[start + j]!.loss = arm.finishStep(results[start + j]!.logProbs);
      if (threads === 1) seconds[start + j] = (performance.now() - groupStarted) / 1000;
    });
  }
  if (threads > 1) seconds.fill((performance.now() - started) / 1000);
  return { results, seconds, threads };
}

/** Why the wasm-fused engine cannot run here, or undefined when it can. */
export function wasmFusedProblem(): string | undefined {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics?.wait !== 'function') return 'SharedArrayBuffer and Atomics.wait are not available in this JavaScript runtime';
  if (!fs.existsSync(WORKER_PATH)) return `its worker script ${WORKER_PATH} is missing`;
  return wasmModule().problem;
}
