// Lexicon matching with targeting: who a hostile word is aimed at (you, them, me, the code), negation and shouting.

import {
  NEGATION,
  REPORTING,
  SECOND_PERSON,
  SELF,
  THING,
  THIRD_PERSON,
  squeeze,
  type CompiledLexicon,
  type HitKind,
  type LexEntry,
} from './lexicon.js';
import { capsOf, hasRun, knownCapsStretch, knownLexCandidates, lexiconHint, type Token } from './tokens.js';

export type Target = 'second' | 'third' | 'self' | 'thing' | 'none';
export type Suppression = 'negated' | 'self' | 'reported' | 'harmless';

export interface Hit {
  /** Character offsets of the evidence (the word, widened to its target: "you are an idiot"). */
  start: number;
  end: number;
  /** Character offsets of the matched word or phrase alone. */
  wordStart: number;
  wordEnd: number;
  /** The lexicon word or phrase that matched. */
  key: string;
  kind: HitKind;
  target: Target;
  weight: number;
  /** Why the hit counts for nothing, when it does not count. */
  suppressed?: Suppression;
  /** Token indices the hit covers (the matched word or phrase only). */
  first: number;
  last: number;
  person: boolean;
}

const BACK_WINDOW = 6;
const DETERMINER = new Set(['the', 'a', 'an', 'some', 'any', 'every', 'each']);
const PERSON_NOUN = new Set(['person', 'guy', 'girl', 'boy', 'kid', 'child', 'children', 'human', 'individual', 'idiot', 'man', 'woman', 'people', 'ass']);
const NEG_WINDOW = 3;
// Words that may stand between "don't be" and the insult in an imperative ("don't be such an idiot").
const FILLER = new Set(['a', 'an', 'so', 'such', 'that', 'the', 'this', 'too', 'more', 'just', 'really', 'complete', 'total']);
const SHOUT_COMMON = new Set([
  'THE', 'YOU', 'YOUR', 'THIS', 'IS', 'NOT', 'STOP', 'WHY', 'WHAT', 'ARE', 'IT', 'TO', 'DO', "DON'T", 'DONT', 'NO',
  'FIX', 'PLEASE', 'JUST', 'HAVE', 'CAN', 'WILL', 'ME', 'MY', 'WE', 'READ', 'NEVER', 'EVER', 'STILL', 'ALL', 'HOW',
  "CAN'T", 'CANT', 'WORK', 'DOES', "DOESN'T", 'BROKEN', 'FUCKING', 'DAMN', 'SO', 'THAT', 'GET', 'NOW',
]);

function isWordish(t: Token | undefined): boolean {
  return t !== undefined && (t.kind === 'word' || t.kind === 'ja' || t.kind === 'emoji');
}

/** Finds the nearest person or thing the hit at tokens [first, last] is about. */
function findTarget(tokens: Token[], first: number, last: number, entry: LexEntry): { target: Target; at: number } {
  let seen = 0;
  for (let j = first - 1; j >= 0 && seen < BACK_WINDOW; j--) {
    const t = tokens[j];
    if (!t || t.kind === 'break') break;
    if (!isWordish(t)) continue;
    seen++;
    const n = t.norm;
    if (DETERMINER.has(n) && !entry.person) {
      // "drop the useless comment": the adjective describes the noun after it, unless that noun is a person.
      const next = tokens[last + 1];
      if (next && next.kind === 'word' && !THIRD_PERSON.has(next.norm) && !PERSON_NOUN.has(next.norm)) return { target: 'thing', at: j };
    }
    if (SECOND_PERSON.has(n)) {
      // "your stupid patch" is aimed at you; in "your fonts look ugly" the word describes the fonts.
      if ((n === 'your' || n === 'ur') && seen > 1 && !entry.person) return { target: 'thing', at: j };
      return { target: 'second', at: j };
    }
    if (SELF.has(n)) return { target: 'self', at: j };
    if (THIRD_PERSON.has(n)) return { target: 'third', at: j };
    if (THING.has(n)) {
      // "this idiot" is about a person; "this is stupid" is about a thing — unless the clause goes on "… of you".
      const fwd = forwardTarget(tokens, last);
      if (fwd) return fwd;
      return { target: entry.person ? 'third' : 'thing', at: j };
    }
  }
  const fwd = forwardTarget(tokens, last);
  if (fwd) return fwd;
  return { target: 'none', at: -1 };
}

