// Thread state in Redis, shared by any number of workers: optimistic saves (Lua), and the verdict recorded atomically.

import type { Redis } from 'ioredis';
import type { Thread } from '../model/thread.js';
import type { Action, Severity } from '../model/flag.js';
import { ThreadConflictError, type ThreadStore } from './store.js';

/**
 * What is kept of a verdict: enough to tell it happened and, for alert/digest, the notice to (re-)send (`N`, the
 * notice payload, is the queue's type; this stage does not know it).
 */
export interface VerdictRecord<N = unknown> {
  list: string;
  messageId: string;
  threadId: string;
  action: Action;
  flags: { rule: string; severity: Severity; score: number; action: Action }[];
  suppressed: number;
  /** ms since epoch when the verdict was recorded. */
  at: number;
  /** ms since epoch when the poller learnt of the post (EXISTS or a check), when it came from a mailbox. */
  seenAt?: number;
  /** The notice for an alert or digest verdict. */
  notice?: N;
}

/** A save the pipeline asked for, held back so it can be committed together with the verdict. */
export interface PendingSave {
  thread: Thread;
  messageId: string;
  subjectKey: string;
  expectedPostCount: number;
}

export interface RedisThreadStoreOptions {
  /** Key prefix (the daemon's redis.prefix). */
  prefix: string;
  /** Thread state not touched for this long expires (default 180 days). */
  threadTtlDays?: number;
  /** Entries kept in the verdict stream (approximate; default 100 000). */
  verdictStreamMax?: number;
}

/**
 * KEYS: thread, message index, subject index, verdict hash, verdict stream.
 * ARGV: expected post count, thread json, new post count, messageId, threadId, subjectKey, verdict json ('' = none),
 * ttl seconds, stream max length, list.
 * Returns 1 saved, 0 verdict already recorded (nothing written), -1 the thread moved on (conflict).
 */
const SAVE_LUA = `
local cur = redis.call('HGET', KEYS[1], 'n')
local curN = 0
if cur then curN = tonumber(cur) end
if curN ~= tonumber(ARGV[1]) then return -1 end
if ARGV[7] ~= '' and redis.call('HEXISTS', KEYS[4], ARGV[4]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'n', ARGV[3])
if tonumber(ARGV[8]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[8]) end
redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
if ARGV[6] ~= '' then redis.call('HSET', KEYS[3], ARGV[6], ARGV[5]) end
if ARGV[7] ~= '' then
  redis.call('HSET', KEYS[4], ARGV[4], ARGV[7])
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[9], '*', 'list', ARGV[10], 'messageId', ARGV[4], 'verdict', ARGV[7])
end
return 1
`;

export class RedisThreadStore implements ThreadStore {
  private readonly ttlSeconds: number;
  private readonly streamMax: number;

  constructor(
    private readonly redis: Redis,
    private readonly opts: RedisThreadStoreOptions,
  ) {
    this.ttlSeconds = Math.round((opts.threadTtlDays ?? 180) * 86_400);
    this.streamMax = opts.verdictStreamMax ?? 100_000;
  }

  /** Every key this store writes starts with this. */
  get keyPrefix(): string {
    return `${this.opts.prefix}:lw`;
  }
  private threadKey(list: string, threadId: string): string {
    return `${this.keyPrefix}:thread:${list}:${threadId}`;
  }
  private messagesKey(list: string): string {
    return `${this.keyPrefix}:msg:${list}`;
  }
  private subjectsKey(list: string): string {
    return `${this.keyPrefix}:subj:${list}`;
  }
  private verdictsKey(list: string): string {
    return `${this.keyPrefix}:verdict:${list}`;
  }
  /** The stream every recorded verdict is appended to, once (an audit feed; tests count on it). */
  get verdictStreamKey(): string {
    return `${this.keyPrefix}:verdicts`;
  }

  async threadOfMessage(list: string, messageId: string): Promise<string | undefined> {
    return (await this.redis.hget(this.messagesKey(list), messageId)) ?? undefined;
  }
  async threadOfSubject(list: string, subjectKey: string): Promise<string | undefined> {
    if (!subjectKey) return undefined;
    return (await this.redis.hget(this.subjectsKey(list), subjectKey)) ?? undefined;
  }
  async get(list: string, threadId: string): Promise<Thread | undefined> {
    const json = await this.redis.hget(this.threadKey(list, threadId), 'json');
    return json ? (JSON.parse(json) as Thread) : undefined;
  }
  async hasMessage(list: string, messageId: string): Promise<boolean> {
    return (await this.redis.hexists(this.messagesKey(list), messageId)) === 1;
  }

