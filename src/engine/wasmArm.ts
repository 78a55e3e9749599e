import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { NativeNetworkHandle, NetworkAddon } from './nativeAddon';

/** Control words shared with a worker: [0] state (0 busy, 1 done, 2 failed), [1] error length; then float64 results at byte 16. */
export const CONTROL_BYTES = 16 + 8 * 4;
export const ERROR_BYTES = 4096;
export const WORKER_PATH = path.join(__dirname, 'wasmWorker.js');

/**
 * The rows and dropout masks of one batch in a SharedArrayBuffer that every arm's worker reads: the
 * batch is written once, whatever the number of arms. Grows (a new buffer) when a batch needs more.
 */
export class SharedRows {
  buffer = new SharedArrayBuffer(4);

  /** Writes x (n × inSize values) then each mask in order; returns the masks' value counts. */
  write(n: number, inSize: number, x: Float32Array, masks: Float32Array[] | null): number[] {
    const xCount = n * inSize;
    const counts = (masks ?? []).map((m) => m.length);
    const total = xCount + counts.reduce((a, b) => a + b, 0);
    if (this.buffer.byteLength < 4 * total) this.buffer = new SharedArrayBuffer(4 * total);
    const view = new Float32Array(this.buffer);
    view.set(x.subarray(0, xCount));
    let at = xCount;
    for (const m of masks ?? []) (view.set(m, at), (at += m.length));
    return counts;
  }
}

/**
 * One arm's worker thread and its network, behind the native addon's network functions: each call is a
 * message to the worker and a wait (Atomics.wait) for its answer, so a NativeModel on top of it is as
 * synchronous as on the addon. The worker has its own instance of the WebAssembly module.
 * startStep/finishStep split a training step so that several arms' steps run at the same time.
 */
export class WasmArm implements NetworkAddon {
  private readonly worker: Worker;
  private readonly control = new SharedArrayBuffer(CONTROL_BYTES);
  private readonly state = new Int32Array(this.control, 0, 2);
  private readonly results = new Float64Array(this.control, 16, 4);
  private readonly errors = new SharedArrayBuffer(ERROR_BYTES);
  /** This arm's targets and log-probabilities for a step, shared with its worker. */
  private io = new SharedArrayBuffer(4);
  private classes = 0;
  /** Values per row of the network's input. */
  inSize = 0;
  private busy = false;
  private started = false;
  /** Values of targets (and log-probabilities) of the step under way. */
  private stepValues = 0;

  constructor(module: WebAssembly.Module, private readonly rows: SharedRows) {
    this.worker = new Worker(WORKER_PATH, { workerData: { module, control: this.control, errors: this.errors } });
    // A model left undisposed must not keep the process alive.
    this.worker.unref();
  }

  createNetwork(input: Int32Array, layers: Float64Array, optimizer: Float64Array, params: Float32Array, stats: Float32Array): NativeNetworkHandle {
    this.call({ op: 'create', input, layers, optimizer, params, stats });
    this.classes = this.results[0]!;
    this.inSize = this.results[1]!;
    return {} as NativeNetworkHandle;
  }

  trainStep(_handle: NativeNetworkHandle, n: number, x: Float32Array, targets: Float32Array, masks: Float32Array[] | null, logProbs: Float32Array): number {
    const counts = this.rows.write(n, this.inSize, x, masks);
    this.startStep(n, targets, counts);
    return this.finishStep(logProbs);
  }

  /** Starts a step on the rows last written to the shared buffer (SharedRows.write) with this arm's targets. */
  startStep(n: number, targets: Float32Array, maskCounts: number[]): void {
    const k = n * this.classes;
    if (targets.length < k) throw new RangeError(`targets: has ${targets.length} values, needs ${k}`);
    if (this.io.byteLength < 8 * k) this.io = new SharedArrayBuffer(8 * k);
    new Float32Array(this.io, 0, k).set(targets.subarray(0, k));
    this.stepValues = k;
    this.post({ op: 'step', n, rows: this.rows.buffer, maskCounts, io: this.io });
  }

  /** Waits for the step startStep began; fills logProbs and returns the loss before the update. */
  finishStep(logProbs: Float32Array): number {
    this.wait();
    const k = this.stepValues;
    logProbs.set(new Float32Array(this.io, 4 * k, k));
    return this.results[0]!;
  }

  predict(_handle: NativeNetworkHandle, n: number, x: Float32Array, logProbs: Float32Array, penultimate: Float32Array | null): void {
    const out = new SharedArrayBuffer(4 * (logProbs.length + (penultimate?.length ?? 0)) || 4);
    this.call({ op: 'predict', n, x, logLength: logProbs.length, penLength: penultimate?.length ?? -1, out });
    logProbs.set(new Float32Array(out, 0, logProbs.length));
    penultimate?.set(new Float32Array(out, 4 * logProbs.length, penultimate.length));
  }

  readState(_handle: NativeNetworkHandle, params: Float32Array, stats: Float32Array, m: Float32Array | null, v: Float32Array | null): [number, number] {
    const sizes = [params.length, stats.length, m?.length ?? -1, v?.length ?? -1];
    const out = new SharedArrayBuffer(4 * sizes.reduce((a, b) => a + Math.max(0, b), 0) || 4);
    this.call({ op: 'read', sizes, out });
    let at = 0;
    for (const a of [params, stats, m, v]) if (a) (a.set(new Float32Array(out, 4 * at, a.length)), (at += a.length));
    return [this.results[0]!, this.results[1]!];
  }

  writeState(_handle: NativeNetworkHandle, params: Float32Array, stats: Float32Array, m: Float32Array, v: Float32Array, accBeta1: number, accBeta2: number): void {
    this.call({ op: 'write', params, stats, m, v, accBeta1, accBeta2 });
  }

  layerSeconds(_handle: NativeNetworkHandle): Float64Array {
    const out = new SharedArrayBuffer(8 * 1024);
    this.call({ op: 'seconds', out });
    return new Float64Array(out, 0, this.results[0]!).slice();
  }

  /** Frees the network and ends the worker. */
  disposeNetwork(_handle: NativeNetworkHandle): void {
    if (this.busy) this.wait();
    void this.worker.terminate();
  }

  private call(message: Record<string, unknown>): void {
    this.post(message);
    this.wait();
  }

  private post(message: Record<string, unknown>): void {
    if (this.busy) throw new Error('wasm-fused: an arm was given a new call before its step finished');
    Atomics.store(this.state, 0, 0);
    this.busy = true;
    this.worker.postMessage(message);
  }

  private wait(): void {
    // A worker that never started (its script missing or broken) cannot say so while this thread blocks: give its first answer a minute.
    const deadline = this.started ? Infinity : Date.now() + 60_000;
    while (Atomics.load(this.state, 0) === 0) {
      if (Atomics.wait(this.state, 0, 0, 1000) === 'timed-out' && Date.now() > deadline) {
        void this.worker.terminate();
        throw new Error(`wasm-fused: the worker thread (${WORKER_PATH}) did not start`);
      }
    }
    this.started = true;
    this.busy = false;
    if (Atomics.load(this.state, 0) === 2) {
      const bytes = new Uint8Array(this.errors, 0, this.state[1]!);
      const [kind, ...message] = Buffer.from(bytes).toString('utf8').split(': ');
      const text = message.join(': ');
      throw kind === 'RangeError' ? new RangeError(text) : kind === 'TypeError' ? new TypeError(text) : new Error(text);
    }
  }
}
