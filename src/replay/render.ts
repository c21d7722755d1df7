// Replay reports for people: a text report grouped by thread, and a self-contained HTML page.

import type { FlagRecord } from './flag-record.js';

export function groupByThread(records: readonly FlagRecord[]): Map<string, FlagRecord[]> {
  const groups = new Map<string, FlagRecord[]>();
  for (const r of records) {
    const g = groups.get(r.threadId) ?? [];
    g.push(r);
    groups.set(r.threadId, g);
  }
  return groups;
}

const ACTION_LABEL = { alert: 'ALERT ', digest: 'digest', ignore: 'ignore' } as const;

/** Control characters from mail never reach the terminal (no escape-sequence tricks). */
function clean(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ');
}

function oneLine(s: string, max: number): string {
  const flat = clean(s).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function renderText(records: readonly FlagRecord[]): string {
  if (records.length === 0) return 'No flags.\n';
  const out: string[] = [];
  for (const [threadId, flags] of groupByThread(records)) {
    const first = flags[0];
    if (!first) continue;
    out.push(`Thread: ${oneLine(first.threadSubject, 100)}`, `  id ${oneLine(threadId, 200)}  list ${first.list}`);
    for (const f of flags) {
      out.push(
        `  [${ACTION_LABEL[f.action]}] ${f.rule}  ${f.severity} ${f.score.toFixed(2)}  ${f.date?.slice(0, 16).replace('T', ' ') ?? 'no date'}  ${oneLine(f.from, 60)}`,
        `      evidence: "${oneLine(f.evidence, 160)}"`,
        `      why:      ${oneLine(f.reason, 300)}`,
        `      post:     ${oneLine(f.messageId, 200)}  (${oneLine(f.subject, 70)})`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}

export function escapeHtml(s: string): string {
  return clean(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const STYLE = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;color:#1d1d1f;padding:0 1rem}
h1{font-size:1.4rem} h2{font-size:1.1rem;margin:1.6rem 0 .4rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.meta{color:#666;font-size:.85rem}
.flag{border-left:4px solid #bbb;margin:.6rem 0;padding:.3rem .8rem;background:#fafafa}
.flag.alert{border-color:#c62828;background:#fff5f5} .flag.digest{border-color:#f9a825}
.tag{display:inline-block;font-size:.75rem;font-weight:600;padding:0 .4rem;border-radius:3px;background:#eee;margin-right:.3rem}
.alert .tag.action{background:#c62828;color:#fff} .digest .tag.action{background:#f9a825}
blockquote{margin:.3rem 0;padding:.2rem .6rem;border-left:3px solid #ddd;color:#333;white-space:pre-wrap}
mark{background:#ffe082}
table{border-collapse:collapse} td{padding:.1rem .8rem .1rem 0}
`;

export function renderHtml(records: readonly FlagRecord[], summary: Record<string, unknown>, title = 'listwarden replay'): string {
  const parts: string[] = [];
  parts.push(
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    // Nothing remote, nothing active: the page is safe to open on mail from strangers.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
    '<table class="meta">',
    ...Object.entries(summary)
      .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
      .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(String(v))}</td></tr>`),
    '</table>',
  );
  if (records.length === 0) parts.push('<p>No flags.</p>');
  for (const [threadId, flags] of groupByThread(records)) {
    const first = flags[0];
    if (!first) continue;
    parts.push(`<h2>${escapeHtml(first.threadSubject)}</h2><div class="meta">thread ${escapeHtml(threadId)} · list ${escapeHtml(first.list)}</div>`);
    for (const f of flags) {
      parts.push(
        `<div class="flag ${f.action}">`,
        `<span class="tag action">${escapeHtml(f.action)}</span><span class="tag">${escapeHtml(f.rule)}</span>`,
        `<span class="tag">${escapeHtml(f.severity)} ${f.score.toFixed(2)}</span>`,
        `<span class="meta">${escapeHtml(f.from)} · ${escapeHtml(f.date ?? 'no date')}</span>`,
        `<blockquote><mark>${escapeHtml(f.evidence)}</mark></blockquote>`,
        `<div>${escapeHtml(f.reason)}</div>`,
        `<div class="meta">${escapeHtml(f.messageId)} · ${escapeHtml(f.subject)}</div>`,
        '</div>',
      );
    }
  }
  parts.push('</body></html>\n');
  return parts.join('\n');
}
