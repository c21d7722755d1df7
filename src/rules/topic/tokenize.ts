// Topic tokens for the off-topic profile: light English stemming and Japanese words via Intl.Segmenter, with offsets.

import { isStopword } from './stopwords.js';

export interface TopicToken {
  /** The normalized form the profile is keyed by (lower-cased, lightly stemmed; Japanese as segmented). */
  term: string;
  /** Character offsets of the surface word in the text it came from. */
  start: number;
  end: number;
}

// ASCII/Latin words (split at '-', '.', '_', so "apt-get" is "apt" + "get") and runs of Japanese script;
// fullwidth Latin letters and digits count as Latin and are folded by NFKC below.
const RUN = /([A-Za-z0-9\u00C0-\u024F\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]+(?:['\u2019][A-Za-z]+)?)|([\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFF66-\uFF9F]+)/g;
const DIGITS = /^[0-9]+$/;
const HIRAGANA = /^[\u3040-\u309F]+$/;

// One segmenter for the process: building it is the costly part; segmenting a short run is cheap.
const segmenter = new Intl.Segmenter('ja', { granularity: 'word' });

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

// Word forms repeat heavily across posts (Zipf), so a bounded memo saves most of the suffix work.
const STEM_CACHE_MAX = 50_000;
const stemCache = new Map<string, string>();

function cachedStem(lower: string): string {
  let s = stemCache.get(lower);
  if (s === undefined) {
    if (stemCache.size >= STEM_CACHE_MAX) stemCache.clear();
    s = stem(lower);
    stemCache.set(lower, s);
  }
  return s;
}

function undouble(w: string): string {
  const n = w.length;
  if (n > 3 && w[n - 1] === w[n - 2] && !/[lsz]/.test(w[n - 1] ?? '')) return w.slice(0, -1);
  return w;
}

/** The content words of `text` (stopwords, numbers and one-character words dropped), in order, with offsets. */
export function topicTokens(text: string): TopicToken[] {
  const out: TopicToken[] = [];
  RUN.lastIndex = 0;
  for (let m = RUN.exec(text); m !== null; m = RUN.exec(text)) {
    const start = m.index;
    if (m[1] !== undefined) {
      let word = m[1];
      if (word.length > 30 || DIGITS.test(word)) continue;
      if (/[\uFF10-\uFF5A]/.test(word)) word = word.normalize('NFKC');
      const lower = word.toLowerCase();
      if (lower.length < 2 || isStopword(lower)) continue;
      const term = cachedStem(lower);
      if (term.length < 2 || isStopword(term)) continue;
      out.push({ term, start, end: start + m[1].length });
    } else if (m[2] !== undefined) {
      for (const seg of segmenter.segment(m[2])) {
        if (!seg.isWordLike) continue;
        const w = seg.segment;
        // Lone characters and short hiragana words are particles and endings, not topics.
        if (w.length < 2 || (HIRAGANA.test(w) && w.length < 4) || isStopword(w)) continue;
        out.push({ term: w, start: start + seg.index, end: start + seg.index + w.length });
      }
    }
  }
  return out;
}

/** The distinct terms of `text`, for counting and profile building. */
export function topicTerms(text: string): string[] {
  return [...new Set(topicTokens(text).map((t) => t.term))];
}
