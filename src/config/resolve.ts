// Reading a loaded config: which list a post belongs to, and a rule's settings on a list.

import type { Config, ListConfig, RuleSettings } from './types.js';

/**
 * A rule's settings on one list: the top-level `rules:` entry (or, for a custom rule, its own `enabled`),
 * with the list's override on top. Options merge key by key; unset override keys keep the top-level value.
 */
/**
 * Built-in rules' own thresholds where decide's global ones do not fit: drift is never urgent, so an
 * off-topic thread goes to the digest rather than alerting (set rules.off-topic-thread.alertAt to change it).
 */
export const BUILTIN_THRESHOLDS: Readonly<Record<string, { alertAt?: number; digestAt?: number }>> = {
  'off-topic-thread': { alertAt: 1 },
};

export function resolveRuleSettings(cfg: Config, list: ListConfig, ruleId: string): RuleSettings {
  const top = cfg.rules[ruleId];
  const custom = list.custom.find((r) => r.id === ruleId) ?? cfg.custom.find((r) => r.id === ruleId);
  const over = list.rules[ruleId];

  const enabled = over?.enabled ?? ((top?.enabled ?? true) && (custom?.enabled ?? true));
  const alertAt = over?.alertAt ?? top?.alertAt ?? BUILTIN_THRESHOLDS[ruleId]?.alertAt;
  const digestAt = over?.digestAt ?? top?.digestAt ?? BUILTIN_THRESHOLDS[ruleId]?.digestAt;
  return {
    enabled,
    ...(alertAt !== undefined ? { alertAt } : {}),
    ...(digestAt !== undefined ? { digestAt } : {}),
    options: { ...top?.options, ...over?.options },
  };
}

/**
 * The list a post belongs to, by its List-Id (the id part `tlug.example.jp`, or the whole header
 * `Tokyo Linux Users Group <tlug.example.jp>`); a post without a known List-Id goes to the first list.
 */
export function findList(cfg: Config, listIdHeader: string | undefined): ListConfig {
  const first = cfg.lists[0];
  if (!first) throw new Error('config has no lists');
  if (!listIdHeader) return first;
  const bracketed = /<([^>]*)>/.exec(listIdHeader);
  const id = (bracketed ? bracketed[1]! : listIdHeader).trim().toLowerCase();
  return cfg.lists.find((l) => l.listId === id) ?? first;
}
