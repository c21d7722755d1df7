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
