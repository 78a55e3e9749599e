import { CliError } from '../errors';
import type { BackendName } from '../config/schema';
import type { Engine } from './engine';
import type { BackendChoice } from './engine';
import { loadNativeAddon, NATIVE_BUILD_HINT, type NativeAddon } from './nativeAddon';
import { nativeEngine } from './nativeModel';
import { tf } from './tf';
import { tfjsEngine } from './tfjsModel';

export type { BackendChoice, Engine } from './engine';

const LABELS: Record<string, string> = {
  tensorflow: 'tfjs-node (native libtensorflow, CPU)',
  wasm: 'tfjs-backend-wasm (WebAssembly, SIMD)',
  cpu: 'tfjs-backend-cpu (plain JavaScript)',
  native: 'ls-bench native (C, OpenBLAS sgemm, fused training step)',
};

const TFJS_NODE_HINT =
  '@tensorflow/tfjs-node is not installed (its install downloads libtensorflow, which fails offline); with network access run `npm install @tensorflow/tfjs-node` to enable it';

/** Why a backend is not available: in full (what happened and how to get it), and as a short note for the run's header. */
interface Unavailable {
  reason: string;
  note: string;
}

function tryLoadTfjsNode(): Unavailable | undefined {
  try {
    // Registers the "tensorflow" backend with the shared tfjs-core instance.
    require('@tensorflow/tfjs-node');
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'MODULE_NOT_FOUND'
      ? { reason: TFJS_NODE_HINT, note: 'tfjs-node is not installed' }
      : { reason: `@tensorflow/tfjs-node failed to load (${(error as Error).message.split('\n')[0]})`, note: 'tfjs-node failed to load' };
  }
}

async function tryWasm(): Promise<Unavailable | undefined> {
  try {
    require('@tensorflow/tfjs-backend-wasm');
    return (await tf.setBackend('wasm')) ? undefined : { reason: 'tfjs-backend-wasm did not initialise', note: 'wasm did not initialise' };
  } catch (error) {
    return { reason: `tfjs-backend-wasm failed to load (${(error as Error).message.split('\n')[0]})`, note: 'wasm failed to load' };
  }
}

function nativeUnavailable(problem: string | undefined): Unavailable {
  return { reason: problem ?? 'the native backend is not available', note: problem === NATIVE_BUILD_HINT ? 'the native backend is not built' : 'the native backend failed to load' };
}

/** The fallback fields of a BackendChoice for the backends auto skipped, in the order it tried them. */
function fallback(skipped: Unavailable[]): Pick<BackendChoice, 'fallbackReason' | 'fallbackNote'> {
  return { fallbackReason: skipped.map((s) => s.reason).join('; '), fallbackNote: skipped.map((s) => s.note).join('; ') };
}

/**
 * The engine to train on. `auto` tries tfjs-node, then ls-bench's native backend, then wasm, then cpu,
 * and reports why it fell back; a backend named explicitly either loads or is an error. A TensorFlow.js
 * engine also makes its backend TensorFlow.js's active one (there is one per process).
 */
export async function selectBackend(requested: BackendName): Promise<Engine> {
  type Fallback = Pick<BackendChoice, 'fallbackReason' | 'fallbackNote'>;
  const useNative = async (addon: NativeAddon, skipped: Fallback = {}): Promise<Engine> => {
    // The native backend trains and evaluates the MLP itself; any other TensorFlow.js op in the
    // process runs on the plain cpu backend, deterministically.
    await tf.setBackend('cpu');
    await tf.ready();
    return nativeEngine(addon, { name: 'native', label: LABELS.native!, ...skipped });
  };
  const use = async (name: string, skipped: Fallback = {}): Promise<Engine> => {
    if (!(await tf.setBackend(name))) throw new CliError(`--backend ${requested}: TensorFlow.js backend "${name}" failed to initialise`, 1);
    await tf.ready();
    return tfjsEngine({ name, label: LABELS[name] ?? name, ...skipped });
  };
  switch (requested) {
    case 'node': {
      const problem = tryLoadTfjsNode();
      if (problem) throw new CliError(`--backend node: ${problem.reason}; use --backend auto, wasm or cpu`);
      return use('tensorflow');
    }
    case 'native': {
      const { addon, problem } = loadNativeAddon();
      if (!addon) throw new CliError(`--backend native: ${problem}; or use --backend auto, wasm or cpu`);
      return useNative(addon);
    }
    case 'wasm': {
      const problem = await tryWasm();
      if (problem) throw new CliError(`--backend wasm: ${problem.reason}`);
      return use('wasm');
    }
    case 'cpu':
      return use('cpu');
    case 'auto': {
      const nodeProblem = tryLoadTfjsNode();
      if (!nodeProblem) return use('tensorflow');
      const native = loadNativeAddon();
      if (native.addon) return useNative(native.addon, fallback([nodeProblem]));
      const nativeProblem = nativeUnavailable(native.problem);
      const wasmProblem = await tryWasm();
      if (!wasmProblem) return use('wasm', fallback([nodeProblem, nativeProblem]));
      return use('cpu', fallback([nodeProblem, nativeProblem, wasmProblem]));
    }
  }
}
