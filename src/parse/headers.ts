// The header section of a raw mail: split from the body, unfolded, RFC 2047-decoded, and read for ids and addresses.

import { isAscii, isUtf8 } from 'node:buffer';
import type { Address } from '../model/post.js';
import { decodeBytes } from './charset.js';

/** Limits that keep a hostile header section from costing more than a normal one. */
const MAX_HEADER_BYTES = 256 * 1024;
const MAX_HEADER_FIELDS = 1000;
const MAX_VALUE_CHARS = 16 * 1024;
const MAX_REFERENCES = 100;

export interface RawHeaders {
  /** Each field in order: lower-cased name and its unfolded, not yet RFC 2047-decoded value. */
  fields: { name: string; value: string }[];
  /** Offset of the first body byte in the raw message. */
  bodyStart: number;
  warnings: string[];
}

// A field name is printable ASCII without the colon (RFC 5322 §2.2); the value may be empty.
const FIELD_RE = /^([!-9;-~]{1,128})[ \t]*:(.*)$/s;
// C0 and C1 controls (and DEL): never meaningful in a header value, and a tool for header injection.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]+/g;

/** Finds the blank line ending the header section (CRLF or bare LF), or -1. */
function findHeaderEnd(raw: Buffer, limit: number): { end: number; bodyStart: number } | undefined {
  let i = 0;
  while (i < limit) {
    const nl = raw.indexOf(0x0a, i);
    if (nl < 0 || nl >= limit) return undefined;
    const next = raw[nl + 1];
    if (next === 0x0a) return { end: nl, bodyStart: nl + 2 };
    if (next === 0x0d && raw[nl + 2] === 0x0a) return { end: nl, bodyStart: nl + 3 };
    if (nl === 0 || (nl === 1 && raw[0] === 0x0d)) return { end: 0, bodyStart: nl + 1 };
    i = nl + 1;
  }
  return undefined;
}

/** Raw header bytes to a string: ASCII and UTF-8 as is, other 8-bit bytes (raw Shift_JIS subjects…) detected. */
function headerBytesToString(bytes: Buffer, warnings: string[]): string {
  if (isAscii(bytes)) return bytes.toString('latin1');
  if (isUtf8(bytes)) return bytes.toString('utf8');
  const d = decodeBytes(bytes, undefined);
  warnings.push(`8-bit bytes in headers without a charset; decoded as ${d.charset}`);
  return d.text;
}

/** Splits the header section off a raw message. `fields` is empty when the message does not start with headers. */
export function readHeaders(raw: Buffer): RawHeaders {
  const warnings: string[] = [];
  let start = 0;
  // An mbox "From " separator left on the message by an archive reader.
  if (raw.subarray(0, 5).toString('latin1') === 'From ') {
    const nl = raw.indexOf(0x0a);
    start = nl < 0 ? raw.length : nl + 1;
  }
  const limit = Math.min(raw.length, start + MAX_HEADER_BYTES);
  const found = findHeaderEnd(raw.subarray(start), limit - start);
  let headerEnd: number;
  let bodyStart: number;
  if (found) {
    headerEnd = start + found.end;
    bodyStart = start + found.bodyStart;
  } else if (raw.length <= limit) {
    headerEnd = raw.length;
    bodyStart = raw.length;
  } else {
    warnings.push(`header section longer than ${MAX_HEADER_BYTES} bytes; the rest was read as body`);
    headerEnd = limit;
    bodyStart = limit;
  }
  const text = headerBytesToString(raw.subarray(start, headerEnd), warnings);
  const fields: { name: string; value: string }[] = [];
  let bad = 0;
  let current: { name: string; value: string } | undefined;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '') continue;
    const c = line.charCodeAt(0);
    if ((c === 0x20 || c === 0x09) && current) {
      // References keeps growing with the thread and its tail (the nearest ancestors) matters most.
      if (current.value.length < MAX_VALUE_CHARS || current.name === 'references') current.value += line;
      continue;
    }
    const m = FIELD_RE.exec(line);
    if (!m) {
      bad++;
      current = undefined;
      continue;
    }
    if (fields.length >= MAX_HEADER_FIELDS) {
      warnings.push(`more than ${MAX_HEADER_FIELDS} header fields; the rest were ignored`);
      break;
    }
    const name = m[1]!.toLowerCase();
    current = { name, value: name === 'references' ? m[2]! : m[2]!.slice(0, MAX_VALUE_CHARS) };
    fields.push(current);
  }
  // Not a header section at all (no fields, or a field or two that binary junk happened to spell, among mostly
  // malformed lines): the whole message is body.
  const firstLine = /^[^\n]*/.exec(text)![0].replace(/\r$/, '');
  if (fields.length === 0 || !FIELD_RE.test(firstLine) || (fields.length < 5 && bad > fields.length * 2)) {
    return { fields: [], bodyStart: start, warnings };
  }
  if (bad > 0) warnings.push(`${bad} malformed header line(s) ignored`);
  return { fields, bodyStart, warnings };
}

