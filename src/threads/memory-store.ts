// In-memory thread store for replay and tests.

import type { Thread } from '../model/thread.js';
import type { ThreadStore } from './store.js';

export class MemoryThreadStore implements ThreadStore {
  private readonly threads = new Map<string, Thread>();
  private readonly byMessage = new Map<string, string>();
  private readonly bySubject = new Map<string, string>();

  async threadOfMessage(list: string, messageId: string): Promise<string | undefined> {
    return this.byMessage.get(`${list}\0${messageId}`);
  }
  async threadOfSubject(list: string, subjectKey: string): Promise<string | undefined> {
    return this.bySubject.get(`${list}\0${subjectKey}`);
  }
  async get(list: string, threadId: string): Promise<Thread | undefined> {
    const t = this.threads.get(`${list}\0${threadId}`);
    return t ? structuredClone(t) : undefined;
  }
  async save(thread: Thread, messageId: string, subjectKey: string, _expectedPostCount?: number): Promise<void> {
    this.threads.set(`${thread.list}\0${thread.id}`, structuredClone(thread));
    this.byMessage.set(`${thread.list}\0${messageId}`, thread.id);
    if (subjectKey) this.bySubject.set(`${thread.list}\0${subjectKey}`, thread.id);
  }
  async hasMessage(list: string, messageId: string): Promise<boolean> {
    return this.byMessage.has(`${list}\0${messageId}`);
  }
  /** Threads held (for replay's summary). */
  get size(): number {
    return this.threads.size;
  }
}
