// Tokenizer for the incendiary detector: Latin words and clause breaks by a char-code scan, Japanese runs by Intl.Segmenter.

import { hash32, unigramHash } from './features.js';
import { WordTable } from '../word-table.js';
import { jaSegments } from '../ja-segments.js';
import type { TopicTerm } from '../topic/tokenize.js';

export type TokenKind = 'word' | 'ja' | 'break' | 'comma' | 'emoji';

export interface Token {
  /** The text as written. */
  text: string;
  /** Lower-cased, curly apostrophes made straight, runs of 3+ letters squeezed to 2 ("stuuupid" → "stuupid"). */
  norm: string;
  start: number;
  end: number;
  kind: TokenKind;
  /** hash32(norm) | 0, the model's word hash as an int32, computed once per distinct word (absent: compute it). */
  hash?: number;
  /** For words: what is known about the word as written, shared by all its tokens (absent for the other kinds). */
  word?: WordInfo;
}

/**
 * One distinct word as written, kept while the tokenizer's word table holds it. Later stages memoize what they
 * derive from the word alone in its slots (keyed by what they derived it with), instead of a map lookup per token.
 */
export interface WordInfo {
  readonly text: string;
  readonly norm: string;
  readonly hash: number;
  /** True for you, your, you're, u (the model counts them). */
  readonly you: boolean;
  /** True when the word has no joined part (no ', ’ or *): "dont" and "f" are plain, "don't" and "f*ck" are not. */
  readonly plain: boolean;
  /** The model's unigram hash of the word (features.ts: fmix of hash ^ its constant), as an int32. */
  readonly uni: number;
  /** 2 when the word is ALL CAPS (/^[A-Z][A-Z']*$/) and at least two letters long, 1 when one letter, 0 otherwise. */
  readonly caps: number;
  /** The lexicon `lexValue` was looked up in (lexical.ts). */
  lexKey?: object;
  lexValue?: unknown;
  /** The last featureLogit call that added this word's unigram (features.ts). */
  logitStamp: number;
  /** The word's topic term, null when it is not a content word (topic/tokenize.ts). */
  topic?: TopicTerm | null;
}

// What the scan recognises, as one alternation scanned left to right (this is the definition the scan follows):
//   ([\p{Script=Latin}\p{N}]+(?:[*'’][\p{Script=Latin}]+)*)   Latin words, inner apostrophes and stars ("f*ck")
//   ([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー々〜]+)   Japanese runs (handed to Intl.Segmenter)
//   ([.!?;:。！？\n]+) | ([,、，]) | (🤡|🖕|😂|🤣|🙄)   clause breaks, commas, a few emoji that carry tone
// The regex took a third of the detector's time on long posts; the scan classifies each code point once (cached)
// with the same Unicode property classes, so it splits exactly where the regex did.
const LATIN = 1;
const NUM = 2;
const JA = 4;
const BREAK = 8;
const COMMA = 16;
const EMOJI = 32;
const KNOWN = 128;

const IS_LATIN = /^\p{Script=Latin}$/u;
const IS_NUM = /^\p{N}$/u;
const IS_JA = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー々〜]$/u;
const BREAKS = '.!?;:。！？\n';
const COMMAS = ',、，';
const EMOJIS = [0x1f921, 0x1f595, 0x1f602, 0x1f923, 0x1f644];

function classify(cp: number): number {
  const s = String.fromCodePoint(cp);
  let k = KNOWN;
  if (IS_LATIN.test(s)) k |= LATIN;
  if (IS_NUM.test(s)) k |= NUM;
  if (IS_JA.test(s)) k |= JA;
  if (BREAKS.includes(s)) k |= BREAK;
  if (COMMAS.includes(s)) k |= COMMA;
  if (EMOJIS.includes(cp)) k |= EMOJI;
  return k;
}

// Classes of the Basic Multilingual Plane, filled in as code points are first seen; the rest in a map.
const bmp = new Uint8Array(0x10000);
const astral = new Map<number, number>();

function classOf(cp: number): number {
  if (cp < 0x10000) {
    let k = bmp[cp] ?? 0;
    if (k === 0) {
      k = classify(cp);
      bmp[cp] = k;
    }
    return k;
  }
  let k = astral.get(cp);
  if (k === undefined) {
    k = classify(cp);
    astral.set(cp, k);
  }
  return k;
}

/** The code point at `i` (a surrogate pair read as one, as a /u regex reads it). */
function codePointAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0x80) sawNonAscii = true;
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

const width = (cp: number): number => (cp >= 0x10000 ? 2 : 1);

