// The registry: every built-in rule, in the order they run (thread-heat reads incendiary-language's signal).

import type { Rule } from './types.js';
import { incendiaryLanguage } from './incendiary-language.js';
import { offTopicThread } from './off-topic-thread.js';
import { threadHeat } from './thread-heat.js';

export const builtinRules: readonly Rule[] = [incendiaryLanguage, offTopicThread, threadHeat];

export const builtinRuleIds: readonly string[] = builtinRules.map((r) => r.id);
