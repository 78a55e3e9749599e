import type { NativeAddon, NativeNetworkHandle } from './nativeAddon';
import { need, WasmInstance, wasmModule } from './wasmInstance';
import { WasmNetworks } from './wasmNetworks';

/**
 * ls-bench's WebAssembly module (native/wasm/ls_bench.wasm, built by scripts/build-wasm.js from the same C
 * kernels as the native addon, committed and shipped) behind the native addon's interface: every kernel
 * and network function takes and fills Float32Arrays as the addon's do, copying them in and out of the
 * module's linear memory. One instance is one thread: trainSteps steps its networks one after the other
 * (the wasm-fused engine runs one instance per arm on worker threads for parallel arms).
 */
let loaded: { addon?: WasmAddon; problem?: string } | undefined;

/** An instance of the module for this thread (made once), or why there is none. */
export function loadWasmAddon(): { addon?: WasmAddon; problem?: string } {
  if (loaded) return loaded;
  const { module, problem } = wasmModule();
  try {
    loaded = module ? { addon: new WasmAddon(new WasmInstance(module)) } : { problem: problem! };
  } catch (error) {
    loaded = { problem: `the WebAssembly module failed to start (${(error as Error).message.split('\n')[0]})` };
  }
  return loaded;
}

/** One instance of the module as a NativeAddon (plus what the engine needs to know about a network). */
export class WasmAddon implements NativeAddon {
  private readonly networks: WasmNetworks;

  constructor(private readonly instance: WasmInstance) {
    this.networks = new WasmNetworks(instance);
  }

  private fn(name: string) {
    return this.instance.fn(name);
  }

  private call<T>(arrays: (Float32Array | null)[], outputs: number[], body: (ptrs: number[]) => T): T {
    return this.instance.call(arrays, outputs, body);
  }

  private oom(status: number, what: string): void {
    if (status !== 0) throw new Error(`${what}: out of memory`);
  }

  matmul(transA: number, transB: number, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array): void {
    need(a, m * k, 'a'), need(b, k * n, 'b'), need(c, m * n, 'c');
    this.call([a, b, c], [2], ([pa, pb, pc]) => this.fn('matmul')(transA, transB, m, n, k, pa!, pb!, pc!));
  }

  denseForward(n: number, inW: number, outW: number, x: Float32Array, w: Float32Array, b: Float32Array, act: number, mask: Float32Array | null, keepScale: number, z: Float32Array, h: Float32Array | null): void {
    need(x, n * inW, 'x'), need(w, inW * outW, 'w'), need(b, outW, 'b'), need(z, n * outW, 'z');
    if (mask) need(mask, n * outW, 'mask');
    if (h) need(h, n * outW, 'h');
    this.call([x, w, b, mask, z, h], [4, 5], (p) => this.fn('denseForward')(n, inW, outW, p[0]!, p[1]!, p[2]!, act, p[3]!, keepScale, p[4]!, p[5]!));
  }

  activationForward(act: number, z: Float32Array, h: Float32Array): void {
    need(h, z.length, 'h');
    this.call([z, h], [1], ([pz, ph]) => this.fn('activationForward')(act, z.length, pz!, ph!));
  }

  activationBackward(act: number, z: Float32Array, dh: Float32Array, dz: Float32Array): void {
    need(dh, z.length, 'dh'), need(dz, z.length, 'dz');
    this.call([z, dh, dz], [2], ([pz, pdh, pdz]) => this.fn('activationBackward')(act, z.length, pz!, pdh!, pdz!));
  }

  smoothedCrossEntropy(n: number, k: number, logits: Float32Array, targets: Float32Array, logProbs: Float32Array, grad: Float32Array | null): number {
    for (const [a, what] of [[logits, 'logits'], [targets, 'targets'], [logProbs, 'logProbs']] as const) need(a, n * k, what);
    if (grad) need(grad, n * k, 'grad');
    return this.call([logits, targets, logProbs, grad], [2, 3], (p) => this.fn('smoothedCrossEntropy')(n, k, p[0]!, p[1]!, p[2]!, p[3]!));
  }

