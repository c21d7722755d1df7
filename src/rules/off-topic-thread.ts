// off-topic-thread: flags a thread whose recent posts have drifted away from what the list is for.

import type { Flag, Severity } from '../model/flag.js';
import { severityRank } from '../model/flag.js';
import type { Post } from '../model/post.js';
import type { Thread } from '../model/thread.js';
import type { ListProfile } from './profile.js';
import { topicLabel, topicsOf } from './profile.js';
import { DEFAULT_SCORE_OPTIONS, readTopic, type ScoreOptions, type TopicReading, type WeightedToken } from './topic/score.js';
import type { Rule, RuleContext } from './types.js';

const ID = 'off-topic-thread';
const VERSION = '1.0.0';

export interface OffTopicOptions extends ScoreOptions {
  /** Flag when 1 − (recency-weighted similarity of the recent posts) reaches this. */
  threshold: number;
  /** How many of the thread's recent judged posts (the current one included) are weighed. */
  window: number;
  /** Each step back in the window weighs this much less (the current post weighs 1). */
  decay: number;
  /** Scores from here on are severity medium, below it low. */
  mediumAt: number;
}

export const DEFAULT_OFF_TOPIC_OPTIONS: OffTopicOptions = {
  ...DEFAULT_SCORE_OPTIONS,
  threshold: 0.55,
  window: 4,
  decay: 0.25,
  mediumAt: 0.8,
};

/** Reads the rule's options from config, keeping the defaults for anything absent or not a number. */
export function offTopicOptions(raw: Record<string, unknown>): OffTopicOptions {
  const o: OffTopicOptions = { ...DEFAULT_OFF_TOPIC_OPTIONS };
  for (const k of Object.keys(o) as (keyof OffTopicOptions)[]) {
    const v = raw[k];
    if (typeof v === 'number' && Number.isFinite(v)) o[k] = v;
  }
  return o;
}

// Options are read once per settings object (the pipeline keeps one per list), not on every post.
const optionsRead = new WeakMap<Record<string, unknown>, OffTopicOptions>();
function optionsFor(raw: Record<string, unknown>): OffTopicOptions {
  let o = optionsRead.get(raw);
  if (!o) {
    o = offTopicOptions(raw);
    optionsRead.set(raw, o);
  }
  return o;
}

