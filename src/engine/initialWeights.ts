import { createHash } from 'node:crypto';
import { SeededRandom } from '../random/SeededRandom';

/** The MLP's architecture: input width, hidden widths, output classes. */
export interface MlpSpec {
  numFeatures: number;
  hidden: number[];
  numClasses: number;
  activation: 'relu' | 'tanh' | 'sigmoid' | 'elu';
  dropout: number;
}

/** Kernels and biases in layer order, as flat float32 arrays with their shapes. */
export interface InitialWeights {
  shapes: number[][];
  values: Float32Array[];
  /** sha256 of the exact bytes, in order. */
  digest: string;
}

export function layerSizes(spec: MlpSpec): number[] {
  return [spec.numFeatures, ...spec.hidden, spec.numClasses];
}

/**
 * Glorot-uniform kernels (Keras' default) and zero biases, drawn once from the seed. Every arm copies
 * these, so their starting points are identical by construction, and the digest proves it.
 */
export function glorotInitialWeights(spec: MlpSpec, seed: number): InitialWeights {
  const sizes = layerSizes(spec);
  const rng = new SeededRandom(seed, 'initial-weights');
  const shapes: number[][] = [];
  const values: Float32Array[] = [];
  for (let l = 0; l < sizes.length - 1; l++) {
    const fanIn = sizes[l]!;
    const fanOut = sizes[l + 1]!;
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const kernel = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < kernel.length; i++) kernel[i] = (rng.nextFloat() * 2 - 1) * limit;
    shapes.push([fanIn, fanOut], [fanOut]);
    values.push(kernel, new Float32Array(fanOut));
  }
  return { shapes, values, digest: weightsDigest(values) };
}

export function weightsDigest(values: Float32Array[]): string {
  const h = createHash('sha256');
  for (const v of values) h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  return h.digest('hex');
}