/** "stupid me", "idiots like you", "how stupid of you". */
function forwardTarget(tokens: Token[], last: number): { target: Target; at: number } | undefined {
  const next = tokens[last + 1];
  if (next && (next.norm === 'me' || next.norm === 'myself')) return { target: 'self', at: last + 1 };
  // "what an idiot I am", "idiot that I was"
  const a = tokens[last + 1]?.norm === 'that' ? last + 2 : last + 1;
  const n1 = tokens[a]?.norm;
  const n2 = tokens[a + 1]?.norm;
  if (n1 === "i'm" || (n1 === 'i' && (n2 === 'am' || n2 === 'was'))) return { target: 'self', at: a };
  for (let j = last + 1, seen = 0; j < tokens.length && seen < 3; j++) {
    const t = tokens[j];
    if (!t || t.kind === 'break') break;
    if (!isWordish(t)) continue;
    seen++;
    if ((t.norm === 'you' || t.norm === 'u') && seen <= 2) {
      const prev = tokens[j - 1]?.norm;
      if (prev === 'like' || prev === 'of' || prev === 'are' || prev === ',' || seen === 1) return { target: 'second', at: j };
    }
    if (t.norm === 'me' && tokens[j - 1]?.norm === 'of') return { target: 'self', at: j };
  }
  return undefined;
}

/** "not a dumb idea", "isn't stupid" — but "don't be stupid" is an imperative aimed at the reader. */
function negation(tokens: Token[], first: number): 'negated' | 'imperative' | undefined {
  const before: Token[] = [];
  for (let j = first - 1; j >= 0 && before.length < NEG_WINDOW + 3; j--) {
    const t = tokens[j];
    if (!t || t.kind === 'break' || t.kind === 'comma') break;
    if (isWordish(t)) before.push(t);
  }
  for (let k = 0; k < before.length; k++) {
    const t = before[k];
    if (!t || !NEGATION.has(t.norm)) continue;
    // "don't be (such an) idiot": everything between "be" and the insult is filler.
    const between = before.slice(0, k);
    const beIdx = between.findIndex((b) => b.norm === 'be');
    if ((t.norm === "don't" || t.norm === 'dont') && beIdx === between.length - 1 && between.slice(0, beIdx).every((b) => FILLER.has(b.norm))) {
      return 'imperative';
    }
    if (k >= NEG_WINDOW) continue;
    if (t.norm === 'not' && before[k - 1]?.norm === 'only') continue;
    return 'negated';
  }
  return undefined;
}

/** Words that may come before an imperative in its clause ("oh just shut up", "please go away"). */
const IMPERATIVE_LEAD = new Set([
  'just', 'please', 'now', 'so', 'and', 'then', 'you', 'go', 'kindly', 'ok', 'okay', 'oh', 'seriously', 'lol', 'yeah',
  'well', 'dude', 'man', 'pls', 'plz', 'simply', 'better', 'should', 'to', 'must', 'need', 'can', 'could', 'why', 'dont', "don't",
]);

/** True when the phrase at `first` starts its clause, or follows only words that can lead an imperative. */
function leadsClause(tokens: Token[], first: number): boolean {
  for (let j = first - 1, seen = 0; j >= 0; j--) {
    const t = tokens[j];
    if (!t || t.kind === 'break' || t.kind === 'comma') return true;
    if (!isWordish(t)) continue;
    if (!IMPERATIVE_LEAD.has(t.norm) || ++seen > 3) return false;
  }
  return true;
}

function reported(tokens: Token[], first: number): boolean {
  for (let j = first - 1, seen = 0; j >= 0 && seen < 4; j--) {
    const t = tokens[j];
    if (!t || t.kind === 'break') break;
    if (!isWordish(t)) continue;
    seen++;
    if (REPORTING.has(t.norm)) return true;
  }
  return false;
}

