// Runs each rule isolated: one that throws or runs over its budget is logged with its id and the others go on.

import type { Logger } from 'pino';
import type { Flag } from '../model/flag.js';
import type { Post } from '../model/post.js';
import type { Thread } from '../model/thread.js';
import type { RuleFailure } from '../pipeline/types.js';
import type { Rule, RuleContext } from './types.js';

/**
 * A rule that ran over budget this many times in a row is skipped for the next SKIP_POSTS posts, then tried
 * again (JS cannot pre-empt a running rule; a pause of the whole process, e.g. GC or a busy machine, must not
 * switch a rule off for good).
 */
const OVERRUNS_BEFORE_DISABLE = 3;
const SKIP_POSTS = 500;

export interface RuleRun {
  rule: Rule;
  ctx: RuleContext;
}

/** Remembers overruns across posts, so a rule that is always slow stops costing every post. */
export class RuleRunner {
  private readonly overruns = new Map<string, number>();
  /** rule id → posts still to skip. */
  private readonly skipping = new Map<string, number>();

  constructor(
    private readonly budgetMs: number,
    private readonly log: Logger,
  ) {}

  /**
   * Phase 1 records every rule's measure() in the current post's signals; phase 2 runs every check().
   * Rules read signals of earlier posts, and of this post from rules listed before them.
   */
  run(post: Post, thread: Thread, runs: RuleRun[]): { flags: Flag[]; failures: RuleFailure[] } {
    const flags: Flag[] = [];
    const failures: RuleFailure[] = [];
    const current = thread.posts[thread.posts.length - 1];
    const active = runs.filter(({ rule }) => {
      const left = this.skipping.get(rule.id);
      if (left === undefined) return true;
      if (left <= 0) {
        this.skipping.delete(rule.id);
        this.overruns.set(rule.id, OVERRUNS_BEFORE_DISABLE - 1); // one more overrun skips it again
        return true;
      }
      this.skipping.set(rule.id, left - 1);
      failures.push({ rule: rule.id, kind: 'disabled', message: `skipped: ${OVERRUNS_BEFORE_DISABLE} runs in a row over ${this.budgetMs} ms` });
      return false;
    });
    for (const { rule, ctx } of active) {
      if (!rule.measure) continue;
      const value = this.guard(rule, failures, () => rule.measure?.(post, thread, ctx));
      if (current && typeof value === 'number' && Number.isFinite(value)) current.signals[rule.id] = value;
    }
    for (const { rule, ctx } of active) {
      const found = this.guard(rule, failures, () => rule.check(post, thread, ctx));
      if (Array.isArray(found)) flags.push(...found.map((f) => sanitizeFlag(f, rule)));
    }
    return { flags, failures };
  }

  private guard<T>(rule: Rule, failures: RuleFailure[], fn: () => T): T | undefined {
    const start = performance.now();
    try {
      return fn();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log.error({ rule: rule.id, err: { message } }, 'rule threw; the other rules go on');
      failures.push({ rule: rule.id, kind: 'threw', message });
      return undefined;
    } finally {
      const ms = performance.now() - start;
      if (ms > this.budgetMs) {
        const n = (this.overruns.get(rule.id) ?? 0) + 1;
        this.overruns.set(rule.id, n);
        if (n >= OVERRUNS_BEFORE_DISABLE) this.skipping.set(rule.id, SKIP_POSTS);
        this.log.warn({ rule: rule.id, ms: Math.round(ms), budgetMs: this.budgetMs, overruns: n }, 'rule ran over its budget');
        failures.push({ rule: rule.id, kind: 'over-budget', message: `took ${Math.round(ms)} ms (budget ${this.budgetMs} ms)` });
      } else {
        this.overruns.delete(rule.id);
      }
    }
  }
}

/** Keeps a rule's output inside the Flag contract whatever the rule did. */
function sanitizeFlag(f: Flag, rule: Rule): Flag {
  const score = Number.isFinite(f.score) ? Math.min(1, Math.max(0, f.score)) : 0;
  return {
    ...f,
    rule: f.rule || rule.id,
    score: Math.round(score * 1000) / 1000,
    evidence: typeof f.evidence === 'string' ? f.evidence : '',
    reason: typeof f.reason === 'string' && f.reason ? f.reason : rule.description,
    detectorVersion: f.detectorVersion ?? rule.version,
  };
}
