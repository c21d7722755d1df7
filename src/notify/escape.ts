// Escape-by-default HTML templating and header cleaning: everything taken from mail passes through here.

/** HTML that is already safe (built by `html` from escaped parts); anything else is escaped when interpolated. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** C0/C1 controls except tab and newline, plus bidi overrides and zero-width tricks used to disguise text. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;

export function escapeHtml(s: string): string {
  return s.replace(CONTROL, '').replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]!);
}

export type HtmlValue = SafeHtml | string | number | undefined | null | false | HtmlValue[];

function render(v: HtmlValue): string {
  if (v === undefined || v === null || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

/** Tagged template: the literal parts are trusted markup, every interpolated value is escaped unless SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Only http(s) links are ever written into an alert; anything else (javascript:, data:) becomes no link. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** A header value: one line, no control characters (so no header injection), whitespace folded. */
export function headerText(s: string): string {
  return s.replace(/[\r\n\t]+/g, ' ').replace(CONTROL, '').replace(/\s{2,}/g, ' ').trim();
}

/** Text for a text/plain part: control characters other than newline and tab removed. */
export function plainText(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(CONTROL, '');
}

/** Cuts to at most `max` characters (by code point, never splitting a surrogate pair), ending in "…" when cut. */
export function truncate(s: string, max: number): string {
  const chars = Array.from(s);
  if (chars.length <= max) return s;
  return `${chars.slice(0, Math.max(0, max - 1)).join('').trimEnd()}…`;
}
