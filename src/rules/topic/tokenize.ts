// Topic tokens for the off-topic profile: light English stemming and Japanese words via Intl.Segmenter, with offsets.

import { isStopword } from './stopwords.js';
import { WordTable } from '../word-table.js';
import { wordTokens } from '../analysis.js';
import { knownAscii, type Token } from '../incendiary/tokens.js';
import { jaSegments } from '../ja-segments.js';

export interface TopicToken {
  /** The normalized form the profile is keyed by (lower-cased, lightly stemmed; Japanese as segmented). */
  term: string;
  /** Character offsets of the surface word in the text it came from. */
  start: number;
  end: number;
}

// ASCII/Latin words (split at '-', '.', '_', so "apt-get" is "apt" + "get") and runs of Japanese script;
// fullwidth Latin letters and digits count as Latin and are folded by NFKC below. A token is what this regex matches
// (the definition); scanTopicTokens finds the same with a char-code scan, as the regex was the slow part:
//   ([A-Za-z0-9\u00C0-\u024F\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]+(?:['\u2019][A-Za-z]+)?)
//   | ([\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFF66-\uFF9F]+)
const DIGITS = /^[0-9]+$/;
const HIRAGANA = /^[\u3040-\u309F]+$/;

/** Lower-cases and strips common English suffixes, so "packages", "packaging" and "packaged" meet. */
export function stem(word: string): string {
  let w = word.toLowerCase().replace(/\u2019/g, "'");
  const apos = w.indexOf("'");
  if (apos >= 0) w = w.slice(0, apos);
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) return w.slice(0, -3) + 'y';
  if (w.endsWith('sses')) return w.slice(0, -2);
  if (w.endsWith('ing') && w.length > 5) w = undouble(w.slice(0, -3));
  else if (w.endsWith('ed') && w.length > 4) w = undouble(w.slice(0, -2));
  else if (/(?:sh|ch|x|zz|ss)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(?:ss|us|is|ys|as|os)$/.test(w)) w = w.slice(0, -1);
  else if (w.endsWith('ly') && w.length > 5) w = w.slice(0, -2);
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  return w;
}

/**
 * One distinct topic term, interned: a reading marks each term it has counted with its stamp, instead of building a
 * Set of strings per post, and keeps the term's weight in the profile it last read it from.
 */
export interface TopicTerm {
  readonly term: string;
  /** The registry generation it belongs to (the registry starts over when full). */
  readonly gen: number;
  /** The stamp of the last reading that counted it (newReading()). */
  seen: number;
  /** The weights map `weight` was read from, and the term's weight there. */
  weightKey: object | undefined;
  weight: number;
}

// Terms by string; bounded: emptied (a new generation) only when a reading starts, so within one reading a term is
// always the one object, and objects of an older generation (cached on words) are looked up again.
const REGISTRY_MAX = 1 << 17;
const registry = new Map<string, TopicTerm>();
let generation = 1;
let stamp = 0;

function termOf(term: string): TopicTerm {
  let t = registry.get(term);
  if (t === undefined) {
    t = { term, gen: generation, seen: 0, weightKey: undefined, weight: 0 };
    registry.set(term, t);
  }
  return t;
}

/** The object of the current generation for a term object that may be older. */
function current(t: TopicTerm): TopicTerm {
  return t.gen === generation ? t : termOf(t.term);
}

/** A new stamp for one reading (a term is counted once per stamp); may start the registry over. */
export function newReading(): number {
  if (registry.size > REGISTRY_MAX) {
    registry.clear();
    generation++;
  }
  return ++stamp;
}

// Word forms repeat heavily across posts (Zipf), so a bounded memo maps each word as written straight to its term
// (null when it is dropped): one lookup, without slicing the word, instead of lower-casing, two stopword checks and
// the suffix work per word.
const terms = new WordTable<TopicTerm | null>((word) => {
  const term = computeTerm(word);
  return term === '' ? null : termOf(term);
});

function computeTerm(word: string): string {
  if (word.length > 30 || DIGITS.test(word)) return '';
  const folded = /[\uFF10-\uFF5A]/.test(word) ? word.normalize('NFKC') : word;
  const lower = folded.toLowerCase();
  if (lower.length < 2 || isStopword(lower)) return '';
  const term = stem(lower);
  if (term.length < 2 || isStopword(term)) return '';
  return term;
}

function undouble(w: string): string {
  const n = w.length;
  if (n > 3 && w[n - 1] === w[n - 2] && !/[lsz]/.test(w[n - 1] ?? '')) return w.slice(0, -1);
  return w;
}

// The scan below follows RUN exactly, by UTF-16 code unit as RUN (no /u flag) reads the text.
const isLatinUnit = (c: number): boolean =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || (c >= 0xc0 && c <= 0x24f)
  || (c >= 0xff10 && c <= 0xff19) || (c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a);
const isAsciiLetter = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
const isJapaneseUnit = (c: number): boolean =>
  (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff)
  || (c >= 0xff66 && c <= 0xff9f);

/**
 * Calls `emit` for each content word of `text` in order: the scan behind topicTokens, without building tokens for
 * callers that weigh each word as it comes.
 */
