// The validated, compiled configuration every stage reads. The zod schema in schema.ts must produce exactly
// these shapes (checked at compile time there); stages import these types, never the schema.

import type { Severity } from '../model/flag.js';
import type { HttpConfig, ImapListConfig, RedisConfig, WorkerConfig } from './daemon-schema.js';
import type { FeedbackConfig, ModeratorConfig, NotifyConfig, SmtpConfig } from './notify-schema.js';

/** Where a config rule looks. `header:NAME` is any header, by lower-cased name. */
export type MatchField = 'subject' | 'ownText' | 'quotedText' | 'author' | 'body' | `header:${string}`;

export interface MatchCondition {
  field: MatchField;
  /** Whole-word, case-insensitive; any one matches. */
  keywords?: string[];
  /** Exact phrase (whitespace-folded, case-insensitive); any one matches. */
  phrases?: string[];
  /** RE2 syntax (linear time); any one matches. */
  regex?: string[];
  /** The condition holds when none of the above match. */
  not?: boolean;
}

export interface CustomRuleConfig {
  id: string;
  description: string;
  category: string;
  severity: Severity;
  /** The score a match gets, 0..1. */
  weight: number;
  /** All conditions must hold. */
  match: MatchCondition[];
  /** Senders (addresses or `@domain`) this rule never flags. */
  exemptSenders: string[];
  enabled: boolean;
}

export interface RuleSettings {
  enabled: boolean;
  /** Score at or above which a flag is alerted at once (overrides decide.alertAt). */
  alertAt?: number;
  /** Score at or above which a flag goes to the digest (overrides decide.digestAt). */
  digestAt?: number;
  /** Rule-specific knobs, validated by the rule's own schema. */
  options: Record<string, unknown>;
}

export interface DecideConfig {
  alertAt: number;
  digestAt: number;
  /** Flags at or above this severity are alerted whatever their score. */
  alertSeverity: Severity;
  /** Senders (addresses or `@domain`) whose posts are never flagged. */
  trustedSenders: string[];
}

export interface ThreadsConfig {
  /** Posts kept per thread in thread state (the most recent ones). */
  keepPosts: number;
  /** A subject-only match joins a thread only if its last post is at most this many days old. */
  subjectWindowDays: number;
}

export interface ListConfig {
  id: string;
  name: string;
  /** List-Id header id part that routes a post to this list (lower-cased). */
  listId?: string;
  /** What the list is for: the off-topic profile's starting point. */
  description: string;
  /** Words and phrases that are on topic here. */
  terms: string[];
  /** Threads whose subject carries [OT] are not flagged off-topic when true. */
  allowOT: boolean;
  /** Per-list overrides of the top-level rule settings. */
  rules: Record<string, Partial<RuleSettings>>;
  /** Per-list custom rules, added to the top-level ones. */
  custom: CustomRuleConfig[];
  /** The mailbox the daemon watches for this list. */
  imap?: ImapListConfig;
}

export interface Config {
  /** The file this came from, or `(defaults)`. */
  source: string;
  lists: ListConfig[];
  /** Built-in rule settings by rule id. */
  rules: Record<string, RuleSettings>;
  custom: CustomRuleConfig[];
  decide: DecideConfig;
  threads: ThreadsConfig;
  /** Rule runner: a rule whose check takes longer than this is logged, and skipped after 3 such runs. */
  ruleBudgetMs: number;
  /** The daemon's sections (`listwarden run`); replay ignores them. */
  redis?: RedisConfig;
  worker?: WorkerConfig;
  http?: HttpConfig;
  /** Notification sections (notify-schema.ts): how alerts and digests are sent, to whom, and how replies are read. */
  smtp?: SmtpConfig;
  moderators?: ModeratorConfig[];
  notify?: NotifyConfig;
  feedback?: FeedbackConfig;
}
