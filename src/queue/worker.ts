// The posts worker (BullMQ): each job (a post, or a batch of posts) runs the shared pipeline; each post's verdict is recorded exactly once.

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
import { type DeferredSaves, type LookupKeys, type PendingSave, type RedisThreadStore, type VerdictRecord } from '../threads/redis-store.js';
import {
  clip,
  isBatch,
  MAX_NOTICE_FLAGS,
  noticeJobId,
  POSTS_QUEUE,
  type BatchedPost,
  type BatchJobData,
  type NoticeJobData,
  type PostJobData,
  type PostsJobData,
} from './jobs.js';
import { KeyLocks, Slots } from './key-locks.js';
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

/** What a post job returns (kept on completed jobs): small. */
export interface PostJobResult {
  status: 'verdict' | 'already' | 'duplicate';
  list: string;
  messageId: string;
  action?: string;
}

/** What a batch job returns: counts only. */
export interface BatchJobResult {
  status: 'batch';
  list: string;
  posts: number;
  /** Posts given a verdict by this job. */
  verdicts: number;
  /** Posts decided before (a re-poll, another worker). */
  already: number;
  /** Posts split out into post jobs of their own (they failed here, or the batch was re-run). */
  split: number;
}

export type PostsJobResult = PostJobResult | BatchJobResult;

/** A post whose commit keeps losing to other workers on its thread fails after this many tries (retried as a job). */
const COMMIT_ATTEMPTS = 8;
/** Batch jobs one process works on at once (see PostWorker.batchSlots). */
const BATCH_SLOTS = 2;

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

/** One post of a job, parsed, with the keys it is looked up and locked by. */
interface Item {
  data: PostJobData;
  /** Its place in the job's batch, when batched (to split it out if it fails). */
  batched?: BatchedPost;
  post: Post;
  keys: LookupKeys;
}

/** A post placed and decided, its save held for the commit. */
interface Decided {
  /** Its place in the job. */
  index: number;
  outcome: Verdicted;
  save: PendingSave;
  record: VerdictRecord<NoticeJobData> & { seenAt: number };
}

/** A post decided before: by an earlier run (duplicate) or by another worker meanwhile (already). */
interface Repeat {
  index: number;
  list: string;
  messageId: string;
  threadId?: string;
  why: 'duplicate' | 'already';
}

/** How a post of a job ended: a result, or handed to `fail` (null). */
type ItemResult = PostJobResult | null;

async function parseJob(raw: Buffer): Promise<Post> {
  try {
    return await parsePost(raw);
  } catch (err) {
    // Parsing again will not help: straight to the failed set, with the reason.
    if (err instanceof UnreadableMailError) throw new UnrecoverableError(`unreadable post: ${err.message}`);
    throw err;
  }
}

const errMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class PostWorker {
  readonly worker: Worker<PostsJobData, PostsJobResult>;
  private readonly locks = new KeyLocks();
  /**
   * Batches this process prepares and decides at once: one deciding, one parsed and ready to go when the other's
   * commit is on its way. More would only park parsed posts in memory (old-generation garbage) while they wait
   * for the same thread locks.
   */
  private readonly batchSlots = new Slots(BATCH_SLOTS);

  constructor(private readonly opts: PostWorkerOptions) {
    const w = opts.worker;
    this.worker = new Worker<PostsJobData, PostsJobResult>(POSTS_QUEUE, (job) => this.process(job), {
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
      const data = job.data;
      const what = isBatch(data) ? { posts: data.posts.length } : { messageId: data.messageId };
      opts.log[final ? 'error' : 'warn'](
        { list: data.list, jobId: job.id, ...what, attempt: job.attemptsMade, err: { message: err.message } },
        final
          ? `${isBatch(data) ? 'batch' : 'post'} failed for good: kept in the failed set (listwarden failed / retry)`
          : `${isBatch(data) ? 'batch failed; its re-run splits it into post jobs' : 'post failed; will retry'}`,
      );
    });
  }

  private lockList(item: { data: PostJobData; post: Post }): string {
    return this.opts.pipeline().listFor(item.post, { list: item.data.list }).id;
  }

  /**
   * A post job: parsed once, its thread state read in one round trip, the pipeline run against that snapshot,
   * and thread + verdict committed in one atomic step that also refuses a second verdict. A batch job: the same
   * for its posts in order, with one lookup round trip and one commit for all of them (see decideAll).
   */
  async process(job: Job<PostsJobData, PostsJobResult>): Promise<PostsJobResult> {
    const data = job.data;
    if (isBatch(data)) return this.processBatch(job as Job<BatchJobData, PostsJobResult>);
    const post = await parseJob(Buffer.from(data.raw, 'base64'));
    const [res] = await this.decideAll(String(job.id), [{ data, post, keys: lookupKeysOf(post) }], (_item, err) => {
      throw err;
    });
    return res!;
  }

  /**
   * A batch runs as a batch once. A post of it that fails (unreadable, a pipeline error, a thread that keeps
   * moving) is split out into a post job of its own, which retries with backoff and lands in the failed set alone;
   * the others get their verdicts. A batch that fails as a whole (Redis) or whose worker died is not run as a batch
   * again: its re-run splits every post into a post job (posts decided already are recognised there), so a post
   * that kills its worker takes no other post with it.
   */
  private async processBatch(job: Job<BatchJobData, PostsJobResult>): Promise<BatchJobResult> {
    const { log, queues } = this.opts;
    const data = job.data;
    const jobId = String(job.id);
    const result: BatchJobResult = { status: 'batch', list: data.list, posts: data.posts.length, verdicts: 0, already: 0, split: 0 };
    if (data.done !== undefined || data.posts.length === 0) return { ...result, posts: data.done ?? 0 };
    if (job.attemptsStarted > 1 || job.stalledCounter > 0) {
      await queues.addSplit(data.posts);
      await job.updateData({ list: data.list, posts: [], done: data.posts.length });
      log.warn({ list: data.list, jobId, posts: data.posts.length, attempt: job.attemptsStarted, stalled: job.stalledCounter }, 'batch re-run: split into post jobs');
      return { ...result, split: data.posts.length };
    }
    const split: BatchedPost[] = [];
    const splitOut = (p: BatchedPost, err: unknown): void => {
      split.push(p);
      log.warn({ list: p.list, jobId, postJobId: p.jobId, messageId: p.messageId, err: { message: errMessage(err) } }, 'post failed in its batch: split out into a job of its own');
    };
    let results: ItemResult[];
    const releaseSlot = await this.batchSlots.acquire();
    try {
      const items: Item[] = [];
      for (const p of data.posts) {
        try {
          const post = await parseJob(Buffer.from(p.raw, 'base64'));
          items.push({ data: p, batched: p, post, keys: lookupKeysOf(post) });
        } catch (err) {
          splitOut(p, err);
        }
      }
      results = await this.decideAll(jobId, items, (item, err) => splitOut(item.batched!, err));
    } finally {
      releaseSlot();
    }
    await queues.addSplit(split);
    // Every post is decided or in a job of its own now: the raw posts need not stay in Redis with the finished job.
    await job.updateData({ list: data.list, posts: [], done: data.posts.length });
    for (const r of results) {
      if (r?.status === 'verdict') result.verdicts++;
      else if (r) result.already++;
    }
    return { ...result, split: split.length };
  }

  /**
   * Decides posts in order: their keys locked against this process's other jobs, their thread state read in one
   * round trip, each placed and decided against that snapshot (which takes in the saves of the posts before it),
   * then all committed in one atomic step that records each verdict once. A post whose thread moved on meanwhile
   * (another process) is read and placed again, with the posts after it on the same thread. A post that throws is
   * handed to `fail` (which rethrows for a post job, splits it out of a batch); an error of the round trips
   * themselves fails the job.
   */
  private async decideAll(jobId: string, items: Item[], fail: (item: Item, err: unknown) => void): Promise<ItemResult[]> {
    const { store, saves } = this.opts;
    const results: ItemResult[] = items.map(() => null);
    if (items.length === 0) return results;
    const recorded: Decided[] = [];
    const repeats: Repeat[] = [];
    const release = await this.locks.acquire(items.flatMap((it) => lockKeysOf(this.lockList(it), it.keys)));
    try {
      let todo = items.map((_, i) => i);
      for (let attempt = 1; todo.length; attempt++) {
        // The pipeline in force now (a reload swaps it); the posts themselves are not changed by a run, so they are reused.
        const pipeline = this.opts.pipeline();
        const lists = todo.map((i) => pipeline.listFor(items[i]!.post, { list: items[i]!.data.list }).id);
        const snapshot = await store.snapshot(todo.map((i, k) => ({ list: lists[k]!, keys: items[i]!.keys })));
        const decided: Decided[] = [];
        for (const [k, i] of todo.entries()) {
          const item = items[i]!;
          try {
            const outcome = await saves.within(snapshot, () => pipeline.processPost(item.post, { list: item.data.list }));
            if (outcome.kind === 'unreadable') throw new UnrecoverableError(`unreadable post: ${outcome.reason}`);
            if (outcome.kind === 'duplicate') {
              repeats.push({ index: i, list: outcome.list, messageId: outcome.post.messageId, threadId: outcome.threadId, why: 'duplicate' });
              continue;
            }
            const save = saves.take(outcome.list, outcome.post.messageId);
            if (!save) throw new Error('the pipeline decided without saving the thread; cannot record the verdict');
            snapshot.apply(save);
            decided.push({ index: i, outcome, save, record: { ...recordOf(outcome, Date.now()), seenAt: item.data.seenAt } });
          } catch (err) {
            saves.take(lists[k]!, item.post.messageId);
            fail(item, err);
          }
        }
        const outcomes = await store.commitMany(decided.map((d) => ({ save: d.save, verdict: d.record })));
        const next: number[] = [];
        for (const [j, d] of decided.entries()) {
          const o = outcomes[j];
          const { list } = d.outcome;
          const messageId = d.outcome.post.messageId;
          if (o === 'saved') {
            recorded.push(d);
            results[d.index] = { status: 'verdict', list, messageId, action: d.outcome.verdict.action };
          } else if (o === 'already') repeats.push({ index: d.index, list, messageId, why: 'already' });
          else if (attempt < COMMIT_ATTEMPTS) next.push(d.index);
          else fail(items[d.index]!, new ThreadConflictError(d.save.thread.id));
        }
        if (next.length) this.opts.log.debug({ jobId, posts: next.length, attempt }, 'threads moved on meanwhile; placing again');
        todo = next.sort((a, b) => a - b);
      }
    } finally {
      release();
    }
    // What follows needs no lock: the verdicts are recorded; a crash from here on leaves posts decided, and their
    // re-run (as duplicates) queues any notice not queued yet.
    await this.recorded(jobId, recorded);
    await Promise.all(repeats.map(async (r) => (results[r.index] = await this.repeated(jobId, r))));
    return results;
  }

  /** Verdicts just recorded: metrics, their notices queued (they cannot have been before), one log line each. */
  private async recorded(jobId: string, done: Decided[]): Promise<void> {
    const { metrics, log, queues, store } = this.opts;
    const notices = done.filter((d) => d.record.notice);
    if (notices.length) {
      // Add first, mark after: a crash in between re-adds under the same job ids, which BullMQ ignores.
      await queues.addNotices(notices.map((d) => d.record.notice!));
      const byList = new Map<string, string[]>();
      for (const d of notices) byList.set(d.record.list, [...(byList.get(d.record.list) ?? []), d.record.messageId]);
      await Promise.all([...byList].map(([list, ids]) => store.markNoticesQueued(list, ids)));
    }
    for (const { outcome, record } of done) {
      const { list, verdict } = outcome;
      const messageId = outcome.post.messageId;
      if (metrics) {
        metrics.postsParsed.inc({ list });
        for (const f of verdict.flags) metrics.flags.inc({ list, rule: f.rule, severity: f.severity });
        metrics.verdictSeconds.observe(Math.max(0, record.at - record.seenAt) / 1000);
      }
      // Plain fields rather than child loggers: a child per post costs more than the line it writes.
      const at = { jobId, list, messageId };
      log.info(
        {
          ...at,
          threadId: verdict.threadId,
          action: verdict.action,
          flags: verdict.flags.map((f) => `${f.rule}:${f.severity}`),
          ruleFailures: outcome.ruleFailures.length,
          ms: record.at - record.seenAt,
        },
        'verdict',
      );
      if (verdict.flags.length && log.isLevelEnabled('debug')) log.debug({ ...at, evidence: verdict.flags.map((f) => f.evidence) }, 'verdict evidence');
    }
  }

  /** A post decided before (a re-poll, a re-run, another worker first): nothing new, but its notice is made sure of. */
  private async repeated(jobId: string, r: Repeat): Promise<PostJobResult> {
    const { store, log } = this.opts;
    const { list, messageId } = r;
    const rec = await store.verdictOf<NoticeJobData>(list, messageId);
    if (rec?.notice && !(await store.noticeQueued(list, messageId))) {
      await this.opts.queues.addNotice(rec.notice.noticeId, rec.notice);
      await store.markNoticeQueued(list, messageId);
    }
    if (r.why === 'duplicate') log.info({ jobId, list, messageId, threadId: r.threadId, recorded: !!rec }, 'post already decided; nothing new');
    else log.info({ jobId, list, messageId }, 'another worker recorded this verdict first');
    return { status: r.why === 'duplicate' && !rec ? 'duplicate' : 'already', list, messageId };
  }

  /** Stops taking jobs and waits for the running ones to finish. */
  async close(): Promise<void> {
    await this.worker.close();
  }
}