export function scanTopicTokens(text: string, emit: (term: string, start: number, end: number) => void): void {
  scanRange(text, 0, text.length, (t, start, end) => emit(t.term, start, end));
}

/** As scanTopicTokens, with each word's interned term. */
export function scanTopicTerms(text: string, emit: (term: TopicTerm, start: number, end: number) => void): void {
  scanRange(text, 0, text.length, emit);
}

function scanRange(text: string, from: number, to: number, emit: (term: TopicTerm, start: number, end: number) => void): void {
  const len = to;
  let i = from;
  while (i < len) {
    const c = text.charCodeAt(i);
    if (isLatinUnit(c)) {
      const start = i;
      i++;
      while (i < len && isLatinUnit(text.charCodeAt(i))) i++;
      // (?:['\u2019][A-Za-z]+)?
      const a = i < len ? text.charCodeAt(i) : 0;
      if ((a === 39 || a === 0x2019) && i + 1 < len && isAsciiLetter(text.charCodeAt(i + 1))) {
        i += 2;
        while (i < len && isAsciiLetter(text.charCodeAt(i))) i++;
      }
      const term = terms.get(text, start, i);
      if (term !== null) emit(current(term), start, i);
    } else if (isJapaneseUnit(c)) {
      const start = i;
      i++;
      while (i < len && isJapaneseUnit(text.charCodeAt(i))) i++;
      for (const seg of jaSegments(text, start, i)) {
        if (!seg.isWordLike) continue;
        const w = seg.segment;
        // Lone characters and short hiragana words are particles and endings, not topics.
        if (w.length < 2 || (HIRAGANA.test(w) && w.length < 4) || isStopword(w)) continue;
        emit(termOf(w), start + seg.index, start + seg.index + w.length);
      }
    } else {
      i++;
    }
  }
}

const NON_ASCII = /[^\x00-\x7f]/;

/** The weight of `t` in `weights` (0 when absent), read once per term and weights map. */
export function weightOf(t: TopicTerm, weights: ReadonlyMap<string, number>): number {
  if (t.weightKey !== weights) {
    t.weight = weights.get(t.term) ?? 0;
    t.weightKey = weights;
  }
  return t.weight;
}

/**
 * The same words as scanTopicTokens(text, …), each with its weight in `weights` (0 when absent): see scanOwnTopicTerms.
 */
export function scanOwnTopicTokens(
  text: string,
  weights: ReadonlyMap<string, number>,
  emit: (term: string, weight: number) => void,
): void {
  scanOwnTopicTerms(text, (t) => emit(t.term, weightOf(t, weights)));
}

/**
 * The same words as scanTopicTerms(text, …), read off the text's incendiary tokens (tokenized once for the rules,
 * analysis.ts) when the text is ASCII. There, a topic word is a run of [A-Za-z0-9] with an optional "'letters", and
 * an incendiary word a run of [A-Za-z0-9] with "*letters" or "'letters" joined on ("f*ck", "S*TM" before "32L"). A
 * token whose stretch of [A-Za-z0-9'*] is the token itself, with no ' or *, is exactly one topic word, and its term
 * is memoized on the word (WordInfo); any other stretch is scanned here as the topic scan would (no topic word
 * crosses its ends). Other text is scanned as it is.
 */
export function scanOwnTopicTerms(text: string, emit: (term: TopicTerm) => void): void {
  const tokens = wordTokens(text);
  // The tokenizer knows whether it read any character outside ASCII (else the text is searched for one).
  if (!(knownAscii(tokens) ?? !NON_ASCII.test(text))) {
    scanRange(text, 0, text.length, emit);
    return;
  }
  const len = text.length;
  let scannedTo = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k] as Token;
    if (t.kind !== 'word' || t.start < scannedTo) continue;
    const info = t.word;
    // In ASCII text a word token ends where [A-Za-z0-9] ends: it is one topic word when it has no ' or * and none
    // follows it (else the stretch of [A-Za-z0-9'*] around it is scanned as the topic scan reads it).
    const after = text.charCodeAt(t.end);
    if (info === undefined || !info.plain || after === 39 || after === 42) {
      let e = t.start;
      for (; e < len; e++) {
        const c = text.charCodeAt(e);
        if (c !== 39 && c !== 42 && !isLatinUnit(c)) break;
      }
      scanRange(text, t.start, e, emit);
      scannedTo = e;
      continue;
    }
    let term = info.topic;
    if (term === undefined) {
      const s = computeTerm(info.text);
      term = s === '' ? null : termOf(s);
      info.topic = term;
    }
    if (term === null) continue;
    if (term.gen !== generation) {
      term = termOf(term.term);
      info.topic = term;
    }
    emit(term);
  }
}

/** The content words of `text` (stopwords, numbers and one-character words dropped), in order, with offsets. */
export function topicTokens(text: string): TopicToken[] {
  const out: TopicToken[] = [];
  scanTopicTokens(text, (term, start, end) => {
    out.push({ term, start, end });
  });
  return out;
}

/** The distinct terms of `text`, for counting and profile building. */
export function topicTerms(text: string): string[] {
  return [...new Set(topicTokens(text).map((t) => t.term))];
}
