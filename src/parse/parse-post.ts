// parsePost: raw RFC 5322 bytes → Post, with every repair recorded as a warning.

import { createHash } from 'node:crypto';
import { isAscii, isUtf8 } from 'node:buffer';
import type { Post, Segment } from '../model/post.js';
import { decodeSimpleBody, isSimpleBody, tryMultipart, unflow } from './body.js';
import { decodeBytes } from './charset.js';
import { UnreadableMailError } from './errors.js';
import {
  addressOf,
  cleanValue,
  contentTypeOf,
  dateOf,
  firstRaw,
  headerMap,
  listIdOf,
  messageIdOf,
  messageIds,
  readHeaders,
  referencesOf,
  type RawHeaders,
} from './headers.js';
import { splitHtml } from './html.js';
import { parseMime } from './mailparser-adapter.js';
import { joinTexts, ownTextOf, splitBody } from './quotes.js';
import { normalizeSubject } from './subject.js';

export interface ParseOptions {
  /** Body text kept, in characters; the rest is cut off with a warning. @default 200_000 */
  maxBodyChars?: number;
}

const DEFAULT_MAX_BODY_CHARS = 200_000;
/** HTML carries markup; this much more of it is rendered before the text limit applies. */
const HTML_OVERHEAD = 4;
const MIME_TIMEOUT_MS = 5_000;
const MAX_ATTACHMENTS = 100;

// Controls other than tab and newline: NULs and escapes have no place in text a rule or moderator reads.
const TEXT_CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

function cleanText(text: string): string {
  let t = text;
  if (t.indexOf('\r') >= 0) t = t.replace(/\r\n?/g, '\n');
  return t.replace(TEXT_CONTROL_RE, '');
}

/** Whether bytes without headers could still be a message body someone wrote (rather than binary junk). */
function looksLikeText(raw: Buffer): boolean {
  const sample = raw.subarray(0, 64 * 1024);
  if (sample.length === 0) return false;
  let controls = 0;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i]!;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) || b === 0x7f) controls++;
  }
  if (controls / sample.length > 0.02) return false;
  if (isAscii(sample) || isUtf8(sample)) return true;
  const d = decodeBytes(sample, undefined);
  // Random bytes "decode" as windows-1252 with a letter soup of accents; real legacy text is mostly ASCII.
  if (d.charset === 'windows-1252') {
    let high = 0;
    for (let i = 0; i < sample.length; i++) if (sample[i]! >= 0x80) high++;
    return high / sample.length < 0.3;
  }
  return true;
}

function cap(text: string, max: number, what: string, warnings: string[]): string {
  if (text.length <= max) return text;
  warnings.push(`${what} longer than ${max} characters; cut to ${max}`);
  return text.slice(0, max);
}

function authorOf(from: Post['from']): string {
  if (from.name && from.address) return `${from.name} <${from.address}>`;
  return from.name ?? from.address ?? '';
}

/** Body text and HTML of a message, by the fast path for single-part text or by mailparser for MIME. */
async function readBody(
  raw: Buffer,
  bodyStart: number,
  headers: Record<string, string>,
  maxBodyChars: number,
  warnings: string[],
): Promise<{ text?: string; html?: string; attachments: Post['attachments'] }> {
  const ct = contentTypeOf(headers['content-type']?.split('\n')[0]);
  const cte = (headers['content-transfer-encoding']?.split('\n')[0] ?? '').trim().toLowerCase();
  if (isSimpleBody(ct.type, cte)) {
    const maxBytes = maxBodyChars * 9;
    let body = raw.subarray(bodyStart);
    if (body.length > maxBytes) {
      warnings.push(`body longer than ${maxBytes} bytes; the rest was not read`);
      body = body.subarray(0, maxBytes);
    }
    const d = decodeSimpleBody(body, cte, ct.params['charset']);
    if (d.warning) warnings.push(d.warning);
    let text = d.text;
    if (ct.type !== 'text/html' && (ct.params['format'] ?? '').toLowerCase() === 'flowed') {
      text = unflow(cleanText(text), (ct.params['delsp'] ?? '').toLowerCase() === 'yes');
    }
    return ct.type === 'text/html' ? { html: text, attachments: [] } : { text, attachments: [] };
  }
  if (ct.type.startsWith('multipart/')) {
    const fast = tryMultipart(raw.subarray(bodyStart), ct.type, ct.params['boundary'], maxBodyChars * 9);
    if (fast) {
      warnings.push(...fast.warnings);
      const out: { text?: string; html?: string; attachments: Post['attachments'] } = { attachments: fast.attachments };
      if (fast.text !== undefined) out.text = fast.text;
      if (fast.html !== undefined) out.html = fast.html;
      return out;
    }
  }
  const mime = await parseMime(raw, { maxPartBytes: maxBodyChars * 9, maxAttachments: MAX_ATTACHMENTS, timeoutMs: MIME_TIMEOUT_MS });
  warnings.push(...mime.warnings);
  const out: { text?: string; html?: string; attachments: Post['attachments'] } = { attachments: mime.attachments };
  if (mime.text !== undefined) out.text = mime.text;
  if (mime.html !== undefined) out.html = mime.html;
  return out;
}

