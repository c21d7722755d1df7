// `replay --compare OTHER_CONFIG`: the flags a config change adds and removes on the same archive, per rule.

import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { FlagRecord } from './flag-record.js';
import { loadProfiles, replayFlags } from './replay.js';
import { ReplaySummary } from './summary.js';

export interface FlagChange {
  change: 'added' | 'removed' | 'changed';
  /** The flag under the compared (new) config; for 'removed', the flag under the base config. */
  flag: FlagRecord;
  /** For 'changed': the flag under the base config. */
  before?: FlagRecord;
}

export interface Comparison {
  base: string;
  other: string;
  changes: FlagChange[];
  /** rule → counts */
  byRule: Map<string, { added: number; removed: number; changed: number; kept: number }>;
  summaries: { base: ReplaySummary; other: ReplaySummary };
}

const keyOf = (r: FlagRecord): string => `${r.messageId}\u0000${r.rule}`;

async function collect(config: Config, archives: string[], train: string[] | undefined, log: Logger, summary: ReplaySummary): Promise<Map<string, FlagRecord>> {
  const profiles = await loadProfiles(config, train, log);
  const flags = new Map<string, FlagRecord>();
  for await (const rec of replayFlags(config, archives, summary, { log, profiles })) flags.set(keyOf(rec), rec);
  return flags;
}

export async function compareConfigs(base: Config, other: Config, archives: string[], train: string[] | undefined, log: Logger): Promise<Comparison> {
  const summaries = { base: new ReplaySummary(), other: new ReplaySummary() };
  const a = await collect(base, archives, train, log, summaries.base);
  const b = await collect(other, archives, train, log, summaries.other);
  const changes: FlagChange[] = [];
  const byRule = new Map<string, { added: number; removed: number; changed: number; kept: number }>();
  const tally = (rule: string) => {
    let t = byRule.get(rule);
    if (!t) byRule.set(rule, (t = { added: 0, removed: 0, changed: 0, kept: 0 }));
    return t;
  };
  for (const [k, rec] of b) {
    const before = a.get(k);
    if (!before) {
      changes.push({ change: 'added', flag: rec });
      tally(rec.rule).added += 1;
    } else if (before.severity !== rec.severity || before.action !== rec.action) {
      changes.push({ change: 'changed', flag: rec, before });
      tally(rec.rule).changed += 1;
    } else tally(rec.rule).kept += 1;
  }
  for (const [k, rec] of a) {
    if (b.has(k)) continue;
    changes.push({ change: 'removed', flag: rec });
    tally(rec.rule).removed += 1;
  }
  return { base: base.source, other: other.source, changes, byRule, summaries };
}

export function renderComparisonText(c: Comparison): string {
  const out = [`Comparing ${c.base} (base) with ${c.other}:`, ''];
  out.push('rule                          added  removed  changed  unchanged');
  for (const [rule, t] of [...c.byRule].sort()) {
    out.push(`${rule.padEnd(28)} ${String(t.added).padStart(6)} ${String(t.removed).padStart(8)} ${String(t.changed).padStart(8)} ${String(t.kept).padStart(10)}`);
  }
  if (c.byRule.size === 0) out.push('(no flags under either config)');
  out.push('');
  const sign = { added: '+', removed: '-', changed: '~' } as const;
  for (const ch of c.changes) {
    const f = ch.flag;
    const was = ch.before ? ` (was ${ch.before.severity} ${ch.before.action})` : '';
    out.push(`${sign[ch.change]} ${f.rule} ${f.severity} ${f.score.toFixed(2)} ${f.action}${was}  ${f.messageId}  "${f.evidence.replace(/\s+/g, ' ').slice(0, 100)}"`);
  }
  return out.join('\n').trimEnd() + '\n';
}
