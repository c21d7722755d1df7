// Hashed features for the incendiary model: words, word pairs, lexicon hits by kind and target, a few shape cues.
// The trainer and the scorer both use this file, so what was learned is what is scored.

import type { Hit } from './lexical.js';
import type { Token } from './tokens.js';

export interface Feature {
  index: number;
  value: number;
  /** Token range that produced it (for evidence), when it comes from the words. */
  first?: number;
  last?: number;
}

/** FNV-1a, 32 bit: stable across runs and platforms, cheap. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Murmur3's finalizer: spreads a combined hash over all bits before it is folded into the table. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const isText = (t: Token): boolean => t.kind === 'word' || t.kind === 'ja' || t.kind === 'emoji';

/**
 * Features of one text. Words inside a suppressed hit (negated, self-directed, harmless technical phrase) are left
 * out, so the model cannot bring back what the targeting rules ruled out ("I'm an idiot for missing this").
 */
export function extractFeatures(tokens: Token[], hits: Hit[], dim: number): Feature[] {
  const mask = new Uint8Array(tokens.length);
  for (const h of hits) if (h.suppressed) for (let i = h.first; i <= h.last; i++) mask[i] = 1;
  const seen = new Map<number, Feature>();
  const text: Feature[] = [];
  const add = (key: string | number, value: number, first?: number, last?: number, isWord = false): void => {
    // Words and word pairs come as numbers (combined from each word's hash once); the rest as names.
    const index = (typeof key === 'number' ? key : hash32(key)) % dim;
    const f = seen.get(index);
    if (f) {
      // A repeated hit or cue counts at its strongest, not summed: shouting "stupid" thrice is not triply hostile.
      if (!isWord) f.value = Math.max(f.value, value);
      return;
    }
    const nf: Feature = { index, value, ...(first !== undefined ? { first, last: last ?? first } : {}) };
    seen.set(index, nf);
    if (isWord) text.push(nf);
  };
  let prev = -1;
  let prevHash = 0;
  let you = 0;
  let words = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t) continue;
    if (!isText(t)) {
      if (t.kind === 'break') {
        prev = -1;
        if (/!{2,}/.test(t.text)) add('m:excl', 1);
        if (/\?{2,}/.test(t.text)) add('m:quest', 1);
      }
      continue;
    }
    words++;
    if (mask[i]) {
      prev = -1;
      continue;
    }
    const n = t.norm;
    if (n === 'you' || n === 'your' || n === "you're" || n === 'u') you++;
    const h = hash32(n);
    add(fmix(h ^ 0x9e3779b9), 1, i, i, true);
    if (prev >= 0) add(fmix(Math.imul(prevHash, 0x01000193) ^ h ^ 0x7f4a7c15), 1, prev, i, true);
    prev = i;
    prevHash = h;
  }
  // Word features share one unit of weight, so a long comment is not hostile merely by being long.
  const scale = text.length > 0 ? 1 / Math.sqrt(text.length) : 0;
  for (const f of text) f.value = scale;
  for (const h of hits) {
    if (h.weight <= 0) continue;
    add(`h:${h.kind}:${h.target}`, h.weight);
    add(`h:${h.kind}`, h.weight);
  }
  add(`m:you${Math.min(you, 3)}`, 1);
  add(`m:len${Math.min(Math.floor(Math.log2(words + 1)), 9)}`, 1);
  add('m:bias', 1);
  return [...seen.values()];
}

// Hashes of the named features (a few dozen names in all), so scoring hashes none of them per post.
const nameHashes = new Map<string, number>();
function nameHash(name: string): number {
  let h = nameHashes.get(name);
  if (h === undefined) {
    h = hash32(name);
    nameHashes.set(name, h);
  }
  return h;
}

const HIT_NAMES = new Map<string, { full: string; kind: string }>();
function hitNames(kind: string, target: string): { full: string; kind: string } {
  const k = `${kind}:${target}`;
  let n = HIT_NAMES.get(k);
  if (!n) {
    n = { full: `h:${kind}:${target}`, kind: `h:${kind}` };
    HIT_NAMES.set(k, n);
  }
  return n;
}