const OT_TAG = /(?:^|[\s[(:])(?:\[\s*OT\s*\]|\(\s*OT\s*\)|OT\s*:|off[- ]topic\b)/i;

/** True for `[OT]`, `(OT)`, `OT:` and "off-topic" in a subject. */
export function isOTSubject(subject: string): boolean {
  return OT_TAG.test(subject);
}

// measure() and check() read the same post; the reading is kept for the post and profile it was made for (one slot:
// the rules run one post at a time).
let last: { post: Post; profile: ListProfile; opts: OffTopicOptions; reading: TopicReading } | undefined;

function reading(post: Post, thread: Thread, ctx: RuleContext, opts: OffTopicOptions): TopicReading {
  const hit = last;
  if (hit && hit.post === post && hit.profile === ctx.profile && hit.opts.minWords === opts.minWords && hit.opts.prior === opts.prior
    && hit.opts.steepness === opts.steepness && hit.opts.subjectWeight === opts.subjectWeight) return hit.reading;
  // A reply that keeps the thread's subject adds no words of its own there: in a drift the subject lags behind.
  const inherited = thread.posts.length > 1 && thread.posts[0]?.messageId !== post.messageId
    && post.normalizedSubject === thread.normalizedSubject;
  const r = readTopic(ctx.profile, post, opts, !inherited);
  last = { post, profile: ctx.profile, opts, reading: r };
  return r;
}

export const offTopicThread: Rule = {
  id: ID,
  description: 'A thread whose recent posts have drifted away from what the list is for',
  version: VERSION,

  measure(post, thread, ctx) {
    return reading(post, thread, ctx, optionsFor(ctx.settings.options)).similarity;
  },

  check(post, thread, ctx) {
    const opts = optionsFor(ctx.settings.options);
    if (ctx.list.allowOT && (isOTSubject(post.subject) || isOTSubject(thread.subject))) return [];
    const r = reading(post, thread, ctx, opts);
    const current = r.similarity;
    // A short reply says nothing about the topic, and a post that is on topic itself is not where a drift is.
    if (current === undefined || current >= 0.5) return [];

    const history = recentSignals(post, thread, opts.window - 1);
    let num = current;
    let den = 1;
    let w = 1;
    for (const s of history) {
      w *= opts.decay;
      num += w * s;
      den += w;
    }
    const windowSimilarity = num / den;
    const score = round3(1 - windowSimilarity);
    if (score < opts.threshold) return [];

    const severity: Severity = score >= opts.mediumAt ? 'medium' : 'low';
    const before = thread.flagged[ID];
    if (before && severityRank(before.severity as Severity) >= severityRank(severity)) return [];

    const offWords = offTopicWords(r.own);
    const evidence = evidenceOf(post, offWords);
    const posts = history.length + 1;
    const driftedFrom = thread.posts.some((p) => p.messageId !== post.messageId && (p.signals[ID] ?? 0) >= 0.65);
    const label = ctx.profile.label ?? ctx.list.name;
    const where = topicsNamed(r.own, post, ctx);
    const share = posts === 1 ? 'this post shares' : `the last ${posts} posts share`;
    const words = offWords.slice(0, 3).map((t) => `'${post.ownText.slice(t.start, t.end).toLowerCase()}'`);
    const tail = words.length > 0 ? `: ${words.join(', ')}` : '';
    const reason = driftedFrom
      ? `Thread has moved from ${label} to ${where} (${share} few words with what ${ctx.list.name} is for${tail})`
      : `Thread is about ${where}, not ${label} (${share} few words with what ${ctx.list.name} is for${tail})`;

    const flag: Flag = {
      rule: ID,
      category: 'off-topic',
      severity,
      score,
      evidence: evidence.text,
      reason,
      detectorVersion: `${VERSION}; profile ${ctx.profile.trainedOn > 0 ? `trained on ${ctx.profile.trainedOn} posts` : 'from config'}`,
      parts: {
        postSimilarity: round3(current),
        windowSimilarity: round3(windowSimilarity),
        postsInWindow: posts,
        threshold: opts.threshold,
        logOdds: round3(r.logOdds),
      },
    };
    if (evidence.spans.length > 0) flag.spans = evidence.spans;
    return [flag];
  },
};

/** Similarities recorded for the thread's earlier posts, most recent first (short replies have none). */
function recentSignals(post: Post, thread: Thread, n: number): number[] {
  const out: number[] = [];
  for (let i = thread.posts.length - 1; i >= 0 && out.length < n; i--) {
    const p = thread.posts[i];
    if (!p || p.messageId === post.messageId) continue;
    const s = p.signals[ID];
    if (typeof s === 'number') out.push(s);
  }
  return out;
}

/** The post's own words that weigh most against the list, one occurrence per word, strongest first. */
function offTopicWords(own: readonly WeightedToken[]): WeightedToken[] {
  const first = new Map<string, WeightedToken>();
  for (const t of own) if (t.weight <= -0.5 && !first.has(t.term)) first.set(t.term, t);
  return [...first.values()].sort((a, b) => a.weight - b.weight || a.start - b.start);
}

const EVIDENCE_CHARS = 200;

/** The stretch of own text (at most ~200 characters) holding most off-topic words, and where each one is. */
function evidenceOf(post: Post, offWords: readonly WeightedToken[]): { text: string; spans: { start: number; end: number }[] } {
  const strong = offWords.slice(0, 12).sort((a, b) => a.start - b.start);
  if (strong.length === 0) return { text: post.subject, spans: [] };
  let best = { from: 0, to: 0, score: -Infinity };
  for (let i = 0; i < strong.length; i++) {
    let weight = 0;
    let j = i;
    for (; j < strong.length; j++) {
      const t = strong[j];
      const s = strong[i];
      if (!t || !s || t.end - s.start > EVIDENCE_CHARS) break;
      weight -= t.weight;
    }
    if (weight > best.score) best = { from: i, to: j - 1, score: weight };
  }
  const chosen = strong.slice(best.from, best.to + 1);
  const start = chosen[0]?.start ?? 0;
  const end = chosen[chosen.length - 1]?.end ?? 0;
  return { text: post.ownText.slice(start, end), spans: chosen.map((t) => ({ start: t.start, end: t.end })) };
}

/** Names the broad topics (not the list's own) that the post's off-topic words belong to. */
function topicsNamed(own: readonly WeightedToken[], post: Post, ctx: RuleContext): string {
  const covered = new Set(ctx.profile.topics ?? []);
  const hits = new Map<string, number>();
  const seen = new Set<string>();
  for (const t of own) {
    if (t.weight >= 0 || seen.has(t.term)) continue;
    seen.add(t.term);
    for (const topic of topicsOf(t.term)) if (!covered.has(topic.id)) hits.set(topic.id, (hits.get(topic.id) ?? 0) + 1);
  }
  const ranked = [...hits.entries()].filter(([, n]) => n >= 2).sort((a, b) => b[1] - a[1]);
  if (ranked.length === 0) return post.subject ? `"${post.normalizedSubject || post.subject}"` : 'other subjects';
  return ranked.slice(0, 2).map(([id]) => topicLabel(id)).join(' and ');
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
