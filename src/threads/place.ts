// Which thread a post belongs to: by References / In-Reply-To, falling back to the normalized subject.

import type { Post } from '../model/post.js';
import type { Thread, ThreadPost } from '../model/thread.js';
import type { ThreadsConfig } from '../config/types.js';
import type { ThreadStore } from './store.js';

/** A reply marker at the start of a subject, after any [list tags]: "Re:", "AW:", "返信:", "Re[2]:", … */
const REPLY_MARKER =
  /^\s*(?:\[[^\]]{0,60}\]\s*)*(?:re|aw|sv|vs|r|réf|ref|rif|odp|fwd?|wg|tr|antw|答复|回复|返信|转发|転送)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]/iu;

/** Subjects too generic to join threads on when reply headers are missing. */
const GENERIC_SUBJECTS = new Set(['', 'help', 'question', 'hi', 'hello', 'test', 'problem', 'no subject', '(no subject)', 'query', 'urgent', 'info']);

export function subjectKeyOf(post: Pick<Post, 'normalizedSubject'>): string {
  const s = post.normalizedSubject.trim();
  return s.length < 4 || GENERIC_SUBJECTS.has(s) ? '' : s;
}

export function authorKeyOf(post: Post): string {
  return (post.from.address ?? post.from.name ?? post.author).toLowerCase();
}

export interface Placement {
  thread: Thread;
  /** The post count read before this post was added (for the store's optimistic concurrency). */
  expectedPostCount: number;
  subjectKey: string;
  /** How the thread was found, for explain and tests. */
  how: 'new' | 'reply-headers' | 'root-reference' | 'subject';
}

function newThread(id: string, list: string, post: Post): Thread {
  return {
    id,
    list,
    subject: post.subject,
    normalizedSubject: post.normalizedSubject,
    posts: [],
    postCount: 0,
    participants: {},
    flagged: {},
  };
}

async function findThread(post: Post, list: string, store: ThreadStore, cfg: ThreadsConfig, subjectKey: string)
  : Promise<{ thread?: Thread; id?: string; how: Placement['how'] }> {
  // In-Reply-To, then References nearest first (empty ones skipped).
  const refs = post.references;
  let parents = 0;
  let farthest: string | undefined;
  for (let i = -1; i < refs.length; i++) {
    const parent = i < 0 ? post.inReplyTo : refs[refs.length - 1 - i];
    if (!parent) continue;
    parents += 1;
    farthest = parent;
    const id = await store.threadOfMessage(list, parent);
    if (!id) continue;
    const thread = await store.get(list, id);
    // "New topic (was: old topic)" opens a thread of its own even though it replies into the old one;
    // replies to it (same new subject) then follow the new thread.
    if (post.wasSubject !== undefined && thread && thread.normalizedSubject !== post.normalizedSubject) return { how: 'new' };
    return { thread, id, how: 'reply-headers' };
  }
  if (post.wasSubject !== undefined) return { how: 'new' };
  const root = refs[0] ?? farthest;
  if (root) {
    // The root itself was never seen (the archive starts mid-thread): threads are named after it anyway.
    const existing = await store.get(list, root);
    if (existing) return { thread: existing, id: root, how: 'root-reference' };
  }
  const looksLikeReply = parents > 0 || REPLY_MARKER.test(post.subject);
  if (looksLikeReply && subjectKey) {
    const id = await store.threadOfSubject(list, subjectKey);
    const thread = id ? await store.get(list, id) : undefined;
    const at = post.date?.getTime();
    const fresh = !thread?.lastAt || at === undefined || at - thread.lastAt <= cfg.subjectWindowDays * 86_400_000;
    if (thread && fresh) return { thread, id, how: 'subject' };
  }
  if (root) return { id: root, how: 'root-reference' };
  // The root itself, arriving after its replies (another worker, or an archive out of order): they named
  // their thread after it, so it joins that thread rather than starting a second one under the same id.
  const named = await store.get(list, post.messageId);
  if (named) return { thread: named, id: post.messageId, how: 'root-reference' };
  return { how: 'new' };
}

/**
 * Finds (or starts) the post's thread and returns it with the post appended. Nothing is saved: the pipeline
 * saves the thread after the rules and decide have run, so a crash in between leaves no half-placed post.
 */
export async function placePost(post: Post, list: string, store: ThreadStore, cfg: ThreadsConfig): Promise<Placement> {
  const subjectKey = subjectKeyOf(post);
  const found = await findThread(post, list, store, cfg, subjectKey);
  const thread = found.thread ?? newThread(found.id ?? post.messageId, list, post);
  const expectedPostCount = thread.postCount;
  const at = post.date?.getTime();
  const authorKey = authorKeyOf(post);
  const entry: ThreadPost = {
    messageId: post.messageId,
    author: post.author,
    authorKey,
    at: Number.isFinite(at) ? at : undefined,
    subject: post.subject,
    inReplyTo: post.inReplyTo,
    signals: {},
  };
  thread.posts.push(entry);
  if (thread.posts.length > cfg.keepPosts) thread.posts.splice(0, thread.posts.length - cfg.keepPosts);
  thread.postCount += 1;
  thread.participants[authorKey] = (thread.participants[authorKey] ?? 0) + 1;
  if (entry.at !== undefined) {
    thread.firstAt = Math.min(thread.firstAt ?? entry.at, entry.at);
    thread.lastAt = Math.max(thread.lastAt ?? entry.at, entry.at);
  }
  return { thread, expectedPostCount, subjectKey, how: found.thread ? found.how : 'new' };
}
