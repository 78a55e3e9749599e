import { createHash } from 'node:crypto';
import { SeededRandom } from '../random/SeededRandom';
import { elementCount, weightTensors, type ModelSpec } from './modelSpec';

/** Every weight tensor of a model (weightTensors' order) as flat float32 arrays with their shapes. */
export interface InitialWeights {
  shapes: number[][];
  values: Float32Array[];
  /** sha256 of the exact bytes, in order. */
  digest: string;
}

/** Fan-in and fan-out of a kernel: [in, out] for dense, [k, k, in, out] for conv (receptive field × channels, as Keras and PyTorch count them). */
function fans(shape: number[]): { fanIn: number; fanOut: number } {
  const field = shape.length === 4 ? shape[0]! * shape[1]! : 1;
  return { fanIn: field * shape[shape.length - 2]!, fanOut: field * shape[shape.length - 1]! };
}

/**
 * The initial weights, drawn once from the seed; every arm copies them, so their starting points are
 * identical by construction, and the digest proves it.
 * - glorot (the default, Keras'): kernels U(±√(6/(fanIn + fanOut))), biases 0.
 * - kaiming (PyTorch's default for nn.Linear and nn.Conv2d, kaiming_uniform_(a=√5)): kernels and biases U(±1/√fanIn).
 * Batch norms start at γ = 1, β = 0, running mean 0 and running variance 1.
 */
export function initialWeights(spec: ModelSpec, seed: number): InitialWeights {
  const rng = new SeededRandom(seed, 'initial-weights');
  const uniform = (values: Float32Array, limit: number) => {
    for (let i = 0; i < values.length; i++) values[i] = (rng.nextFloat() * 2 - 1) * limit;
  };
  const shapes: number[][] = [];
  const values: Float32Array[] = [];
  let fanIn = 1;
  for (const tensor of weightTensors(spec)) {
    const v = new Float32Array(elementCount(tensor.shape));
    if (tensor.kind === 'kernel') {
      const f = fans(tensor.shape);
      fanIn = f.fanIn;
      uniform(v, spec.init === 'kaiming' ? 1 / Math.sqrt(f.fanIn) : Math.sqrt(6 / (f.fanIn + f.fanOut)));
    } else if (tensor.kind === 'bias' && spec.init === 'kaiming') {
      uniform(v, 1 / Math.sqrt(fanIn));
    } else if (tensor.kind === 'gamma' || tensor.kind === 'movingVariance') {
      v.fill(1);
    }
    shapes.push(tensor.shape);
    values.push(v);
  }
  return { shapes, values, digest: weightsDigest(values) };
}

export function weightsDigest(values: Float32Array[]): string {
  const h = createHash('sha256');
  for (const v of values) h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  return h.digest('hex');
}
