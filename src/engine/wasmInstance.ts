import fs from 'node:fs';
import path from 'node:path';

/**
 * ls-bench's WebAssembly module: native/wasm/ls_bench.wasm, compiled by scripts/build-wasm.js from the same
 * C kernels and network as the native addon (only the sgemm differs), committed and shipped with the
 * package so that no install step builds it. LS_BENCH_WASM_PATH points at another build (CI's fresh one).
 */
export const WASM_MODULE_PATH = process.env.LS_BENCH_WASM_PATH ?? path.resolve(__dirname, '..', '..', '..', 'native', 'wasm', 'ls_bench.wasm');

let compiled: { module?: WebAssembly.Module; problem?: string } | undefined;

/** The compiled module (once per process; a worker is handed it rather than compiling its own), or why it is not available. */
export function wasmModule(): { module?: WebAssembly.Module; problem?: string } {
  if (compiled) return compiled;
  try {
    compiled = { module: new WebAssembly.Module(fs.readFileSync(WASM_MODULE_PATH)) };
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    compiled = {
      problem: missing
        ? `the WebAssembly module ${WASM_MODULE_PATH} is missing (reinstall ls-bench, or rebuild it with \`npm run build:wasm\`)`
        : `the WebAssembly module failed to load (${(error as Error).message.split('\n')[0]})`,
    };
  }
  return compiled;
}

type Fn = (...args: number[]) => number;

/** One instance of the module: its own linear memory, one thread. */
export class WasmInstance {
  private readonly exports: Record<string, unknown> & { memory: WebAssembly.Memory };

  constructor(module: WebAssembly.Module) {
    const imports = {
      wasi_snapshot_preview1: {
        // network.c times its layers with clock_gettime(CLOCK_MONOTONIC): the one thing the module asks of its host.
        clock_time_get: (_id: number, _precision: bigint, out: number) => {
          new BigUint64Array(this.exports.memory.buffer, out, 1)[0] = process.hrtime.bigint();
          return 0;
        },
      },
    };
    this.exports = new WebAssembly.Instance(module, imports).exports as typeof this.exports;
    this.fn('_initialize')();
  }

  fn(name: string): Fn {
    return this.exports[name] as Fn;
  }

  alloc(bytes: number): number {
    const ptr = this.fn('alloc')(bytes);
    if (ptr === 0) throw new Error(`WebAssembly module: out of memory (${bytes} bytes)`);
    return ptr;
  }

  release(ptr: number): void {
    if (ptr) this.fn('release')(ptr);
  }

  /** A view of the module's memory (a new one each time: growing the memory detaches the old views). */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.exports.memory.buffer, ptr, length);
  }

  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.exports.memory.buffer, ptr, length);
  }

  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.exports.memory.buffer, ptr, length);
  }

  /** Copies `values` into the module's memory at ptr. */
  write(ptr: number, values: Float32Array | Float64Array | Int32Array): void {
    new Uint8Array(this.exports.memory.buffer, ptr, values.byteLength).set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }

  cString(ptr: number): string {
    const bytes = new Uint8Array(this.exports.memory.buffer, ptr);
    return Buffer.from(bytes.subarray(0, bytes.indexOf(0))).toString('utf8');
  }

  /** Runs `body` with each array copied into fresh memory (null → 0), then copies `outputs`' arrays back and frees everything. */
  call<T>(arrays: (Float32Array | null)[], outputs: number[], body: (ptrs: number[]) => T): T {
    const ptrs: number[] = [];
    try {
      for (const a of arrays) {
        const ptr = a ? this.alloc(a.byteLength) : 0;
        ptrs.push(ptr);
        if (a) this.write(ptr, a);
      }
      const result = body(ptrs);
      for (const i of outputs) arrays[i]?.set(this.f32(ptrs[i]!, arrays[i]!.length));
      return result;
    } finally {
      for (const p of ptrs) this.release(p);
    }
  }
}

/** A Float32Array of at least `want` values, or a RangeError naming it (the addon's message). */
export function need(array: Float32Array, want: number, what: string): void {
  if (!(array instanceof Float32Array)) throw new TypeError(`${what}: expected a Float32Array`);
  if (array.length < want) throw new RangeError(`${what}: has ${array.length} values, needs ${want}`);
}
