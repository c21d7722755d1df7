// The thread-heat rule: a thread heating up (hostile posts piling up, two people trading fast replies with rising
// scores, more and more posts aimed at the other person) even when no single post crosses the alert threshold.

import type { Flag, Severity } from '../model/flag.js';
import type { Post } from '../model/post.js';
import type { ThreadPost } from '../model/thread.js';
import type { Rule, RuleContext } from './types.js';
import { RULE_ID as INCENDIARY_ID, incendiaryFinding } from './incendiary-language.js';
import { scoreDetailed } from './incendiary/scorer.js';

export const HEAT_RULE_ID = 'thread-heat';

export interface ThreadHeatOptions {
  /** How many recent posts are weighed (default 8). */
  window: number;
  /** A post's incendiary score from which it counts as hostile (default 0.15: well below a flag of its own). */
  hotAt: number;
  /** Replies this close together count as fast (default 120 minutes). */
  fastMinutes: number;
  /** Heat levels; a flag is raised each time the thread climbs past one (default 0.5, 0.65, 0.8). */
  levels: [number, number, number];
}

export const DEFAULT_HEAT: ThreadHeatOptions = { window: 8, hotAt: 0.15, fastMinutes: 120, levels: [0.5, 0.65, 0.8] };

// Each older post counts this much less than the one after it: heat cools when calm posts follow.
const DECAY = 0.8;
// Accumulated heat at which the accumulation part reaches 1 - 1/e.
const HEAT_SCALE = 1.5;

export interface HeatState {
  score: number;
  parts: { accumulated: number; exchange: number; secondPerson: number };
  /** Posts in the window with a hostile score. */
  hot: number;
  window: number;
  /** The two people trading replies, when they are. */
  pair?: [string, string];
  /** Median time between posts in the window, when dates are known. */
  paceMs?: number;
  /** First and last score of the pair's exchange, when scores rise. */
  rise?: [number, number];
  /** Posts in the window aimed at another participant. */
  aimed: number;
}

const ascending = (a: number, b: number): number => a - b;

/** The median of `xs`, which it sorts in place. */
function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = xs.sort(ascending);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