/**
 * What a post's header section says: every field of a Post that needs no body. A queue worker reads this first
 * (to look its thread up) and the body only when it decides the post, so a waiting post holds its bytes and this,
 * not its decoded text.
 */
export interface PostHead {
  messageId: string;
  messageIdSynthetic: boolean;
  inReplyTo?: string;
  references: string[];
  listId?: string;
  from: Post['from'];
  author: string;
  date?: Date;
  subject: string;
  normalizedSubject: string;
  wasSubject?: string;
  headers: Record<string, string>;
  /** Size of the raw message in bytes. */
  size: number;
  /** The header fields as read, and where the body starts (the whole message when it has no header section). */
  raw: RawHeaders;
  /** Repairs found in the header section, before the body is read… */
  warningsBefore: string[];
  /** …and those a Post lists after the body's (ids, From, Date). */
  warningsAfter: string[];
}

/**
 * A copy of s that does not share the memory of the text it was cut from. V8 cuts a substring of 13 characters or
 * more as a view into its parent string, which it then keeps whole: an id or subject kept in thread state (replay
 * remembers 200,000 Message-IDs) would keep its post's entire header section alive, 60 MB of a 1 GB replay's heap.
 */
function detached(s: string): string {
  return (' ' + s).slice(1);
}

/** Reads a raw message's header section. Throws UnreadableMailError when it has neither headers nor readable text. */
export function readPostHead(raw: Buffer): PostHead {
  const h = readHeaders(raw);
  const before = [...h.warnings];
  const after: string[] = [];
  let headers: Record<string, string>;
  if (h.fields.length === 0) {
    if (!looksLikeText(raw)) throw new UnreadableMailError('neither a header section nor readable text', raw.length);
    before.push('no header section; the whole message was read as body');
    headers = Object.create(null) as Record<string, string>;
  } else {
    headers = headerMap(h.fields, before);
  }
  const rawMessageId = firstRaw(h.fields, 'message-id');
  let messageId = messageIdOf(rawMessageId);
  if (messageId !== undefined) messageId = detached(messageId);
  const messageIdSynthetic = messageId === undefined;
  if (!messageId) {
    messageId = `<${createHash('sha256').update(raw).digest('hex')}@listwarden.invalid>`;
    after.push(rawMessageId === undefined ? 'no Message-ID; synthesized from the raw bytes' : 'unreadable Message-ID; synthesized from the raw bytes');
  }
  const inReplyTo = messageIds(firstRaw(h.fields, 'in-reply-to'))[0];
  const from = addressOf(firstRaw(h.fields, 'from') ?? firstRaw(h.fields, 'sender'), after);
  if (from.name !== undefined) from.name = detached(from.name);
  if (from.address !== undefined) from.address = detached(from.address);
  if (h.fields.length > 0 && !from.address && !from.name) after.push('no usable From header');
  const dateRaw = firstRaw(h.fields, 'date');
  const date = dateOf(dateRaw);
  if (dateRaw !== undefined && !date) after.push('Date header could not be read');
  const subjectRaw = firstRaw(h.fields, 'subject');
  const subject = subjectRaw === undefined ? '' : detached(cleanValue(subjectRaw));
  const ns = normalizeSubject(subject);
  const listId = listIdOf(headers['list-id']?.split('\n')[0]);
  const head: PostHead = {
    messageId,
    messageIdSynthetic,
    references: referencesOf(firstRaw(h.fields, 'references'), firstRaw(h.fields, 'in-reply-to')).map(detached),
    from,
    author: authorOf(from),
    subject,
    normalizedSubject: ns.normalized,
    headers,
    size: raw.length,
    raw: h,
    warningsBefore: before,
    warningsAfter: after,
  };
  if (inReplyTo) head.inReplyTo = detached(inReplyTo);
  if (listId) head.listId = detached(listId);
  if (date) head.date = date;
  if (ns.was) head.wasSubject = ns.was;
  return head;
}