export function normWord(s: string): string {
  let n = s.toLowerCase();
  // The regexes are the slow part of tokenizing: run them only on the rare words that need them.
  if (n.includes('’')) n = n.replace(/’/g, "'");
  if (hasRun(n, 3)) n = n.replace(/(\p{L})\1{2,}/gu, '$1$1');
  return n;
}

// Words repeat heavily across posts (Zipf): each distinct word as written is normalized and hashed once, and its
// tokens share the one string for `text` and `norm` (no slice per word; later stages get strings with cached hashes).
const words = new WordTable<WordInfo>((text) => {
  const norm = normWord(text);
  // As an int32, so it fits a small integer (an unsigned 32-bit value above 2^31 would be a boxed double per token).
  const you = norm === 'you' || norm === 'your' || norm === "you're" || norm === 'u';
  const hash = hash32(norm) | 0;
  return { text, norm, hash, uni: unigramHash(hash), you, caps: capsOf(text), plain: !/['’*]/.test(text), logitStamp: 0, lexKey: undefined, lexValue: undefined, topic: undefined };
});
// Clause breaks ("\n\n", ".\n") repeat even more than words.
const breaks = new WordTable<string>((text) => text, 6, 10);

/** WordInfo.caps: /^[A-Z][A-Z']*$/ and its length. */
export function capsOf(w: string): number {
  const c0 = w.charCodeAt(0);
  if (!(c0 >= 65 && c0 <= 90)) return 0;
  for (let i = 1; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || c === 39)) return 0;
  }
  return w.length >= 2 ? 2 : 1;
}

/** True when some character repeats `len` times in a row. */
export function hasRun(s: string, len: number): boolean {
  let run = 1;
  for (let i = 1; i < s.length; i++) {
    if (s.charCodeAt(i) === s.charCodeAt(i - 1)) {
      if (++run >= len) return true;
    } else {
      run = 1;
    }
  }
  return false;
}

/** The class of the code point at `i`, with ASCII answered without a lookup. */
function classAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 0x80) return ASCII[c] ?? 0;
  return classOf(codePointAt(text, i));
}

const ASCII = (() => {
  const t = new Uint8Array(0x80);
  for (let c = 0; c < 0x80; c++) t[c] = classify(c);
  return t;
})();

/** The one-character strings of ASCII, so a one-character token needs no slice. */
const ONE_CHAR: readonly string[] = Array.from({ length: 0x80 }, (_, c) => String.fromCharCode(c));

// The word table's hashes of the last word wordEnd scanned, valid when asciiWord says it was all ASCII letters and
// digits: the common word is hashed while it is scanned, not in a second pass.
let asciiWord = false;
let asciiHash = 0;
let asciiHash2 = 0;

/** Where a Latin/number word that starts at `start` ends, apostrophe and star joins included. */
function wordEnd(text: string, start: number): number {
  const len = text.length;
  let i = start;
  let h = WordTable.SEED;
  let h2 = WordTable.SEED2;
  let plain = true;
  while (i < len) {
    const c = text.charCodeAt(i);
    // ASCII letters and digits are the ASCII part of LATIN | NUM: tested by range, the common case first.
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)) {
      h = Math.imul(h ^ c, WordTable.PRIME);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
      i++;
    } else if (c < 0x80) {
      break;
    } else {
      const cp = codePointAt(text, i);
      if ((classOf(cp) & (LATIN | NUM)) === 0) break;
      plain = false;
      i += width(cp);
    }
  }
  asciiWord = plain;
  asciiHash = h;
  asciiHash2 = h2;
  // (?:[*'’][\p{Script=Latin}]+)*: a joiner counts only when a Latin letter follows it.
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 42 && c !== 39 && c !== 0x2019) return i;
    if (c === 0x2019) sawNonAscii = true;
    asciiWord = false;
    if (i + 1 >= len || (classAt(text, i + 1) & LATIN) === 0) return i;
    i++;
    while (i < len) {
      const cp = codePointAt(text, i);
      if ((classOf(cp) & LATIN) === 0) break;
      i += width(cp);
    }
  }
}

/** Where a run of code points all in class `k` that starts at `start` ends. */
function runEnd(text: string, start: number, k: number): number {
  let i = start;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    // ASCII (most break runs: ".\n", "\n\n") without reading a code point.
    if (c < 0x80) {
      if (((ASCII[c] ?? 0) & k) === 0) break;
      i++;
      continue;
    }
    const cp = codePointAt(text, i);
    if ((classOf(cp) & k) === 0) break;
    i += width(cp);
  }
  return i;
}