/** The heat of a thread whose most recent post is the last of `posts`. Pure: the same posts give the same heat. */
export function heatOf(posts: ThreadPost[], opts: ThreadHeatOptions = DEFAULT_HEAT): HeatState {
  const win = posts.slice(-opts.window);
  const n = win.length;

  let heat = 0;
  let hot = 0;
  for (let i = 0; i < n; i++) {
    const s = scoreOf(win[i]!);
    if (s < opts.hotAt) continue;
    hot++;
    heat += s * DECAY ** (n - 1 - i);
  }
  const accumulated = hot >= 2 ? 1 - Math.exp(-heat / HEAT_SCALE) : 0;

  // Two people trading replies: the last posts alternate between exactly two authors.
  let exchange = 0;
  let pair: [string, string] | undefined;
  let rise: [number, number] | undefined;
  const tail: ThreadPost[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const p = win[i];
    if (!p) break;
    const prev = tail[tail.length - 1];
    if (prev && prev.authorKey === p.authorKey) break;
    if (tail.length >= 2 && tail[tail.length - 2]?.authorKey !== p.authorKey) break;
    tail.push(p);
  }
  tail.reverse();
  const gaps: number[] = [];
  for (let i = 1; i < n; i++) {
    const a = win[i - 1]?.at;
    const b = win[i]?.at;
    if (a !== undefined && b !== undefined && b >= a) gaps.push(b - a);
  }
  const paceMs = median(gaps);
  if (tail.length >= 4) {
    const first = tail[0];
    const second = tail[1];
    if (first && second) pair = [first.author, second.author];
    const scores = tail.map(scoreOf);
    const half = Math.floor(scores.length / 2);
    let earlySum = 0;
    let lateSum = 0;
    for (let i = 0; i < scores.length; i++) {
      if (i < half) earlySum += scores[i]!;
      else lateSum += scores[i]!;
    }
    const early = earlySum / half;
    const late = lateSum / (scores.length - half);
    const tailGaps: number[] = [];
    for (let i = 1; i < tail.length; i++) {
      const a = tail[i - 1]?.at;
      const b = tail[i]?.at;
      if (a !== undefined && b !== undefined && b >= a) tailGaps.push(b - a);
    }
    const tailPace = median(tailGaps);
    const fast = tailPace === undefined ? 0.5 : tailPace <= opts.fastMinutes * 60_000 ? 1 : 0.3;
    if (late > early + 0.1 && late >= opts.hotAt) {
      rise = [scores[0] ?? 0, scores[scores.length - 1] ?? 0];
      // How hot the exchange is now, plus how fast it climbed; a short or slow exchange counts for less.
      exchange = Math.min(1, 0.5 * late + (late - early)) * fast * Math.min(1, tail.length / 5);
    }
  }

  // Posts aimed at the reader, growing: more of them in the later half of the window than the earlier.
  const h = Math.floor(n / 2);
  let earlyAimed = 0;
  let lateAimed = 0;
  for (let i = 0; i < n; i++) {
    if ((win[i]!.signals[HEAT_RULE_ID] ?? 0) < 0.3) continue;
    if (i < h) earlyAimed++;
    else lateAimed++;
  }
  const aimed = earlyAimed + lateAimed;
  const secondPerson = aimed >= 2 && lateAimed > earlyAimed ? Math.min(1, (lateAimed / Math.max(1, n - h)) * 0.9) : 0;

  const total = 1 - (1 - accumulated) * (1 - exchange) * (1 - secondPerson);
  const st: HeatState = { score: total, parts: { accumulated, exchange, secondPerson }, hot, window: n, aimed };
  if (pair) st.pair = pair;
  if (paceMs !== undefined) st.paceMs = paceMs;
  if (rise) st.rise = rise;
  return st;
}

const scoreOf = (p: ThreadPost): number => p.signals[INCENDIARY_ID] ?? 0;

/**
 * True when heatOf(posts) is 0 and so reaches no level: no post in the window is hot (accumulation needs two, and a
 * rising exchange one) and fewer than two aim at someone. Most threads are calm; this skips heatOf's work for them.
 */
function isCalm(posts: ThreadPost[], opts: ThreadHeatOptions): boolean {
  if (!((opts.levels[0] ?? 0) > 0)) return false;
  let aimed = 0;
  for (let i = Math.max(0, posts.length - opts.window); i < posts.length; i++) {
    const p = posts[i];
    if (!p) continue;
    if ((p.signals[INCENDIARY_ID] ?? 0) >= opts.hotAt) return false;
    if ((p.signals[HEAT_RULE_ID] ?? 0) >= 0.3 && ++aimed >= 2) return false;
  }
  return true;
}

function levelOf(score: number, levels: readonly number[]): number {
  let l = 0;
  for (const t of levels) if (score >= t) l++;
  return l;
}

// Options are read once per settings object (the pipeline keeps one per list), not on every post.
const optionsRead = new WeakMap<Record<string, unknown>, ThreadHeatOptions>();

function readOptions(raw: Record<string, unknown>): ThreadHeatOptions {
  let o = optionsRead.get(raw);
  if (!o) {
    o = parseOptions(raw);
    optionsRead.set(raw, o);
  }
  return o;
}

function parseOptions(raw: Record<string, unknown>): ThreadHeatOptions {
  const num = (k: string, d: number, lo: number, hi: number): number => {
    const v = raw[k];
    return typeof v === 'number' && v >= lo && v <= hi ? v : d;
  };
  const lv = Array.isArray(raw.levels) && raw.levels.length === 3 && raw.levels.every((x) => typeof x === 'number') ? (raw.levels as [number, number, number]) : DEFAULT_HEAT.levels;
  return {
    window: Math.round(num('window', DEFAULT_HEAT.window, 3, 50)),
    hotAt: num('hotAt', DEFAULT_HEAT.hotAt, 0, 1),
    fastMinutes: num('fastMinutes', DEFAULT_HEAT.fastMinutes, 1, 10_080),
    levels: [...lv].sort((a, b) => a - b) as [number, number, number],
  };
}

