// An alert: subject, text and HTML parts for one notice (everything from the post escaped), with reply commands.

import { severityRank, type Severity } from '../model/flag.js';
import type { Notice, NoticeFlag } from '../model/notice.js';
import { headerText, html, plainText, truncate } from './escape.js';
import { refLine } from './links.js';
import {
  badge,
  dateText,
  flagWords,
  highlightHtml,
  highlightText,
  page,
  quoteText,
  REPLY_COMMANDS,
  scoreText,
  SEVERITY_COLOR,
  threadStateText,
} from './render-common.js';

export interface AlertContext {
  /** The list's display name. */
  listName: string;
  /** Link to the post in the list archive. */
  archiveUrl?: string;
  /** The reply token of this notice. */
  token: string;
  /** Characters of the thread subject shown in the mail subject. */
  subjectMax: number;
}

export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

/** Worst first: severity, then score. */
export function byWorst(a: { severity: Severity; score: number }, b: { severity: Severity; score: number }): number {
  return severityRank(b.severity) - severityRank(a.severity) || b.score - a.score;
}

/** The flags an alert is about: those decided `alert`, or all of them when none is. */
export function alertFlags(n: Notice): NoticeFlag[] {
  const alerted = n.flags.filter((f) => f.action === 'alert');
  return [...(alerted.length ? alerted : n.flags)].sort(byWorst);
}

/** `[listwarden] tlug: incendiary language in "Re: apt keeps breaking…" (high)` — one line, control characters gone. */
export function alertSubject(n: Notice, flags: NoticeFlag[], subjectMax: number): string {
  const worst = flags[0];
  const what = worst ? flagWords(worst.rule, worst.category) : 'flagged post';
  const more = flags.length > 1 ? ` +${flags.length - 1}` : '';
  const about = truncate(headerText(n.threadSubject ?? n.subject) || '(no subject)', subjectMax);
  return headerText(`[listwarden] ${n.list}: ${what}${more} in "${about}" (${worst?.severity ?? 'low'})`);
}

export function renderAlert(n: Notice, ctx: AlertContext): Rendered {
  const flags = alertFlags(n);
  const subject = alertSubject(n, flags, ctx.subjectMax);
  const evidence = flags.map((f) => f.evidence);
  const threadSubject = n.threadSubject ?? n.subject;
  const state = threadStateText(n.thread);
  const ref = refLine(n.noticeId, ctx.token);

  const t: string[] = [];
  t.push(`listwarden flagged a post on ${ctx.listName} (${n.list}).`, '');
  t.push(`  Thread:   ${plainText(threadSubject)}`);
  if (n.subject !== threadSubject) t.push(`  Subject:  ${plainText(n.subject)}`);
  t.push(`  Author:   ${plainText(n.author)}`, `  Date:     ${dateText(n.date)}`);
  if (state) t.push(`  Thread so far: ${state}`);
  if (ctx.archiveUrl) t.push(`  Archive:  ${ctx.archiveUrl}`);
  flags.forEach((f, i) => {
    t.push('', `Flag ${i + 1} of ${flags.length}: ${flagWords(f.rule, f.category)} — rule ${f.rule}, severity ${f.severity}, score ${scoreText(f.score)}`);
    t.push(`  Reason:   ${plainText(f.reason)}`);
    t.push(`  Evidence: "${plainText(f.evidence)}"`);
  });
  if (n.excerpt) t.push('', 'The post, as text (the author\'s own words; the evidence is marked [[like this]]):', '', quoteText(highlightText(n.excerpt, evidence)));
  t.push('', 'Reply to this message with one of these as the first line of your answer:');
  for (const c of REPLY_COMMANDS) t.push(`  ${c.command.padEnd(16)} ${c.meaning}`);
  t.push('', ref, '');

  const flagBlocks = flags.map(
    (f) => html`<div style="border-left:4px solid ${SEVERITY_COLOR[f.severity]};padding:6px 12px;margin:12px 0;background:#fafbfc">
<div>${badge(f.severity)} <strong>${flagWords(f.rule, f.category)}</strong> <span style="color:#6b7280">rule <code>${f.rule}</code> · score ${scoreText(f.score)}</span></div>
<div style="margin-top:6px">${f.reason}</div>
<div style="margin-top:6px;font-family:Menlo,Consolas,monospace;font-size:13px;white-space:pre-wrap;word-break:break-word">${highlightHtml(f.evidence, [f.evidence])}</div>
</div>`,
  );
  const row = (label: string, value: ReturnType<typeof html> | string) =>
    html`<tr><td style="color:#6b7280;padding:2px 12px 2px 0;vertical-align:top;white-space:nowrap">${label}</td><td style="padding:2px 0;word-break:break-word">${value}</td></tr>`;
  const body = html`<h1 style="font-size:18px;margin:0 0 4px">${flags[0] ? flagWords(flags[0].rule, flags[0].category) : 'Flagged post'} on ${ctx.listName}</h1>
<div style="color:#6b7280;margin-bottom:12px">listwarden alert · list <code>${n.list}</code></div>
<table style="border-collapse:collapse;margin-bottom:8px">
${row('Thread', threadSubject)}
${n.subject !== threadSubject ? row('Subject', n.subject) : ''}
${row('Author', n.author)}
${row('Date', dateText(n.date))}
${state ? row('Thread so far', state) : ''}
${ctx.archiveUrl ? row('Archive', html`<a href="${ctx.archiveUrl}" style="color:#0b57d0">${ctx.archiveUrl}</a>`) : ''}
</table>
${flagBlocks}
${n.excerpt
    ? html`<h2 style="font-size:15px;margin:18px 0 6px">The post <span style="font-weight:normal;color:#6b7280">(the author's own words, as text)</span></h2>
<blockquote style="margin:0;padding:8px 12px;border-left:3px solid #c4c9d0;background:#f7f8fa;white-space:pre-wrap;word-break:break-word;font-family:Menlo,Consolas,monospace;font-size:13px">${highlightHtml(n.excerpt, evidence)}</blockquote>`
    : ''}
<h2 style="font-size:15px;margin:18px 0 6px">Answer by reply</h2>
<p style="margin:0 0 6px">Reply to this message with one of these as the first line:</p>
<table style="border-collapse:collapse">${REPLY_COMMANDS.map((c) => row(c.command, c.meaning))}</table>
<p style="margin:10px 0 0;color:#6b7280;font-size:12px;font-family:Menlo,Consolas,monospace">${ref}</p>`;
  return { subject, text: t.join('\n'), html: page(subject, body) };
}
