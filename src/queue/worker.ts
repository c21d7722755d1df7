// The posts worker (BullMQ): each job (a post, or a batch of posts) runs the shared pipeline; each post's verdict is recorded exactly once.

import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config/daemon-schema.js';
import type { Metrics } from '../metrics.js';
import { MAX_EXCERPT, threadSummaryOf } from '../model/notice.js';
import type { Post } from '../model/post.js';
import { parsePost, readPostHead, UnreadableMailError, type PostHead } from '../parse/index.js';
import type { Pipeline, PostOutcome } from '../pipeline/index.js';
import { subjectKeyOf } from '../threads/place.js';
import { ThreadConflictError } from '../threads/store.js';
import type { CommitOutcome, DeferredSaves, LookupKeys, PendingSave, RedisThreadStore, Snapshot, VerdictRecord } from '../threads/redis-store.js';
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
/**
 * The most posts one run of a process's decider takes (see PostWorker.decide): jobs waiting together are decided
 * together, up to this many posts a lookup and a commit (each one Redis script, which holds Redis while it runs).
 */
const RUN_MAX_POSTS = 100;

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
export function lookupKeysOf(post: Pick<Post, 'messageId' | 'inReplyTo' | 'references' | 'normalizedSubject'>): LookupKeys {
  const parents = [post.inReplyTo, ...[...post.references].reverse()].filter((p): p is string => !!p);
  const root = post.references[0] ?? (parents.length ? parents[parents.length - 1] : undefined);
  return { messageId: post.messageId, parents, root, subjectKey: subjectKeyOf(post) };
}

/**
 * One post of a job: its bytes and header section, with the keys its thread state is looked up by. Its body is
 * parsed only when the decider places it: a post waiting in a run holds its bytes (outside the JS heap), not its
 * decoded text, which would otherwise outlive a young-generation GC or two and be copied into the old generation.
 */
interface Item {
  data: PostJobData;
  /** Its place in the job's batch, when batched (to split it out if it fails). */
  batched?: BatchedPost;
  raw: Buffer;
  head: PostHead;
  keys: LookupKeys;
}

/** A post decided before: by an earlier run (duplicate) or by another worker meanwhile (already). */
interface Repeat {
  index: number;
  list: string;
  messageId: string;
  threadId?: string;
  why: 'duplicate' | 'already';
}

/** How a post of a job ended: a result, or handed to `splitOut` / failed the job (null). */
type ItemResult = PostJobResult | null;

/** A job's posts waiting for (or in) a run of the process's decider, and what became of them. */
interface Pending {
  jobId: string;
  items: Item[];
  /** A batch's: takes a post that failed out of it. A post job has none: the post's error fails the job. */
  splitOut?: (item: Item, err: unknown) => void;
  /** The post job's error. */
  error?: unknown;
  results: ItemResult[];
  /** Verdicts recorded for this job's posts (their notices and log lines are the job's to do). */
  recorded: Decided[];
  repeats: Repeat[];
  /** Posts of the job not finished yet (decided, repeated or failed). */
  left: number;
  settled: boolean;
  settle: (err?: unknown) => void;
}

/** One post of a run. */
interface Entry {
  pending: Pending;
  /** Its place in its job. */
  index: number;
  item: Item;
  /** Runs it has been placed in (a thread that moved on under it sends it to the next run). */
  attempt: number;
}

/** A promise's outcome as a value, so it can wait unobserved without being an unhandled rejection. */
type Outcome<T> = { ok: true; value: T } | { ok: false; err: unknown };
const outcomeOf = <T>(p: Promise<T>): Promise<Outcome<T>> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (err: unknown) => ({ ok: false as const, err }),
  );

/** A post placed and decided, its save held for the commit: what the commit and the job's log lines need of it. */
interface Decided {
  entry: Entry;
  list: string;
  messageId: string;
  verdict: Verdicted['verdict'];
  ruleFailures: number;
  save: PendingSave;
  record: VerdictRecord<NoticeJobData> & { seenAt: number };
}