// One RFC 2047 encoded word. Bounded character classes, so matching stays linear.
const ENCODED_WORD_RE = /=\?([^?\s]{1,64})\?([BbQq])\?([^?\s]*)\?=/g;

function decodeQ(s: string): Buffer {
  const out = Buffer.allocUnsafe(s.length);
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 0x5f) out[o++] = 0x20;
    else if (ch === 0x3d && i + 2 < s.length && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      out[o++] = parseInt(s.slice(i + 1, i + 3), 16);
      i += 2;
    } else out[o++] = ch & 0xff;
  }
  return out.subarray(0, o);
}

/**
 * Decodes RFC 2047 encoded words. Adjacent words in the same charset are joined as bytes before decoding,
 * since senders split multi-byte characters across words. Raw ISO-2022-JP in a header is decoded too.
 */
export function decodeEncodedWords(value: string, warnings?: string[]): string {
  if (!value.includes('=?')) {
    return value.includes('\x1b$') ? decodeBytes(Buffer.from(value, 'latin1'), 'iso-2022-jp').text : value;
  }
  let out = '';
  let last = 0;
  let pending: { charset: string; bytes: Buffer[] } | undefined;
  const flush = (): void => {
    if (!pending) return;
    const d = decodeBytes(Buffer.concat(pending.bytes), pending.charset);
    if (d.warning && warnings) warnings.push(`header: ${d.warning}`);
    out += d.text;
    pending = undefined;
  };
  ENCODED_WORD_RE.lastIndex = 0;
  for (let m = ENCODED_WORD_RE.exec(value); m; m = ENCODED_WORD_RE.exec(value)) {
    const between = value.slice(last, m.index);
    // Whitespace between two encoded words is not part of the text (RFC 2047 §6.2).
    if (!(pending && /^[ \t\r\n]*$/.test(between))) {
      flush();
      out += between;
    }
    const charset = m[1]!.toLowerCase();
    const bytes = m[2] === 'B' || m[2] === 'b' ? Buffer.from(m[3]!, 'base64') : decodeQ(m[3]!);
    if (pending && pending.charset !== charset) flush();
    if (!pending) pending = { charset, bytes: [] };
    pending.bytes.push(bytes);
    last = m.index + m[0].length;
  }
  flush();
  out += value.slice(last);
  return out;
}

/** A header value as it is shown and stored: decoded, unfolded, controls replaced by a space, trimmed. */
export function cleanValue(value: string, warnings?: string[]): string {
  return decodeEncodedWords(value, warnings).replace(CONTROL_RE, ' ').replace(/ {2,}/g, ' ').trim();
}

/** The headers map of a Post: lower-cased names, repeated fields joined with "\n". */
export function headerMap(fields: RawHeaders['fields'], warnings: string[]): Record<string, string> {
  const map: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const f of fields) {
    const v = cleanValue(f.value, warnings);
    const prev = map[f.name];
    map[f.name] = prev === undefined ? v : `${prev}\n${v}`;
  }
  return map;
}

/** The first value of a field, raw (still encoded). */
export function firstRaw(fields: RawHeaders['fields'], name: string): string | undefined {
  for (const f of fields) if (f.name === name) return f.value;
  return undefined;
}

const MSGID_RE = /<([^<>\s]{1,998})>/g;