  async save(thread: Thread, messageId: string, subjectKey: string, expectedPostCount: number): Promise<void> {
    await this.write({ thread, messageId, subjectKey, expectedPostCount }, undefined);
  }

  /**
   * Saves the thread and records the verdict in one atomic step: either both happen or neither, so a worker
   * killed at any moment leaves a post either untouched (re-run from the queue) or fully decided.
   * Returns 'already' when a verdict for this message was recorded before (nothing is written then).
   */
  async commit<N>(pending: PendingSave, verdict: VerdictRecord<N>): Promise<'saved' | 'already'> {
    return this.write(pending, verdict);
  }

  private async write<N>(p: PendingSave, verdict: VerdictRecord<N> | undefined): Promise<'saved' | 'already'> {
    const list = p.thread.list;
    const result = (await this.redis.eval(
      SAVE_LUA,
      5,
      this.threadKey(list, p.thread.id),
      this.messagesKey(list),
      this.subjectsKey(list),
      this.verdictsKey(list),
      this.verdictStreamKey,
      String(p.expectedPostCount),
      JSON.stringify(p.thread),
      String(p.thread.postCount),
      p.messageId,
      p.thread.id,
      p.subjectKey,
      verdict ? JSON.stringify(verdict) : '',
      String(this.ttlSeconds),
      String(this.streamMax),
      list,
    )) as number;
    if (result === -1) throw new ThreadConflictError(p.thread.id);
    return result === 0 ? 'already' : 'saved';
  }

  async verdictOf<N = unknown>(list: string, messageId: string): Promise<VerdictRecord<N> | undefined> {
    const json = await this.redis.hget(this.verdictsKey(list), messageId);
    return json ? (JSON.parse(json) as VerdictRecord<N>) : undefined;
  }

  /** Marks a verdict's notice as queued; true the first time (so a re-run does not queue it twice). */
  async markNoticeQueued(list: string, messageId: string): Promise<boolean> {
    return (await this.redis.hsetnx(`${this.keyPrefix}:noticed:${list}`, messageId, String(Date.now()))) === 1;
  }
  async noticeQueued(list: string, messageId: string): Promise<boolean> {
    return (await this.redis.hexists(`${this.keyPrefix}:noticed:${list}`, messageId)) === 1;
  }

  /** How many verdicts a list has (for tests and `status`). */
  async verdictCount(list: string): Promise<number> {
    return this.redis.hlen(this.verdictsKey(list));
  }

  /** A view of this store whose saves are held back (see DeferredSaves), for the worker's atomic commit. */
  deferring(): DeferredSaves {
    return new DeferredSaves(this);
  }
}

/**
 * Reads go to Redis; saves are kept in memory, by list and Message-ID, until the worker commits them with the
 * verdict (RedisThreadStore.commit). One instance serves all jobs of a worker process: jobs differ by message.
 */
export class DeferredSaves implements ThreadStore {
  private readonly pending = new Map<string, PendingSave>();
  constructor(readonly inner: RedisThreadStore) {}

  threadOfMessage(list: string, messageId: string): Promise<string | undefined> {
    return this.inner.threadOfMessage(list, messageId);
  }
  threadOfSubject(list: string, subjectKey: string): Promise<string | undefined> {
    return this.inner.threadOfSubject(list, subjectKey);
  }
  get(list: string, threadId: string): Promise<Thread | undefined> {
    return this.inner.get(list, threadId);
  }
  hasMessage(list: string, messageId: string): Promise<boolean> {
    return this.inner.hasMessage(list, messageId);
  }
  async save(thread: Thread, messageId: string, subjectKey: string, expectedPostCount: number): Promise<void> {
    this.pending.set(`${thread.list}\0${messageId}`, { thread: structuredClone(thread), messageId, subjectKey, expectedPostCount });
  }
  /** The save held for this message (removed from the holder). */
  take(list: string, messageId: string): PendingSave | undefined {
    const key = `${list}\0${messageId}`;
    const p = this.pending.get(key);
    this.pending.delete(key);
    return p;
  }
}
