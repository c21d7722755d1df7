// In-memory thread store for replay and tests, bounded so a replay of years of archive keeps a flat memory.

import type { Thread } from '../model/thread.js';
import type { ThreadStore } from './store.js';

export interface MemoryThreadStoreOptions {
  /** Threads kept; the least recently touched beyond this are forgotten (default 4,000: about a month of a busy list). */
  maxThreads?: number;
  /** Message-IDs remembered for threading and dedupe (default 200,000). */
  maxMessages?: number;
}

/** Map used as an LRU: touching a key moves it to the end; the oldest go first. */
function touch<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}

/**
 * A copy the caller may change without touching the stored thread (a post that fails between placing and saving
 * leaves no trace): the thread, its post list, participants and flagged maps are copied. The stored posts' entries
 * are shared, not cloned (structuredClone of every entry was a measurable share of replay): after save nothing
 * writes to an earlier post's entry — placing appends a new one and rules record signals on that one only.
 */
function copyThread(t: Thread): Thread {
  return { ...t, posts: t.posts.slice(), participants: { ...t.participants }, flagged: { ...t.flagged } };
}

export class MemoryThreadStore implements ThreadStore {
  private readonly threads = new Map<string, Thread>();
  private readonly byMessage = new Map<string, string>();
  private readonly bySubject = new Map<string, string>();
  private readonly maxThreads: number;
  private readonly maxMessages: number;
  /** Threads ever saved (the store forgets old ones, the count does not). */
  private created = 0;

  constructor(opts: MemoryThreadStoreOptions = {}) {
    this.maxThreads = opts.maxThreads ?? 4_000;
    this.maxMessages = opts.maxMessages ?? 200_000;
  }

  async threadOfMessage(list: string, messageId: string): Promise<string | undefined> {
    return this.byMessage.get(`${list}\0${messageId}`);
  }
  async threadOfSubject(list: string, subjectKey: string): Promise<string | undefined> {
    return this.bySubject.get(`${list}\0${subjectKey}`);
  }
  async get(list: string, threadId: string): Promise<Thread | undefined> {
    // A forgotten thread comes back as a fresh one under the same id (its root's Message-ID).
    const t = this.threads.get(`${list}\0${threadId}`);
    return t ? copyThread(t) : undefined;
  }
  async save(thread: Thread, messageId: string, subjectKey: string, _expectedPostCount?: number): Promise<void> {
    const key = `${thread.list}\0${thread.id}`;
    if (!this.threads.has(key)) this.created += 1;
    // The caller's copy is never touched again after save: keep it rather than cloning twice.
    touch(this.threads, key, thread, this.maxThreads);
    touch(this.byMessage, `${thread.list}\0${messageId}`, thread.id, this.maxMessages);
    if (subjectKey) touch(this.bySubject, `${thread.list}\0${subjectKey}`, thread.id, this.maxThreads);
  }
  async hasMessage(list: string, messageId: string): Promise<boolean> {
    return this.byMessage.has(`${list}\0${messageId}`);
  }
  /** Threads seen (for replay's summary). */
  get size(): number {
    return this.created;
  }
}