  columnSums(rows: number, cols: number, x: Float32Array, out: Float32Array): void {
    need(x, rows * cols, 'x'), need(out, cols, 'out');
    this.call([x, out], [1], ([px, po]) => this.fn('columnSums')(rows, cols, px!, po!));
  }

  adamUpdate(params: Float32Array, grads: Float32Array, m: Float32Array, v: Float32Array, lr: number, beta1: number, beta2: number, eps: number, accBeta1: number, accBeta2: number): void {
    const n = params.length;
    need(grads, n, 'grads'), need(m, n, 'm'), need(v, n, 'v');
    this.call([params, grads, m, v], [0, 2, 3], (p) => this.fn('adamUpdate')(n, p[0]!, p[1]!, p[2]!, p[3]!, lr, beta1, beta2, eps, accBeta1, accBeta2));
  }

  momentumUpdate(params: Float32Array, grads: Float32Array, accum: Float32Array, lr: number, momentum: number): void {
    const n = params.length;
    need(grads, n, 'grads'), need(accum, n, 'accum');
    this.call([params, grads, accum], [0, 2], (p) => this.fn('momentumUpdate')(n, p[0]!, p[1]!, p[2]!, lr, momentum));
  }

  conv2dForward(n: number, h: number, w: number, c: number, filters: number, kernel: number, stride: number, same: number, x: Float32Array, kernelWeights: Float32Array, bias: Float32Array, z: Float32Array): void {
    const s = convSizes(n, h, w, c, filters, kernel, stride, same);
    need(x, s.ins, 'x'), need(kernelWeights, s.weights, 'kernel'), need(bias, filters, 'bias'), need(z, s.outs, 'z');
    const status = this.call([x, kernelWeights, bias, z], [3], (p) => this.fn('conv2dForward')(n, h, w, c, filters, kernel, stride, same, p[0]!, p[1]!, p[2]!, p[3]!));
    this.oom(status, 'conv2dForward');
  }

  conv2dBackward(n: number, h: number, w: number, c: number, filters: number, kernel: number, stride: number, same: number, x: Float32Array, kernelWeights: Float32Array, dz: Float32Array, dx: Float32Array | null, dKernel: Float32Array, dBias: Float32Array): void {
    const s = convSizes(n, h, w, c, filters, kernel, stride, same);
    need(x, s.ins, 'x'), need(kernelWeights, s.weights, 'kernel'), need(dz, s.outs, 'dz'), need(dKernel, s.weights, 'dKernel'), need(dBias, filters, 'dBias');
    if (dx) need(dx, s.ins, 'dx');
    const args = [x, kernelWeights, dz, dx, dKernel, dBias];
    const status = this.call(args, [3, 4, 5], (p) => this.fn('conv2dBackward')(n, h, w, c, filters, kernel, stride, same, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!));
    this.oom(status, 'conv2dBackward');
  }

  poolForward(max: number, n: number, h: number, w: number, c: number, size: number, stride: number, same: number, x: Float32Array, y: Float32Array): void {
    const { ins, outs } = poolSizes(n, h, w, c, size, stride, same);
    need(x, ins, 'x'), need(y, outs, 'y');
    this.call([x, y], [1], ([px, py]) => this.fn('poolForward')(max, n, h, w, c, size, stride, same, px!, py!));
  }

  poolBackward(max: number, n: number, h: number, w: number, c: number, size: number, stride: number, same: number, x: Float32Array, dy: Float32Array, dx: Float32Array): void {
    const { ins, outs } = poolSizes(n, h, w, c, size, stride, same);
    need(x, ins, 'x'), need(dy, outs, 'dy'), need(dx, ins, 'dx');
    const status = this.call([x, dy, dx], [2], ([px, pdy, pdx]) => this.fn('poolBackward')(max, n, h, w, c, size, stride, same, px!, pdy!, pdx!));
    this.oom(status, 'poolBackward');
  }