/**
 * Parses raw RFC 5322 bytes into a Post (`head`: the message's header section, when read already). Repairs (wrong
 * charsets, cut bodies, malformed headers) are listed in `warnings`; throws UnreadableMailError only when there are
 * neither headers nor readable text.
 */
export async function parsePost(raw: Buffer, opts: ParseOptions = {}, head: PostHead = readPostHead(raw)): Promise<Post> {
  const maxBodyChars = opts.maxBodyChars ?? DEFAULT_MAX_BODY_CHARS;
  const h = head.raw;
  const warnings = [...head.warningsBefore];
  let text: string | undefined;
  let html: string | undefined;
  let attachments: Post['attachments'] = [];

  if (h.fields.length === 0) {
    const body = raw.subarray(h.bodyStart, h.bodyStart + maxBodyChars * 4);
    const d = decodeBytes(body, undefined);
    if (d.warning) warnings.push(d.warning);
    text = d.text;
  } else {
    const body = await readBody(raw, h.bodyStart, head.headers, maxBodyChars, warnings);
    text = body.text;
    html = body.html;
    attachments = body.attachments;
  }
  let segments: Segment[];
  let htmlOnly = false;
  const plain = text !== undefined ? cleanText(text) : '';
  if (plain.trim() === '' && html !== undefined && html.trim() !== '') {
    htmlOnly = true;
    const markup = cap(cleanText(html), maxBodyChars * HTML_OVERHEAD, 'HTML body', warnings);
    segments = splitHtml(markup);
    let total = 0;
    const kept: Segment[] = [];
    for (const s of segments) {
      if (total + s.text.length > maxBodyChars) {
        warnings.push(`body text longer than ${maxBodyChars} characters; cut to ${maxBodyChars}`);
        const room = maxBodyChars - total;
        if (room > 0) kept.push({ ...s, text: s.text.slice(0, room) });
        break;
      }
      total += s.text.length;
      kept.push(s);
    }
    segments = kept;
  } else {
    segments = splitBody(cap(plain, maxBodyChars, 'body text', warnings));
  }

  warnings.push(...head.warningsAfter);

  const post: Post = {
    messageId: head.messageId,
    messageIdSynthetic: head.messageIdSynthetic,
    references: head.references,
    from: head.from,
    author: head.author,
    subject: head.subject,
    normalizedSubject: head.normalizedSubject,
    segments,
    ownText: ownTextOf(segments),
    quotedText: joinTexts(segments, 'quote', '\n\n', true),
    headers: head.headers,
    size: head.size,
    htmlOnly,
    attachments,
    warnings: [...new Set(warnings)],
    // The optional fields are always there (undefined when the mail has none), so every post has one shape: added
    // one by one when present, they made up to 32 shapes, and each new one deoptimized the compiled code reading posts.
    inReplyTo: head.inReplyTo || undefined,
    listId: head.listId || undefined,
    date: head.date,
    wasSubject: head.wasSubject || undefined,
    signature: joinTexts(segments, 'signature', '\n', false).trim() || undefined,
  };
  return post;
}