function harmless(lex: CompiledLexicon, tokens: Token[], first: number, last: number): boolean {
  for (let i = first; i <= last; i++) {
    const t = tokens[i];
    if (!t) continue;
    for (const phrase of lex.harmless.get(t.norm) ?? []) {
      const pos = phrase.indexOf(t.norm);
      const from = i - pos;
      if (from < 0) continue;
      let ok = true;
      for (let k = 0; k < phrase.length && ok; k++) ok = tokens[from + k]?.norm === phrase[k];
      if (ok) return true;
    }
  }
  return false;
}

/** Japanese negation follows the word: バカじゃない, 馬鹿ではない (but バカじゃないの？ is a jab). */
function jaNegated(tokens: Token[], last: number): boolean {
  const rest = tokens
    .slice(last + 1, last + 5)
    .filter((t) => t.kind === 'ja')
    .map((t) => t.norm)
    .join('');
  if (/^(じゃ|では|でわ)(ない|ありません|ねえ|ねー)/.test(rest)) return !/^(じゃ|では)(ない|ねえ|ねー)の/.test(rest);
  return false;
}

function weigh(entry: LexEntry, target: Target): number {
  switch (target) {
    case 'second':
      return entry.second;
    case 'third':
      return entry.third;
    default:
      return entry.base;
  }
}

function buildHit(
  lex: CompiledLexicon,
  tokens: Token[],
  first: number,
  last: number,
  key: string,
  entry: LexEntry,
  ja: boolean,
): Hit {
  const startTok = tokens[first];
  const endTok = tokens[last];
  let start = startTok?.start ?? 0;
  let end = endTok?.end ?? start;
  let { target, at } = entry.addressed
    ? { target: 'second' as Target, at: -1 }
    : entry.object
      ? (forwardTarget(tokens, last) ?? { target: 'thing' as Target, at: -1 })
      : findTarget(tokens, first, last, entry);
  let suppressed: Suppression | undefined;
  if (!entry.ignoreNegation) {
    if (ja) {
      if (jaNegated(tokens, last)) suppressed = 'negated';
    } else {
      const neg = negation(tokens, first);
      if (neg === 'negated') suppressed = 'negated';
      else if (neg === 'imperative') target = 'second';
    }
  }
  if (entry.imperative && !leadsClause(tokens, first)) suppressed ??= 'reported';
  if (target === 'self' && !entry.addressed && !entry.ignoreNegation) suppressed ??= 'self';
  if (!ja && !entry.addressed && reported(tokens, first)) suppressed ??= 'reported';
  if (harmless(lex, tokens, first, last)) suppressed = 'harmless';
  // Widen the evidence to the person it is aimed at when that person is named close by ("you are an idiot").
  if (target === 'second' && at >= 0) {
    const t = tokens[at];
    if (t && (at < first ? first - at <= 4 : at - last <= 3)) {
      if (at < first) start = t.start;
      else end = t.end;
    }
  }
  const weight = suppressed ? 0 : weigh(entry, target);
  // Contempt aimed at the reader ("your garbage", "you are useless") is an insult, not grumbling.
  const kind: HitKind = entry.kind === 'frustration' && target === 'second' ? 'insult' : entry.kind;
  const wordStart = startTok?.start ?? 0;
  const wordEnd = endTok?.end ?? wordStart;
  return { start, end, wordStart, wordEnd, key, kind, target, weight, first, last, person: entry.person === true, ...(suppressed ? { suppressed } : {}) };
}

interface WordLookup {
  phrases: { words: string[]; entry: LexEntry; text: string }[] | undefined;
  entry: LexEntry | undefined;
}

const NOTHING: WordLookup = { phrases: undefined, entry: undefined };

function computeLookup(lex: CompiledLexicon, t: Token): WordLookup {
  const phrases = lex.phrases.get(t.norm);
  const entry = lex.words.get(t.norm) ?? (hasRun(t.text, 3) ? lex.words.get(squeeze(t.norm)) : undefined);
  return phrases === undefined && entry === undefined ? NOTHING : { phrases, entry };
}

/** The phrases starting with the token and its own entry: looked up once per distinct word and lexicon. */
function lookupWord(lex: CompiledLexicon, t: Token): WordLookup {
  const info = t.word;
  if (info === undefined) return computeLookup(lex, t);
  if (info.lexKey === lex) return info.lexValue as WordLookup;
  const found = computeLookup(lex, t);
  info.lexKey = lex;
  info.lexValue = found;
  return found;
}

