// Flags (one rule's finding) and verdicts (what listwarden does about a post's flags).

export type Severity = 'low' | 'medium' | 'high';
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high'];
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

export interface Flag {
  /** The rule's id, kebab-case, the same word in config, logs and alerts. */
  rule: string;
  /** `incendiary`, `off-topic`, `heat`, or what a config rule says. */
  category: string;
  severity: Severity;
  /** 0..1 */
  score: number;
  /** The exact words of the author's own text (a substring of post.ownText) or, for subject/header rules, of that field. */
  evidence: string;
  /** One sentence a moderator understands. */
  reason: string;
  /** The detector's version, so a moderator can tell which model raised it. */
  detectorVersion?: string;
  /** Where the evidence stands in post.ownText (character offsets), when it comes from there. */
  spans?: { start: number; end: number }[];
  /** Score parts, for `explain`. */
  parts?: Record<string, number>;
}

export type Action = 'ignore' | 'digest' | 'alert';

export interface Verdict {
  list: string;
  messageId: string;
  threadId: string;
  action: Action;
  /** Flags kept after dedupe, each with the action decided for it. */
  flags: (Flag & { action: Action })[];
  /** Flags dropped as repeats of an earlier flag on the same thread and rule. */
  suppressed: number;
}
