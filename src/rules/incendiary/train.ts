// Training and data loading for the incendiary model (used by scripts/train-incendiary.ts and the eval's CV folds).

import { readFileSync } from 'node:fs';
import { extractFeatures, hash32, type Feature } from './features.js';
import { findHits } from './lexical.js';
import { compileLexicon } from './lexicon.js';
import type { IncendiaryModel, IncendiaryModelFile } from './model.js';
import { tokenize } from './tokens.js';

export const DIM = 1 << 18;

/** Incivility kinds in github-locked-issues that are attacks on people: the positives of an incendiary detector. */
export const ATTACK_KINDS = new Set(['insulting', 'mocking', 'vulgarity', 'threat', 'identity attacks/name-calling', 'identity attack/name-calling']);

export interface LabelledText {
  id: string;
  text: string;
  /** The dataset's own label (1 = toxic / uncivil). */
  label: number;
  /** github-locked-issues: the kind of incivility (lower-cased), `none` when civil. */
  kind?: string;
  /** Rows that must stay in one fold (comments of one issue). */
  group: string;
}

export function readJsonl(path: string): LabelledText[] {
  const out: LabelledText[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { id: string; text: string; label: number; kind?: string; issue?: string };
    out.push({
      id: String(r.id),
      text: String(r.text ?? ''),
      label: Number(r.label) === 1 ? 1 : 0,
      ...(r.kind !== undefined ? { kind: String(r.kind).toLowerCase() } : {}),
      group: r.issue !== undefined ? `issue:${r.issue}` : `row:${r.id}`,
    });
  }
  return out;
}

/** 'attack' for insults, mocking, vulgarity, threats, identity attacks; 'uncivil' for frustration and the rest. */
export function attackClass(r: LabelledText): 'attack' | 'uncivil' | 'civil' {
  if (r.kind === undefined) return r.label === 1 ? 'attack' : 'civil';
  if (r.kind === 'none') return 'civil';
  return ATTACK_KINDS.has(r.kind) ? 'attack' : 'uncivil';
}

/**
 * The training target. Frustration, impatience, entitlement and irony get a small soft target: they are not the
 * attacks a moderator must see at once, but they are not civil either.
 */
export const UNCIVIL_TARGET = 0.2;
export function trainingTarget(r: LabelledText): number {
  const c = attackClass(r);
  return c === 'attack' ? 1 : c === 'uncivil' ? UNCIVIL_TARGET : 0;
}

export function foldOf(r: LabelledText, k: number): number {
  return hash32(r.group) % k;
}

export interface TrainRow {
  features: Feature[];
  y: number;
}

export function featurize(texts: LabelledText[]): TrainRow[] {
  const lex = compileLexicon();
  return texts.map((r) => {
    const tokens = tokenize(r.text);
    return { features: extractFeatures(tokens, findHits(lex, tokens, r.text), DIM), y: trainingTarget(r) };
  });
}

export interface TrainOptions {
  epochs: number;
  /** L2 penalty per example step. */
  l2: number;
  learningRate: number;
  seed: number;
}

export const DEFAULT_TRAIN: TrainOptions = { epochs: 8, l2: 3e-5, learningRate: 0.15, seed: 7 };

/** Logistic regression by AdaGrad over shuffled rows; deterministic for a given seed. */
export function train(rows: TrainRow[], opts: TrainOptions = DEFAULT_TRAIN): IncendiaryModel {
  const w = new Float32Array(DIM);
  const g2 = new Float32Array(DIM);
  let bias = 0;
  let bg2 = 0;
  const order = rows.map((_, i) => i);
  let seed = opts.seed;
  const rand = (): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
    for (const ri of order) {
      const row = rows[ri];
      if (!row) continue;
      let z = bias;
      for (const f of row.features) z += (w[f.index] ?? 0) * f.value;
      const p = 1 / (1 + Math.exp(-z));
      const g = p - row.y;
      for (const f of row.features) {
        const wi = w[f.index] ?? 0;
        const grad = g * f.value + opts.l2 * wi;
        g2[f.index] = (g2[f.index] ?? 0) + grad * grad;
        w[f.index] = wi - (opts.learningRate * grad) / (Math.sqrt(g2[f.index] ?? 0) + 1e-8);
      }
      bg2 += g * g;
      bias -= (opts.learningRate * g) / (Math.sqrt(bg2) + 1e-8);
    }
  }
  return { version: 'cv', dim: DIM, bias, weights: w };
}

/** The shipped form: the `keep` strongest weights (the rest are rare words seen once or twice), rounded. */
export function toModelFile(model: IncendiaryModel, version: string, trainedOn: string, keep = 60000): IncendiaryModelFile {
  const order: number[] = [];
  for (let i = 0; i < model.weights.length; i++) if ((model.weights[i] ?? 0) !== 0) order.push(i);
  order.sort((a, b) => Math.abs(model.weights[b] ?? 0) - Math.abs(model.weights[a] ?? 0));
  const kept = order.slice(0, keep).sort((a, b) => a - b);
  return {
    version,
    dim: model.dim,
    bias: Math.round(model.bias * 1000) / 1000,
    idx: kept,
    w: kept.map((i) => Math.round((model.weights[i] ?? 0) * 1000) / 1000),
    trainedOn,
  };
}