// Where scan() puts its tokens: fresh objects (tokenize), or reused ones (tokenizeReusing, for analysis.ts).
let out: Token[] = [];
let count = 0;
let reusing = false;
const reusedOut: Token[] = [];
const reusePool: Token[] = [];

function put(text: string, norm: string, start: number, end: number, kind: TokenKind, hash: number, word?: WordInfo): void {
  if (!reusing) {
    out.push({ text, norm, start, end, kind, hash, word });
    return;
  }
  let t = reusePool[count];
  if (t === undefined) {
    t = { text, norm, start, end, kind, hash, word };
    reusePool.push(t);
  } else {
    t.text = text;
    t.norm = norm;
    t.start = start;
    t.end = end;
    t.kind = kind;
    t.hash = hash;
    t.word = word;
  }
  out[count] = t;
  count++;
}

export function tokenize(text: string): Token[] {
  out = [];
  count = 0;
  reusing = false;
  scan(text);
  const result = out;
  out = idle;
  return result;
}

/**
 * The same tokens as tokenize(text), written into token objects and an array reused from the previous call, so a
 * post's tokens allocate nothing once the pool has grown (they were a third of what the rules allocated per post).
 * The next call overwrites them: for analysis.ts, whose callers use the tokens only while scoring one text.
 */
export function tokenizeReusing(text: string): Token[] {
  out = reusedOut;
  count = 0;
  reusing = true;
  reusedFacts = false;
  try {
    scan(text);
    reusedCapsStretch = capsLongest;
    reusedAscii = !sawNonAscii;
    reusedCandidatesFor = scanLexicon;
    reusedFacts = true;
  } finally {
    reusing = false;
    out = idle;
  }
  // Dropped from the end one by one: setting a shorter length makes V8 shrink the array's backing store, and the next
  // longer text grows it again (a new store each time, kilobytes of garbage per post); pop() keeps the store.
  while (reusedOut.length > count) reusedOut.pop();
  return reusedOut;
}

// What scan() saw of the whole text on its way, so later stages need not read every token or character again:
// - the most words in ALL CAPS of two letters or more (WordInfo.caps 2) in one stretch of tokens without a word
//   that is not ALL CAPS and without a line break (the shouting search's runs never cross either);
// - whether any code unit is not ASCII (every unit is read by the scan, and each one at 0x80 or above passes
//   through codePointAt, except the ’ joiner, marked apart).
let capsStretch = 0;
let capsLongest = 0;
let sawNonAscii = false;
// The same for the tokens tokenizeReusing returned last (valid while they are: until its next call).
let reusedFacts = false;
let reusedCapsStretch = 0;
let reusedAscii = false;

/**
 * The most ALL-CAPS words of two letters or more in one stretch of `tokens` without another word or a line break,
 * when known without reading them (else undefined).
 */
export function knownCapsStretch(tokens: readonly Token[]): number | undefined {
  return tokens === reusedOut && reusedFacts ? reusedCapsStretch : undefined;
}

/** Counts a word into the ALL-CAPS stretch. */
function capsWord(caps: number): void {
  if (caps === 2) {
    if (++capsStretch > capsLongest) capsLongest = capsStretch;
  } else if (caps === 0) {
    capsStretch = 0;
  }
}

/** Whether the text `tokens` were read from is all ASCII, when known without reading it (else undefined). */
export function knownAscii(tokens: readonly Token[]): boolean | undefined {
  return tokens === reusedOut && reusedFacts ? reusedAscii : undefined;
}

/**
 * The lexicon matcher (lexical.ts) says here which lexicon it matched last and the value a word's lookup has there
 * when the word starts no phrase and is no entry (WordInfo.lexKey, lexValue). The scan then lists the tokens that
 * may be more in that lexicon: every Japanese segment and emoji, and every word not known to be nothing in it; most
 * words of a post are known to be nothing, and the matcher visits only the listed tokens.
 */
export const lexiconHint: { lex: object | undefined; none: unknown } = { lex: undefined, none: undefined };
let scanLexicon: object | undefined;
let scanNone: unknown;
const candidates = { at: new Int32Array(256), count: 0 };
let reusedCandidatesFor: object | undefined;

/** Lists the token about to be put (tokenizeReusing only) as one the lexicon matcher must visit. */
function candidate(): void {
  if (candidates.count >= candidates.at.length) {
    const at = new Int32Array(candidates.at.length * 2);
    at.set(candidates.at);
    candidates.at = at;
  }
  candidates.at[candidates.count++] = count;
}

