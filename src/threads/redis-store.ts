// Thread state in Redis, shared by any number of workers: one-trip lookups, optimistic saves (Lua), verdicts atomic.

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
  /** thread.postCount when the save was asked for (the object may be placed on again before the commit). */
  postCount?: number;
  messageId: string;
  subjectKey: string;
  expectedPostCount: number;
}

export interface RedisThreadStoreOptions {
  /** Key prefix (the daemon's redis.prefix). */
  prefix: string;
  /**
   * How long what a post leaves behind is kept (default 180 days; 0: for ever): its thread's state expires this long
   * after the thread's last post, and its Message-ID and subject index entries, verdict record and noticed mark are
   * swept this long after it was saved, so Redis holds a bounded window of each list, not its whole history.
   */
  threadTtlDays?: number;
  /** The clock, ms since the epoch (tests). */
  now?: () => number;
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
 * The lookups of a run of posts in one script. KEYS: per post, its list's message index and subject index. ARGV: per
 * post, thread key prefix, messageId, subjectKey ('' = none), root ('' = none), the number of parents, then the
 * parents nearest first. Returns per post {1, own thread id} when the post is placed already, else {0, thread id per
 * parent up to the first found ('' = none), subject's thread id, {thread id, json, …}} with the threads of the first
 * found parent, the root, the subject, and the one named after the post (a root arriving after its replies joins
 * it); a thread already returned for an earlier post of the run is not returned again. Thread keys are built here
 * from the prefix, as BullMQ's scripts build job keys: on Redis Cluster this needs a `{hash-tag}` prefix (every key
 * in one slot).
 */
const LOOKUP = new LuaScript(`
local out = {}
local sent = {}
local a = 1
for p = 1, #KEYS / 2 do
  local msgs, subjs = KEYS[2 * p - 1], KEYS[2 * p]
  local prefix, id, subjKey, root, np = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], tonumber(ARGV[a + 4])
  local first = a + 5
  a = first + np
  local own = redis.call('HGET', msgs, id)
  if own then
    out[p] = {1, own}
  else
    local parents = {}
    local found = false
    for i = first, first + np - 1 do
      local t = redis.call('HGET', msgs, ARGV[i])
      parents[#parents + 1] = t or ''
      if t then found = t break end
    end
    local subj = ''
    if subjKey ~= '' then subj = redis.call('HGET', subjs, subjKey) or '' end
    local threads = {}
    local function add(tid)
      if tid == '' or sent[prefix .. tid] then return end
      sent[prefix .. tid] = true
      threads[#threads + 1] = tid
      threads[#threads + 1] = redis.call('HGET', prefix .. tid, 'json') or ''
    end
    if found then add(found) end
    add(root)
    add(subj)
    add(id)
    out[p] = {0, parents, subj, threads}
  end
end
return out
`);

type LookupReply = [1, string] | [0, string[], string, string[]];

/**
 * Commits the saves of a run of posts, in order, each with its verdict, in one atomic step.
 * KEYS: the verdict stream, then per post: thread, message index, subject index, verdict hash, message ages, subject
 * ages, noticed hash.
 * ARGV: ttl seconds (0: keep for ever), stream max length, now (seconds), then per post: expected post count, thread
 * json, new post count, messageId, threadId, subjectKey, verdict json ('' = a plain save, no verdict), list, action.
 * Each saved post's Message-ID (and subject key) is stamped with `now` in its list's age index (a sorted set); then,
 * per list, entries older than the ttl are swept: at most two per post saved plus a few (so the work per commit is
 * bounded and a backlog is worked off over the next commits), each one's message, verdict and noticed entries, or
 * subject entry, removed with it. Thread keys expire on their own (EXPIRE ttl on every save).
 * Returns per post: 1 saved, 0 verdict already recorded (nothing written), -1 the thread moved on (conflict), -2 not
 * tried because an earlier post of the run on the same thread was not saved (it was placed on top of that one).
 * A post's thread is checked against what is in Redis after the earlier posts of the run, so posts of one thread in
 * one run chain; a stale one and every later one on its thread are refused, the others are saved.
 * The stream entry names the verdict (list, message, thread, action); the whole record is in the verdict hash.
 */
const COMMIT = new LuaScript(`
local ttl = tonumber(ARGV[1])
local now = tonumber(ARGV[3])
local out = {}
local broken = {}
-- age index key → { its keys' offset, posts saved }
local lists = {}
local order = {}
local n = (#KEYS - 1) / 7
for i = 0, n - 1 do
  local k = 2 + i * 7
  local a = 4 + i * 9
  local tk = KEYS[k]
  if broken[tk] then
    out[i + 1] = -2
  else
    local cur = tonumber(redis.call('HGET', tk, 'n') or '0')
    local verdict = ARGV[a + 6]
    if cur ~= tonumber(ARGV[a]) then
      broken[tk] = true
      out[i + 1] = -1
    elseif verdict ~= '' and redis.call('HEXISTS', KEYS[k + 3], ARGV[a + 3]) == 1 then
      broken[tk] = true
      out[i + 1] = 0
    else
      redis.call('HSET', tk, 'json', ARGV[a + 1], 'n', ARGV[a + 2])
      if ttl > 0 then redis.call('EXPIRE', tk, ttl) end
      redis.call('HSET', KEYS[k + 1], ARGV[a + 3], ARGV[a + 4])
      if ARGV[a + 5] ~= '' then redis.call('HSET', KEYS[k + 2], ARGV[a + 5], ARGV[a + 4]) end
      if verdict ~= '' then
        redis.call('HSET', KEYS[k + 3], ARGV[a + 3], verdict)
        redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'list', ARGV[a + 7], 'messageId', ARGV[a + 3], 'threadId', ARGV[a + 4], 'action', ARGV[a + 8])
      end
      redis.call('ZADD', KEYS[k + 4], now, ARGV[a + 3])
      if ARGV[a + 5] ~= '' then redis.call('ZADD', KEYS[k + 5], now, ARGV[a + 5]) end
      local l = lists[KEYS[k + 4]]
      if l then l[2] = l[2] + 1 else lists[KEYS[k + 4]] = {k, 1}; order[#order + 1] = KEYS[k + 4] end
      out[i + 1] = 1
    end
  end
end
if ttl > 0 then
  local cutoff = now - ttl
  for _, ages in ipairs(order) do
    local k, saved = lists[ages][1], lists[ages][2]
    local limit = 2 * saved + 8
    local old = redis.call('ZRANGEBYSCORE', ages, '-inf', '(' .. cutoff, 'LIMIT', 0, limit)
    for _, id in ipairs(old) do
      redis.call('HDEL', KEYS[k + 1], id)
      redis.call('HDEL', KEYS[k + 3], id)
      redis.call('HDEL', KEYS[k + 6], id)
      redis.call('ZREM', ages, id)
    end
    local subjectAges = KEYS[k + 5]
    old = redis.call('ZRANGEBYSCORE', subjectAges, '-inf', '(' .. cutoff, 'LIMIT', 0, limit)
    for _, key in ipairs(old) do
      redis.call('HDEL', KEYS[k + 2], key)
      redis.call('ZREM', subjectAges, key)
    end
  end
end
return out
`);

/** How one save of a commit ended: saved, refused as already decided, or refused because its thread moved on. */
export type CommitOutcome = 'saved' | 'already' | 'conflict';

/** One post's lookup reply into the maps a placement reads (a Lookup, or one list of a Snapshot). */
function addReply(into: SnapshotList, keys: LookupKeys, reply: LookupReply): void {
  if (reply[0] === 1) {
    into.messages.set(keys.messageId, reply[1]);
    return;
  }
  const [, parents, subject, threads] = reply;
  into.messages.set(keys.messageId, undefined);
  parents.forEach((t, i) => into.messages.set(keys.parents[i]!, t || undefined));
  if (keys.subjectKey) into.subjects.set(keys.subjectKey, subject || undefined);
  for (let i = 0; i < threads.length; i += 2) into.threads.set(threads[i]!, threads[i + 1] || undefined);
}

export class RedisThreadStore implements ThreadStore {
  private readonly ttlSeconds: number;
  private readonly streamMax: number;
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    private readonly opts: RedisThreadStoreOptions,
  ) {
    this.ttlSeconds = Math.round((opts.threadTtlDays ?? 180) * 86_400);
    this.streamMax = opts.verdictStreamMax ?? 100_000;
    this.now = opts.now ?? Date.now;
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
  /** Message-ID → when its post was saved (a sorted set by seconds): what the commit sweeps expired entries by. */
  private messageAgesKey(list: string): string {
    return `${this.keyPrefix}:msgage:${list}`;
  }
  /** Subject key → when a post last threaded on it. */
  private subjectAgesKey(list: string): string {
    return `${this.keyPrefix}:subjage:${list}`;
  }
  private noticedKey(list: string): string {
    return `${this.keyPrefix}:noticed:${list}`;
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
    const [reply] = await this.lookupReplies([{ list, keys }]);
    const out: Lookup = { list, messageId: keys.messageId, has: reply![0] === 1, messages: new Map(), subjects: new Map(), threads: new Map() };
    addReply(out, keys, reply!);
    return out;
  }

  /**
   * Everything placing a run of posts may read, in one round trip and one script: what their lookups would read,
   * merged (see Snapshot).
   */
  async snapshot(reqs: { list: string; keys: LookupKeys }[]): Promise<Snapshot> {
    const snap = new Snapshot();
    const replies = await this.lookupReplies(reqs);
    reqs.forEach((r, i) => addReply(snap.list(r.list, true)!, r.keys, replies[i]!));
    return snap;
  }

  private async lookupReplies(reqs: { list: string; keys: LookupKeys }[]): Promise<LookupReply[]> {
    if (reqs.length === 0) return [];
    const keys: string[] = [];
    const args: (string | number)[] = [];
    for (const { list, keys: k } of reqs) {
      keys.push(this.messagesKey(list), this.subjectsKey(list));
      args.push(this.threadKey(list, ''), k.messageId, k.subjectKey, k.root ?? '', k.parents.length, ...k.parents);
    }
    return (await LOOKUP.run(this.redis, keys, args)) as LookupReply[];
  }

  async save(thread: Thread, messageId: string, subjectKey: string, expectedPostCount: number): Promise<void> {
    const [r] = await this.commitMany([{ save: { thread, messageId, subjectKey, expectedPostCount } }]);
    if (r === 'conflict') throw new ThreadConflictError(thread.id);
  }

  /**
   * Saves the thread and records the verdict in one atomic step: either both happen or neither, so a worker
   * killed at any moment leaves a post either untouched (re-run from the queue) or fully decided.
   * Returns 'already' when a verdict for this message was recorded before (nothing is written then).
   */
  async commit<N>(pending: PendingSave, verdict: VerdictRecord<N>): Promise<'saved' | 'already'> {
    const [r] = await this.commitMany([{ save: pending, verdict }]);
    if (r === 'conflict') throw new ThreadConflictError(pending.thread.id);
    return r!;
  }

  /**
   * Commits the saves (each with its verdict, if any) of a run of posts decided in this order, in one atomic step
   * and one round trip. Each post is saved with its verdict, or not at all: 'already' (a verdict for it was
   * recorded before; nothing written) or 'conflict' (its thread moved on since it was read, or an earlier post of
   * the run on the same thread was not saved: place it again). Posts of other threads are saved all the same.
   */
  async commitMany<N>(entries: { save: PendingSave; verdict?: VerdictRecord<N> }[]): Promise<CommitOutcome[]> {
    if (entries.length === 0) return [];
    const keys: string[] = [this.verdictStreamKey];
    const args: (string | number)[] = [this.ttlSeconds, this.streamMax, Math.floor(this.now() / 1000)];
    for (const { save: p, verdict } of entries) {
      const list = p.thread.list;
      keys.push(
        this.threadKey(list, p.thread.id),
        this.messagesKey(list),
        this.subjectsKey(list),
        this.verdictsKey(list),
        this.messageAgesKey(list),
        this.subjectAgesKey(list),
        this.noticedKey(list),
      );
      args.push(
        p.expectedPostCount,
        p.json ?? JSON.stringify(p.thread),
        p.postCount ?? p.thread.postCount,
        p.messageId,
        p.thread.id,
        p.subjectKey,
        verdict ? JSON.stringify(verdict) : '',
        list,
        verdict?.action ?? '',
      );
    }
    const codes = (await COMMIT.run(this.redis, keys, args)) as number[];
    return codes.map((c) => (c === 1 ? 'saved' : c === 0 ? 'already' : 'conflict'));
  }

  async verdictOf<N = unknown>(list: string, messageId: string): Promise<VerdictRecord<N> | undefined> {
    const json = await this.redis.hget(this.verdictsKey(list), messageId);
    return json ? (JSON.parse(json) as VerdictRecord<N>) : undefined;
  }

  /** Marks a verdict's notice as queued; true the first time (so a re-run does not queue it twice). */
  async markNoticeQueued(list: string, messageId: string): Promise<boolean> {
    return (await this.redis.hsetnx(this.noticedKey(list), messageId, String(Date.now()))) === 1;
  }
  /** Marks several verdicts' notices as queued (one round trip). */
  async markNoticesQueued(list: string, messageIds: string[]): Promise<void> {
    const at = String(Date.now());
    await Promise.all(messageIds.map((id) => this.redis.hsetnx(this.noticedKey(list), id, at)));
  }
  async noticeQueued(list: string, messageId: string): Promise<boolean> {
    return (await this.redis.hexists(this.noticedKey(list), messageId)) === 1;
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

/** One list's part of a Snapshot. */
interface SnapshotList {
  messages: Map<string, string | undefined>;
  subjects: Map<string, string | undefined>;
  threads: Map<string, string | undefined>;
}

/**
 * What placing a run of posts (a job's) may read without asking Redis: their lookups, made together, and the saves
 * of the posts of the run decided so far (applied in order), so a reply placed after its parent in the same run
 * finds it. A key not here is read from Redis. What it holds may be stale by commit time: the commit checks.
 */
export class Snapshot {
  private readonly lists = new Map<string, SnapshotList>();

  constructor(lookups: Lookup[] = []) {
    for (const l of lookups) {
      const v = this.list(l.list, true)!;
      for (const [k, t] of l.messages) v.messages.set(k, t);
      for (const [k, t] of l.subjects) v.subjects.set(k, t);
      for (const [k, j] of l.threads) v.threads.set(k, j);
    }
  }

  list(list: string, create = false): SnapshotList | undefined {
    let v = this.lists.get(list);
    if (!v && create) this.lists.set(list, (v = { messages: new Map(), subjects: new Map(), threads: new Map() }));
    return v;
  }

  /** A save of a post of this run, as the commit will write it (message and subject index, thread). */
  apply(p: PendingSave): void {
    const v = this.list(p.thread.list, true)!;
    v.messages.set(p.messageId, p.thread.id);
    if (p.subjectKey) v.subjects.set(p.subjectKey, p.thread.id);
    v.threads.set(p.thread.id, p.json ?? JSON.stringify(p.thread));
  }
}

/**
 * Threads a worker process keeps after saving them, for the next post of each (see DeferredSaves.get): at most this
 * many, and at most this much of their JSON (the objects take a few times that), whatever `threads.keepPosts` is.
 */
const SAVED_THREADS = 256;
const SAVED_JSON_CHARS = 4 << 20;

/**
 * Saves are kept in memory, by list and Message-ID, until the worker commits them with the verdict
 * (RedisThreadStore.commitMany). Reads are answered from the run's Snapshot when it has the key (one round trip
 * for the whole placement), from Redis otherwise. One instance serves a worker process, whose one decider places
 * posts one at a time (see PostWorker): the snapshot in force is a plain field, set for one placement at a time.
 * (An AsyncLocalStorage would allow overlapping placements, but while one exists Node runs a hook on every promise
 * of the process, BullMQ's and ioredis' included.)
 */
export class DeferredSaves implements ThreadStore {
  private readonly pending = new Map<string, PendingSave>();
  /**
   * The threads this process saved last (by list and thread id, the oldest first), with the JSON saved: a placement
   * that reads that very JSON gets the object instead of parsing it again (see get).
   */
  private readonly saved = new Map<string, { json: string; thread: Thread }>();
  private savedChars = 0;
  /** Threads handed over from `saved` rather than parsed (tests, benches). */
  reusedThreads = 0;
  private current: Snapshot | undefined;
  /** Reads made inside `within` that the snapshot could not answer (each one a round trip; tests expect none). */
  readsPastLookup = 0;
  constructor(readonly inner: RedisThreadStore) {}

  /**
   * Runs fn (a pipeline call for a post the snapshot was made for) with the snapshot answering its reads. One at a
   * time: a second placement while one runs is a programming error (it would read the other's snapshot).
   */
  async within<T>(snapshot: Snapshot | Lookup, fn: () => Promise<T>): Promise<T> {
    if (this.current) throw new Error('DeferredSaves.within: one placement at a time (the worker decides posts one after another)');
    this.current = snapshot instanceof Snapshot ? snapshot : new Snapshot([snapshot]);
    try {
      return await fn();
    } finally {
      this.current = undefined;
    }
  }
  private known(list: string): SnapshotList | undefined {
    return this.current?.list(list);
  }
  private past<T>(read: Promise<T>): Promise<T> {
    if (this.current) this.readsPastLookup++;
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
      if (!json) return Promise.resolve(undefined);
      // The object this process saved, when the state read is exactly what it saved (a later post of the same run, or
      // the next run's with nobody else on the thread meanwhile): handed over once, as placement changes it.
      const saved = this.forget(`${list}\0${threadId}`);
      if (saved?.json === json) {
        this.reusedThreads++;
        return Promise.resolve(saved.thread);
      }
      return Promise.resolve(JSON.parse(json) as Thread);
    }
    return this.past(this.inner.get(list, threadId));
  }
  hasMessage(list: string, messageId: string): Promise<boolean> {
    const l = this.known(list);
    if (l?.messages.has(messageId)) return Promise.resolve(l.messages.get(messageId) !== undefined);
    return this.past(this.inner.hasMessage(list, messageId));
  }
  async save(thread: Thread, messageId: string, subjectKey: string, expectedPostCount: number): Promise<void> {
    // Serialised now: what is committed is the thread as it was saved, whatever happens to the object later (the
    // next post of the thread may be placed on this very object: see get).
    const json = JSON.stringify(thread);
    this.pending.set(`${thread.list}\0${messageId}`, { thread, json, postCount: thread.postCount, messageId, subjectKey, expectedPostCount });
    const key = `${thread.list}\0${thread.id}`;
    this.forget(key);
    this.saved.set(key, { json, thread });
    this.savedChars += json.length;
    // The oldest go first: a thread not read again soon is most likely read from another worker's save.
    while (this.saved.size > SAVED_THREADS || this.savedChars > SAVED_JSON_CHARS) this.forget(this.saved.keys().next().value!);
  }
  /** Drops a kept thread; the one dropped, if any. */
  private forget(key: string): { json: string; thread: Thread } | undefined {
    const saved = this.saved.get(key);
    if (saved) {
      this.saved.delete(key);
      this.savedChars -= saved.json.length;
    }
    return saved;
  }
  /** The save held for this message (removed from the holder). */
  take(list: string, messageId: string): PendingSave | undefined {
    const key = `${list}\0${messageId}`;
    const p = this.pending.get(key);
    this.pending.delete(key);
    return p;
  }
}
