// Thread state: what rules may know about the thread a post belongs to.

export interface ThreadPost {
  messageId: string;
  author: string;
  /** Lower-cased address, or the display name when no address is known. */
  authorKey: string;
  /** ms since epoch; undefined when the post had no usable date. */
  at?: number;
  subject: string;
  /** Message-ID this post replies to, when known. */
  inReplyTo?: string;
  /** Per-rule figures recorded by each rule's measure() (e.g. incendiary score, topic similarity). */
  signals: Record<string, number>;
}

export interface Thread {
  /** Stable id: the root's Message-ID where known. */
  id: string;
  list: string;
  subject: string;
  normalizedSubject: string;
  /** The most recent posts, oldest first, at most `threads.keepPosts` of them (the current post is last). */
  posts: ThreadPost[];
  /** How many posts the thread has had in all. */
  postCount: number;
  /** authorKey → posts in this thread. */
  participants: Record<string, number>;
  firstAt?: number;
  lastAt?: number;
  /** (thread, rule) → the highest severity already flagged, so decide emits one flag per thread and rule. */
  flagged: Record<string, { severity: string; score: number; messageId: string }>;
}
