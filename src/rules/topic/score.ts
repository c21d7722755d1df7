// How topical one post is for a list profile: a 0..1 similarity from its own words and subject.

import type { Post } from '../../model/post.js';
import type { ListProfile } from '../profile.js';
import { newReading, scanOwnTopicTerms, scanTopicTerms, scanTopicTokens, weightOf, type TopicToken } from './tokenize.js';

export interface ScoreOptions {
  /** Fewer distinct content words than this ("+1", "thanks!") give no reading at all. */
  minWords: number;
  /** Neutral pseudo-words added to every post, so a post with few telling words stays near 0.5. */
  prior: number;
  /** Steepness of the log-odds → similarity curve. */
  steepness: number;
  /** How much a subject word counts next to a word of the post's own text. */
  subjectWeight: number;
}

export const DEFAULT_SCORE_OPTIONS: ScoreOptions = { minWords: 8, prior: 4, steepness: 1.5, subjectWeight: 0.5 };

/** A word counts as telling (on or off topic) from this weight on. */
const TELLING = 0.25;

export interface WeightedToken extends TopicToken {
  weight: number;
}

export interface TopicReading {
  /** 0..1, 0.5 neutral; undefined when the post has too few content words to judge. */
  similarity: number | undefined;
  /** Distinct content words of own text and subject. */
  words: number;
  /** Mean log-odds over the telling words (with the neutral prior), before the curve. */
  logOdds: number;
  /** Own-text tokens in order, with their profile weights (for evidence spans). */
  own: WeightedToken[];
}

export function readTopic(
  profile: ListProfile,
  post: Pick<Post, 'ownText' | 'normalizedSubject' | 'subject'>,
  opts: ScoreOptions = DEFAULT_SCORE_OPTIONS,
  withSubject = true,
): TopicReading {
  const terms = profile.terms;
  const text = post.ownText;
  // Distinct words, own text first and then the subject, each weighed as it is first seen (the sums run in that order);
  // a term is counted once per reading by its stamp.
  const stamp = newReading();
  let words = 0;
  let sum = 0;
  let telling = 0;
  scanOwnTopicTerms(text, (t) => {
    if (t.seen === stamp) return;
    t.seen = stamp;
    words++;
    const weight = weightOf(t, terms);
    if (Math.abs(weight) < TELLING) return;
    sum += weight;
    telling += 1;
  });
  if (withSubject) {
    const share = opts.subjectWeight;
    scanTopicTerms(post.normalizedSubject || post.subject, (t) => {
      if (t.seen === stamp) return;
      t.seen = stamp;
      words++;
      const w = weightOf(t, terms);
      if (Math.abs(w) < TELLING) return;
      sum += w * share;
      telling += share;
    });
  }
  const logOdds = sum / (telling + opts.prior);
  const z = (logOdds - (profile.center ?? 0)) / (profile.spread ?? 1);
  const similarity = words < opts.minWords ? undefined : 1 / (1 + Math.exp(-opts.steepness * z));
  return new Reading(similarity, words, logOdds, text, terms);
}

/** A reading whose words with offsets are built on first use: only a flagged post needs them (for evidence). */
class Reading implements TopicReading {
  private tokens: WeightedToken[] | undefined;

  constructor(
    readonly similarity: number | undefined,
    readonly words: number,
    readonly logOdds: number,
    private readonly text: string,
    private readonly terms: ReadonlyMap<string, number>,
  ) {}

  get own(): WeightedToken[] {
    this.tokens ??= weighedTokens(this.text, this.terms);
    return this.tokens;
  }
}

function weighedTokens(text: string, terms: ReadonlyMap<string, number>): WeightedToken[] {
  const out: WeightedToken[] = [];
  scanTopicTokens(text, (term, start, end) => {
    out.push({ term, start, end, weight: terms.get(term) ?? 0 });
  });
  return out;
}
