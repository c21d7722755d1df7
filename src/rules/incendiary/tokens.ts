// Tokenizer for the incendiary detector: Latin words and clause breaks by regex, Japanese runs by Intl.Segmenter.

export type TokenKind = 'word' | 'ja' | 'break' | 'comma' | 'emoji';

export interface Token {
  /** The text as written. */
  text: string;
  /** Lower-cased, curly apostrophes made straight, runs of 3+ letters squeezed to 2 ("stuuupid" → "stuupid"). */
  norm: string;
  start: number;
  end: number;
  kind: TokenKind;
}

// One alternation, scanned left to right: Latin words (with inner apostrophes and censoring stars, "f*ck"),
// Japanese runs (handed to Intl.Segmenter), clause breaks, commas, and a few emoji that carry tone.
const SCAN =
  /([\p{Script=Latin}\p{N}]+(?:[*'’][\p{Script=Latin}]+)*)|([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー々〜]+)|([.!?;:。！？\n]+)|([,、，])|(\u{1F921}|\u{1F595}|\u{1F602}|\u{1F923}|\u{1F644})/gu;

let segmenter: Intl.Segmenter | undefined;
function jaSegmenter(): Intl.Segmenter {
  // Built once: constructing a Segmenter costs far more than using one.
  segmenter ??= new Intl.Segmenter('ja', { granularity: 'word' });
  return segmenter;
}

export function normWord(s: string): string {
  let n = s.toLowerCase();
  // The regexes are the slow part of tokenizing: run them only on the rare words that need them.
  if (n.includes('’')) n = n.replace(/’/g, "'");
  if (hasRun(n, 3)) n = n.replace(/(\p{L})\1{2,}/gu, '$1$1');
  return n;
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

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  SCAN.lastIndex = 0;
  for (let m = SCAN.exec(text); m !== null; m = SCAN.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (m[1] !== undefined) {
      out.push({ text: m[0], norm: normWord(m[0]), start, end, kind: 'word' });
    } else if (m[2] !== undefined) {
      for (const seg of jaSegmenter().segment(m[0])) {
        const s = start + seg.index;
        out.push({ text: seg.segment, norm: seg.segment, start: s, end: s + seg.segment.length, kind: 'ja' });
      }
    } else if (m[3] !== undefined) {
      out.push({ text: m[0], norm: m[0], start, end, kind: 'break' });
    } else if (m[4] !== undefined) {
      out.push({ text: m[0], norm: ',', start, end, kind: 'comma' });
    } else {
      out.push({ text: m[0], norm: m[0], start, end, kind: 'emoji' });
    }
  }
  return out;
}
