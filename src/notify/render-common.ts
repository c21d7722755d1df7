// Pieces alerts and digests share: flag wording, evidence highlighting, thread-state lines, the HTML page shell.

import type { Severity } from '../model/flag.js';
import type { ThreadSummary } from '../model/notice.js';
import { html, plainText, type SafeHtml } from './escape.js';

/** What a moderator reads for a category; unknown ones show the rule id in words. */
const CATEGORY_WORDS: Record<string, string> = {
  incendiary: 'incendiary language',
  'off-topic': 'off-topic thread',
  heat: 'heated thread',
  spam: 'spam',
};

export function flagWords(rule: string, category: string): string {
  return CATEGORY_WORDS[category] ?? rule.replace(/-/g, ' ');
}

export const SEVERITY_COLOR: Record<Severity, string> = { high: '#b3261e', medium: '#9a5b00', low: '#44546a' };

export const REPLY_COMMANDS: { command: string; meaning: string }[] = [
  { command: 'confirm', meaning: 'the flag is right' },
  { command: 'false positive', meaning: 'the flag is wrong (or just: fp)' },
  { command: 'mute thread', meaning: 'no more notices about this thread' },
  { command: 'ignore sender', meaning: "no more notices about this author's posts on this list" },
];

/** Character ranges of every evidence string in the text (exact first, then case-insensitive), merged. */
export function evidenceRanges(text: string, evidence: string[]): [number, number][] {
  const ranges: [number, number][] = [];
  const lower = text.toLowerCase();
  for (const ev of evidence) {
    const e = ev.trim();
    if (!e) continue;
    let found = false;
    for (let i = text.indexOf(e); i >= 0; i = text.indexOf(e, i + e.length)) {
      ranges.push([i, i + e.length]);
      found = true;
    }
    if (found) continue;
    const el = e.toLowerCase();
    // Lower-casing can change lengths (e.g. İ); only trust it when it does not.
    if (el.length !== e.length || lower.length !== text.length) continue;
    for (let i = lower.indexOf(el); i >= 0; i = lower.indexOf(el, i + el.length)) ranges.push([i, i + el.length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** The text with the evidence in <mark>, everything escaped. */
export function highlightHtml(text: string, evidence: string[]): SafeHtml {
  const parts: SafeHtml[] = [];
  let at = 0;
  for (const [s, e] of evidenceRanges(text, evidence)) {
    parts.push(html`${text.slice(at, s)}<mark style="background:#ffe066;color:#000;font-weight:bold;padding:0 1px">${text.slice(s, e)}</mark>`);
    at = e;
  }
  parts.push(html`${text.slice(at)}`);
  return html`${parts}`;
}

/** The text with the evidence between [[ and ]], for text/plain parts. */
export function highlightText(text: string, evidence: string[]): string {
  let out = '';
  let at = 0;
  for (const [s, e] of evidenceRanges(text, evidence)) {
    out += `${text.slice(at, s)}[[${text.slice(s, e)}]]`;
    at = e;
  }
  return plainText(out + text.slice(at));
}

/** `> `-quoted lines, blank runs folded, for quoting a post in a text part. */
export function quoteText(text: string): string {
  return text
    .replace(/\n{3,}/g, '\n\n')
    .split('\n')
    .map((l) => (l ? `> ${l}` : '>'))
    .join('\n');
}

export function scoreText(score: number): string {
  return score.toFixed(2);
}

export function threadStateText(t: ThreadSummary | undefined): string | undefined {
  if (!t) return undefined;
  const heat = t.heat.length ? ` (${t.heat.map(scoreText).join(' → ')})` : '';
  const trend = t.heatTrend === 'unknown' ? 'heat unknown' : `heat ${t.heatTrend}${heat}`;
  const people = `${t.participants} participant${t.participants === 1 ? '' : 's'}`;
  return `${t.posts} post${t.posts === 1 ? '' : 's'}, ${people}, ${trend}`;
}

export function dateText(iso: string | undefined | null | number): string {
  if (iso === undefined || iso === null) return 'unknown';
  const d = new Date(iso);
  if (!Number.isFinite(d.getTime())) return 'unknown';
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The HTML page around an alert or digest: inline styles only (mail clients drop <style> and never should
 * fetch anything), no scripts, no images, a restrictive CSP for clients that honour it.
 */
export function page(title: string, body: SafeHtml): string {
  return html`<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${title}</title></head>
<body style="margin:0;padding:16px;background:#f4f5f7;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:14px;line-height:1.45;color:#1d1f23">
<div style="max-width:720px;margin:0 auto;background:#ffffff;border:1px solid #d9dce1;border-radius:6px;padding:20px 24px">
${body}
<p style="margin:20px 0 0;color:#6b7280;font-size:12px">Sent by listwarden. Nothing in this message loads anything from the network.</p>
</div></body></html>
`.value;
}

export function badge(severity: Severity): SafeHtml {
  return html`<span style="display:inline-block;padding:1px 8px;border-radius:10px;background:${SEVERITY_COLOR[severity]};color:#fff;font-size:12px;font-weight:bold;text-transform:uppercase">${severity}</span>`;
}