/** Parsing again will not help an unreadable post: straight to the failed set, with the reason. */
const unrecoverable = (err: unknown): unknown => (err instanceof UnreadableMailError ? new UnrecoverableError(`unreadable post: ${err.message}`) : err);

/** A job's post (base64 in the job) as an Item: decoded, its header section read. */
function itemOf(data: PostJobData, batched?: BatchedPost): Item {
  const raw = Buffer.from(data.raw, 'base64');
  let head: PostHead;
  try {
    head = readPostHead(raw);
  } catch (err) {
    throw unrecoverable(err);
  }
  // The job's base64 copy is let go (the job object lives until the job ends; these strings are most of it): a post
  // that fails later is split out or failed from `raw` (see rawData).
  data.raw = '';
  return { data, batched, raw, head, keys: lookupKeysOf(head) };
}

/** A post's job data again, with its bytes (itemOf let the job's copy go). */
const rawData = <T extends PostJobData>(data: T, raw: Buffer): T => ({ ...data, raw: raw.toString('base64') });

async function parseBody(item: Item): Promise<Post> {
  try {
    return await parsePost(item.raw, {}, item.head);
  } catch (err) {
    throw unrecoverable(err);
  }
}

const errMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * BullMQ's Worker, except that finishing a job never fetches the next one in the same call: the main loop fetches
 * it (moveToActive), one round trip more per job. BullMQ 6.7's moveToFinished tests the script's reply with
 * `result < 0`, and when the reply is the next job (data included) that turns the whole reply into a string: for a
 * batch job, hundreds of KB built and thrown away per job, about 4% of a worker's CPU.
 */
class PostsQueueWorker<D, R> extends Worker<D, R> {
  override processJob(job: Job<D, R>, token: string): ReturnType<Worker<D, R>['processJob']> {
    return super.processJob(job, token, () => false);
  }
}

export class PostWorker {
  readonly worker: Worker<PostsJobData, PostsJobResult>;
  /** Jobs whose posts wait for the decider (see decide). */
  private readonly waiting: Pending[] = [];
  private deciding = false;
  /** Verdict lines, one per post: nothing in them to redact (ids, rule names), and redaction is most of a line's cost. */
  private readonly verdictLog: Logger;

  constructor(private readonly opts: PostWorkerOptions) {
    const w = opts.worker;
    this.verdictLog = opts.log.child({}, { redact: { paths: [] } });
    this.worker = new PostsQueueWorker<PostsJobData, PostsJobResult>(POSTS_QUEUE, (job) => this.process(job), {
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

  /**
   * A post job: parsed once, then decided (see decide): its thread state read in one round trip, the pipeline run
   * against that snapshot, thread + verdict committed in one atomic step that also refuses a second verdict.
   */
  async process(job: Job<PostsJobData, PostsJobResult>): Promise<PostsJobResult> {
    const data = job.data;
    if (isBatch(data)) return this.processBatch(job as Job<BatchJobData, PostsJobResult>);
    const jobId = String(job.id);
    const done = await this.decide(jobId, [itemOf(data)]);
    await this.settle(done);
    return done.results[0]!;
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
    // Header sections read while the decider is busy with other jobs' posts; bodies are parsed as it places them.
    const items: Item[] = [];
    for (const p of data.posts) {
      try {
        items.push(itemOf(p, p));
      } catch (err) {
        splitOut(p, err);
      }
    }
    const done = await this.decide(jobId, items, (item, err) => splitOut(rawData(item.batched!, item.raw), err));
    await this.settle(done);
    await queues.addSplit(split);
    // Every post is decided or in a job of its own now: the raw posts need not stay in Redis with the finished job.
    await job.updateData({ list: data.list, posts: [], done: data.posts.length });
    for (const r of done.results) {
      if (r?.status === 'verdict') result.verdicts++;
      else if (r) result.already++;
    }
    return { ...result, split: split.length };
  }

  /**
   * Hands a job's posts to this process's decider, which decides the posts of all jobs waiting for it together, in
   * runs of at most RUN_MAX_POSTS posts (see pump): one run at a time, so jobs of one process never collide on a
   * thread, and the more jobs wait, the fewer round trips per post. Resolves once the job's posts are committed;
   * rejects with a post job's error, or with its run's (Redis) error.
   */
  private decide(jobId: string, items: Item[], splitOut?: (item: Item, err: unknown) => void): Promise<Pending> {
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        jobId,
        items,
        splitOut,
        results: items.map(() => null),
        recorded: [],
        repeats: [],
        left: items.length,
        settled: false,
        settle: (err) => (err === undefined ? resolve(pending) : reject(err)),
      };
      if (items.length === 0) return resolve(pending);
      this.waiting.push(pending);
      void this.pump();
    });
  }

