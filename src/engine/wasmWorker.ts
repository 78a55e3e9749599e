import { workerData, parentPort } from 'node:worker_threads';
import type { NativeNetworkHandle } from './nativeAddon';
import { WasmAddon } from './wasmAddon';
import { WasmInstance } from './wasmInstance';

/**
 * One arm's worker thread (started by wasmArm.ts): its own instance of the WebAssembly module and one
 * network in it. Each message is one call; the answer goes into the shared control words (results as
 * float64, then state 1 and a notify), or the error's text into the shared error buffer (state 2).
 */
const { module: wasm, control, errors } = workerData as { module: WebAssembly.Module; control: SharedArrayBuffer; errors: SharedArrayBuffer };
const state = new Int32Array(control, 0, 2);
const results = new Float64Array(control, 16, 4);
const addon = new WasmAddon(new WasmInstance(wasm));
let handle: NativeNetworkHandle | undefined;
let sizes = { classes: 0, inSize: 0 };

type Message = Record<string, any>;

function live(): NativeNetworkHandle {
  if (!handle) throw new Error('wasm network used after disposeNetwork()');
  return handle;
}

function handleMessage(m: Message): void {
  switch (m.op) {
    case 'create': {
      handle = addon.createNetwork(m.input, m.layers, m.optimizer, m.params, m.stats);
      const last = m.layers.length - 8;
      sizes = { classes: m.layers[last + 1], inSize: m.input[0] * m.input[1] * m.input[2] };
      results[0] = sizes.classes;
      results[1] = sizes.inSize;
      return;
    }
    case 'step': {
      const n: number = m.n;
      const k = n * sizes.classes;
      const x = new Float32Array(m.rows, 0, n * sizes.inSize);
      let at = n * sizes.inSize;
      const masks = (m.maskCounts as number[]).map((count) => {
        const view = new Float32Array(m.rows, 4 * at, count);
        at += count;
        return view;
      });
      results[0] = addon.trainStep(live(), n, x, new Float32Array(m.io, 0, k), masks.length ? masks : null, new Float32Array(m.io, 4 * k, k));
      return;
    }
    case 'predict': {
      const pen = m.penLength >= 0 ? new Float32Array(m.out, 4 * m.logLength, m.penLength) : null;
      addon.predict(live(), m.n, m.x, new Float32Array(m.out, 0, m.logLength), pen);
      return;
    }
    case 'read': {
      const [p, s, mm, v] = m.sizes as number[];
      let at = 0;
      const view = (count: number) => (count < 0 ? null : new Float32Array(m.out, 4 * ((at += count) - count), count));
      const [b1, b2] = addon.readState(live(), view(p!)!, view(s!)!, view(mm!), view(v!));
      results[0] = b1;
      results[1] = b2;
      return;
    }
    case 'write':
      addon.writeState(live(), m.params, m.stats, m.m, m.v, m.accBeta1, m.accBeta2);
      return;
    case 'seconds': {
      const seconds = addon.layerSeconds(live());
      new Float64Array(m.out, 0, seconds.length).set(seconds);
      results[0] = seconds.length;
      return;
    }
    default:
      throw new Error(`unknown call ${String(m.op)}`);
  }
}

parentPort!.on('message', (m: Message) => {
  try {
    handleMessage(m);
    Atomics.store(state, 0, 1);
  } catch (error) {
    const e = error as Error;
    const bytes = Buffer.from(`${e.name}: ${e.message}`, 'utf8').subarray(0, errors.byteLength);
    new Uint8Array(errors).set(bytes);
    state[1] = bytes.length;
    Atomics.store(state, 0, 2);
  }
  Atomics.notify(state, 0);
});