/** Every lexicon hit in the tokens, counted or suppressed (suppressed ones let the model ignore those words too). */
export function findHits(lex: CompiledLexicon, tokens: Token[], text: string): Hit[] {
  const hits: Hit[] = [];
  // Only the tokens the tokenizer listed can start a match (the others are words known to be nothing in `lex`);
  // visited in order, a match's later tokens skipped, as in the loop over all tokens.
  const listed = knownLexCandidates(tokens, lex);
  if (listed === undefined) {
    for (let i = 0; i < tokens.length; i++) i = hitsAt(lex, tokens, i, hits);
  } else {
    const { at, count } = listed;
    for (let c = 0, next = 0; c < count; c++) {
      const i = at[c] as number;
      if (i >= next) next = hitsAt(lex, tokens, i, hits) + 1;
    }
  }
  // The next scan lists the tokens for this lexicon.
  lexiconHint.lex = lex;
  lexiconHint.none = NOTHING;
  const shout = findShouting(tokens, text);
  if (shout) hits.push(shout);
  return lex.disabled.size ? hits.filter((h) => !lex.disabled.has(h.kind)) : hits;
}

/** The hit that starts at token `i`, if any, added to `hits`; returns the last token it covers (`i` without one). */
function hitsAt(lex: CompiledLexicon, tokens: Token[], i: number, hits: Hit[]): number {
  const t = tokens[i];
  if (!t) return i;
  if (t.kind === 'word' || t.kind === 'emoji') {
    const found = lookupWord(lex, t);
    const candidates = found.phrases;
    if (candidates) for (const p of candidates) {
      let ok = true;
      for (let k = 1; k < p.words.length && ok; k++) ok = tokens[i + k]?.norm === p.words[k];
      if (!ok) continue;
      hits.push(buildHit(lex, tokens, i, i + p.words.length - 1, p.text, p.entry, false));
      return i + p.words.length - 1;
    }
    const entry = found.entry;
    if (entry) hits.push(buildHit(lex, tokens, i, i, t.norm, entry, false));
  } else if (t.kind === 'ja') {
    // Longest run of whole Segmenter tokens that spells an entry ("死|ね", "消|え|ろ"), never part of a token.
    let best: { len: number; key: string; entry: LexEntry } | undefined;
    let s = '';
    for (let k = 0; i + k < tokens.length && k < 5; k++) {
      const tk = tokens[i + k];
      if (!tk || tk.kind !== 'ja') break;
      s += tk.norm;
      if (s.length > lex.jaMaxLen) break;
      const entry = lex.ja.get(s);
      if (entry) best = { len: k + 1, key: s, entry };
    }
    if (best) {
      hits.push(buildHit(lex, tokens, i, i + best.len - 1, best.key, best.entry, true));
      return i + best.len - 1;
    }
  }
  return i;
}

/** /^[A-Z][A-Z']*$/ without the regex (it ran on every word). */
const isCapsWord = (w: string): boolean => capsOf(w) !== 0;

const isWordChar = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
// _ ` $ = / . < > -   (a dot only before a word character: "NOT_FOUND.", "Hello WORLD." stay words)
const isMarkBefore = (c: number): boolean => c === 95 || c === 96 || c === 36 || c === 61 || c === 47 || c === 46 || c === 60 || c === 62 || c === 45;
const isMarkAfter = (c: number): boolean => c !== 46 && isMarkBefore(c);

/** /[_`$=\/.<>-]\w|\w[_`$=\/<>-]/ over text[from, to), without slicing it: the word is part of an identifier. */
function identifierNearby(text: string, from: number, to: number): boolean {
  for (let j = from; j + 1 < to; j++) {
    const a = text.charCodeAt(j);
    const b = text.charCodeAt(j + 1);
    if ((isMarkBefore(a) && isWordChar(b)) || (isWordChar(a) && isMarkAfter(b))) return true;
  }
  return false;
}

/**
 * At least the most ALL-CAPS words of two letters or more in any run findShouting may find: the tokenizer's count of
 * them in the longest stretch without another word or a line break (runs end at both), else all of them, counted up
 * to `atMost`.
 */