/**
 * The indices of `tokens` that may start a match in `lex` (in order; the others are words known to be nothing in
 * it), when the tokenizer listed them for that lexicon (else undefined). Valid while the tokens are.
 */
export function knownLexCandidates(tokens: readonly Token[], lex: object): { readonly at: Int32Array; readonly count: number } | undefined {
  return tokens === reusedOut && reusedFacts && reusedCandidatesFor === lex ? candidates : undefined;
}

/** What `out` holds between calls (tokenize() gives it a fresh array, tokenizeReusing the reused one). */
const idle: Token[] = [];

function scan(text: string): void {
  capsStretch = 0;
  capsLongest = 0;
  sawNonAscii = false;
  if (reusing) {
    candidates.count = 0;
    scanLexicon = lexiconHint.lex;
    scanNone = lexiconHint.none;
  }
  const len = text.length;
  let i = 0;
  while (i < len) {
    const c = text.charCodeAt(i);
    // A space is the commonest character between tokens.
    if (c === 32) {
      i++;
      continue;
    }
    let cp = c;
    let k: number;
    if (c < 0x80) k = ASCII[c] ?? 0;
    else {
      cp = codePointAt(text, i);
      k = classOf(cp);
    }
    const start = i;
    if (k & (LATIN | NUM)) {
      if (c < 0x80) {
        // The common word: ASCII letters and digits ended by an ASCII character that joins nothing (not ' or *),
        // hashed as it is scanned. Anything else (a non-ASCII letter, a joiner) is read again by wordEnd.
        let h = Math.imul(WordTable.SEED ^ c, WordTable.PRIME);
        let h2 = WordTable.step2(WordTable.SEED2, c);
        let j = i + 1;
        let d = 32;
        for (; j < len; j++) {
          d = text.charCodeAt(j);
          if (!((d >= 97 && d <= 122) || (d >= 65 && d <= 90) || (d >= 48 && d <= 57))) break;
          h = Math.imul(h ^ d, WordTable.PRIME);
          h2 = Math.imul(h2 ^ d, 0x5bd1e995);
          h2 ^= h2 >>> 15;
        }
        if (j >= len || (d < 0x80 && d !== 39 && d !== 42)) {
          const w = words.getHashed(text, start, j, h, h2);
          capsWord(w.caps);
          if (reusing && (w.lexKey !== scanLexicon || w.lexValue !== scanNone)) candidate();
          put(w.text, w.norm, start, j, 'word', w.hash, w);
          i = j;
          continue;
        }
      }
      const end = wordEnd(text, i);
      const w = asciiWord ? words.getHashed(text, start, end, asciiHash, asciiHash2) : words.get(text, start, end);
      capsWord(w.caps);
      if (reusing && (w.lexKey !== scanLexicon || w.lexValue !== scanNone)) candidate();
      put(w.text, w.norm, start, end, 'word', w.hash, w);
      i = end;
    } else if (k & JA) {
      const end = runEnd(text, i, JA);
      for (const seg of jaSegments(text, start, end)) {
        const s = start + seg.index;
        seg.hash ??= hash32(seg.segment) | 0;
        if (reusing) candidate();
        put(seg.segment, seg.segment, s, s + seg.segment.length, 'ja', seg.hash);
      }
      i = end;
    } else if (k & BREAK) {
      // Most breaks are one ASCII character ("." before a space, "\n"): their one-character string, looked up.
      const next = i + 1 < len ? text.charCodeAt(i + 1) : 0x20;
      if (c < 0x80 && next < 0x80 && ((ASCII[next] ?? 0) & BREAK) === 0) {
        const b = ONE_CHAR[c] as string;
        if (c === 10) capsStretch = 0;
        put(b, b, start, start + 1, 'break', 0);
        i = start + 1;
        continue;
      }
      const end = runEnd(text, i, BREAK);
      const b = breaks.get(text, start, end);
      if (b.includes('\n')) capsStretch = 0;
      put(b, b, start, end, 'break', 0);
      i = end;
    } else if (k & COMMA) {
      const b = c < 0x80 ? (ONE_CHAR[c] as string) : text.slice(start, start + 1);
      put(b, ',', start, start + 1, 'comma', 0);
      i = start + 1;
    } else if (k & EMOJI) {
      const end = start + width(cp);
      const b = text.slice(start, end);
      if (reusing) candidate();
      put(b, b, start, end, 'emoji', hash32(b) | 0);
      i = end;
    } else {
      i += width(cp);
    }
  }
}