/** Message-IDs in a header value, with angle brackets, in order. */
export function messageIds(value: string | undefined): string[] {
  if (!value) return [];
  const ids: string[] = [];
  MSGID_RE.lastIndex = 0;
  for (let m = MSGID_RE.exec(value); m; m = MSGID_RE.exec(value)) ids.push(`<${m[1]}>`);
  return ids;
}

/** The Message-ID, tolerating a value without angle brackets. */
export function messageIdOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ids = messageIds(value);
  if (ids.length > 0) return ids[0];
  const token = value.replace(CONTROL_RE, '').trim().split(/\s+/)[0];
  return token && token.includes('@') ? `<${token}>` : undefined;
}

/** References oldest first, then In-Reply-To when References lacks it; deduplicated and capped. */
export function referencesOf(references: string | undefined, inReplyTo: string | undefined): string[] {
  const seen = new Set<string>();
  const refs: string[] = [];
  for (const id of [...messageIds(references), ...messageIds(inReplyTo).slice(0, 1)]) {
    if (!seen.has(id)) {
      seen.add(id);
      refs.push(id);
    }
  }
  // Keep the thread root and the nearest ancestors: those are what threading needs.
  if (refs.length > MAX_REFERENCES) return [refs[0]!, ...refs.slice(refs.length - (MAX_REFERENCES - 1))];
  return refs;
}

/** The id part of List-Id (`Name <tlug.tlug.example.jp>` → `tlug.tlug.example.jp`), lower-cased. */
export function listIdOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m = /<([^<>]{1,255})>/.exec(value);
  const id = (m ? m[1]! : value).replace(CONTROL_RE, '').trim().toLowerCase();
  return id && !/\s/.test(id) ? id : undefined;
}

function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/\\(.)/g, '$1');
  return t;
}

/** The first mailbox of an address header: `Name <a@b>`, `"Name" <a@b>`, `a@b (Name)` or `a@b`. */
export function addressOf(rawValue: string | undefined, warnings?: string[]): Address {
  if (!rawValue) return {};
  const value = rawValue.replace(CONTROL_RE, ' ').trim();
  let name: string | undefined;
  let address: string | undefined;
  const angle = /<([^<>]*)>/.exec(value);
  if (angle) {
    address = angle[1]!.trim();
    name = value.slice(0, angle.index);
  } else {
    const m = /^([^\s()<>",]+@[^\s()<>",]+)\s*(?:\((.*)\))?/.exec(value);
    if (m) {
      address = m[1];
      name = m[2];
    } else if (/^[^\s@]+@[^\s@]+$/.test(value)) {
      address = value;
    } else {
      // Mailman 2's pipermail archives hide the address as "jane at example.org (Jane Doe)".
      const hidden = /^([^\s()<>",@]+) at ([^\s()<>",@]+\.[^\s()<>",@]+)\s*(?:\((.*)\))?$/.exec(value);
      if (hidden) {
        address = `${hidden[1]}@${hidden[2]}`;
        name = hidden[3];
      } else {
        name = value;
      }
    }
  }
  const out: Address = {};
  if (name !== undefined) {
    const decoded = unquote(cleanValue(unquote(name), warnings));
    if (decoded) out.name = decoded;
  }
  if (address) out.address = address.replace(/^mailto:/i, '').toLowerCase();
  return out;
}

/** The Date header, when it parses. */
export function dateOf(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  // Comments such as "(JST)" and a doubled weekday confuse Date.parse; the zone offset is what counts.
  const cleaned = value
    .replace(/\([^()]*\)/g, ' ')
    .replace(CONTROL_RE, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  let t = Date.parse(cleaned);
  if (Number.isNaN(t)) t = Date.parse(cleaned.replace(/^[A-Za-z]{3},?\s*/, ''));
  if (Number.isNaN(t)) return undefined;
  const d = new Date(t);
  const y = d.getUTCFullYear();
  return y >= 1970 && y <= 2200 ? d : undefined;
}

/** The media type and parameters of a Content-Type value. */
export function contentTypeOf(value: string | undefined): { type: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  if (!value) return { type: '', params };
  const parts = value.split(';');
  const type = (parts[0] ?? '').trim().toLowerCase();
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const k = p.slice(0, eq).trim().toLowerCase();
    if (!(k in params)) params[k] = unquote(p.slice(eq + 1));
  }
  return { type, params };
}
