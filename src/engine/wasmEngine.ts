import fs from 'node:fs';
import { armBatch, type BackendChoice, type Engine, type SharedBatch, type TrainedArms } from './engine';
import type { BatchResult, Model } from './model';
import { NativeModel } from './nativeModel';
import { SharedRows, WasmArm, WORKER_PATH } from './wasmArm';
import { loadWasmAddon } from './wasmAddon';
import { wasmModule } from './wasmInstance';

/**
 * The wasm-fused engine: the native backend's fused training step (the same C kernels and network,
 * compiled to WebAssembly SIMD128 with its own sgemm) on any machine Node runs on, nothing to build.
 * As on native, the calling thread trains one arm itself: the engine's first model lives in this
 * thread's instance of the module, every other model in its own worker thread with its own instance. A
 * step writes the batch's rows and dropout masks once into a SharedArrayBuffer that every arm's worker
 * reads, starts the workers' arms, trains the local arm, then waits for the others: up to `threads` arms
 * at the same time. An arm's arithmetic does not depend on where or beside which others it runs, so
 * results are bit-identical whatever the number of threads.
 */
export function wasmFusedEngine(module: WebAssembly.Module, choice: BackendChoice): Engine {
  const rows = new SharedRows();
  const arms = new WeakMap<Model, WasmArm | 'local'>();
  let local: NativeModel | undefined;
  return {
    ...choice,
    createModel(spec, initial, optimizer) {
      if (!local) {
        const here = loadWasmAddon();
        if (!here.addon) throw new Error(`wasm-fused: ${here.problem}`);
        const model = new NativeModel(here.addon, spec, initial, optimizer);
        const dispose = model.dispose.bind(model);
        // the slot is free again once its model is disposed
        model.dispose = () => {
          dispose();
          if (local === model) local = undefined;
        };
        arms.set(model, 'local');
        local = model;
        return model;
      }
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
      return trainArmsOf(own, rows, batch, Math.max(1, Math.min(threads, models.length)));
    },
  };
}

type Arm = { model: NativeModel; arm: WasmArm | 'local' };

/** One step of every arm: `threads` at a time (1: one after the other, each timed on its own). */
function trainArmsOf(arms: Arm[], rows: SharedRows, batch: SharedBatch, threads: number): TrainedArms {
  const remote = arms.find((a) => a.arm !== 'local')?.arm as WasmArm | undefined;
  const counts = remote ? rows.write(batch.size, remote.inSize, batch.x, batch.dropoutMasks ?? null) : [];
  const results: BatchResult[] = arms.map((_, i) => ({ loss: 0, logProbs: new Float32Array(batch.targets[i]!.length) }));
  const seconds = arms.map(() => 0);
  const started = performance.now();
  for (let start = 0; start < arms.length; start += threads) {
    const group = arms.slice(start, start + threads);
    const groupStarted = performance.now();
    group.forEach(({ model, arm }, j) => {
      if (arm === 'local') return;
      model.handleForStep();
      arm.startStep(batch.size, armBatch(batch, start + j).targets, counts);
    });
    group.forEach(({ model, arm }, j) => {
      if (arm === 'local') results[start + j] = model.trainBatch(armBatch(batch, start + j));
    });
    group.forEach(({ arm }, j) => {
      if (arm !== 'local') results[start + j]!.loss = arm.finishStep(results[start + j]!.logProbs);
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
