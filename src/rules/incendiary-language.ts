// The incendiary-language rule: insults, mockery, profanity at people, threats, identity attacks and shouting in a
// post's own words (never in what it quotes), with the words that triggered it and a reason a moderator can read.

import type { Flag, Severity } from '../model/flag.js';
import type { Post } from '../model/post.js';
import type { Rule, RuleContext } from './types.js';
import { HIT_KINDS, type HitKind, type LexiconOptions } from './incendiary/lexicon.js';
import type { Hit } from './incendiary/lexical.js';
import {
  createScorer,
  scoreDetailed,
  type IncendiaryDetail,
  type IncendiaryScore,
  type Scorer,
  type ScorerOptions,
} from './incendiary/scorer.js';

export type { IncendiaryScore, IncendiarySpan } from './incendiary/scorer.js';

export const RULE_ID = 'incendiary-language';

/** Score levels: below `flagAt` nothing is flagged; severity by `medium` and `high`. */
export const INCENDIARY_LEVELS = { flagAt: 0.3, medium: 0.55, high: 0.8 } as const;

/** The pure scorer with the shipped lexicon and model: what the rule sees for a post whose own text is `text`. */
export function scoreIncendiary(text: string): IncendiaryScore {
  const { score, spans, parts, version } = scoreDetailed(text);
  return { score, spans, parts, version };
}

export function severityFor(score: number): Severity {
  return score >= INCENDIARY_LEVELS.high ? 'high' : score >= INCENDIARY_LEVELS.medium ? 'medium' : 'low';
}

/** Options read from ctx.settings.options (each optional). */
export interface IncendiaryOptions {
  /** Extra words or phrases: `{ text, kind, base, second }` (weights 0..1 about a thing / aimed at the reader). */
  extraWords?: LexiconOptions['extra'];
  /** Kinds to ignore: insult, profanity, threat, identity, mocking, silencing, frustration, shouting, warning. */
  disabledKinds?: HitKind[];
  /** Lowest score that makes a flag (default 0.3). */
  flagAt?: number;
}

// Options are read once per settings object (the pipeline keeps one per list), not twice on every post.
const optionsRead = new WeakMap<Record<string, unknown>, IncendiaryOptions>();

function readOptions(raw: Record<string, unknown>): IncendiaryOptions {
  let o = optionsRead.get(raw);
  if (!o) {
    o = parseOptions(raw);
    optionsRead.set(raw, o);
  }
  return o;
}

function parseOptions(raw: Record<string, unknown>): IncendiaryOptions {
  const out: IncendiaryOptions = {};
  if (Array.isArray(raw.extraWords)) {
    out.extraWords = raw.extraWords
      .filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null && typeof (x as { text?: unknown }).text === 'string')
      .map((x) => ({
        text: String(x.text),
        kind: HIT_KINDS.includes(x.kind as HitKind) ? (x.kind as HitKind) : 'insult',
        base: typeof x.base === 'number' ? x.base : 0.3,
        second: typeof x.second === 'number' ? x.second : 0.8,
      }));
  }
  if (Array.isArray(raw.disabledKinds)) out.disabledKinds = raw.disabledKinds.filter((k): k is HitKind => HIT_KINDS.includes(k as HitKind));
  if (typeof raw.flagAt === 'number' && raw.flagAt > 0 && raw.flagAt <= 1) out.flagAt = raw.flagAt;
  return out;
}

/** The last post a rule scored and what it found: measure() and check() (and thread-heat) ask about one post in a row. */
interface LastFinding {
  post: Post | undefined;
  text: string;
  key: string;
  detail: IncendiaryDetail | undefined;
}

// What the default rule found for the post it scored last, so thread-heat can read the hits without scoring the post
// again. One slot rather than a map keyed by post: the rules run one post at a time, and a map entry per post was a
// measurable cost (and garbage) on every post.
const defaultFinding: LastFinding = { post: undefined, text: '', key: '', detail: undefined };

