/** Per-feature mean and standard deviation (population, as scikit-learn's StandardScaler). */
export interface FeatureStats {
  mean: Float64Array;
  std: Float64Array;
}

/** Statistics of a row-major [count × numFeatures] matrix, accumulated in float64. */
export function featureStats(x: Float32Array, numFeatures: number): FeatureStats {
  const count = x.length / numFeatures;
  const mean = new Float64Array(numFeatures);
  const std = new Float64Array(numFeatures);
  for (let i = 0; i < count; i++) for (let f = 0; f < numFeatures; f++) mean[f]! += x[i * numFeatures + f]!;
  for (let f = 0; f < numFeatures; f++) mean[f]! /= count;
  for (let i = 0; i < count; i++) {
    for (let f = 0; f < numFeatures; f++) {
      const d = x[i * numFeatures + f]! - mean[f]!;
      std[f]! += d * d;
    }
  }
  for (let f = 0; f < numFeatures; f++) std[f] = Math.sqrt(std[f]! / count);
  return { mean, std };
}

/** (x − mean) / std in place; a constant feature (std 0) is only centred. */
export function standardizeInPlace(x: Float32Array, numFeatures: number, stats: FeatureStats): void {
  for (let i = 0; i < x.length; i++) {
    const f = i % numFeatures;
    const s = stats.std[f]!;
    x[i] = (x[i]! - stats.mean[f]!) / (s > 0 ? s : 1);
  }
}
