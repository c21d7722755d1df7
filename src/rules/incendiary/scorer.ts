// The incendiary scorer: lexicon hits with targeting, blended with the learned model, into one 0..1 score with spans.

import { featureLogit, topWordFeatures } from './features.js';
import { combineHits, findHits, type Hit } from './lexical.js';
import { compileLexicon, type HitKind, type LexiconOptions } from './lexicon.js';
import { shippedModel, sigmoid, type IncendiaryModel } from './model.js';
import { wordTokens } from '../analysis.js';

/** Bumped whenever the lexicon or the targeting rules change what they score. */
export const LEXICON_VERSION = 'lex-6';

export interface IncendiarySpan {
  start: number;
  end: number;
  text: string;
  kind: HitKind | 'model';
  weight: number;
}

export interface IncendiaryScore {
  /** 0..1 */
  score: number;
  /** Counted evidence, in reading order, as character offsets into the scored text. */
  spans: IncendiarySpan[];
  /** Score parts for `explain`: per lexicon kind, `lexicon`, `model`, `second-person`. */
  parts: Record<string, number>;
  version: string;
}

/** The scorer's full finding: the public score plus the hits behind it (for reasons and thread heat). */
export interface IncendiaryDetail extends IncendiaryScore {
  hits: Hit[];
  /** How much of the score is aimed at the reader ("you idiot", "shut up"), 0..1. */
  secondPerson: number;
}

export interface ScorerOptions extends LexiconOptions {
  /** The learned model; `null` scores with the lexicon alone; default: the shipped model. */
  model?: IncendiaryModel | null;
}

/**
 * How the model's probability enters the score. Below MODEL_FLOOR it adds nothing (the model's prior on a plain
 * comment); above it, it adds up to MODEL_REACH. The lexicon carries the evidence; the model lifts hostile posts
 * the lexicon under-reads (mockery, sarcasm, words it lacks) and cannot alone reach "high".
 */
export const MODEL_FLOOR = 0.15;
export const MODEL_REACH = 0.9;

/**
 * Grumbling, shouting and ban warnings stay below the alert level even when the model reads the post as hostile:
 * when these are all the lexicon finds, the post is frustrated, not an attack on a person (a deliberate choice).
 */
const GRUMBLE_KINDS: ReadonlySet<HitKind> = new Set(['frustration', 'shouting', 'warning']);
export const GRUMBLE_CAP = 0.5;

export type Scorer = (text: string) => IncendiaryDetail;

export function createScorer(opts: ScorerOptions = {}): Scorer {
  const lex = compileLexicon(opts);
  const model = opts.model === undefined ? shippedModel() : opts.model;
  const version = `${LEXICON_VERSION}+${model ? model.version : 'no-model'}`;
  return (text: string): IncendiaryDetail => {
    const tokens = wordTokens(text);
    const hits = findHits(lex, tokens, text);
    // Most posts have no lexicon hit: their parts, spans and caps are known without combining anything.
    const { score: lexScore, parts, second } = hits.length === 0 ? NO_HITS : combineHits(hits);
    let p = 0;
    let lift = 0;
    const spans: IncendiarySpan[] = [];
    let counted = 0;
    let grumbles = 0;
    for (const h of hits) {
      if (!(h.weight > 0)) continue;
      spans.push({ start: h.start, end: h.end, text: text.slice(h.start, h.end), kind: h.kind, weight: h.weight });
      counted++;
      if (GRUMBLE_KINDS.has(h.kind)) grumbles++;
    }
    if (model) {
      // The same probability as predict(model, extractFeatures(…)), without building the features.
      p = sigmoid(featureLogit(tokens, hits, model.weights, model.dim, model.bias));
      lift = Math.max(0, (p - MODEL_FLOOR) / (1 - MODEL_FLOOR)) * MODEL_REACH;
      if (lift > 0.05 && spans.length === 0) {
        // No lexicon word: the evidence is the words that weighed most in the model (those of the logit just taken).
        for (const f of topWordFeatures(model.weights, 2)) {
          const a = tokens[f.first ?? -1];
          const b = tokens[f.last ?? -1];
          if (a && b) spans.push({ start: a.start, end: b.end, text: text.slice(a.start, b.end), kind: 'model', weight: lift });
        }
      }
    }
    const grumbleOnly = counted > 0 && grumbles === counted;
    const blended = 1 - (1 - lexScore) * (1 - lift);
    const score = grumbleOnly ? Math.min(blended, GRUMBLE_CAP) : blended;
    if (spans.length > 1) spans.sort((a, b) => a.start - b.start);
    // combineHits' fresh parts (per kind), then the three named ones, in that order (explain and flags list them so).
    const allParts: Record<string, number> = hits.length === 0 ? {} : parts;
    allParts.lexicon = lexScore;
    allParts.model = p;
    allParts['second-person'] = second;
    return {
      score,
      spans: spans.length === 0 ? spans : mergeSpans(spans, text),
      parts: allParts,
      version,
      hits,
      secondPerson: second,
    };
  };
}

const NO_HITS: { score: number; parts: Record<string, number>; second: number } = { score: 0, parts: {}, second: 0 };

/** Overlapping spans become one, so evidence never repeats words. */
function mergeSpans(spans: IncendiarySpan[], text: string): IncendiarySpan[] {
  const out: IncendiarySpan[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) {
      last.end = Math.max(last.end, s.end);
      last.text = text.slice(last.start, last.end);
      if (s.weight > last.weight) {
        last.weight = s.weight;
        last.kind = s.kind;
      }
    } else {
      out.push({ ...s });
    }
  }
  return out;
}

let defaultScorer: Scorer | undefined;
/** Scores a text with the shipped lexicon and model (what the rule uses with default options). */
export function scoreDetailed(text: string): IncendiaryDetail {
  defaultScorer ??= createScorer();
  return defaultScorer(text);
}
