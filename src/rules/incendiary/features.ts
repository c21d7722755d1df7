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

/** A word's unigram feature hash from its hash32(norm): `unigramHash(h) & (dim - 1)` is its index in a 2^k model. */
export function unigramHash(h: number): number {
  return fmixInt(h ^ 0x9e3779b9);
}

/** fmix as an int32 (the same low bits): with a power-of-two `dim`, `fmixInt(h) & (dim - 1)` is `fmix(h) % dim`
 * without the floating-point remainder an unsigned value above 2^31 costs. */
function fmixInt(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
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

// Hashes of the named features (a few dozen names in all), computed once, so scoring builds and hashes none per post.
const H_EXCL = hash32('m:excl');
const H_QUEST = hash32('m:quest');
const H_BIAS = hash32('m:bias');
const H_YOU = [0, 1, 2, 3].map((n) => hash32(`m:you${n}`));
const H_LEN = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => hash32(`m:len${n}`));
// kind → target → [hash of `h:${kind}:${target}`, hash of `h:${kind}`], as a Float64Array: the hashes are unsigned
// 32-bit values, small integers or doubles by their size, and a pair kept as an array or object changed its shape
// with them (featureLogit went back to the interpreter each time another shape came); a Float64Array has one.
type HitHash = Float64Array;
const hitHashes = new Map<string, Map<string, HitHash>>();
function hitHash(kind: string, target: string): HitHash {
  let byTarget = hitHashes.get(kind);
  if (!byTarget) {
    byTarget = new Map();
    hitHashes.set(kind, byTarget);
  }
  let h = byTarget.get(target);
  if (!h) {
    h = Float64Array.of(hash32(`h:${kind}:${target}`), hash32(`h:${kind}`));
    byTarget.set(target, h);
  }
  return h;
}

// Scratch for featureLogit, reused across calls. The features a post has are a few hundred hash indices out of `dim`:
// a small open-addressing set (sized to the post, so it stays in cache) says which index took which slot, and the
// slots keep the order features were first added. A stamp array of `dim` entries would cost a cache miss per word.
let setKeys = new Int32Array(1024);
let setSlots = new Int32Array(1024);
let setMask = 1023;
let order = new Int32Array(512);
let values = new Float64Array(512);
let isWordAt = new Uint8Array(512);
// The token range of a word feature (as extractFeatures' first and last), -1 for the other features.
let firstAt = new Int32Array(512);
let lastAt = new Int32Array(512);
let count = 0;
let wordCount = 0;

function addFeature(index: number, value: number, isWord: boolean, first = -1, last = -1): void {
  const key = index + 1;
  let p = Math.imul(index, 0x9e3779b1) & setMask;
  for (;;) {
    const k = setKeys[p];
    if (k === 0) break;
    if (k === key) {
      // A repeated hit or cue counts at its strongest; a repeated word once (as in extractFeatures).
      if (!isWord) {
        const at = setSlots[p] ?? 0;
        values[at] = Math.max(values[at] ?? 0, value);
      }
      return;
    }
    p = (p + 1) & setMask;
  }
  setKeys[p] = key;
  setSlots[p] = count;
  order[count] = index;
  values[count] = value;
  isWordAt[count] = isWord ? 1 : 0;
  firstAt[count] = first;
  lastAt[count] = last;
  count++;
  if (isWord) wordCount++;
}

/** Makes room for `n` features: the set at most a quarter full, emptied; the ordered arrays long enough. */
function resetScratch(n: number): void {
  let size = 1024;
  while (size < n * 4) size *= 2;
  if (size > setKeys.length) {
    setKeys = new Int32Array(size);
    setSlots = new Int32Array(size);
  } else {
    setKeys.fill(0, 0, size);
  }
  setMask = size - 1;
  if (order.length < n) {
    order = new Int32Array(n);
    values = new Float64Array(n);
    isWordAt = new Uint8Array(n);
    firstAt = new Int32Array(n);
    lastAt = new Int32Array(n);
  }
  count = 0;
  wordCount = 0;
}

// Which weights are non-zero, one bit per index (a 2^18 model: 32 KB, small enough to stay in cache): a zero weight
// adds exactly 0 to the logit, so its (cache-missing) read is skipped without changing the sum.
const nonZeroBits = new WeakMap<Float32Array, Uint32Array>();
// The last model's bitmap: a scorer uses one model, and the WeakMap's lookup was a cache miss of its own per post.
let lastWeights: Float32Array | undefined;
let lastBits: Uint32Array = new Uint32Array(0);
function nonZero(weights: Float32Array): Uint32Array {
  if (weights === lastWeights) return lastBits;
  let bits = nonZeroBits.get(weights);
  if (!bits) {
    bits = new Uint32Array((weights.length + 31) >>> 5);
    for (let i = 0; i < weights.length; i++) if (weights[i] !== 0) bits[i >>> 5] = (bits[i >>> 5] ?? 0) | (1 << (i & 31));
    nonZeroBits.set(weights, bits);
  }
  lastWeights = weights;
  lastBits = bits;
  return bits;
}

/**
 * The logistic model's logit for these tokens and hits: exactly `bias + Σ weights[f.index] · f.value` over
 * `extractFeatures(tokens, hits, dim)` in its order (so the same floating-point sum), without building the features.
 * This is the scorer's hot path; extractFeatures stays the definition (the trainer and the evidence use it).
 */