  /**
   * The decider. A run: its posts' thread state read in one round trip (one script), each post placed and decided
   * against that snapshot (which takes in the saves of the posts before it), then all committed in one atomic step
   * that records each verdict once (see RedisThreadStore.commitMany). The next run's lookup goes out right behind
   * the commit, on the same connection: Redis runs it after the commit, so it reads what the commit wrote, and the
   * two share a round trip. A post whose thread moved on meanwhile (another process) is placed again in the next
   * run, as are those placed on top of it.
   */
  private async pump(): Promise<void> {
    if (this.deciding) return;
    this.deciding = true;
    try {
      let redo: Entry[] = [];
      let prev: { decided: Decided[]; committed: Promise<Outcome<CommitOutcome[]>> } | undefined;
      for (;;) {
        const entries = this.nextRun(redo);
        // The pipeline in force now (a reload swaps it); the posts themselves are not changed by a run, so they are reused.
        const pipeline = this.opts.pipeline();
        const lists = entries.map((e) => pipeline.listFor(e.item.head, { list: e.item.data.list }).id);
        const snapshot = entries.length ? outcomeOf(this.opts.store.snapshot(entries.map((e, k) => ({ list: lists[k]!, keys: e.item.keys })))) : undefined;
        redo = prev ? this.afterCommit(prev.decided, await prev.committed) : [];
        prev = undefined;
        if (!snapshot) {
          if (redo.length || this.waiting.length) continue;
          break;
        }
        const read = await snapshot;
        if (!read.ok) {
          for (const e of entries) this.reject(e.pending, read.err);
          continue;
        }
        let decided: Decided[];
        try {
          decided = await this.place(entries, read.value, pipeline, lists);
        } catch (err) {
          for (const e of entries) this.reject(e.pending, err);
          continue;
        }
        prev = { decided, committed: outcomeOf(this.opts.store.commitMany(decided.map((d) => ({ save: d.save, verdict: d.record })))) };
      }
    } finally {
      this.deciding = false;
    }
  }

  /** The posts of the next run: those to place again first, then the jobs waiting, whole, up to RUN_MAX_POSTS. */
  private nextRun(redo: Entry[]): Entry[] {
    const out = redo.filter((e) => !e.pending.settled);
    while (this.waiting.length && (out.length === 0 || out.length + this.waiting[0]!.items.length <= RUN_MAX_POSTS)) {
      const pending = this.waiting.shift()!;
      out.push(...pending.items.map((item, index) => ({ pending, index, item, attempt: 1 })));
    }
    return out;
  }

