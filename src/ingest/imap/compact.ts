// What to fetch of a post (headers and text parts, never attachments) and how to rebuild a compact RFC 5322 message.

import { randomBytes } from 'node:crypto';
import type { BodyNode, MessageMeta } from './imapflow-adapter.js';

/** The most text parts fetched from one message. */
export const MAX_TEXT_PARTS = 8;

export type FetchPlan =
  /** A small post of text only: fetch it whole (byte-exact, as replay would read it). */
  | { kind: 'whole'; maxBytes: number }
  /** Fetch the header and these text parts, each up to maxLength bytes, and rebuild. */
  | { kind: 'parts'; parts: { key: string; maxLength: number }[] };

const isMultipart = (n: BodyNode): boolean => n.type.startsWith('multipart/') || (n.childNodes?.length ?? 0) > 0;
const partKey = (n: BodyNode): string => n.part ?? '1';

/** A leaf the rules read: text/plain or text/html that is not an attachment. */
export function isTextLeaf(n: BodyNode): boolean {
  if (isMultipart(n)) return false;
  if (n.type !== 'text/plain' && n.type !== 'text/html') return false;
  return (n.disposition ?? '').toLowerCase() !== 'attachment';
}

function leaves(n: BodyNode, out: BodyNode[] = []): BodyNode[] {
  if (isMultipart(n)) for (const c of n.childNodes ?? []) leaves(c, out);
  else out.push(n);
  return out;
}

export function planFetch(meta: MessageMeta, maxPartBytes: number): FetchPlan {
  if (!meta.structure) return { kind: 'whole', maxBytes: maxPartBytes };
  const all = leaves(meta.structure);
  const text = all.filter(isTextLeaf);
  if (meta.size <= maxPartBytes && text.length === all.length) return { kind: 'whole', maxBytes: maxPartBytes };
  return { kind: 'parts', parts: text.slice(0, MAX_TEXT_PARTS).map((n) => ({ key: partKey(n), maxLength: maxPartBytes })) };
}

/** Header fields of a raw header block, each with its folded continuation lines. */
function headerFields(header: string): string[] {
  const fields: string[] = [];
  for (const line of header.split(/\r?\n/)) {
    if (line === '') continue;
    if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1] += `\r\n${line}`;
    else fields.push(line);
  }
  return fields;
}

/** The Message-ID header of a raw message or header block (with angle brackets), if any. */
export function headerMessageId(raw: Buffer): string | undefined {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end >= 0 ? end : Math.min(raw.length, 65_536)).toString('latin1');
  for (const f of headerFields(head)) {
    const m = /^message-id\s*:\s*(<[^<>\s]+>)/i.exec(f.replace(/\r\n[ \t]+/g, ' '));
    if (m) return m[1];
  }
  return undefined;
}

const quoteParam = (v: string): string => `"${v.replace(/[\\"\r\n]/g, (c) => (c === '"' || c === '\\' ? `\\${c}` : ' '))}"`;

function contentType(n: BodyNode, extra: Record<string, string> = {}): string {
  const params = { ...(n.parameters ?? {}), ...extra };
  return [n.type, ...Object.entries(params).map(([k, v]) => `${k}=${quoteParam(v)}`)].join('; ');
}

/** A part cut at its fetch limit ends at its last line break, so no base64 quantum or UTF-8 sequence is split. */
function cutSafely(content: Buffer, limit: number): { body: Buffer; truncated: boolean } {
  if (content.length < limit) return { body: content, truncated: false };
  const nl = content.lastIndexOf(0x0a);
  return { body: nl > 0 ? content.subarray(0, nl + 1) : content, truncated: true };
}

/**
 * Rebuilds a message from its header, its structure and the fetched text parts: multiparts keep their shape,
 * text parts keep their charset and transfer encoding, anything else becomes an empty placeholder naming its type,
 * file name and size (so parse still lists the attachment, without its content).
 */
export function rebuildMessage(header: Buffer, structure: BodyNode, parts: Map<string, Buffer>, maxPartBytes: number): Buffer {
  const chunks: Buffer[] = [];
  const push = (s: string): void => {
    chunks.push(Buffer.from(s, 'latin1'));
  };
  const kept = headerFields(header.toString('latin1')).filter(
    (f) => !/^(content-type|content-transfer-encoding|mime-version|content-disposition)\s*:/i.test(f),
  );
  push(kept.join('\r\n') + '\r\n');
  push('MIME-Version: 1.0\r\nX-Listwarden-Compact: text parts only\r\n');

  const render = (n: BodyNode): void => {
    if (isMultipart(n)) {
      const boundary = `lw-${randomBytes(9).toString('hex')}`;
      const sub = n.type.startsWith('multipart/') ? n.type : 'multipart/mixed';
      push(`Content-Type: ${sub}; boundary="${boundary}"\r\n\r\n`);
      for (const c of n.childNodes ?? []) {
        push(`--${boundary}\r\n`);
        render(c);
        push('\r\n');
      }
      push(`--${boundary}--\r\n`);
      return;
    }
    const content = isTextLeaf(n) ? parts.get(partKey(n)) : undefined;
    if (content) {
      const { body, truncated } = cutSafely(content, maxPartBytes);
      push(`Content-Type: ${contentType(n)}\r\n`);
      if (n.encoding) push(`Content-Transfer-Encoding: ${n.encoding}\r\n`);
      if (truncated) push(`X-Listwarden-Truncated: ${n.size ?? content.length} bytes, first ${body.length} kept\r\n`);
      push('\r\n');
      chunks.push(body);
      return;
    }
    const filename = n.dispositionParameters?.filename ?? n.parameters?.name;
    push(`Content-Type: ${contentType(n)}\r\n`);
    push(`Content-Disposition: ${n.disposition && n.disposition.toLowerCase() === 'inline' ? 'inline' : 'attachment'}${filename ? `; filename=${quoteParam(filename)}` : ''}\r\n`);
    push(`X-Listwarden-Omitted: ${n.size ?? 0} bytes\r\n\r\n`);
  };
  render(structure);
  return Buffer.concat(chunks);
}
