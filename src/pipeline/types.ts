// What one run of the pipeline over one post produces, shared by replay and the daemon's workers.

import type { Post } from '../model/post.js';
import type { Thread } from '../model/thread.js';
import type { Verdict } from '../model/flag.js';

export interface RuleFailure {
  rule: string;
  /** 'threw' or 'over-budget' (ran longer than ruleBudgetMs) or 'disabled' (skipped after repeated overruns). */
  kind: 'threw' | 'over-budget' | 'disabled';
  message: string;
}

export type PostOutcome =
  | { kind: 'verdict'; list: string; post: Post; thread: Thread; verdict: Verdict; ruleFailures: RuleFailure[] }
  /** The Message-ID was already placed in its thread: nothing new to say (a re-delivery). */
  | { kind: 'duplicate'; list: string; post: Post; threadId: string }
  /** Nothing usable could be read from the bytes. */
  | { kind: 'unreadable'; reason: string };
