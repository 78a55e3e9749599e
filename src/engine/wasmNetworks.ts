import type { NativeNetworkHandle } from './nativeAddon';
import { need, type WasmInstance } from './wasmInstance';

/** native/network.h's record length and the optimizer codes createNetwork accepts. */
const NETWORK_RECORD = 8;

/** A network in one instance's memory, with the scratch buffers its calls copy rows through. */
interface Net {
  ptr: number;
  paramCount: number;
  statCount: number;
  classes: number;
  inSize: number;
  penultimateWidth: number;
  secondsCount: number;
  /** Values per row of each dropout layer's mask, by mask index. */
  maskWidths: number[];
  /** Rows the scratch buffers hold, and the buffers: x, targets, log-probs, penultimate, masks (one block), the masks' pointer table. */
  rows: number;
  scratch: { x: number; t: number; lp: number; pen: number; masks: number; table: number };
}

/**
 * The networks of one WebAssembly instance, behind the native addon's network functions (createNetwork,
 * trainStep, predict, readState, writeState, layerSeconds, disposeNetwork): same arguments, same checks,
 * same results up to the sgemm's rounding. A handle is an object owning its network's memory.
 */
export class WasmNetworks {
  private readonly live = new WeakMap<object, Net>();

  constructor(private readonly w: WasmInstance) {}

  create(input: Int32Array, layers: Float64Array, optimizer: Float64Array, params: Float32Array, stats: Float32Array): NativeNetworkHandle {
    const { w } = this;
    if (input.length !== 3 || layers.length % NETWORK_RECORD !== 0 || optimizer.length !== 6) {
      throw new TypeError('createNetwork: input is [h, w, c], layers whole records, optimizer 6 numbers');
    }
    if (![0, 1].includes(optimizer[0]!) || ![0, 1].includes(optimizer[4]!)) throw new TypeError('createNetwork: unknown optimizer or weight decay mode');
    const records = w.alloc(layers.byteLength);
    w.write(records, layers);
    const ptr = w.fn('networkCreate')(input[0]!, input[1]!, input[2]!, records, layers.length / NETWORK_RECORD);
    w.release(records);
    if (!ptr) throw new RangeError(`createNetwork: ${w.cString(w.fn('networkError')())}`);
    const infoPtr = w.alloc(8 * 4);
    w.fn('networkInfo')(ptr, infoPtr);
    const [paramCount, statCount, classes, inSize, dropouts, , penultimateWidth, secondsCount] = Array.from(w.i32(infoPtr, 8));
    w.release(infoPtr);
    if (params.length !== paramCount || stats.length !== statCount) {
      w.fn('networkFree')(ptr);
      throw new RangeError(
        `createNetwork: params length does not match the layers (${params.length} and ${stats.length} values given, ${paramCount} and ${statCount} expected)`,
      );
    }
    w.fn('networkSetOptimizer')(ptr, optimizer[0]!, optimizer[1]!, optimizer[2]!, optimizer[3]!, optimizer[4]!, optimizer[5]!);
    w.write(w.fn('networkBuffer')(ptr, 0), params);
    if (statCount) w.write(w.fn('networkBuffer')(ptr, 1), stats);
    const maskWidths = Array.from({ length: dropouts! }, (_, i) => w.fn('networkMaskWidth')(ptr, i));
    const net: Net = {
      ptr, paramCount: paramCount!, statCount: statCount!, classes: classes!, inSize: inSize!, penultimateWidth: penultimateWidth!,
      secondsCount: secondsCount!, maskWidths, rows: 0, scratch: { x: 0, t: 0, lp: 0, pen: 0, masks: 0, table: 0 },
    };
    const handle = {};
    this.live.set(handle, net);
    return handle as NativeNetworkHandle;
  }

  trainStep(handle: NativeNetworkHandle, n: number, x: Float32Array, targets: Float32Array, masks: Float32Array[] | null, logProbs: Float32Array): number {
    const net = this.net(handle);
    this.checkStep(net, n, x, masks, 'trainStep');
    return this.step(net, n, x, targets, masks, logProbs);
  }

  /** One step of every network on the same x and masks, one after the other (one instance is one thread). */
  trainSteps(handles: NativeNetworkHandle[], n: number, x: Float32Array, targets: Float32Array[], masks: Float32Array[] | null, logProbs: Float32Array[]): number[] {
    if (!Array.isArray(handles) || handles.length < 1 || handles.length > 256) throw new TypeError('trainSteps: handles must be an array of 1 to 256 models');
    const nets = handles.map((h) => this.net(h));
    if (new Set(nets).size !== nets.length) throw new TypeError('trainSteps: a model appears twice');
    const shape = (net: Net) => [net.inSize, net.paramCount, net.classes, ...net.maskWidths].join();
    if (nets.some((net) => shape(net) !== shape(nets[0]!))) throw new TypeError('trainSteps: every model must have the same layers');
    if (targets.length !== nets.length || logProbs.length !== nets.length) throw new TypeError('trainSteps: targets and logProbs need one Float32Array per model');
    this.checkStep(nets[0]!, n, x, masks, 'trainSteps');
    return nets.map((net, i) => this.step(net, n, x, targets[i]!, masks, logProbs[i]!));
  }

