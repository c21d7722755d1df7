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
  /** rule id → ms spent in it so far (measure and check together): replay's summary and the bench read it. */
  readonly spentMs = new Map<string, number>();
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
    const active = this.skipping.size === 0 ? runs : this.activeOf(runs, failures);
    // One clock reading per rule: each rule's end is the next one's start.
    let start = performance.now();
    for (const { rule, ctx } of active) {
      if (!rule.measure) continue;
      let value: number | undefined;
      let threw = false;
      try {
        value = rule.measure(post, thread, ctx);
      } catch (err) {
        threw = true;
        this.threw(rule, failures, err);
      }
      start = this.timed(rule, failures, start);
      if (!threw && current && typeof value === 'number' && Number.isFinite(value)) current.signals[rule.id] = value;
    }
    for (const { rule, ctx } of active) {
      let found: Flag[] | undefined;
      try {
        found = rule.check(post, thread, ctx);
      } catch (err) {
        this.threw(rule, failures, err);
      }
      start = this.timed(rule, failures, start);
      if (Array.isArray(found)) for (const f of found) flags.push(sanitizeFlag(f, rule));
    }
    return { flags, failures };
  }

  /** The runs not being skipped, counting down the skipped ones. */
  private activeOf(runs: RuleRun[], failures: RuleFailure[]): RuleRun[] {
    const active: RuleRun[] = [];
    for (const run of runs) {
      const id = run.rule.id;
      const left = this.skipping.get(id);
      if (left === undefined) {
        active.push(run);
      } else if (left <= 0) {
        this.skipping.delete(id);
        this.overruns.set(id, OVERRUNS_BEFORE_DISABLE - 1); // one more overrun skips it again
        active.push(run);
      } else {
        this.skipping.set(id, left - 1);
        failures.push({ rule: id, kind: 'disabled', message: `skipped: ${OVERRUNS_BEFORE_DISABLE} runs in a row over ${this.budgetMs} ms` });
      }
    }
    return active;
  }

  private threw(rule: Rule, failures: RuleFailure[], err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.log.error({ rule: rule.id, err: { message } }, 'rule threw; the other rules go on');
    failures.push({ rule: rule.id, kind: 'threw', message });
  }

  /** Books the time since `start` against the rule's budget; returns the time now. */
  private timed(rule: Rule, failures: RuleFailure[], start: number): number {
    const end = performance.now();
    const ms = end - start;
    this.spentMs.set(rule.id, (this.spentMs.get(rule.id) ?? 0) + ms);
    if (ms > this.budgetMs) {
      const n = (this.overruns.get(rule.id) ?? 0) + 1;
      this.overruns.set(rule.id, n);
      if (n >= OVERRUNS_BEFORE_DISABLE) this.skipping.set(rule.id, SKIP_POSTS);
      this.log.warn({ rule: rule.id, ms: Math.round(ms), budgetMs: this.budgetMs, overruns: n }, 'rule ran over its budget');
      failures.push({ rule: rule.id, kind: 'over-budget', message: `took ${Math.round(ms)} ms (budget ${this.budgetMs} ms)` });
    } else if (this.overruns.size !== 0) {
      this.overruns.delete(rule.id);
    }
    return end;
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