export function featureLogit(tokens: Token[], hits: Hit[], weights: Float32Array, dim: number, bias: number): number {
  // At most two word features per token, two per hit and a few cues.
  resetScratch(2 * tokens.length + 2 * hits.length + 8);
  const add = addFeature;
  // Each call has its own stamp: a word whose unigram this call already added is not looked up again.
  const stamp = ++logitStamp;
  // Tokens inside a suppressed hit are masked, as in extractFeatures.
  let masked: Uint8Array | undefined;
  for (const h of hits) {
    if (!h.suppressed) continue;
    if (masked === undefined) {
      if (maskScratch.length < tokens.length) maskScratch = new Uint8Array(tokens.length * 2);
      masked = maskScratch;
    }
    for (let i = h.first; i <= h.last; i++) masked[i] = 1;
  }
  const mask = dim - 1;
  const pow2 = dim > 0 && (dim & mask) === 0;
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
        // A one-character break holds neither "!!" nor "??".
        if (t.text.length > 1) {
          if (t.text.includes('!!')) add(H_EXCL % dim, 1, false);
          if (t.text.includes('??')) add(H_QUEST % dim, 1, false);
        }
      }
      continue;
    }
    words++;
    if (masked !== undefined && masked[i]) {
      prev = -1;
      continue;
    }
    // Only words carry WordInfo; a Japanese segment or an emoji is never "you".
    const info = t.word;
    // The bits of hash32(norm) as an int32: ^ and Math.imul read only those 32 bits, so this is the same arithmetic.
    const h = t.hash !== undefined ? t.hash : hash32(t.norm) | 0;
    if (pow2) {
      if (info !== undefined) {
        if (info.you) you++;
        // A word's unigram is the same feature each time it occurs: once added in this call, adding it again would
        // change nothing (the set already holds it), so the probe is skipped.
        if (info.logitStamp !== stamp) {
          info.logitStamp = stamp;
          add(info.uni & mask, 1, true, i, i);
        }
      } else {
        add(fmixInt(h ^ 0x9e3779b9) & mask, 1, true, i, i);
      }
      if (prev >= 0) add(fmixInt(Math.imul(prevHash, 0x01000193) ^ h ^ 0x7f4a7c15) & mask, 1, true, prev, i);
    } else {
      if (info?.you) you++;
      add(fmix(h ^ 0x9e3779b9) % dim, 1, true, i, i);
      if (prev >= 0) add(fmix(Math.imul(prevHash, 0x01000193) ^ h ^ 0x7f4a7c15) % dim, 1, true, prev, i);
    }
    prev = i;
    prevHash = h;
  }
  if (masked !== undefined) masked.fill(0, 0, tokens.length);
  const scale = wordCount > 0 ? 1 / Math.sqrt(wordCount) : 0;
  for (let k = 0; k < count; k++) if (isWordAt[k]) values[k] = scale;
  for (const h of hits) {
    if (h.weight <= 0) continue;
    const hh = hitHash(h.kind, h.target);
    add((hh[0] ?? 0) % dim, h.weight, false);
    add((hh[1] ?? 0) % dim, h.weight, false);
  }
  add((H_YOU[Math.min(you, 3)] ?? 0) % dim, 1, false);
  add((H_LEN[Math.min(Math.floor(Math.log2(words + 1)), 9)] ?? 0) % dim, 1, false);
  add(H_BIAS % dim, 1, false);
  const bits = nonZero(weights);
  // `+bias`, not `bias`: the parameter reaches TurboFan untyped, and a sum started from it was kept as a tagged value
  // and boxed anew on every term (a HeapNumber per feature, about 1.2 KB of garbage per post). The value is the same.
  let z = +bias;
  for (let k = 0; k < count; k++) {
    const index = order[k] ?? 0;
    if (((bits[index >>> 5] ?? 0) & (1 << (index & 31))) === 0) continue;
    z += (weights[index] ?? 0) * (values[k] ?? 0);
  }
  return z;
}

/**
 * The word features of the last featureLogit call that pushed its logit up most, strongest first: exactly
 * `topContributions(model, extractFeatures(tokens, hits, dim), n)` for that call's tokens, hits and dim (index,
 * value, first, last), read off its scratch instead of building every feature again (the scorer's evidence when no
 * lexicon word fired: the features of one post in twenty or so, built for two of them, were most of what the scorer
 * allocated). `weights` are the model's weights, those the call was given. Valid until the next featureLogit call.
 */
export function topWordFeatures(weights: Float32Array, n: number): Feature[] {
  // Slots by weight, highest first; a slot goes after those of equal weight (topContributions' sort is stable).
  const top: number[] = [];
  for (let k = 0; k < count; k++) {
    if ((firstAt[k] ?? -1) < 0) continue;
    const w = weights[order[k] ?? 0] ?? 0;
    if (!(w * (values[k] ?? 0) > 0)) continue;
    let at = top.length;
    while (at > 0 && (weights[order[top[at - 1] ?? 0] ?? 0] ?? 0) < w) at--;
    if (at >= n) continue;
    top.splice(at, 0, k);
    if (top.length > n) top.pop();
  }
  return top.map((k) => ({ index: order[k] ?? 0, value: values[k] ?? 0, first: firstAt[k] ?? 0, last: lastAt[k] ?? 0 }));
}

// featureLogit's call stamps (WordInfo.logitStamp) and its reused mask of suppressed tokens (all 0 between calls).
let logitStamp = 0;
let maskScratch = new Uint8Array(1024);
