// Where thread state lives: in memory for replay, in Redis for the daemon. Both speak this interface.

import type { Thread } from '../model/thread.js';

/** The keys by which a post can find its thread. */
export interface ThreadKeys {
  list: string;
  /** Message-IDs this post points at (In-Reply-To and References, nearest first). */
  parents: string[];
  /** Normalized subject for the subject fallback ('' when too generic to thread on). */
  subjectKey: string;
}

export interface ThreadStore {
  /** The thread that a Message-ID (a post already seen) belongs to. */
  threadOfMessage(list: string, messageId: string): Promise<string | undefined>;
  /** The thread most recently seen under a normalized subject. */
  threadOfSubject(list: string, subjectKey: string): Promise<string | undefined>;
  get(list: string, threadId: string): Promise<Thread | undefined>;
  /**
   * Saves the thread and indexes the message and subject under it. `expectedPostCount` is the count the
   * caller read (optimistic concurrency: the Redis store rejects a save whose thread moved on, and the
   * caller re-reads and retries; the memory store ignores it).
   */
  save(thread: Thread, messageId: string, subjectKey: string, expectedPostCount: number): Promise<void>;
  /** True when this message was already placed (a re-delivered post is not counted twice). */
  hasMessage(list: string, messageId: string): Promise<boolean>;
}

export class ThreadConflictError extends Error {
  constructor(readonly threadId: string) {
    super(`thread ${threadId} changed while this post was being placed; retry`);
    this.name = 'ThreadConflictError';
  }
}
