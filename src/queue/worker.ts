// The posts worker (BullMQ): each job runs the shared pipeline and records the verdict exactly once.

import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config/daemon-schema.js';
import type { Metrics } from '../metrics.js';
import { MAX_EXCERPT, threadSummaryOf } from '../model/notice.js';
import type { Post } from '../model/post.js';
import { parsePost, UnreadableMailError } from '../parse/index.js';
import type { Pipeline, PostOutcome } from '../pipeline/index.js';
import { subjectKeyOf } from '../threads/place.js';
import { ThreadConflictError } from '../threads/store.js';
import type { DeferredSaves, LookupKeys, RedisThreadStore, VerdictRecord } from '../threads/redis-store.js';
import { clip, MAX_NOTICE_FLAGS, noticeJobId, POSTS_QUEUE, type NoticeJobData, type PostJobData } from './jobs.js';
import { KeyLocks } from './key-locks.js';
import type { Queues } from './queues.js';

export type Verdicted = Extract<PostOutcome, { kind: 'verdict' }>;

export interface PostWorkerOptions {
  /** A connection made with maxRetriesPerRequest: null; BullMQ duplicates it for its blocking reads. */
  connection: Redis;
  prefix: string;
  worker: WorkerConfig;
  queues: Queues;
  store: RedisThreadStore;
  /** The deferred-save view of `store` that the pipelines were created with. */
  saves: DeferredSaves;
  /** The current pipeline (swapped on config reload). */
  pipeline: () => Pipeline;
  metrics?: Metrics;
  log: Logger;
  /** Stalled-job check period (default: half of lockMs, at most 30 s). */
  stalledIntervalMs?: number;
}

/** What a job returns (kept on completed jobs): small. */
export interface PostJobResult {
  status: 'verdict' | 'already' | 'duplicate';
  list: string;
  messageId: string;
  action?: string;
}

/** A commit that keeps losing to other workers on one thread is retried as a job (with backoff) after this. */
const COMMIT_ATTEMPTS = 8;

export function noticeFor(outcome: Verdicted, decidedAt: number): NoticeJobData | undefined {
  const { verdict, post } = outcome;
  if (verdict.action === 'ignore') return undefined;
  return {
    noticeId: noticeJobId(verdict.list, verdict.messageId),
    list: verdict.list,
    messageId: verdict.messageId,
    threadId: verdict.threadId,
    action: verdict.action,
    subject: clip(post.subject),
    author: clip(post.author),
    date: post.date?.toISOString(),
    flags: verdict.flags.slice(0, MAX_NOTICE_FLAGS).map((f) => ({
      rule: f.rule,
      category: f.category,
      severity: f.severity,
      score: f.score,
      action: f.action,
      evidence: clip(f.evidence),
      reason: clip(f.reason),
    })),
    decidedAt,
    threadSubject: outcome.thread.subject && outcome.thread.subject !== post.subject ? clip(outcome.thread.subject) : undefined,
    fromAddress: post.from.address?.toLowerCase(),
    thread: threadSummaryOf(outcome.thread),
    excerpt: clip(post.ownText, MAX_EXCERPT),
  };
}

export function recordOf(outcome: Verdicted, at: number): VerdictRecord<NoticeJobData> {
  const v = outcome.verdict;
  return {
    list: v.list,
    messageId: v.messageId,
    threadId: v.threadId,
    action: v.action,
    flags: v.flags.map((f) => ({ rule: f.rule, severity: f.severity, score: f.score, action: f.action })),
    suppressed: v.suppressed,
    at,
    notice: noticeFor(outcome, at),
  };
}

/** The keys placing this post may read (mirrors threads/place.ts; a key it reads that is not here goes to Redis). */
export function lookupKeysOf(post: Post): LookupKeys {
  const parents = [post.inReplyTo, ...[...post.references].reverse()].filter((p): p is string => !!p);
  const root = post.references[0] ?? (parents.length ? parents[parents.length - 1] : undefined);
  return { messageId: post.messageId, parents, root, subjectKey: subjectKeyOf(post) };
}

/** The keys two posts of one thread are likely to share (own id, parents, root, subject), by list. */
export function lockKeysOf(list: string, keys: LookupKeys): string[] {
  const out = [keys.messageId, ...keys.parents, ...(keys.root ? [keys.root] : [])].map((id) => `${list}\0m\0${id}`);
  if (keys.subjectKey) out.push(`${list}\0s\0${keys.subjectKey}`);
  return out;
}

async function parseJob(raw: Buffer): Promise<Post> {
  try {
    return await parsePost(raw);
  } catch (err) {
    // Parsing again will not help: straight to the failed set, with the reason.
    if (err instanceof UnreadableMailError) throw new UnrecoverableError(`unreadable post: ${err.message}`);
    throw err;
  }
}

export class PostWorker {
  readonly worker: Worker<PostJobData, PostJobResult>;
  private readonly locks = new KeyLocks();

