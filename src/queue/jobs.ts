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

/** A post as it travels inside a batch: its own job id comes along, for when it is split out into a job of its own. */
export interface BatchedPost extends PostJobData {
  jobId: string;
}

/**
 * Several posts of one burst from one mailbox, in mailbox order, decided by one worker in one job (a job per post
 * costs more in BullMQ than the rules cost). Each post is still decided and recorded exactly once on its own; a
 * post that fails is split out into a post job of its own (its `jobId`), which retries and fails alone.
 */
export interface BatchJobData {
  list: string;
  posts: BatchedPost[];
  /**
   * Set once every post is decided (or split out): the posts are dropped from the job then, so a finished batch
   * kept among the completed jobs is as small as a post job.
   */
  done?: number;
}

/** What the posts queue holds: post jobs (`post`) and batch jobs (`batch`). */
export type PostsJobData = PostJobData | BatchJobData;
export const POST_JOB = 'post';
export const BATCH_JOB = 'batch';

export function isBatch(data: PostsJobData): data is BatchJobData {
  return Array.isArray((data as BatchJobData).posts);
}

/** The most posts one batch job carries. */
export const BATCH_MAX_POSTS = 50;
/** The most bytes of raw posts (base64, as queued) one batch job carries; a larger post goes alone. */
export const BATCH_MAX_BYTES = 2 * 1024 * 1024;

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

/** A batch's job id: from its list and the job ids of its posts, so a re-poll of the same burst adds nothing. */
export function batchJobId(list: string, postJobIds: string[]): string {
  return `b-${hash([list, ...postJobIds])}`;
}

export type PlannedJob = { name: typeof POST_JOB; jobId: string; data: PostJobData } | { name: typeof BATCH_JOB; jobId: string; data: BatchJobData };

/**
 * The jobs a burst of posts is queued as: consecutive posts of one list go together in batches of at most
 * `maxPosts` (BATCH_MAX_POSTS) posts and BATCH_MAX_BYTES bytes; a group of one is a plain post job. A post that appears twice in
 * the burst (a list server's redelivery: same job id) is queued once, as separate adds would be.
 */
export function planJobs(posts: { jobId: string; data: PostJobData }[], maxPosts = BATCH_MAX_POSTS): PlannedJob[] {
  const out: PlannedJob[] = [];
  const seen = new Set<string>();
  let group: BatchedPost[] = [];
  let bytes = 0;
  const flush = (): void => {
    if (group.length === 1) {
      const { jobId, ...data } = group[0]!;
      out.push({ name: POST_JOB, jobId, data });
    } else if (group.length > 1) {
      const list = group[0]!.list;
      out.push({ name: BATCH_JOB, jobId: batchJobId(list, group.map((p) => p.jobId)), data: { list, posts: group } });
    }
    group = [];
    bytes = 0;
  };
  for (const p of posts) {
    if (seen.has(p.jobId)) continue;
    seen.add(p.jobId);
    const size = p.data.raw.length;
    if (group.length && (group.length >= maxPosts || bytes + size > BATCH_MAX_BYTES || group[0]!.list !== p.data.list)) flush();
    group.push({ ...p.data, jobId: p.jobId });
    bytes += size;
  }
  flush();
  return out;
}

export function noticeJobId(list: string, messageId: string): string {
  return `n-${hash([list, messageId])}`;
}

export function clip(s: string, max = MAX_NOTICE_TEXT): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
