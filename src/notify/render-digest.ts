// A digest: flags since the last one grouped by thread (worst first, repeats collapsed), totals by rule, open alerts.

import { severityRank, type Severity } from '../model/flag.js';
import { headerText, html, plainText, truncate, type SafeHtml } from './escape.js';
import { byWorst, type Rendered } from './render-alert.js';
import { badge, dateText, flagWords, highlightHtml, page, scoreText, SEVERITY_COLOR } from './render-common.js';
import type { AlertRecord, DigestEntry, DigestReason } from './store.js';

export interface DigestContext {
  listName: string;
  list: string;
  /** ms since epoch: the previous digest, when there was one. */
  since?: number;
  now: number;
  /** Entries shown at most; the rest are counted. */
  maxEntries: number;
  subjectMax: number;
}

/** One rule's flags in one thread, collapsed: the worst is shown, the rest counted. */
export interface CollapsedFlag {
  rule: string;
  category: string;
  worst: DigestEntry;
  count: number;
  posts: number;
  authors: string[];
  reasons: Set<DigestReason>;
}

export interface DigestThread {
  threadId: string;
  threadSubject: string;
  worst: { severity: Severity; score: number };
  flags: CollapsedFlag[];
}

export interface RuleTotal {
  rule: string;
  category: string;
  flags: number;
  worst: Severity;
  overflow: number;
}

export interface DigestModel {
  threads: DigestThread[];
  totals: RuleTotal[];
  unanswered: AlertRecord[];
  flagCount: number;
  /** Threads left out over maxEntries. */
  hiddenThreads: number;
}

export function digestModel(entries: DigestEntry[], unanswered: AlertRecord[], maxEntries: number): DigestModel {
  const threads = new Map<string, Map<string, CollapsedFlag & { postIds: Set<string>; authorSet: Set<string> }>>();
  const subjects = new Map<string, string>();
  const totals = new Map<string, RuleTotal>();
  for (const e of entries) {
    subjects.set(e.threadId, subjects.get(e.threadId) ?? e.threadSubject);
    const byRule = threads.get(e.threadId) ?? new Map();
    threads.set(e.threadId, byRule);
    const c = byRule.get(e.rule);
    if (!c) {
      byRule.set(e.rule, { rule: e.rule, category: e.category, worst: e, count: 1, posts: 1, authors: [], reasons: new Set([e.why]), postIds: new Set([e.messageId]), authorSet: new Set([e.from]) });
    } else {
      c.count += 1;
      c.postIds.add(e.messageId);
      c.authorSet.add(e.from);
      c.reasons.add(e.why);
      if (byWorst(e, c.worst) < 0) c.worst = e;
    }
    const t = totals.get(e.rule) ?? { rule: e.rule, category: e.category, flags: 0, worst: e.severity, overflow: 0 };
    t.flags += 1;
    if (severityRank(e.severity) > severityRank(t.worst)) t.worst = e.severity;
    if (e.why === 'overflow' || e.why === 'quiet' || e.why === 'undelivered') t.overflow += 1;
    totals.set(e.rule, t);
  }
  const all: DigestThread[] = [...threads.entries()].map(([threadId, byRule]) => {
    const flags = [...byRule.values()]
      .map(({ postIds, authorSet, ...c }) => ({ ...c, posts: postIds.size, authors: [...authorSet].sort() }))
      .sort((a, b) => byWorst(a.worst, b.worst));
    return { threadId, threadSubject: subjects.get(threadId) ?? '', worst: flags[0]!.worst, flags };
  });
  all.sort((a, b) => byWorst(a.worst, b.worst) || a.threadSubject.localeCompare(b.threadSubject));
  let shown = 0;
  const kept: DigestThread[] = [];
  for (const t of all) {
    if (shown >= maxEntries) break;
    kept.push(t);
    shown += t.flags.length;
  }
  return {
    threads: kept,
    totals: [...totals.values()].sort((a, b) => b.flags - a.flags || a.rule.localeCompare(b.rule)),
    unanswered: [...unanswered].sort((a, b) => a.at - b.at),
    flagCount: entries.length,
    hiddenThreads: all.length - kept.length,
  };
}

const REASON_WORDS: Record<DigestReason, string> = {
  digest: '',
  overflow: 'over the hourly alert cap',
  quiet: 'held in quiet hours',
  repeat: 'repeat of an earlier alert',
  undelivered: 'alert could not be sent',
  'no-alert-recipients': 'nobody takes alerts',
};

function reasonNote(c: CollapsedFlag): string {
  const words = [...c.reasons].map((r) => REASON_WORDS[r]).filter(Boolean);
  return words.length ? ` (${words.join('; ')})` : '';
}

function countText(c: CollapsedFlag): string {
  if (c.count === 1) return '';
  return ` · ×${c.count} in ${c.posts} post${c.posts === 1 ? '' : 's'} by ${c.authors.length} author${c.authors.length === 1 ? '' : 's'}`;
}

export function digestSubject(m: DigestModel, ctx: DigestContext): string {
  const threads = m.threads.length + m.hiddenThreads;
  const what = m.flagCount
    ? `${m.flagCount} flag${m.flagCount === 1 ? '' : 's'} in ${threads} thread${threads === 1 ? '' : 's'}`
    : 'nothing flagged';
  const open = m.unanswered.length ? `, ${m.unanswered.length} alert${m.unanswered.length === 1 ? '' : 's'} unanswered` : '';
  return headerText(`[listwarden] ${ctx.list} digest: ${what}${open}`);
}