// Scratch for featureLogit, reused across calls: which slot each hash index took in this call (by generation stamp),
// and the features in the order they were first added. Module state rather than a closure: the scorer runs per post.
let stamp = new Int32Array(0);
let slotOf = new Int32Array(0);
let generation = 0;
let order = new Int32Array(1024);
let values = new Float64Array(1024);
let isWordAt = new Uint8Array(1024);
let count = 0;
let wordCount = 0;

function addFeature(index: number, value: number, isWord: boolean): void {
  if (stamp[index] === generation) {
    // A repeated hit or cue counts at its strongest; a repeated word once (as in extractFeatures).
    if (!isWord) {
      const k = slotOf[index] ?? 0;
      values[k] = Math.max(values[k] ?? 0, value);
    }
    return;
  }
  if (count === order.length) {
    const o = new Int32Array(count * 2);
    o.set(order);
    order = o;
    const v = new Float64Array(count * 2);
    v.set(values);
    values = v;
    const w = new Uint8Array(count * 2);
    w.set(isWordAt);
    isWordAt = w;
  }
  stamp[index] = generation;
  slotOf[index] = count;
  order[count] = index;
  values[count] = value;
  isWordAt[count] = isWord ? 1 : 0;
  count++;
  if (isWord) wordCount++;
}

/**
 * The logistic model's logit for these tokens and hits: exactly `bias + Σ weights[f.index] · f.value` over
 * `extractFeatures(tokens, hits, dim)` in its order (so the same floating-point sum), without building the features.
 * This is the scorer's hot path; extractFeatures stays the definition (the trainer and the evidence use it).
 */
export function featureLogit(tokens: Token[], hits: Hit[], weights: Float32Array, dim: number, bias: number): number {
  if (stamp.length !== dim) {
    stamp = new Int32Array(dim);
    slotOf = new Int32Array(dim);
    generation = 0;
  }
  if (++generation >= 0x7fffffff) {
    stamp.fill(0);
    generation = 1;
  }
  count = 0;
  wordCount = 0;
  const add = addFeature;
  // Tokens inside a suppressed hit are masked, as in extractFeatures.
  let masked: Uint8Array | undefined;
  for (const h of hits) {
    if (!h.suppressed) continue;
    masked ??= new Uint8Array(tokens.length);
    for (let i = h.first; i <= h.last; i++) masked[i] = 1;
  }
  let prev = -1;
  let prevHash = 0;
  let you = 0;
  let words = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t) continue;
    const kind = t.kind;
    if (kind !== 'word' && kind !== 'ja' && kind !== 'emoji') {
      if (kind === 'break') {
        prev = -1;
        if (t.text.includes('!!')) add(nameHash('m:excl') % dim, 1, false);
        if (t.text.includes('??')) add(nameHash('m:quest') % dim, 1, false);
      }
      continue;
    }
    words++;
    if (masked !== undefined && masked[i]) {
      prev = -1;
      continue;
    }
    const n = t.norm;
    if (n === 'you' || n === 'your' || n === "you're" || n === 'u') you++;
    const h = hash32(n);
    add(fmix(h ^ 0x9e3779b9) % dim, 1, true);
    if (prev >= 0) add(fmix(Math.imul(prevHash, 0x01000193) ^ h ^ 0x7f4a7c15) % dim, 1, true);
    prev = i;
    prevHash = h;
  }
  const scale = wordCount > 0 ? 1 / Math.sqrt(wordCount) : 0;
  for (let k = 0; k < count; k++) if (isWordAt[k]) values[k] = scale;
  for (const h of hits) {
    if (h.weight <= 0) continue;
    const names = hitNames(h.kind, h.target);
    add(nameHash(names.full) % dim, h.weight, false);
    add(nameHash(names.kind) % dim, h.weight, false);
  }
  add(nameHash(`m:you${Math.min(you, 3)}`) % dim, 1, false);
  add(nameHash(`m:len${Math.min(Math.floor(Math.log2(words + 1)), 9)}`) % dim, 1, false);
  add(nameHash('m:bias') % dim, 1, false);
  let z = bias;
  for (let k = 0; k < count; k++) z += (weights[order[k] ?? 0] ?? 0) * (values[k] ?? 0);
  return z;
}
