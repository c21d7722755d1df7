// RE2 patterns for config rules: one place that compiles them, so load-time checks and rules agree on flags.

import { RE2JS } from 're2js';

/** Longer patterns are refused: they are hard to review and costly to compile. */
export const MAX_REGEX_CHARS = 1000;

/** Config regexes are case-insensitive like keywords and phrases; `(?-i)` inside a pattern turns that off. */
const FLAGS = RE2JS.CASE_INSENSITIVE;

const cache = new Map<string, RE2JS>();

/** Compiles (once per distinct pattern) or throws RE2's syntax error. */
export function compileRegex(pattern: string): RE2JS {
  let re = cache.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern, FLAGS);
    cache.set(pattern, re);
  }
  return re;
}

/** Why the pattern cannot be used, in words, or undefined when it compiles. */
export function regexProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_REGEX_CHARS) {
    return `the pattern is ${pattern.length} characters long; at most ${MAX_REGEX_CHARS} are allowed`;
  }
  try {
    compileRegex(pattern);
    return undefined;
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    // RE2JS writes the case-insensitive flag into the pattern it quotes; the moderator never wrote it.
    return text.replace(/^error parsing regexp:\s*/, '').replace('`(?i)', '`');
  }
}