function capsWordBound(tokens: Token[], atMost: number): number {
  const known = knownCapsStretch(tokens);
  if (known !== undefined) return known;
  let n = 0;
  for (let i = 0; i < tokens.length && n < atMost; i++) {
    const info = tokens[i]?.word;
    if (info === undefined ? tokens[i]?.kind === 'word' && isCapsWord(tokens[i]?.text ?? '') : info.caps === 2) n++;
  }
  return n;
}

/** The longest run of ALL-CAPS words that reads as shouting (not an acronym, a constant or SQL). */
function findShouting(tokens: Token[], text: string): Hit | undefined {
  // A run needs four ALL-CAPS words of two letters or more: most posts have no four in a row, and are done here.
  if (capsWordBound(tokens, 4) < 4) return undefined;
  let best: { first: number; last: number; words: number; common: number; you: boolean } | undefined;
  let runFirst = -1;
  let words = 0;
  let common = 0;
  let you = false;
  let lastWord = -1;
  // One more than the last token, so the run still open at the end is closed like the others.
  for (let i = 0; i <= tokens.length; i++) {
    const t = tokens[i];
    let closes = t === undefined;
    if (t !== undefined) {
      if (t.kind === 'word') {
        const caps = t.word !== undefined ? t.word.caps !== 0 : isCapsWord(t.text);
        // Constants and identifiers (HAVE_FPU_API_H, `NOT_FOUND`) are not shouting: their neighbours give them away.
        if (caps && !identifierNearby(text, Math.max(0, t.start - 1), Math.min(text.length, t.end + 1))) {
          if (runFirst < 0) runFirst = i;
          lastWord = i;
          if (t.text.length >= 2) words++;
          if (SHOUT_COMMON.has(t.text)) common++;
          if (t.text === 'YOU' || t.text === 'YOUR') you = true;
          continue;
        }
        closes = true;
      } else if (t.kind === 'break' && t.text.includes('\n')) {
        closes = true;
      }
    }
    if (closes && runFirst >= 0) {
      if (words >= 4 && common >= 2 && (!best || words > best.words)) best = { first: runFirst, last: lastWord, words, common, you };
      runFirst = -1;
      words = 0;
      common = 0;
      you = false;
    }
  }
  if (!best) return undefined;
  const a = tokens[best.first];
  const b = tokens[best.last];
  if (!a || !b) return undefined;
  const weight = best.you ? 0.4 : best.words >= 8 ? 0.35 : 0.3;
  return {
    start: a.start,
    end: b.end,
    wordStart: a.start,
    wordEnd: b.end,
    key: 'ALL CAPS',
    kind: 'shouting',
    target: best.you ? 'second' : 'none',
    weight,
    first: best.first,
    last: best.last,
    person: false,
  };
}

/** Caps per kind: grumbling and shouting alone never reach an alert. */
export const KIND_CAP: Partial<Record<HitKind, number>> = { frustration: 0.3, shouting: 0.4, warning: 0.25 };

/** Noisy-OR of the counted hits, per kind (capped) and overall. */
export function combineHits(hits: Hit[]): { score: number; parts: Record<string, number>; second: number } {
  // The same word said three times is not three times hotter: each word counts once, at its strongest.
  const strongest = new Map<string, Hit>();
  for (const h of hits) {
    if (h.weight <= 0) continue;
    const k = `${h.kind}|${h.target}|${h.key.toLowerCase()}`;
    const prev = strongest.get(k);
    if (!prev || h.weight > prev.weight) strongest.set(k, h);
  }
  const byKind = new Map<HitKind, number>();
  let secondKeep = 1;
  for (const h of strongest.values()) {
    byKind.set(h.kind, 1 - (1 - (byKind.get(h.kind) ?? 0)) * (1 - h.weight));
    if (h.target === 'second' && h.kind !== 'frustration' && h.kind !== 'shouting') secondKeep *= 1 - h.weight;
  }
  const parts: Record<string, number> = {};
  let keep = 1;
  for (const [kind, v] of byKind) {
    const capped = Math.min(v, KIND_CAP[kind] ?? 1);
    parts[kind] = capped;
    keep *= 1 - capped;
  }
  return { score: 1 - keep, parts, second: 1 - secondKeep };
}