  constructor(private readonly opts: PostWorkerOptions) {
    const w = opts.worker;
    this.worker = new Worker<PostJobData, PostJobResult>(POSTS_QUEUE, (job) => this.process(job), {
      connection: opts.connection,
      prefix: opts.prefix,
      concurrency: w.concurrency,
      lockDuration: w.lockMs,
      stalledInterval: opts.stalledIntervalMs ?? Math.min(30_000, Math.max(500, Math.floor(w.lockMs / 2))),
      // A job whose worker was killed is re-run; one that kills its worker every time ends in the failed set.
      maxStalledCount: 3,
      autorun: true,
    });
    this.worker.on('error', (err) => opts.log.warn({ err: { message: err.message } }, 'posts worker: redis error'));
    this.worker.on('failed', (job, err) => {
      if (!job) return;
      const final = job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError;
      opts.log[final ? 'error' : 'warn'](
        { list: job.data.list, jobId: job.id, messageId: job.data.messageId, attempt: job.attemptsMade, err: { message: err.message } },
        final ? 'post failed for good: kept in the failed set (listwarden failed / retry)' : 'post failed; will retry',
      );
    });
  }

  private async ensureNotice(rec: VerdictRecord<NoticeJobData>): Promise<void> {
    if (!rec.notice) return;
    if (await this.opts.store.noticeQueued(rec.list, rec.messageId)) return;
    await this.queueNotice(rec);
  }

  private async queueNotice(rec: VerdictRecord<NoticeJobData>): Promise<void> {
    if (!rec.notice) return;
    // Add first, mark after: a crash in between re-adds under the same job id, which BullMQ ignores.
    await this.opts.queues.addNotice(rec.notice.noticeId, rec.notice);
    await this.opts.store.markNoticeQueued(rec.list, rec.messageId);
  }

  /**
   * One post: parsed once, its thread state read in one round trip (store.lookup), the pipeline run against that
   * snapshot, and thread + verdict committed in one atomic step that also refuses a second verdict. Jobs of this
   * process that may share a thread take turns (KeyLocks); a thread moved on by another process meanwhile is read
   * and placed again.
   */
  async process(job: Job<PostJobData, PostJobResult>): Promise<PostJobResult> {
    const data = job.data;
    const post = await parseJob(Buffer.from(data.raw, 'base64'));
    const keys = lookupKeysOf(post);
    const lockList = this.opts.pipeline().listFor(post, { list: data.list }).id;
    const release = await this.locks.acquire(lockKeysOf(lockList, keys));
    try {
      return await this.decide(job, post, keys);
    } finally {
      release();
    }
  }

  private async decide(job: Job<PostJobData, PostJobResult>, post: Post, keys: LookupKeys): Promise<PostJobResult> {
    const { store, saves, metrics, log } = this.opts;
    const data = job.data;
    for (let attempt = 1; ; attempt++) {
      // The pipeline in force now (a reload swaps it); the post itself is not changed by a run, so it is reused.
      const pipeline = this.opts.pipeline();
      const lookup = await store.lookup(pipeline.listFor(post, { list: data.list }).id, keys);
      const outcome = await saves.within(lookup, () => pipeline.processPost(post, { list: data.list }));
      if (outcome.kind === 'unreadable') throw new UnrecoverableError(`unreadable post: ${outcome.reason}`);
      const { list } = outcome;
      const messageId = outcome.post.messageId;
      // Plain fields rather than child loggers: a child per job costs more than the line it writes.
      const at = { jobId: job.id, list, messageId };
      if (outcome.kind === 'duplicate') {
        const rec = await store.verdictOf<NoticeJobData>(list, messageId);
        if (rec) await this.ensureNotice(rec);
        log.info({ ...at, threadId: outcome.threadId, recorded: !!rec }, 'post already decided; nothing new');
        return { status: rec ? 'already' : 'duplicate', list, messageId };
      }
      const pending = saves.take(list, messageId);
      if (!pending) throw new Error('the pipeline decided without saving the thread; cannot record the verdict');
      const now = Date.now();
      const record = { ...recordOf(outcome, now), seenAt: data.seenAt };
      let result: 'saved' | 'already';
      try {
        result = await store.commit(pending, record);
      } catch (err) {
        if (err instanceof ThreadConflictError && attempt < COMMIT_ATTEMPTS) {
          log.debug({ ...at, threadId: err.threadId, attempt }, 'thread moved on meanwhile; placing again');
          continue;
        }
        throw err;
      }
      if (result === 'already') {
        const rec = await store.verdictOf<NoticeJobData>(list, messageId);
        if (rec) await this.ensureNotice(rec);
        log.info(at, 'another worker recorded this verdict first');
        return { status: 'already', list, messageId };
      }
      if (metrics) {
        metrics.postsParsed.inc({ list });
        for (const f of outcome.verdict.flags) metrics.flags.inc({ list, rule: f.rule, severity: f.severity });
        metrics.verdictSeconds.observe(Math.max(0, now - data.seenAt) / 1000);
      }
      // Recorded just now, so its notice cannot have been queued before: no need to ask.
      if (record.notice) await this.queueNotice(record);
      log.info(
        {
          ...at,
          threadId: outcome.verdict.threadId,
          action: outcome.verdict.action,
          flags: outcome.verdict.flags.map((f) => `${f.rule}:${f.severity}`),
          ruleFailures: outcome.ruleFailures.length,
          ms: now - data.seenAt,
        },
        'verdict',
      );
      if (outcome.verdict.flags.length && log.isLevelEnabled('debug')) log.debug({ ...at, evidence: outcome.verdict.flags.map((f) => f.evidence) }, 'verdict evidence');
      return { status: 'verdict', list, messageId, action: outcome.verdict.action };
    }
  }

  /** Stops taking jobs and waits for the running ones to finish. */
  async close(): Promise<void> {
    await this.worker.close();
  }
}
