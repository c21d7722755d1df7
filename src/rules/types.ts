// What a rule is: a small pure function with a name and a description.

import type { Flag } from '../model/flag.js';
import type { Post } from '../model/post.js';
import type { Thread } from '../model/thread.js';
import type { ListConfig, RuleSettings } from '../config/types.js';
import type { ListProfile } from './profile.js';

export interface RuleContext {
  list: ListConfig;
  /** The list's topic profile (from description and terms, refined by --train). */
  profile: ListProfile;
  /** This rule's settings for this list (top-level merged with the list's overrides). */
  settings: RuleSettings;
}

export interface Rule {
  /** Stable kebab-case id: the same word in config, logs, flags and alerts. */
  id: string;
  /** One line a moderator understands. */
  description: string;
  /** Bumped when the rule's scoring changes; recorded on each flag. */
  version: string;
  /**
   * Optional per-post figure recorded in the thread state (thread.posts[i].signals[id]) before any check runs,
   * so this and other rules can read the thread's history (e.g. thread-heat reads incendiary-language).
   */
  measure?(post: Post, thread: Thread, ctx: RuleContext): number | undefined;
  /** The finding on this post (thread already holds it as its last post, with this post's signals). */
  check(post: Post, thread: Thread, ctx: RuleContext): Flag[];
}