/** The default rule's finding on this post, if it was the last post it scored (thread-heat reads it). */
export function incendiaryFinding(post: Post): IncendiaryDetail | undefined {
  return defaultFinding.post === post ? defaultFinding.detail : undefined;
}

/** Builds the rule around a scorer (the eval builds one per cross-validation fold; the registry uses the default). */
export function createIncendiaryRule(scorerOptions?: ScorerOptions, share?: LastFinding): Rule {
  const base: Scorer = scorerOptions ? createScorer(scorerOptions) : scoreDetailed;
  // Scorers with config words are compiled once per distinct option set, not per post.
  const custom = new Map<string, Scorer>();
  // measure() and check() see the same post: score it once.
  const memo: LastFinding = share ?? { post: undefined, text: '', key: '', detail: undefined };

  const plain = { key: '', scorer: base };
  const scorerFor = (opts: IncendiaryOptions): { key: string; scorer: Scorer } => {
    if (!opts.extraWords?.length && !opts.disabledKinds?.length) return plain;
    const key = JSON.stringify([opts.extraWords ?? [], opts.disabledKinds ?? []]);
    let s = custom.get(key);
    if (!s) {
      s = createScorer({ ...scorerOptions, extra: opts.extraWords ?? [], disabled: opts.disabledKinds ?? [] });
      custom.set(key, s);
    }
    return { key, scorer: s };
  };

  const detailFor = (post: Post, ctx: RuleContext): IncendiaryDetail => {
    const { key, scorer } = scorerFor(readOptions(ctx.settings.options ?? {}));
    if (memo.post === post && memo.text === post.ownText && memo.key === key && memo.detail !== undefined) return memo.detail;
    const detail = scorer(post.ownText);
    memo.post = post;
    memo.text = post.ownText;
    memo.key = key;
    memo.detail = detail;
    return detail;
  };

  return {
    id: RULE_ID,
    description: 'Insults, mockery, profanity at people, threats, identity attacks and shouting in a post’s own words.',
    version: base('').version,
    measure(post, _thread, ctx) {
      return Math.round(detailFor(post, ctx).score * 1000) / 1000;
    },
    check(post, _thread, ctx): Flag[] {
      const opts = readOptions(ctx.settings.options ?? {});
      const d = detailFor(post, ctx);
      const flagAt = opts.flagAt ?? INCENDIARY_LEVELS.flagAt;
      if (d.score < flagAt || d.spans.length === 0) return [];
      // The strongest three spans, shown in reading order.
      const shown = [...d.spans].sort((a, b) => b.weight - a.weight).slice(0, 3).sort((a, b) => a.start - b.start);
      return [
        {
          rule: RULE_ID,
          category: 'incendiary',
          severity: severityFor(d.score),
          score: Math.round(d.score * 1000) / 1000,
          evidence: shown.map((s) => s.text).join(' … '),
          spans: shown.map((s) => ({ start: s.start, end: s.end })),
          reason: reasonFor(d, post.ownText),
          detectorVersion: d.version,
          parts: roundParts(d.parts),
        },
      ];
    },
  };
}

export const incendiaryLanguage: Rule = createIncendiaryRule(undefined, defaultFinding);

function roundParts(parts: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(parts)) out[k] = Math.round(v * 1000) / 1000;
  return out;
}

