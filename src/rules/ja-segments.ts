// Japanese word segmentation (Intl.Segmenter) shared by the rules' tokenizers, memoized per run of Japanese text.

import { WordTable } from './word-table.js';

export interface JaSegment {
  /** Offset of the segment in its run. */
  readonly index: number;
  readonly segment: string;
  readonly isWordLike: boolean;
  /** hash32(segment) | 0, filled in by the incendiary tokenizer the first time it needs it. */
  hash?: number;
}

// Built once: constructing a Segmenter costs far more than using one.
const segmenter = new Intl.Segmenter('ja', { granularity: 'word' });

function segmentRun(run: string): JaSegment[] {
  const out: JaSegment[] = [];
  for (const s of segmenter.segment(run)) out.push({ index: s.index, segment: s.segment, isWordLike: s.isWordLike === true });
  return out;
}

/**
 * Runs of Japanese script are segmented by ICU, the slowest step of tokenizing a Japanese post, and both the
 * incendiary and the topic tokenizer segment the same runs. Short runs (greetings, set phrases, the words between
 * punctuation) repeat across posts, so each distinct short run is segmented once while it stays in this bounded
 * table; long runs are segmented each time (they seldom repeat and would fill the table).
 */
const MEMO_MAX_RUN = 48;
const runs = new WordTable<JaSegment[]>(segmentRun, 8, 13);

/** The segments of text.slice(start, end), a run of Japanese script: the same as Intl.Segmenter('ja', word) gives. */
export function jaSegments(text: string, start: number, end: number): readonly JaSegment[] {
  if (end - start > MEMO_MAX_RUN) return segmentRun(text.slice(start, end));
  return runs.get(text, start, end);
}