export function renderDigest(entries: DigestEntry[], unanswered: AlertRecord[], ctx: DigestContext): Rendered & { model: DigestModel } {
  const m = digestModel(entries, unanswered, ctx.maxEntries);
  const subject = digestSubject(m, ctx);
  const period = `${ctx.since ? `since ${dateText(ctx.since)}` : 'so far'} (to ${dateText(ctx.now)})`;

  const t: string[] = [`listwarden digest for ${ctx.listName} (${ctx.list}), ${period}.`, ''];
  if (!m.flagCount && !m.unanswered.length) t.push('Nothing was flagged.');
  if (m.totals.length) {
    t.push('Totals by rule:');
    for (const r of m.totals) t.push(`  ${r.rule.padEnd(24)} ${String(r.flags).padStart(4)} flag${r.flags === 1 ? ' ' : 's'}  worst ${r.worst}${r.overflow ? `, ${r.overflow} held back from alerts` : ''}`);
    t.push('');
  }
  m.threads.forEach((th, i) => {
    t.push(`${i + 1}. "${plainText(truncate(th.threadSubject, 120))}" — worst ${th.worst.severity}`);
    for (const c of th.flags) {
      const w = c.worst;
      t.push(`   - ${flagWords(c.rule, c.category)} (rule ${c.rule}, ${w.severity}, score ${scoreText(w.score)})${countText(c)}${reasonNote(c)}`);
      t.push(`     ${plainText(w.from)}, ${dateText(w.date)}: "${plainText(truncate(w.evidence, 200))}"`);
      t.push(`     ${plainText(w.reason)}`);
      if (w.archiveUrl) t.push(`     ${w.archiveUrl}`);
    }
    t.push('');
  });
  if (m.hiddenThreads) t.push(`… and ${m.hiddenThreads} more thread${m.hiddenThreads === 1 ? '' : 's'} not shown.`, '');
  if (m.unanswered.length) {
    t.push('Alerts nobody has answered yet (reply to the alert itself with confirm / fp / mute thread / ignore sender):');
    for (const a of m.unanswered) {
      t.push(`  - ${dateText(a.at)} "${plainText(truncate(a.threadSubject, 100))}" by ${plainText(a.author)}: ${a.rules.map((r) => `${r.rule} (${r.severity})`).join(', ')}`);
      if (a.archiveUrl) t.push(`    ${a.archiveUrl}`);
    }
    t.push('');
  }

  const th = (s: string) => html`<th style="text-align:left;padding:4px 10px 4px 0;border-bottom:1px solid #d9dce1;color:#6b7280;font-weight:normal">${s}</th>`;
  const td = (v: SafeHtml | string | number) => html`<td style="padding:4px 10px 4px 0;border-bottom:1px solid #eef0f3;vertical-align:top">${v}</td>`;
  const link = (url: string | undefined, label: string) => (url ? html` · <a href="${url}" style="color:#0b57d0">${label}</a>` : '');
  const body = html`<h1 style="font-size:18px;margin:0 0 4px">Digest for ${ctx.listName}</h1>
<div style="color:#6b7280;margin-bottom:14px">listwarden · list <code>${ctx.list}</code> · ${period}</div>
${!m.flagCount && !m.unanswered.length ? html`<p>Nothing was flagged.</p>` : ''}
${m.totals.length
    ? html`<h2 style="font-size:15px;margin:14px 0 6px">Totals by rule</h2>
<table style="border-collapse:collapse"><tr>${th('Rule')}${th('Flags')}${th('Worst')}${th('Held back from alerts')}</tr>
${m.totals.map((r) => html`<tr>${td(html`<code>${r.rule}</code>`)}${td(r.flags)}${td(badge(r.worst))}${td(r.overflow || '')}</tr>`)}</table>`
    : ''}
${m.threads.length ? html`<h2 style="font-size:15px;margin:18px 0 6px">Threads, worst first</h2>` : ''}
${m.threads.map(
    (t2) => html`<div style="border-left:4px solid ${SEVERITY_COLOR[t2.worst.severity]};padding:6px 12px;margin:10px 0;background:#fafbfc">
<div style="font-weight:bold;word-break:break-word">${truncate(t2.threadSubject, 160)}</div>
${t2.flags.map(
      (c) => html`<div style="margin-top:8px">${badge(c.worst.severity)} <strong>${flagWords(c.rule, c.category)}</strong>
<span style="color:#6b7280">rule <code>${c.rule}</code> · score ${scoreText(c.worst.score)}${countText(c)}${reasonNote(c)}</span>
<div style="margin-top:4px;color:#374151">${c.worst.from} · ${dateText(c.worst.date)}${link(c.worst.archiveUrl, 'archive')}</div>
<div style="margin-top:4px;font-family:Menlo,Consolas,monospace;font-size:13px;white-space:pre-wrap;word-break:break-word">${highlightHtml(truncate(c.worst.evidence, 300), [c.worst.evidence])}</div>
<div style="margin-top:2px;color:#374151">${c.worst.reason}</div></div>`,
    )}
</div>`,
  )}
${m.hiddenThreads ? html`<p style="color:#6b7280">… and ${m.hiddenThreads} more threads not shown.</p>` : ''}
${m.unanswered.length
    ? html`<h2 style="font-size:15px;margin:18px 0 6px">Alerts nobody has answered yet</h2>
<p style="margin:0 0 6px;color:#6b7280">Reply to the alert itself with confirm, fp, mute thread or ignore sender.</p>
<table style="border-collapse:collapse"><tr>${th('Sent')}${th('Thread')}${th('Author')}${th('Rules')}</tr>
${m.unanswered.map((a) => html`<tr>${td(dateText(a.at))}${td(html`${truncate(a.threadSubject, 100)}${link(a.archiveUrl, 'archive')}`)}${td(a.author)}${td(a.rules.map((r) => `${r.rule} (${r.severity})`).join(', '))}</tr>`)}</table>`
    : ''}`;
  return { subject, text: t.join('\n'), html: page(subject, body), model: m };
}