  /** Places and decides a run's posts in order against its snapshot; what is to be committed. */
  private async place(entries: Entry[], snapshot: Snapshot, pipeline: Pipeline, lists: string[]): Promise<Decided[]> {
    const { saves } = this.opts;
    const decided: Decided[] = [];
    for (const [k, entry] of entries.entries()) {
      const { item, pending } = entry;
      if (pending.settled) continue;
      try {
        const post = await parseBody(item);
        const outcome = await saves.within(snapshot, () => pipeline.processPost(post, { list: item.data.list }));
        if (outcome.kind === 'unreadable') throw new UnrecoverableError(`unreadable post: ${outcome.reason}`);
        if (outcome.kind === 'duplicate') {
          pending.repeats.push({ index: entry.index, list: outcome.list, messageId: outcome.post.messageId, threadId: outcome.threadId, why: 'duplicate' });
          this.finish(entry);
          continue;
        }
        const save = saves.take(outcome.list, outcome.post.messageId);
        if (!save) throw new Error('the pipeline decided without saving the thread; cannot record the verdict');
        snapshot.apply(save);
        // Only what the commit and the log lines need is kept of the post (not its text) until the run is committed.
        decided.push({
          entry,
          list: outcome.list,
          messageId: outcome.post.messageId,
          verdict: outcome.verdict,
          ruleFailures: outcome.ruleFailures.length,
          save,
          record: { ...recordOf(outcome, Date.now()), seenAt: item.data.seenAt },
        });
      } catch (err) {
        saves.take(lists[k]!, item.head.messageId);
        this.fail(entry, err);
      }
    }
    return decided;
  }

  /** A run's commit answered: the posts recorded or repeated are finished; those whose thread moved on come back. */
  private afterCommit(decided: Decided[], committed: Outcome<CommitOutcome[]>): Entry[] {
    if (!committed.ok) {
      for (const d of decided) this.reject(d.entry.pending, committed.err);
      return [];
    }
    const redo: Entry[] = [];
    for (const [j, d] of decided.entries()) {
      const { entry, list, messageId } = d;
      const { pending } = entry;
      const o = committed.value[j];
      if (o === 'saved') {
        pending.recorded.push(d);
        pending.results[entry.index] = { status: 'verdict', list, messageId, action: d.verdict.action };
        this.finish(entry);
      } else if (o === 'already') {
        pending.repeats.push({ index: entry.index, list, messageId, why: 'already' });
        this.finish(entry);
      } else if (entry.attempt < COMMIT_ATTEMPTS) {
        entry.attempt++;
        redo.push(entry);
      } else this.fail(entry, new ThreadConflictError(d.save.thread.id));
    }
    if (redo.length) this.opts.log.debug({ posts: redo.length }, 'threads moved on meanwhile; placing again');
    return redo;
  }

  /** A post that threw: split out of its batch, or its post job's error. Finished either way. */
  private fail(e: Entry, err: unknown): void {
    if (e.pending.splitOut) e.pending.splitOut(e.item, err);
    else e.pending.error ??= err;
    this.finish(e);
  }

  private finish(e: Entry): void {
    const p = e.pending;
    if (--p.left > 0 || p.settled) return;
    p.settled = true;
    p.settle(p.error);
  }

  private reject(p: Pending, err: unknown): void {
    if (p.settled) return;
    p.settled = true;
    p.settle(err);
  }

  /** What a job does once its posts are committed (no longer in the decider's way): notices, metrics, log lines. */
  private async settle(p: Pending): Promise<void> {
    await this.recorded(p.jobId, p.recorded);
    await Promise.all(p.repeats.map(async (r) => (p.results[r.index] = await this.repeated(p.jobId, r))));
  }

  /** Verdicts just recorded: metrics, their notices queued (they cannot have been before), one log line each. */
  private async recorded(jobId: string, done: Decided[]): Promise<void> {
    const { metrics, queues, store } = this.opts;
    const log = this.verdictLog;
    const notices = done.filter((d) => d.record.notice);
    if (notices.length) {
      // Add first, mark after: a crash in between re-adds under the same job ids, which BullMQ ignores.
      await queues.addNotices(notices.map((d) => d.record.notice!));
      const byList = new Map<string, string[]>();
      for (const d of notices) byList.set(d.record.list, [...(byList.get(d.record.list) ?? []), d.record.messageId]);
      await Promise.all([...byList].map(([list, ids]) => store.markNoticesQueued(list, ids)));
    }
    for (const { list, messageId, verdict, ruleFailures, record } of done) {
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
          ruleFailures,
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
