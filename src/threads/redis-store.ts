// Thread state in Redis, shared by any number of workers: one-trip lookups, optimistic saves (Lua), verdicts atomic.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Redis } from 'ioredis';
import type { Thread } from '../model/thread.js';
import type { Action, Severity } from '../model/flag.js';
import { LuaScript } from '../queue/redis.js';
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
  /** The thread as JSON when the save was asked for (what is written). */
  json?: string;
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

/** The keys by which placing one post may look its thread up (see threads/place.ts). */
export interface LookupKeys {
  messageId: string;
  /** In-Reply-To and References, nearest first. */
  parents: string[];
  /** The first reference (or the farthest parent): threads are named after their root. */
  root?: string;
  /** '' when the subject is too generic to thread on. */
  subjectKey: string;
}

/**
 * What one round trip read for one post, as of that moment: the answers its placement will ask for. Only the keys
 * looked up are here (a key not here is read from Redis); `undefined` means "looked up, not there".
 */
export interface Lookup {
  list: string;
  messageId: string;
  /** The post itself is already placed. */
  has: boolean;
  /** Message-ID → thread id. */
  messages: Map<string, string | undefined>;
  /** Subject key → thread id. */
  subjects: Map<string, string | undefined>;
  /** Thread id → thread JSON. */
  threads: Map<string, string | undefined>;
}

/**
 * KEYS: message index, subject index. ARGV: thread key prefix, messageId, subjectKey ('' = none), root ('' = none),
 * then the parents nearest first. Returns {1, own thread id} when the post is placed already, else
 * {0, thread id per parent up to the first found ('' = none), subject's thread id, {thread id, json, …}} with the
 * threads of the first found parent, the root, the subject, and the one named after the post (a root arriving after
 * its replies joins it). Thread keys are built here from the prefix, as BullMQ's scripts build job keys: on Redis
 * Cluster this needs a `{hash-tag}` prefix (every key in one slot).
 */
const LOOKUP = new LuaScript(`
local own = redis.call('HGET', KEYS[1], ARGV[2])
if own then return {1, own} end
local parents = {}
local found = false
for i = 5, #ARGV do
  local t = redis.call('HGET', KEYS[1], ARGV[i])
  parents[#parents + 1] = t or ''
  if t then found = t break end
end
local subj = ''
if ARGV[3] ~= '' then subj = redis.call('HGET', KEYS[2], ARGV[3]) or '' end
local threads = {}
local seen = {}
local function add(id)
  if id == '' or seen[id] then return end
  seen[id] = true
  threads[#threads + 1] = id
  threads[#threads + 1] = redis.call('HGET', ARGV[1] .. id, 'json') or ''
end
if found then add(found) end
add(ARGV[4])
add(subj)
add(ARGV[2])
return {0, parents, subj, threads}
`);

/**
 * KEYS: thread, message index, subject index, verdict hash, verdict stream.
 * ARGV: expected post count, thread json, new post count, messageId, threadId, subjectKey, verdict json ('' = none),
 * ttl seconds, stream max length, list, action.
 * Returns 1 saved, 0 verdict already recorded (nothing written), -1 the thread moved on (conflict).
 * The stream entry names the verdict (list, message, thread, action); the whole record is in the verdict hash.
 */