  batchNorm(rows: number, channels: number, x: Float32Array, gamma: Float32Array, beta: Float32Array, epsilon: number, y: Float32Array, dy: Float32Array | null, dx: Float32Array | null, dGamma: Float32Array | null, dBeta: Float32Array | null): void {
    const total = rows * channels;
    need(x, total, 'x'), need(gamma, channels, 'gamma'), need(beta, channels, 'beta'), need(y, total, 'y');
    if (dy) need(dy, total, 'dy'), need(dx!, total, 'dx'), need(dGamma!, channels, 'dGamma'), need(dBeta!, channels, 'dBeta');
    const args = [x, gamma, beta, y, dy, dy ? dx : null, dy ? dGamma : null, dy ? dBeta : null];
    const status = this.call(args, [3, 5, 6, 7], (p) => this.fn('batchNorm')(rows, channels, p[0]!, p[1]!, p[2]!, epsilon, p[3]!, p[4]!, p[5]!, p[6]!, p[7]!));
    this.oom(status, 'batchNorm');
  }

  blasConfig(): string {
    return this.instance.cString(this.fn('blasConfig')());
  }

  setThreads(_threads: number): void {
    // one instance is one thread
  }

  /** Its sgemm runs on the instance's one thread. */
  blasThreads(): number {
    return 1;
  }

  // ------------------------------------------------------------------ networks: see wasmNetworks.ts
  createNetwork = (input: Int32Array, layers: Float64Array, optimizer: Float64Array, params: Float32Array, stats: Float32Array) =>
    this.networks.create(input, layers, optimizer, params, stats);
  trainStep = (handle: NativeNetworkHandle, n: number, x: Float32Array, targets: Float32Array, masks: Float32Array[] | null, logProbs: Float32Array) =>
    this.networks.trainStep(handle, n, x, targets, masks, logProbs);
  /** One instance is one thread: the networks are stepped one after the other, whatever `threads` says. */
  trainSteps = (handles: NativeNetworkHandle[], n: number, x: Float32Array, targets: Float32Array[], masks: Float32Array[] | null, logProbs: Float32Array[]) =>
    this.networks.trainSteps(handles, n, x, targets, masks, logProbs);
  predict = (handle: NativeNetworkHandle, n: number, x: Float32Array, logProbs: Float32Array, penultimate: Float32Array | null) =>
    this.networks.predict(handle, n, x, logProbs, penultimate);
  readState = (handle: NativeNetworkHandle, params: Float32Array, stats: Float32Array, m: Float32Array | null, v: Float32Array | null) =>
    this.networks.readState(handle, params, stats, m, v);
  writeState = (handle: NativeNetworkHandle, params: Float32Array, stats: Float32Array, m: Float32Array, v: Float32Array, b1: number, b2: number) =>
    this.networks.writeState(handle, params, stats, m, v, b1, b2);
  layerSeconds = (handle: NativeNetworkHandle) => this.networks.layerSeconds(handle);
  disposeNetwork = (handle: NativeNetworkHandle) => this.networks.dispose(handle);
}

/** Input, output and kernel sizes of a conv (TensorFlow's same/valid rules, as native/kernels/conv.c). */
function convSizes(n: number, h: number, w: number, c: number, filters: number, kernel: number, stride: number, same: number) {
  positive({ n, h, w, c, filters, kernel, stride }, 'conv2d');
  const [oh, ow] = windowOut(h, w, kernel, stride, same);
  return { ins: n * h * w * c, outs: n * oh * ow * filters, weights: kernel * kernel * c * filters };
}

function poolSizes(n: number, h: number, w: number, c: number, size: number, stride: number, same: number) {
  positive({ n, h, w, c, size, stride }, 'pool');
  const [oh, ow] = windowOut(h, w, size, stride, same);
  return { ins: n * h * w * c, outs: n * oh * ow * c };
}

function windowOut(h: number, w: number, k: number, stride: number, same: number): [number, number] {
  const out = (d: number) => (same ? Math.ceil(d / stride) : d >= k ? Math.floor((d - k) / stride) + 1 : 0);
  return [out(h), out(w)];
}

function positive(sizes: Record<string, number>, fn: string): void {
  for (const [name, v] of Object.entries(sizes)) {
    const least = name === 'n' ? 0 : 1;
    if (!Number.isInteger(v) || v < least) throw new RangeError(`${fn}: ${name} must be an integer ≥ ${least}`);
  }
}
