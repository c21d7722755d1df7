// The one place where flags become a verdict: ignore, digest, or alert now.

import type { Config, ListConfig } from '../config/types.js';
import { severityRank, type Action, type Flag, type Severity, type Verdict } from '../model/flag.js';
import type { Post } from '../model/post.js';
import type { Thread } from '../model/thread.js';

const ACTION_RANK: Record<Action, number> = { ignore: 0, digest: 1, alert: 2 };

export function isTrustedSender(address: string | undefined, trusted: readonly string[]): boolean {
  if (!address || trusted.length === 0) return false;
  const a = address.toLowerCase();
  for (const t of trusted) {
    const w = t.toLowerCase();
    if (w.startsWith('@') ? a.endsWith(w) : a === w) return true;
  }
  return false;
}

export interface DecideInput {
  config: Config;
  list: ListConfig;
  post: Post;
  /** Mutated: thread.flagged records what was flagged, so a later post repeats no flag unless it is worse. */
  thread: Thread;
  flags: Flag[];
  /** Rule settings resolver (top-level merged with the list's overrides). */
  thresholds(rule: string): { alertAt?: number; digestAt?: number };
}

export function actionFor(flag: Flag, alertAt: number, digestAt: number, alertSeverity: Severity): Action {
  if (flag.score >= alertAt || severityRank(flag.severity) >= severityRank(alertSeverity)) return 'alert';
  if (flag.score >= digestAt) return 'digest';
  return 'ignore';
}

export function decide({ config, list, post, thread, flags, thresholds }: DecideInput): Verdict {
  const verdict: Verdict = { list: list.id, messageId: post.messageId, threadId: thread.id, action: 'ignore', flags: [], suppressed: 0 };
  // Most posts raise no flag: nothing to weigh.
  if (flags.length === 0) return verdict;
  if (isTrustedSender(post.from.address, config.decide.trustedSenders)) {
    verdict.suppressed = flags.length;
    return verdict;
  }
  // The strongest flag per rule on this post.
  const best = new Map<string, Flag>();
  for (const f of flags) {
    const prev = best.get(f.rule);
    if (!prev || f.score > prev.score) best.set(f.rule, f);
  }
  for (const f of best.values()) {
    const t = thresholds(f.rule);
    const action = actionFor(f, t.alertAt ?? config.decide.alertAt, t.digestAt ?? config.decide.digestAt, config.decide.alertSeverity);
    if (action === 'ignore') continue;
    const before = thread.flagged[f.rule];
    const worse = !before || severityRank(f.severity) > severityRank(before.severity as Severity);
    if (!worse) {
      verdict.suppressed += 1;
      continue;
    }
    thread.flagged[f.rule] = { severity: f.severity, score: f.score, messageId: post.messageId };
    verdict.flags.push({ ...f, action });
    if (ACTION_RANK[action] > ACTION_RANK[verdict.action]) verdict.action = action;
  }
  verdict.suppressed += flags.length - best.size;
  return verdict;
}
