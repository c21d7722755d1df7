// Per-rule precision from moderators' labels (confirm / false positive), to tune thresholds on real verdicts.

import type { LabelRecord } from './store.js';

export interface RuleStats {
  rule: string;
  confirmed: number;
  falsePositives: number;
  /** confirmed / (confirmed + falsePositives); undefined without labels. */
  precision?: number;
  /** Mean score of confirmed and of false-positive flags: where a threshold might sit. */
  meanScoreConfirmed?: number;
  meanScoreFalse?: number;
}

const mean = (xs: number[]): number | undefined => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

export function ruleStats(labels: LabelRecord[], opts: { since?: number; list?: string } = {}): RuleStats[] {
  const by = new Map<string, { ok: number[]; bad: number[] }>();
  for (const l of labels) {
    if (opts.since !== undefined && l.at < opts.since) continue;
    if (opts.list && l.list !== opts.list) continue;
    const s = by.get(l.rule) ?? { ok: [], bad: [] };
    (l.label === 'confirm' ? s.ok : s.bad).push(l.score);
    by.set(l.rule, s);
  }
  return [...by.entries()]
    .map(([rule, s]) => ({
      rule,
      confirmed: s.ok.length,
      falsePositives: s.bad.length,
      precision: s.ok.length + s.bad.length ? s.ok.length / (s.ok.length + s.bad.length) : undefined,
      meanScoreConfirmed: mean(s.ok),
      meanScoreFalse: mean(s.bad),
    }))
    .sort((a, b) => a.rule.localeCompare(b.rule));
}

const pct = (x: number | undefined): string => (x === undefined ? '—' : `${(x * 100).toFixed(0)}%`);
const num = (x: number | undefined): string => (x === undefined ? '—' : x.toFixed(2));

export function renderStatsText(stats: RuleStats[], period: string): string {
  if (!stats.length) return `No moderator labels ${period}.\n`;
  const head = ['rule', 'confirmed', 'false pos.', 'precision', 'mean score ok', 'mean score fp'];
  const rows = stats.map((s) => [s.rule, String(s.confirmed), String(s.falsePositives), pct(s.precision), num(s.meanScoreConfirmed), num(s.meanScoreFalse)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [`Per-rule precision from moderator labels ${period}:`, '', line(head), ...rows.map(line), ''].join('\n');
}

/** `30d`, `12h`, `2w` → milliseconds. */
export function parsePeriod(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([hdw])$/.exec(s.trim());
  if (!m) throw new Error(`"${s}" is not a period; write e.g. 30d, 12h or 2w`);
  const unit = m[2] === 'h' ? 3_600_000 : m[2] === 'd' ? 86_400_000 : 7 * 86_400_000;
  return Number(m[1]) * unit;
}