function pace(ms: number): string {
  const min = ms / 60_000;
  if (min < 1) return 'under a minute';
  if (min < 90) return `${Math.round(min)} minute${Math.round(min) === 1 ? '' : 's'}`;
  const h = min / 60;
  if (h < 36) return `${Math.round(h)} hours`;
  return `${Math.round(h / 24)} days`;
}

const short = (author: string): string => author.replace(/\s*<[^>]*>\s*$/, '').trim() || author;

function reasonOf(st: HeatState, posts: ThreadPost[]): string {
  const bits: string[] = [];
  if (st.pair && st.parts.exchange > 0) {
    const [a, b] = st.pair;
    const rise = st.rise ? ` with scores rising from ${st.rise[0].toFixed(2)} to ${st.rise[1].toFixed(2)}` : '';
    bits.push(`${short(a)} and ${short(b)} are trading replies${st.paceMs !== undefined ? ` about every ${pace(st.paceMs)}` : ''}${rise}`);
  } else {
    const people = [...new Set(posts.slice(-st.window).filter((p) => (p.signals[INCENDIARY_ID] ?? 0) >= DEFAULT_HEAT.hotAt).map((p) => short(p.author)))];
    const names = people.length <= 3 ? people.join(', ') : `${people.slice(0, 3).join(', ')} and ${people.length - 3} more`;
    bits.push(`${st.hot} of the last ${st.window} posts carry hostile wording (from ${names})${st.paceMs !== undefined ? `, one about every ${pace(st.paceMs)}` : ''}`);
  }
  if (st.parts.secondPerson > 0) bits.push(`${st.aimed} of them aim at another participant, more and more`);
  return `Thread is heating up: ${bits.join('; ')}.`;
}

export const threadHeat: Rule = {
  id: HEAT_RULE_ID,
  description: 'A thread heating up: hostile posts piling up, fast replies with rising scores, more posts aimed at people.',
  version: 'heat-1',
  measure(post: Post): number {
    // The share of this post's hostility aimed at the reader; read back by check() over the thread's posts.
    const d = incendiaryFinding(post) ?? scoreDetailed(post.ownText);
    return Math.round(d.secondPerson * 1000) / 1000;
  },
  check(post: Post, thread, ctx: RuleContext): Flag[] {
    const opts = readOptions(ctx.settings.options ?? {});
    const posts = thread.posts;
    if (posts.length < 3) return [];
    if (isCalm(posts, opts)) return [];
    const now = heatOf(posts, opts);
    const level = levelOf(now.score, opts.levels);
    // Once per rising step: only when this post lifts the thread past a level it had not reached.
    if (level === 0 || level <= levelOf(heatOf(posts.slice(0, -1), opts).score, opts.levels)) return [];
    const d = incendiaryFinding(post) ?? scoreDetailed(post.ownText);
    const top = [...d.spans].sort((a, b) => b.weight - a.weight).slice(0, 2).sort((a, b) => a.start - b.start);
    const severity: Severity = level >= 3 ? 'high' : level === 2 ? 'medium' : 'low';
    return [
      {
        rule: HEAT_RULE_ID,
        category: 'heat',
        severity,
        score: now.score,
        evidence: top.map((s) => s.text).join(' … '),
        spans: top.map((s) => ({ start: s.start, end: s.end })),
        reason: reasonOf(now, posts),
        detectorVersion: `heat-1+${d.version}`,
        parts: {
          accumulated: Math.round(now.parts.accumulated * 1000) / 1000,
          exchange: Math.round(now.parts.exchange * 1000) / 1000,
          secondPerson: Math.round(now.parts.secondPerson * 1000) / 1000,
          hotPosts: now.hot,
          window: now.window,
        },
      },
    ];
  },
};
