// One flag as replay reports it: the JSON Lines contract (`listwarden replay --format json`), one object a flag.

import type { Action, Flag, Severity } from '../model/flag.js';
import type { Post } from '../model/post.js';
import type { Thread } from '../model/thread.js';

/** Field names are a contract that moderators script against: extend, never rename. */
export interface FlagRecord {
  messageId: string;
  threadId: string;
  rule: string;
  category: string;
  severity: Severity;
  score: number;
  evidence: string;
  reason: string;
  from: string;
  date: string | null;
  subject: string;
  list: string;
  action: Action;
  threadSubject: string;
  detectorVersion: string | null;
  /** Where the post came from: `archive.mbox#12`. */
  source: string;
}

export function toFlagRecord(flag: Flag & { action: Action }, post: Post, thread: Thread, list: string, source: string): FlagRecord {
  return {
    messageId: post.messageId,
    threadId: thread.id,
    rule: flag.rule,
    category: flag.category,
    severity: flag.severity,
    score: flag.score,
    evidence: flag.evidence,
    reason: flag.reason,
    from: post.author,
    date: post.date && Number.isFinite(post.date.getTime()) ? post.date.toISOString() : null,
    subject: post.subject,
    list,
    action: flag.action,
    threadSubject: thread.subject,
    detectorVersion: flag.detectorVersion ?? null,
    source,
  };
}
