// Finding a config rule's keywords, phrases and patterns in text: whole words across scripts, RE2 for regexes.

import { compileRegex } from '../../config/regex.js';

export interface TextMatch {
  /** UTF-16 offsets into the searched text. */
  start: number;
  end: number;
  /** The exact text matched, as it stands in the searched text. */
  text: string;
  kind: 'keyword' | 'phrase' | 'regex';
  /** The keyword, phrase or pattern as written in config. */
  term: string;
}

/**
 * Which run of letters a character belongs to. A keyword is a whole word when the characters beside it
 * are not of the same run as its own edges: `coin` is not found in `bitcoin`, `コイン` not in `ビットコイン`,
 * but `ビットコイン` is found in `ビットコインで` (kana then hiragana) and `bitcoin` in `bitcoin賭博`.
 */
type Run = 'word' | 'han' | 'hiragana' | 'katakana' | 'hangul' | 'thai';

const KATAKANA = /[\p{Script=Katakana}\u30FC\uFF70]/u; // ー and ｰ join katakana words
const HIRAGANA = /\p{Script=Hiragana}/u;
const HAN = /[\p{Script=Han}々〆]/u;
const HANGUL = /\p{Script=Hangul}/u;
const THAI = /\p{Script=Thai}/u;
const WORD = /[\p{L}\p{N}\p{M}_]/u;

function runOf(ch: string | undefined): Run | undefined {
  if (!ch) return undefined;
  if (KATAKANA.test(ch)) return 'katakana';
  if (HIRAGANA.test(ch)) return 'hiragana';
  if (HAN.test(ch)) return 'han';
  if (HANGUL.test(ch)) return 'hangul';
  if (THAI.test(ch)) return 'thai';
  if (WORD.test(ch)) return 'word';
  return undefined;
}

/** Scripts written with spaces between words, where a phrase must start and end on a word edge. */
const SPACED: ReadonlySet<Run> = new Set<Run>(['word', 'hangul']);

function charAt(text: string, i: number): string | undefined {
  if (i < 0 || i >= text.length) return undefined;
  return String.fromCodePoint(text.codePointAt(i)!);
}

function charBefore(text: string, i: number): string | undefined {
  if (i <= 0) return undefined;
  const low = text.charCodeAt(i - 1);
  const back = low >= 0xdc00 && low <= 0xdfff && i >= 2 ? 2 : 1;
  return charAt(text, i - back);
}

function edgesFree(text: string, start: number, end: number, only?: ReadonlySet<Run>): boolean {
  const first = runOf(charAt(text, start));
  const last = runOf(charBefore(text, end));
  if (first && (!only || only.has(first)) && runOf(charBefore(text, start)) === first) return false;
  if (last && (!only || only.has(last)) && runOf(charAt(text, end)) === last) return false;
  return true;
}

/** Full-width ASCII (ＢＵＹ, ０９) reads as ASCII; one UTF-16 unit each way, so offsets stay true. */
export function foldWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

// Only syntax characters: with the `u` flag any other escape (`\-`) is an error.
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Case-insensitive, any whitespace between words; literal otherwise (so linear in the text). */
function literal(term: string): RegExp {
  const parts = foldWidth(term).trim().split(/\s+/).map(escape);
  return new RegExp(parts.join('\\s+'), 'giu');
}

export interface Matcher {
  /** The first match in the text, or undefined. */
  find(text: string): TextMatch | undefined;
  /** The terms, for a reason that says what was looked for. */
  terms: string[];
}

/** One condition's keywords, phrases and regexes; the earliest match of any of them wins. */
export function makeMatcher(spec: { keywords?: string[]; phrases?: string[]; regex?: string[] }): Matcher {
  const literals = [
    ...(spec.keywords ?? []).map((term) => ({ term, kind: 'keyword' as const, re: literal(term) })),
    ...(spec.phrases ?? []).map((term) => ({ term, kind: 'phrase' as const, re: literal(term) })),
  ];
  const patterns = (spec.regex ?? []).map((term) => ({ term, re: compileRegex(term) }));

  return {
    terms: [...(spec.keywords ?? []), ...(spec.phrases ?? []), ...(spec.regex ?? [])],
    find(text) {
      let best: TextMatch | undefined;
      const offer = (m: TextMatch) => {
        if (!best || m.start < best.start) best = m;
      };
      if (literals.length > 0) {
        const folded = foldWidth(text);
        for (const { term, kind, re } of literals) {
          re.lastIndex = 0;
          for (let m = re.exec(folded); m; m = re.exec(folded)) {
            const start = m.index;
            const end = start + m[0].length;
            if (end > start && edgesFree(text, start, end, kind === 'phrase' ? SPACED : undefined)) {
              offer({ start, end, text: text.slice(start, end), kind, term });
              break;
            }
            re.lastIndex = start + 1;
          }
        }
      }
      for (const { term, re } of patterns) {
        // re2js types exec() as any[]; it returns a RegExpExecArray-shaped result (UTF-16 index).
        const m = re.exec(text) as RegExpExecArray | null;
        if (m) {
          const matched = m[0];
          const start = m.index;
          offer({ start, end: start + matched.length, text: matched, kind: 'regex', term });
        }
      }
      return best;
    },
  };
}
