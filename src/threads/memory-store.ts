// In-memory thread store for replay and tests, bounded so a replay of years of archive keeps a flat memory.

import type { Thread } from '../model/thread.js';
import type { ThreadStore } from './store.js';

export interface MemoryThreadStoreOptions {
  /** Threads kept; the least recently touched beyond this are forgotten (default 4,000: about a month of a busy list). */
  maxThreads?: number;
  /** Message-IDs remembered for threading and dedupe (default 200,000). */
  maxMessages?: number;
}

/** Map used as an LRU: touching a key moves it to the end; the oldest go first. True when the key was there. */
function touch<K, V>(map: Map<K, V>, key: K, value: V, max: number): boolean {
  const had = map.delete(key);
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  return had;
}

/** The same map with every key prefixed, in the same order (so the LRU order is kept). */
function prefixed<V>(map: Map<string, V>, prefix: string): Map<string, V> {
  const out = new Map<string, V>();
  for (const [k, v] of map) out.set(prefix + k, v);
  return out;
}

/**
 * A copy the caller may change without touching the stored thread (a post that fails between placing and saving
 * leaves no trace): the thread, its post list, participants and flagged maps are copied. The stored posts' entries
 * are shared, not cloned (structuredClone of every entry was a measurable share of replay): after save nothing
 * writes to an earlier post's entry — placing appends a new one and rules record signals on that one only.
 */
function copyThread(t: Thread): Thread {
  // Field by field rather than a spread: threads come in several shapes (with or without times), and a spread of
  // objects of many shapes takes V8's slow path. The keys keep their order (the order placePost gives them).
  const c: Thread = {
    id: t.id,
    list: t.list,
    subject: t.subject,
    normalizedSubject: t.normalizedSubject,
    posts: t.posts.slice(),
    postCount: t.postCount,
    participants: { ...t.participants },
    flagged: { ...t.flagged },
  };
  if ('firstAt' in t) c.firstAt = t.firstAt;
  if ('lastAt' in t) c.lastAt = t.lastAt;
  return c;
}

export class MemoryThreadStore implements ThreadStore {
  // Keyed by the id alone while one list has been seen (replay's usual case: a key built per lookup was a
  // measurable share of replay); from a second list on, by `${list}\0${id}`.
  private threads = new Map<string, Thread>();
  private byMessage = new Map<string, string>();
  private bySubject = new Map<string, string>();
  /** The only list seen so far; undefined before the first and once there are several. */
  private only: string | undefined;
  private several = false;
  private readonly maxThreads: number;
  private readonly maxMessages: number;
  /** Threads ever saved (the store forgets old ones, the count does not). */
  private created = 0;

  constructor(opts: MemoryThreadStoreOptions = {}) {
    this.maxThreads = opts.maxThreads ?? 4_000;
    this.maxMessages = opts.maxMessages ?? 200_000;
  }

  private key(list: string, id: string): string {
    if (list === this.only) return id;
    if (!this.several) {
      if (this.only === undefined) {
        this.only = list;
        return id;
      }
      // A second list: the keys so far all belong to the first one.
      const prefix = `${this.only}\0`;
      this.threads = prefixed(this.threads, prefix);
      this.byMessage = prefixed(this.byMessage, prefix);
      this.bySubject = prefixed(this.bySubject, prefix);
      this.only = undefined;
      this.several = true;
    }
    return `${list}\0${id}`;
  }

  async threadOfMessage(list: string, messageId: string): Promise<string | undefined> {
    return this.byMessage.get(this.key(list, messageId));
  }
  async threadOfSubject(list: string, subjectKey: string): Promise<string | undefined> {
    return this.bySubject.get(this.key(list, subjectKey));
  }
  async get(list: string, threadId: string): Promise<Thread | undefined> {
    // A forgotten thread comes back as a fresh one under the same id (its root's Message-ID).
    const t = this.threads.get(this.key(list, threadId));
    return t ? copyThread(t) : undefined;
  }
  async save(thread: Thread, messageId: string, subjectKey: string, _expectedPostCount?: number): Promise<void> {
    const key = this.key(thread.list, thread.id);
    // The caller's copy is never touched again after save: keep it rather than cloning twice.
    if (!touch(this.threads, key, thread, this.maxThreads)) this.created += 1;
    touch(this.byMessage, this.key(thread.list, messageId), thread.id, this.maxMessages);
    if (subjectKey) touch(this.bySubject, this.key(thread.list, subjectKey), thread.id, this.maxThreads);
  }
  async hasMessage(list: string, messageId: string): Promise<boolean> {
    return this.byMessage.has(this.key(list, messageId));
  }
  /** Threads seen (for replay's summary). */
  get size(): number {
    return this.created;
  }
}
