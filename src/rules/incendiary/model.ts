// The learned part of the incendiary detector: a logistic regression over hashed features, shipped as model.json.

import type { Feature } from './features.js';
import shipped from './model.json' with { type: 'json' };

export interface IncendiaryModelFile {
  version: string;
  /** Hash space size the features were folded into. */
  dim: number;
  bias: number;
  /** Sparse weights: feature index → weight, as two parallel arrays (small and quick to parse). */
  idx: number[];
  w: number[];
  /** What it was trained on, for the record. */
  trainedOn: string;
}

export interface IncendiaryModel {
  version: string;
  dim: number;
  bias: number;
  weights: Float32Array;
}

export function loadModel(file: IncendiaryModelFile): IncendiaryModel {
  const weights = new Float32Array(file.dim);
  for (let k = 0; k < file.idx.length; k++) {
    const i = file.idx[k];
    const w = file.w[k];
    if (i !== undefined && w !== undefined && i >= 0 && i < file.dim) weights[i] = w;
  }
  return { version: file.version, dim: file.dim, bias: file.bias, weights };
}

let cached: IncendiaryModel | undefined;
/** The model shipped in the repo, loaded once. */
export function shippedModel(): IncendiaryModel {
  cached ??= loadModel(shipped as IncendiaryModelFile);
  return cached;
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export function predict(model: IncendiaryModel, features: Feature[]): number {
  let z = model.bias;
  for (const f of features) z += (model.weights[f.index] ?? 0) * f.value;
  return sigmoid(z);
}

/** The word features that pushed the score up most, strongest first (for evidence when no lexicon word fired). */
export function topContributions(model: IncendiaryModel, features: Feature[], n: number): Feature[] {
  return features
    .filter((f) => f.first !== undefined && (model.weights[f.index] ?? 0) * f.value > 0)
    .sort((a, b) => (model.weights[b.index] ?? 0) - (model.weights[a.index] ?? 0))
    .slice(0, n);
}
