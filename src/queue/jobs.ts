// Job payloads of the `posts` and `notices` queues and their deterministic ids (bounded data, never credentials).

import { createHash } from 'node:crypto';
import type { Notice, NoticeFlag } from '../model/notice.js';

export const POSTS_QUEUE = 'posts';
export const NOTICES_QUEUE = 'notices';

/** One post to run through the pipeline. */
export interface PostJobData {
  /** The list whose mailbox the post came from. */
  list: string;
  /** The post's Message-ID header as the poller read it, when present. */
  messageId?: string;
  /** The compact message (headers and text parts up to the cap), base64. */
  raw: string;
  /** Where it was found, for logs and an operator (mailbox, UIDVALIDITY, UID). */
  source: { mailbox: string; uidValidity: string; uid: number };
  /** ms since epoch: when the poller learnt of the post (EXISTS or a check), for the arrival→verdict figure. */
  seenAt: number;
}

/** An alert or digest for the notify stage (the notifications issue consumes this queue): the model's Notice. */
export type NoticeJobData = Notice;
export type { NoticeFlag };

/** The longest evidence or reason text a notice carries. */
export const MAX_NOTICE_TEXT = 500;
/** The most flags a notice carries. */
export const MAX_NOTICE_FLAGS = 20;

function hash(parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p);
    h.update('\0');
  }
  return h.digest('hex').slice(0, 40);
}

/**
 * The posts job id: from list and Message-ID, or from the raw bytes when the post has none, so a re-poll or a
 * second poller adds the same job (BullMQ ignores an add whose id exists). BullMQ ids must not contain ':'.
 */
export function postJobId(list: string, messageId: string | undefined, raw: Buffer): string {
  return messageId ? `p-${hash([list, messageId])}` : `p-raw-${hash([list, raw])}`;
}

export function noticeJobId(list: string, messageId: string): string {
  return `n-${hash([list, messageId])}`;
}

export function clip(s: string, max = MAX_NOTICE_TEXT): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
