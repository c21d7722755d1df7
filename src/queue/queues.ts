// The `posts` and `notices` queues (BullMQ): adding posts and notices, the failed set, and queue counts.

import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WorkerConfig } from '../config/daemon-schema.js';
import { NOTICES_QUEUE, POSTS_QUEUE, type NoticeJobData, type PostJobData } from './jobs.js';

export interface QueuesOptions {
  /** A connection made with maxRetriesPerRequest: null (BullMQ's requirement). */
  connection: Redis;
  /** BullMQ key prefix (redis.prefix). */
  prefix: string;
  worker: WorkerConfig;
}

/** A failed post as `listwarden failed` shows it. */
export interface FailedPost {
  jobId: string;
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
  readonly posts: Queue<PostJobData>;
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
    this.posts = new Queue<PostJobData>(POSTS_QUEUE, { connection: opts.connection, prefix: opts.prefix, streams });
    this.notices = new Queue<NoticeJobData>(NOTICES_QUEUE, { connection: opts.connection, prefix: opts.prefix, streams });
    this.posts.on('error', () => undefined);
    this.notices.on('error', () => undefined);
  }

  /** Adds a post under its deterministic id; an id already queued (or kept as finished) is not added again. */
  async addPost(jobId: string, data: PostJobData): Promise<void> {
    await this.posts.add('post', data, { ...this.postOpts, jobId });
  }

  /**
   * Adds posts in one round trip (BullMQ addBulk: one pipeline of adds), each under its deterministic id; an id
   * already queued is skipped as with addPost. Resolves once every add is done.
   */
  async addPosts(posts: { jobId: string; data: PostJobData }[]): Promise<void> {
    if (posts.length === 0) return;
    if (posts.length === 1) return this.addPost(posts[0]!.jobId, posts[0]!.data);
    await this.posts.addBulk(posts.map((p) => ({ name: 'post', data: p.data, opts: { ...this.postOpts, jobId: p.jobId } })));
  }

  async addNotice(jobId: string, data: NoticeJobData): Promise<void> {
    await this.notices.add(data.action, data, { ...this.noticeOpts, jobId });
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
    return jobs.map((j) => ({
      jobId: String(j.id),
      list: j.data.list,
      messageId: j.data.messageId,
      source: j.data.source,
      reason: j.failedReason,
      attempts: j.attemptsMade,
      failedAt: j.finishedOn,
    }));
  }

  /** Re-queues failed posts (all, or the given job ids); returns the ids re-queued. */
  async retry(jobIds?: string[]): Promise<string[]> {
    const ids = jobIds && jobIds.length ? jobIds : (await this.failed(this.opts.worker.keepFailed)).map((f) => f.jobId);
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
