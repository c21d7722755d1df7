// BullMQ side of notify: the `notices` consumer and the per-list digest schedule (its own `digests` queue).
//
// DESIGN.md keeps BullMQ imports in src/queue/; this file is notify's one exception so that notify owns its
// consumer, and it reads the queue name and payload from src/queue/jobs.ts rather than defining its own.

import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { NOTICES_QUEUE, type NoticeJobData } from '../queue/jobs.js';
import type { Notice } from '../model/notice.js';
import { listNotifySettings, type NotifyConfig } from '../config/notify-schema.js';
import type { DigestResult, NoticeResult, Notifier } from './notifier.js';

export const DIGESTS_QUEUE = 'digests';

export interface DigestJobData {
  list: string;
}

/** A digest that cannot be sent is retried for about a day before it waits for the next scheduled run. */
const DIGEST_JOB_OPTS = {
  attempts: 12,
  backoff: { type: 'exponential' as const, delay: 30_000 },
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 1000 },
};

export interface NoticeWorkerOptions {
  /** A connection made with maxRetriesPerRequest: null (BullMQ's requirement). */
  connection: Redis;
  prefix: string;
  notifier: Notifier;
  log: Logger;
  /** Notices handled at once (default 2: sending is I/O, and the SMTP pool is small). */
  concurrency?: number;
}

/** Consumes `notices` (alerts and digest entries) and `digests` (scheduled or requested digest runs). */
export class NoticeWorker {
  readonly notices: Worker<NoticeJobData, NoticeResult>;
  readonly digests: Worker<DigestJobData, DigestResult>;

  constructor(private readonly o: NoticeWorkerOptions) {
    const common = { connection: o.connection, prefix: o.prefix, autorun: true };
    this.notices = new Worker<NoticeJobData, NoticeResult>(NOTICES_QUEUE, (job) => this.notice(job), {
      ...common,
      concurrency: o.concurrency ?? 2,
    });
    this.digests = new Worker<DigestJobData, DigestResult>(DIGESTS_QUEUE, (job) => this.digest(job), { ...common, concurrency: 1 });
    for (const w of [this.notices, this.digests] as Worker[]) {
      w.on('error', (err) => o.log.warn({ err: { message: err.message } }, `${w.name} worker: redis error`));
      w.on('failed', (job, err) => {
        if (!job) return;
        const final = job.attemptsMade >= (job.opts.attempts ?? 1);
        o.log[final ? 'error' : 'warn'](
          { queue: w.name, jobId: job.id, attempt: job.attemptsMade, err: { message: err.message } },
          final ? `${w.name} job failed for good: kept in the failed set` : `${w.name} job failed; will retry`,
        );
      });
    }
  }

  private async notice(job: Job<NoticeJobData, NoticeResult>): Promise<NoticeResult> {
    const data = job.data as Notice;
    if (!data || typeof data.noticeId !== 'string' || !Array.isArray(data.flags)) throw new UnrecoverableError('not a notice');
    // BullMQ counts attempts made before this one; on the last one a send failure parks the alert in the digest.
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return this.o.notifier.handle(data, { finalAttempt });
  }

  private async digest(job: Job<DigestJobData, DigestResult>): Promise<DigestResult> {
    const r = await this.o.notifier.sendDigest(job.data.list);
    // The rendered digest is large; the job keeps only the outcome.
    return { ...r, rendered: undefined };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.notices.close(), this.digests.close()]);
  }
}

/** The `digests` queue: per-list schedules (BullMQ job schedulers) and on-demand runs. */
export class DigestSchedule {
  readonly queue: Queue<DigestJobData>;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue<DigestJobData>(DIGESTS_QUEUE, { connection, prefix });
    this.queue.on('error', () => undefined);
  }

  static schedulerId(list: string): string {
    return `digest-${list}`;
  }

  /** One scheduler per list from notify.digest (cron, timezone) and its per-list overrides; stale ones removed. */
  async sync(lists: string[], notify: NotifyConfig): Promise<{ list: string; cron: string; timezone: string }[]> {
    const out: { list: string; cron: string; timezone: string }[] = [];
    const wanted = new Set(lists.map(DigestSchedule.schedulerId));
    for (const s of await this.queue.getJobSchedulers(0, -1)) {
      const id = s.id ?? s.key;
      if (id.startsWith('digest-') && !wanted.has(id)) await this.queue.removeJobScheduler(id);
    }
    for (const list of lists) {
      const d = listNotifySettings(notify, list).digest;
      await this.queue.upsertJobScheduler(
        DigestSchedule.schedulerId(list),
        { pattern: d.cron, tz: d.timezone },
        { name: 'digest', data: { list }, opts: DIGEST_JOB_OPTS },
      );
      out.push({ list, cron: d.cron, timezone: d.timezone });
    }
    return out;
  }

  /** Asks the running daemon for a digest of this list now (retried like a scheduled one). */
  async requestNow(list: string): Promise<string> {
    const job = await this.queue.add('digest', { list }, { ...DIGEST_JOB_OPTS, jobId: `digest-now-${list}-${Date.now()}` });
    return String(job.id);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