const SAVE = new LuaScript(`
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
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[9], '*', 'list', ARGV[10], 'messageId', ARGV[4], 'threadId', ARGV[5], 'action', ARGV[11])
end
return 1
`);

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

  /** Everything placing one post may read, in one round trip (see DeferredSaves.within). */
  async lookup(list: string, keys: LookupKeys): Promise<Lookup> {
    const reply = (await LOOKUP.run(
      this.redis,
      [this.messagesKey(list), this.subjectsKey(list)],
      [this.threadKey(list, ''), keys.messageId, keys.subjectKey, keys.root ?? '', ...keys.parents],
    )) as [1, string] | [0, string[], string, string[]];
    const out: Lookup = { list, messageId: keys.messageId, has: reply[0] === 1, messages: new Map(), subjects: new Map(), threads: new Map() };
    if (reply[0] === 1) {
      out.messages.set(keys.messageId, reply[1]);
      return out;
    }
    const [, parents, subject, threads] = reply;
    out.messages.set(keys.messageId, undefined);
    parents.forEach((t, i) => out.messages.set(keys.parents[i]!, t || undefined));
    if (keys.subjectKey) out.subjects.set(keys.subjectKey, subject || undefined);
    for (let i = 0; i < threads.length; i += 2) out.threads.set(threads[i]!, threads[i + 1] || undefined);
    return out;
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
    const result = (await SAVE.run(
      this.redis,
      [this.threadKey(list, p.thread.id), this.messagesKey(list), this.subjectsKey(list), this.verdictsKey(list), this.verdictStreamKey],
      [
        p.expectedPostCount,
        p.json ?? JSON.stringify(p.thread),
        p.thread.postCount,
        p.messageId,
        p.thread.id,
        p.subjectKey,
        verdict ? JSON.stringify(verdict) : '',
        this.ttlSeconds,
        this.streamMax,
        list,
        verdict?.action ?? '',
      ],
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
 * Saves are kept in memory, by list and Message-ID, until the worker commits them with the verdict
 * (RedisThreadStore.commit). Reads are answered from the job's Lookup when it has the key (one round trip for the
 * whole placement), from Redis otherwise. One instance serves all jobs of a worker process: jobs differ by message,
 * and each job's Lookup is its own (AsyncLocalStorage), so concurrent jobs never see each other's.
 */
export class DeferredSaves implements ThreadStore {
  private readonly pending = new Map<string, PendingSave>();
  private readonly scope = new AsyncLocalStorage<Lookup>();
  /** Reads made inside `within` that the lookup could not answer (each one a round trip; tests expect none). */
  readsPastLookup = 0;
  constructor(readonly inner: RedisThreadStore) {}

  /** Runs fn (a pipeline call for the post the lookup was made for) with the lookup answering its reads. */
  within<T>(lookup: Lookup, fn: () => Promise<T>): Promise<T> {
    return this.scope.run(lookup, fn);
  }
  private known(list: string): Lookup | undefined {
    const l = this.scope.getStore();
    return l && l.list === list ? l : undefined;
  }
  private past<T>(read: Promise<T>): Promise<T> {
    if (this.scope.getStore()) this.readsPastLookup++;
    return read;
  }

  threadOfMessage(list: string, messageId: string): Promise<string | undefined> {
    const l = this.known(list);
    if (l?.messages.has(messageId)) return Promise.resolve(l.messages.get(messageId));
    return this.past(this.inner.threadOfMessage(list, messageId));
  }
  threadOfSubject(list: string, subjectKey: string): Promise<string | undefined> {
    const l = this.known(list);
    if (l?.subjects.has(subjectKey)) return Promise.resolve(l.subjects.get(subjectKey));
    return this.past(this.inner.threadOfSubject(list, subjectKey));
  }
  get(list: string, threadId: string): Promise<Thread | undefined> {
    const l = this.known(list);
    if (l?.threads.has(threadId)) {
      const json = l.threads.get(threadId);
      // A fresh object each time: placement changes the thread it gets.
      return Promise.resolve(json ? (JSON.parse(json) as Thread) : undefined);
    }
    return this.past(this.inner.get(list, threadId));
  }
  hasMessage(list: string, messageId: string): Promise<boolean> {
    const l = this.known(list);
    if (l && l.messageId === messageId) return Promise.resolve(l.has);
    return this.past(this.inner.hasMessage(list, messageId));
  }
  async save(thread: Thread, messageId: string, subjectKey: string, expectedPostCount: number): Promise<void> {
    // Serialised now: what is committed is the thread as it was saved, whatever happens to the object later.
    this.pending.set(`${thread.list}\0${messageId}`, { thread, json: JSON.stringify(thread), messageId, subjectKey, expectedPostCount });
  }
  /** The save held for this message (removed from the holder). */
  take(list: string, messageId: string): PendingSave | undefined {
    const key = `${list}\0${messageId}`;
    const p = this.pending.get(key);
    this.pending.delete(key);
    return p;
  }
}
