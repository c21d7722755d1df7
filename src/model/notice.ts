// Notice: what the notify stage is handed about one verdict (alert or digest), as plain bounded data.
//
// The daemon's `notices` queue carries NoticeJobData (src/queue/jobs.ts); a Notice is that shape plus optional
// context (thread state, the post's own text, the sender's address), so every NoticeJobData is a Notice.

import type { Action, Severity } from './flag.js';
import type { Thread } from './thread.js';

/** A flag as a notice carries it: what a moderator reads. */
export interface NoticeFlag {
  rule: string;
  category: string;
  severity: Severity;
  score: number;
  action: Action;
  evidence: string;
  reason: string;
}

/** How hot a thread has been running, from the incendiary score of its recent posts. */
export type HeatTrend = 'rising' | 'falling' | 'steady' | 'unknown';

/** The thread's state in a few figures a moderator can take in at a glance. */
export interface ThreadSummary {
  /** Posts the thread has had in all. */
  posts: number;
  /** Distinct authors. */
  participants: number;
  /** The most active authors, busiest first (at most 5). */
  top: { author: string; posts: number }[];
  /** Incendiary score (0..1) of the most recent posts, oldest first (at most 10). */
  heat: number[];
  heatTrend: HeatTrend;
  /** ms since epoch of the first and last post, when known. */
  firstAt?: number;
  lastAt?: number;
}

export interface Notice {
  /** Deterministic: the same post always yields the same notice id. */
  noticeId: string;
  list: string;
  messageId: string;
  threadId: string;
  action: Exclude<Action, 'ignore'>;
  /** The post's subject. */
  subject: string;
  /** A display form of the author: `Name <address>`. */
  author: string;
  /** ISO date of the post, when it had one. */
  date?: string;
  flags: NoticeFlag[];
  /** ms since epoch when the verdict was made. */
  decidedAt: number;
  /** The thread's subject (its first post's), when it differs from the post's. */
  threadSubject?: string;
  /** The author's address alone (lower-cased), for `ignore sender`. */
  fromAddress?: string;
  /** The thread's state when the verdict was made. */
  thread?: ThreadSummary;
  /** The author's own words (quotes removed), cut to MAX_EXCERPT characters: shown as quoted text. */
  excerpt?: string;
}

/** One flag of a notice flattened with its post, in replay's FlagRecord field names (src/replay/flag-record.ts). */
export interface NoticeFlagRecord {
  noticeId: string;
  list: string;
  messageId: string;
  threadId: string;
  rule: string;
  category: string;
  severity: Severity;
  score: number;
  action: Action;
  evidence: string;
  reason: string;
  from: string;
  date: string | null;
  subject: string;
  threadSubject: string;
}

/** The longest excerpt of the post a notice carries. */
export const MAX_EXCERPT = 2000;

/** The incendiary rule's per-post signal, read for the heat trend. */
const HEAT_SIGNAL = 'incendiary-language';

function trendOf(heat: number[]): HeatTrend {
  if (heat.length < 2) return 'unknown';
  const half = Math.floor(heat.length / 2);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const delta = mean(heat.slice(half)) - mean(heat.slice(0, half));
  // A tenth of the score range is about what separates "a sharp reply" from "the thread boiling over".
  if (delta >= 0.1) return 'rising';
  if (delta <= -0.1) return 'falling';
  return 'steady';
}

/** The summary of a thread that a notice carries. */
export function threadSummaryOf(thread: Thread): ThreadSummary {
  const top = Object.entries(thread.participants)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 5)
    .map(([authorKey, posts]) => ({ author: thread.posts.find((p) => p.authorKey === authorKey)?.author ?? authorKey, posts }));
  const heat = thread.posts
    .slice(-10)
    .map((p) => p.signals[HEAT_SIGNAL])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
    .map((v) => Math.round(v * 100) / 100);
  return {
    posts: thread.postCount,
    participants: Object.keys(thread.participants).length,
    top,
    heat,
    heatTrend: trendOf(heat),
    firstAt: thread.firstAt,
    lastAt: thread.lastAt,
  };
}

/** The notice's flags, one record each, with the post's fields repeated. */
export function flagRecordsOf(n: Notice): NoticeFlagRecord[] {
  return n.flags.map((f) => ({
    noticeId: n.noticeId,
    list: n.list,
    messageId: n.messageId,
    threadId: n.threadId,
    rule: f.rule,
    category: f.category,
    severity: f.severity,
    score: f.score,
    action: f.action,
    evidence: f.evidence,
    reason: f.reason,
    from: n.author,
    date: n.date ?? null,
    subject: n.subject,
    threadSubject: n.threadSubject ?? n.subject,
  }));
}