  private checkStep(net: Net, n: number, x: Float32Array, masks: Float32Array[] | null, fn: string): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${fn}: n must be ≥ 1`);
    need(x, n * net.inSize, 'x');
    if (!masks) return;
    if (!Array.isArray(masks) || masks.length !== net.maskWidths.length) throw new TypeError(`${fn}: masks must be an array with one Float32Array per dropout layer`);
    masks.forEach((m, i) => need(m, n * net.maskWidths[i]!, 'mask'));
  }

  private step(net: Net, n: number, x: Float32Array, targets: Float32Array, masks: Float32Array[] | null, logProbs: Float32Array): number {
    need(targets, n * net.classes, 'targets'), need(logProbs, n * net.classes, 'logProbs');
    const s = this.reserve(net, n);
    const { w } = this;
    w.write(s.x, x.subarray(0, n * net.inSize));
    w.write(s.t, targets.subarray(0, n * net.classes));
    if (masks) {
      let at = s.masks;
      const table = w.i32(s.table, masks.length);
      masks.forEach((m, i) => {
        table[i] = at;
        w.write(at, m.subarray(0, n * net.maskWidths[i]!));
        at += 4 * n * net.maskWidths[i]!;
      });
    }
    const loss = w.fn('networkTrainStep')(net.ptr, n, s.x, s.t, masks ? s.table : 0, s.lp);
    logProbs.set(w.f32(s.lp, n * net.classes));
    return loss;
  }

  predict(handle: NativeNetworkHandle, n: number, x: Float32Array, logProbs: Float32Array, penultimate: Float32Array | null): void {
    const net = this.net(handle);
    if (!Number.isInteger(n) || n < 0) throw new RangeError('predict: bad n');
    need(x, n * net.inSize, 'x'), need(logProbs, n * net.classes, 'out');
    if (penultimate) need(penultimate, n * net.penultimateWidth, 'penultimate');
    if (n === 0) return;
    const s = this.reserve(net, n);
    const { w } = this;
    w.write(s.x, x.subarray(0, n * net.inSize));
    w.fn('networkPredict')(net.ptr, n, s.x, s.lp, penultimate ? s.pen : 0);
    logProbs.set(w.f32(s.lp, n * net.classes));
    if (penultimate) penultimate.set(w.f32(s.pen, n * net.penultimateWidth));
  }

  readState(handle: NativeNetworkHandle, params: Float32Array, stats: Float32Array, m: Float32Array | null, v: Float32Array | null): [number, number] {
    const net = this.net(handle);
    const { w } = this;
    need(params, net.paramCount, 'params'), need(stats, net.statCount, 'stats');
    if (m) need(m, net.paramCount, 'm'), need(v!, net.paramCount, 'v');
    const buffer = (which: number, count: number) => w.f32(w.fn('networkBuffer')(net.ptr, which), count);
    params.set(buffer(0, net.paramCount));
    if (net.statCount) stats.set(buffer(1, net.statCount));
    if (m) (m.set(buffer(2, net.paramCount)), v!.set(buffer(3, net.paramCount)));
    return [w.fn('networkBetaPower')(net.ptr, 0), w.fn('networkBetaPower')(net.ptr, 1)];
  }

  writeState(handle: NativeNetworkHandle, params: Float32Array, stats: Float32Array, m: Float32Array, v: Float32Array, accBeta1: number, accBeta2: number): void {
    const net = this.net(handle);
    const { w } = this;
    need(params, net.paramCount, 'params'), need(stats, net.statCount, 'stats'), need(m, net.paramCount, 'm'), need(v, net.paramCount, 'v');
    if (typeof accBeta1 !== 'number' || typeof accBeta2 !== 'number') throw new TypeError('writeState: accBeta1 and accBeta2 must be numbers');
    const into = (which: number, values: Float32Array, count: number) => w.write(w.fn('networkBuffer')(net.ptr, which), values.subarray(0, count));
    into(0, params, net.paramCount);
    if (net.statCount) into(1, stats, net.statCount);
    into(2, m, net.paramCount);
    into(3, v, net.paramCount);
    w.fn('networkSetBetaPowers')(net.ptr, accBeta1, accBeta2);
  }

  layerSeconds(handle: NativeNetworkHandle): Float64Array {
    const net = this.net(handle);
    const view = this.w.f64(this.w.fn('networkBuffer')(net.ptr, 4), net.secondsCount);
    const out = view.slice();
    view.fill(0);
    return out;
  }

  dispose(handle: NativeNetworkHandle): void {
    const net = this.net(handle);
    this.w.fn('networkFree')(net.ptr);
    for (const p of Object.values(net.scratch)) this.w.release(p);
    this.live.delete(handle);
  }

  private net(handle: NativeNetworkHandle): Net {
    const net = typeof handle === 'object' && handle !== null ? this.live.get(handle) : undefined;
    if (!net) throw new Error('wasm network used after disposeNetwork(), or not a network of this instance');
    return net;
  }

  /** Scratch buffers (and the network's own) for n rows. */
  private reserve(net: Net, n: number): Net['scratch'] {
    const { w } = this;
    if (n > net.rows) {
      if (!w.fn('networkReserve')(net.ptr, n)) throw new Error('trainStep: out of memory');
      for (const p of Object.values(net.scratch)) w.release(p);
      net.scratch = { x: 0, t: 0, lp: 0, pen: 0, masks: 0, table: 0 };
      net.rows = 0;
      const maskValues = net.maskWidths.reduce((a, b) => a + b, 0);
      net.scratch = {
        x: w.alloc(4 * n * net.inSize),
        t: w.alloc(4 * n * net.classes),
        lp: w.alloc(4 * n * net.classes),
        pen: w.alloc(4 * n * net.penultimateWidth),
        masks: w.alloc(4 * Math.max(1, n * maskValues)),
        table: w.alloc(4 * Math.max(1, net.maskWidths.length)),
      };
      net.rows = n;
    }
    return net.scratch;
  }
}
