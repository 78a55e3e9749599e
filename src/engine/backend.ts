import { CliError } from '../errors';
import type { BackendName } from '../config/schema';
import type { Engine } from './engine';
import { loadNativeAddon, type NativeAddon } from './nativeAddon';
import { nativeEngine } from './nativeModel';
import { tf } from './tf';
import { tfjsEngine } from './tfjsModel';
import { wasmFusedEngine, wasmFusedProblem } from './wasmEngine';
import { wasmModule } from './wasmInstance';

export type { BackendChoice, Engine } from './engine';

const LABELS: Record<string, string> = {
  tensorflow: 'tfjs-node (native libtensorflow, CPU)',
  wasm: 'tfjs-backend-wasm (WebAssembly, SIMD)',
  cpu: 'tfjs-backend-cpu (plain JavaScript)',
  native: 'ls-bench native (C, OpenBLAS sgemm, fused training step)',
  'wasm-fused': 'ls-bench wasm-fused (the same C as WebAssembly SIMD128, blocked sgemm, fused training step, a worker thread per arm)',
};

const TFJS_NODE_HINT =
  '@tensorflow/tfjs-node is not installed (its install downloads libtensorflow, which fails offline); with network access run `npm install @tensorflow/tfjs-node` to enable it';

function tryLoadTfjsNode(): string | undefined {
  try {
    // Registers the "tensorflow" backend with the shared tfjs-core instance.
    require('@tensorflow/tfjs-node');
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'MODULE_NOT_FOUND' ? TFJS_NODE_HINT : `@tensorflow/tfjs-node failed to load (${(error as Error).message.split('\n')[0]})`;
  }
}

async function tryWasm(): Promise<string | undefined> {
  try {
    require('@tensorflow/tfjs-backend-wasm');
    return (await tf.setBackend('wasm')) ? undefined : 'tfjs-backend-wasm did not initialise';
  } catch (error) {
    return `tfjs-backend-wasm failed to load (${(error as Error).message.split('\n')[0]})`;
  }
}

/**
 * The engine to train on. `auto` takes the fastest that runs here — ls-bench's native backend, then its
 * wasm-fused backend (shipped with the package, so it runs wherever Node does), then tfjs-node, TF.js's
 * wasm, cpu — and says why it passed over each faster one; a backend named explicitly either loads or is
 * an error. A TensorFlow.js engine also makes its backend TensorFlow.js's active one (there is one per process).
 */
export async function selectBackend(requested: BackendName): Promise<Engine> {
  const useNative = async (addon: NativeAddon, fallbackReason?: string): Promise<Engine> => {
    // The native backend trains and evaluates the model itself; any other TensorFlow.js op in the
    // process runs on the plain cpu backend, deterministically.
    await tf.setBackend('cpu');
    await tf.ready();
    return nativeEngine(addon, { name: 'native', label: LABELS.native!, ...(fallbackReason ? { fallbackReason } : {}) });
  };
  const useWasmFused = async (fallbackReason?: string): Promise<Engine> => {
    await tf.setBackend('cpu');
    await tf.ready();
    return wasmFusedEngine(wasmModule().module!, { name: 'wasm-fused', label: LABELS['wasm-fused']!, ...(fallbackReason ? { fallbackReason } : {}) });
  };
  const use = async (name: string, fallbackReason?: string): Promise<Engine> => {
    if (!(await tf.setBackend(name))) throw new CliError(`--backend ${requested}: TensorFlow.js backend "${name}" failed to initialise`, 1);
    await tf.ready();
    return tfjsEngine({ name, label: LABELS[name] ?? name, ...(fallbackReason ? { fallbackReason } : {}) });
  };
  switch (requested) {
    case 'node': {
      const problem = tryLoadTfjsNode();
      if (problem) throw new CliError(`--backend node: ${problem}; use --backend auto, wasm-fused, wasm or cpu`);
      return use('tensorflow');
    }
    case 'native': {
      const { addon, problem } = loadNativeAddon();
      if (!addon) throw new CliError(`--backend native: ${problem}; or use --backend auto, wasm-fused, wasm or cpu`);
      return useNative(addon);
    }
    case 'wasm-fused': {
      const problem = wasmFusedProblem();
      if (problem) throw new CliError(`--backend wasm-fused: ${problem}`);
      return useWasmFused();
    }
    case 'wasm': {
      const problem = await tryWasm();
      if (problem) throw new CliError(`--backend wasm: ${problem}`);
      return use('wasm');
    }
    case 'cpu':
      return use('cpu');
    case 'auto': {
      const native = loadNativeAddon();
      if (native.addon) return useNative(native.addon);
      const skipped = [native.problem!];
      const fusedProblem = wasmFusedProblem();
      if (!fusedProblem) return useWasmFused(skipped.join('; '));
      skipped.push(`wasm-fused: ${fusedProblem}`);
      const nodeProblem = tryLoadTfjsNode();
      if (!nodeProblem) return use('tensorflow', skipped.join('; '));
      skipped.push(nodeProblem);
      const wasmProblem = await tryWasm();
      if (!wasmProblem) return use('wasm', skipped.join('; '));
      return use('cpu', [...skipped, wasmProblem].join('; '));
    }
  }
}
