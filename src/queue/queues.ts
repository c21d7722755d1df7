// The `posts` and `notices` queues (BullMQ): adding posts and notices, the failed set, and queue counts.

import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WorkerConfig } from '../config/daemon-schema.js';
import {
  isBatch,
  NOTICES_QUEUE,
  planJobs,
  POST_JOB,
  POSTS_QUEUE,
  type BatchedPost,
  type NoticeJobData,
  type PostJobData,
  type PostsJobData,
} from './jobs.js';

export interface QueuesOptions {
  /** A connection made with maxRetriesPerRequest: null (BullMQ's requirement). */
  connection: Redis;
  /** BullMQ key prefix (redis.prefix). */
  prefix: string;
  worker: WorkerConfig;
  /** The most posts a batch job carries (default BATCH_MAX_POSTS; 1: a job per post). */
  batchMaxPosts?: number;
}

/** A failed post as `listwarden failed` shows it. */
export interface FailedPost {
  /** The job to retry: the post's own, or (rarely: only when a batch could not even be split) its batch's. */
  jobId: string;
  /** Set when the post failed as part of a batch job: how many posts that job holds (all listed, same jobId). */
  batch?: number;
  list: string;
  messageId?: string;
  source: PostJobData['source'];
  reason: string;
  attempts: number;
  /** ms since epoch of the last failure. */
  failedAt?: number;
}

/** Entries (approximate) kept in each queue's BullMQ event stream. */
const EVENTS_KEPT = 1000;

export const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children'] as const;

export class Queues {
  readonly posts: Queue<PostsJobData>;
  readonly notices: Queue<NoticeJobData>;
  private readonly postOpts: JobsOptions;
  private readonly noticeOpts: JobsOptions;

  constructor(private readonly opts: QueuesOptions) {
    const w = opts.worker;
    this.postOpts = {
      attempts: w.attempts,
      backoff: { type: 'exponential', delay: w.backoffMs },
      removeOnComplete: { count: w.keepCompleted },
      // Failed posts stay for an operator, but not without end.
      removeOnFail: { count: w.keepFailed },
    };
    this.noticeOpts = {
      attempts: 8,
      backoff: { type: 'exponential', delay: 5000 },
      removeOnComplete: { count: w.keepCompleted },
      removeOnFail: { count: w.keepFailed },
    };
    // Nothing here reads BullMQ's event streams (no QueueEvents): keep them short rather than BullMQ's 10 000 each.
    const streams = { events: { maxLen: EVENTS_KEPT } };
    this.posts = new Queue<PostsJobData>(POSTS_QUEUE, { connection: opts.connection, prefix: opts.prefix, streams });
    this.notices = new Queue<NoticeJobData>(NOTICES_QUEUE, { connection: opts.connection, prefix: opts.prefix, streams });
    this.posts.on('error', () => undefined);
    this.notices.on('error', () => undefined);
  }

  /** Adds a post under its deterministic id; an id already queued (or kept as finished) is not added again. */
  async addPost(jobId: string, data: PostJobData): Promise<void> {
    await this.posts.add(POST_JOB, data, { ...this.postOpts, jobId });
  }

  /**
   * Adds a burst of posts in one round trip: batch jobs of consecutive posts (see planJobs), a lone post as a post
   * job, each under its deterministic id; an id already queued (or kept as finished) is skipped, as BullMQ does.
   * Resolves once every add is done.
   */
  async addPosts(posts: { jobId: string; data: PostJobData }[]): Promise<void> {
    const jobs = planJobs(posts, this.opts.batchMaxPosts);
    if (jobs.length === 0) return;
    if (jobs.length === 1) {
      const j = jobs[0]!;
      await this.posts.add(j.name, j.data, { ...this.postOpts, jobId: j.jobId });
      return;
    }
    await this.posts.addBulk(jobs.map((j) => ({ name: j.name, data: j.data, opts: { ...this.postOpts, jobId: j.jobId } })));
  }

  /** Posts taken out of a batch, each queued as a post job under its own id (one round trip). */
  async addSplit(posts: BatchedPost[]): Promise<void> {
    if (posts.length === 0) return;
    await this.posts.addBulk(
      posts.map(({ jobId, ...data }) => ({ name: POST_JOB, data, opts: { ...this.postOpts, jobId } })),
    );
  }

  async addNotice(jobId: string, data: NoticeJobData): Promise<void> {
    await this.notices.add(data.action, data, { ...this.noticeOpts, jobId });
  }

  /** Notices in one round trip, each under its own id (an id already queued is skipped). */
  async addNotices(notices: NoticeJobData[]): Promise<void> {
    if (notices.length === 0) return;
    if (notices.length === 1) return this.addNotice(notices[0]!.noticeId, notices[0]!);
    await this.notices.addBulk(notices.map((n) => ({ name: n.action, data: n, opts: { ...this.noticeOpts, jobId: n.noticeId } })));
  }

  async counts(): Promise<{ queue: string; state: string; count: number }[]> {
    const out: { queue: string; state: string; count: number }[] = [];
    for (const q of [this.posts, this.notices] as Queue[]) {
      const c = await q.getJobCounts(...JOB_STATES);
      for (const state of JOB_STATES) out.push({ queue: q.name, state, count: c[state] ?? 0 });
    }
    return out;
  }

  async failed(limit = 100): Promise<FailedPost[]> {
    const jobs = await this.posts.getFailed(0, Math.max(0, limit - 1));
    const out: FailedPost[] = [];
    for (const j of jobs) {
      const common = { jobId: String(j.id), reason: j.failedReason, attempts: j.attemptsMade, failedAt: j.finishedOn };
      const data = j.data;
      if (!isBatch(data)) out.push({ ...common, list: data.list, messageId: data.messageId, source: data.source });
      else for (const p of data.posts) out.push({ ...common, batch: data.posts.length, list: p.list, messageId: p.messageId, source: p.source });
    }
    return out.slice(0, limit);
  }

  /** Re-queues failed posts (all, or the given job ids); returns the ids re-queued. */
  async retry(jobIds?: string[]): Promise<string[]> {
    const ids = jobIds && jobIds.length ? [...new Set(jobIds)] : (await this.posts.getFailed(0, this.opts.worker.keepFailed - 1)).map((j) => String(j.id));
    const done: string[] = [];
    for (const id of ids) {
      const job = await this.posts.getJob(id);
      if (!job || !(await job.isFailed())) continue;
      await job.retry('failed');
      done.push(id);
    }
    return done;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.posts.close(), this.notices.close()]);
  }
}