/** English glosses for Japanese entries, so a moderator who reads no Japanese still knows what was said. */
const JA_GLOSS: Record<string, string> = {
  バカ: 'stupid', 馬鹿: 'stupid', ばか: 'stupid', アホ: 'stupid', あほ: 'stupid', 阿呆: 'stupid', バカ野郎: 'idiot',
  馬鹿野郎: 'idiot', ばかやろう: 'idiot', 間抜け: 'dimwit', マヌケ: 'dimwit', 無能: 'incompetent', 低能: 'moron',
  クズ: 'scum', 屑: 'scum', カス: 'scum', ゴミ: 'garbage', キモい: 'creepy', きもい: 'creepy', うざい: 'annoying',
  死ね: 'die', 氏ね: 'die', しね: 'die', 殺す: 'I will kill you', ぶっ殺す: 'I will kill you', 殺すぞ: 'I will kill you',
  消えろ: 'get lost', 失せろ: 'get lost', 黙れ: 'shut up', 黙ってろ: 'shut up', ふざけるな: 'stop messing around',
  ふざけんな: 'stop messing around', ざまあ: 'serves you right',
};

const SILENCE_VERB = new Set(['shut up', 'shut your mouth', 'shut your face', 'get lost', 'go away', 'piss off', 'bugger off', 'fuck off', 'get a life', 'grow up', 'stop whining', 'quit whining', 'stop crying']);

const quoteOf = (h: Hit, text: string): string => {
  const words = text.slice(h.wordStart, h.wordEnd).replace(/\s+/g, ' ');
  const gloss = JA_GLOSS[h.key];
  return gloss ? `“${words}” (${gloss})` : `“${words}”`;
};

function clause(h: Hit, text: string): string {
  const q = quoteOf(h, text);
  const you = h.target === 'second';
  switch (h.kind) {
    case 'insult':
      if (you) return `Calls another participant ${q} (second-person insult)`;
      if (h.target === 'third' || h.person) return `Calls other people ${q}`;
      return `Calls the work ${q} (aimed at code or a decision, not a person)`;
    case 'profanity':
      return you ? `Swears at another participant (${q})` : `Uses profanity (${q})`;
    case 'threat':
      return you ? `Threatens another participant (${q})` : `Threatens violence (${q})`;
    case 'identity':
      return `Uses a slur or identity attack (${q})`;
    case 'mocking':
      return you ? `Mocks another participant (${q})` : `Mocks (${q})`;
    case 'silencing': {
      if (SILENCE_VERB.has(h.key)) return `Tells another participant to ${text.slice(h.wordStart, h.wordEnd).toLowerCase()}`;
      return `Tells another participant to go away (${q})`;
    }
    case 'frustration':
      return `Shows frustration (${q}), which alone is not an attack`;
    case 'shouting':
      return `Shouts in capitals (${q})`;
    case 'warning':
      return `Warns of a ban (${q})`;
  }
}

/** One sentence: the two strongest findings, the second one phrased to follow the first. */
export function reasonFor(d: IncendiaryDetail, text: string): string {
  const counted = d.hits.filter((h) => h.weight > 0).sort((a, b) => b.weight - a.weight);
  const seen = new Set<string>();
  const clauses: string[] = [];
  for (const h of counted) {
    const k = `${h.kind}:${h.target === 'second' ? 'you' : h.kind === 'insult' && (h.target === 'third' || h.person) ? 'them' : 'it'}`;
    if (seen.has(k)) continue;
    seen.add(k);
    clauses.push(clause(h, text));
    if (clauses.length === 2) break;
  }
  // Say so when the learned model, not the lexicon, carried the score.
  if (clauses.length === 0 || ((d.parts.model ?? 0) > 0.6 && (d.parts.lexicon ?? 0) < 0.3)) {
    const words = d.spans.filter((s) => s.kind === 'model').map((s) => `“${s.text}”`);
    const m = `Reads as hostile to the learned model${words.length ? `, mostly for ${words.join(' and ')}` : ''}`;
    clauses.push(clauses.length ? m.charAt(0).toLowerCase() + m.slice(1) : m);
  }
  const [first, ...rest] = clauses;
  let sentence = first ?? 'Hostile wording';
  for (const c of rest) {
    let next = c.charAt(0).toLowerCase() + c.slice(1);
    if (sentence.includes('another participant')) next = next.replace('another participant', 'them');
    sentence += ` and ${next}`;
  }
  return `${sentence}.`;
}
