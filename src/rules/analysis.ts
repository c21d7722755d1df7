// One tokenization of a post's own text, shared by the rules that read it (incendiary-language, then off-topic-thread).

import { tokenizeReusing, type Token } from './incendiary/tokens.js';

// The rules run one post at a time and each reads that post's own text: remembering the last text is enough.
let lastText: string | undefined;
let lastTokens: Token[] = [];

/**
 * The incendiary tokens of `text` (words, Japanese segments, breaks, commas, emoji), tokenized once for all the
 * rules that ask about the same text in a row. The array and its tokens are shared and reused for the next text:
 * callers must not change them nor keep them past scoring this text (hits and spans keep offsets, not tokens).
 */
export function wordTokens(text: string): Token[] {
  if (text !== lastText) {
    lastTokens = tokenizeReusing(text);
    lastText = text;
  }
  return lastTokens;
}
