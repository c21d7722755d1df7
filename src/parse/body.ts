// Single-part bodies without mailparser: transfer decoding, charset repair and format=flowed, for speed and control.

import { decodeBytes, type Decoded } from './charset.js';

/** Transfer encodings the fast path decodes itself; anything else goes through mailparser. */
const SIMPLE_ENCODINGS = new Set(['', '7bit', '8bit', 'binary', 'quoted-printable', 'base64']);

/** Whether a message's top-level part is plain text or HTML that the fast path can read. */
export function isSimpleBody(contentType: string, transferEncoding: string): boolean {
  return (contentType === '' || contentType === 'text/plain' || contentType === 'text/html') && SIMPLE_ENCODINGS.has(transferEncoding);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Quoted-printable to bytes; lenient about lower-case hex, stray "=" and trailing whitespace before soft breaks. */
export function decodeQuotedPrintable(buf: Buffer): Buffer {
  const out = Buffer.allocUnsafe(buf.length);
  let o = 0;
  const n = buf.length;
  for (let i = 0; i < n; i++) {
    const b = buf[i]!;
    if (b !== 0x3d) {
      out[o++] = b;
      continue;
    }
    const h1 = i + 1 < n ? hexValue(buf[i + 1]!) : -1;
    const h2 = i + 2 < n ? hexValue(buf[i + 2]!) : -1;
    if (h1 >= 0 && h2 >= 0) {
      out[o++] = (h1 << 4) | h2;
      i += 2;
      continue;
    }
    // Soft line break: "=" then optional spaces/tabs then (CR)LF.
    let j = i + 1;
    while (j < n && (buf[j] === 0x20 || buf[j] === 0x09)) j++;
    if (j < n && buf[j] === 0x0d && buf[j + 1] === 0x0a) {
      i = j + 1;
      continue;
    }
    if (j < n && buf[j] === 0x0a) {
      i = j;
      continue;
    }
    if (j >= n) break;
    out[o++] = b;
  }
  return out.subarray(0, o);
}

/**
 * RFC 3676 format=flowed: a line ending in a space continues on the next line of the same quote depth. The
 * original quote prefix is kept and space-stuffing removed, as mailparser does, so both paths read alike.
 * The signature separator "-- " is never joined.
 */
export function unflow(text: string, delSp: boolean): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let parts: string[] = [];
  let prefix = '';
  let depth = 0;
  let started = false;
  const flush = (): void => {
    const body = parts.join('');
    out.push(prefix + (depth === 0 ? body.replace(/^ /, '') : body));
  };
  for (const line of lines) {
    let lineDepth = 0;
    while (line.charCodeAt(lineDepth) === 0x3e) lineDepth++;
    const prefixLength = lineDepth > 0 && line.charCodeAt(lineDepth) === 0x20 ? lineDepth + 1 : lineDepth;
    const content = line.slice(prefixLength);
    const last = parts.length > 0 ? parts[parts.length - 1]! : '';
    const soft = started && lineDepth === depth && last.endsWith(' ') && parts.join('') !== '-- ';
    if (soft) {
      if (delSp) parts[parts.length - 1] = last.slice(0, -1);
      const piece = delSp || lineDepth > 0 ? content : content.replace(/^ /, '');
      // Empty pieces are dropped so the last piece always ends the paragraph's text, as in mailparser.
      if (parts[parts.length - 1] === '') parts.pop();
      if (piece) parts.push(piece);
      continue;
    }
    if (started) flush();
    started = true;
    parts = content ? [content] : [];
    depth = lineDepth;
    prefix = line.slice(0, prefixLength);
  }
  if (started) flush();
  return out.join('\n');
}

/** Decodes a single-part body: transfer encoding, then charset (with repair). */
export function decodeSimpleBody(body: Buffer, transferEncoding: string, charset: string | undefined): Decoded {
  let bytes = body;
  if (transferEncoding === 'quoted-printable') bytes = decodeQuotedPrintable(body);
  else if (transferEncoding === 'base64') bytes = Buffer.from(body.toString('latin1'), 'base64');
  return decodeBytes(bytes, charset);
}

export interface SimpleMultipart {
  text?: string;
  html?: string;
  attachments: { filename?: string; contentType: string; size: number }[];
  warnings: string[];
}

/** Multipart bodies larger than this go to mailparser, which streams them. */
const MAX_FAST_MULTIPART_BYTES = 512 * 1024;
const FAST_SUBTYPES = new Set(['multipart/mixed', 'multipart/alternative', 'multipart/related', 'multipart/signed']);

function partParams(value: string | undefined): { type: string; params: Record<string, string> } | undefined {
  const params: Record<string, string> = {};
  if (!value) return { type: '', params };
  const parts = value.split(';');
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const k = p.slice(0, eq).trim().toLowerCase();
    // RFC 2231 continuations and charsets: rare in list mail; mailparser handles them.
    if (k.includes('*')) return undefined;
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    if (!(k in params)) params[k] = v;
  }
  return { type: (parts[0] ?? '').trim().toLowerCase(), params };
}

/**
 * One level of multipart (text and HTML alternatives, attachments, PGP signatures) without mailparser: the common
 * shape of list mail, read at a fraction of the cost. Returns undefined for anything unusual (nested multiparts,
 * embedded messages, RFC 2231 parameters, a missing closing boundary), which then goes through mailparser.
 */
/** The decoded size of base64 text: Buffer.byteLength's once everything outside the alphabet is dropped. */
function base64Size(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f) n++;
  }
  return (n * 3) >>> 2;
}

export function tryMultipart(body: Buffer, type: string, boundary: string | undefined, maxPartBytes: number): SimpleMultipart | undefined {
  if (!FAST_SUBTYPES.has(type) || !boundary || boundary.length > 200 || body.length > MAX_FAST_MULTIPART_BYTES) return undefined;
  const s = '\n' + body.toString('latin1');
  const delim = '\n--' + boundary;
  let at = s.indexOf(delim);
  if (at < 0) return undefined;
  const parts: string[] = [];
  let closed = false;
  for (;;) {
    let lineEnd = s.indexOf('\n', at + delim.length);
    if (lineEnd < 0) lineEnd = s.length;
    const tail = s.slice(at + delim.length, lineEnd).trim();
    if (tail === '--') {
      closed = true;
      break;
    }
    if (tail !== '') return undefined; // a boundary that is the prefix of a longer line: let mailparser judge
    const next = s.indexOf(delim, lineEnd);
    if (next < 0) return undefined;
    let part = s.slice(lineEnd + 1, next);
    if (part.endsWith('\r')) part = part.slice(0, -1);
    parts.push(part);
    at = next;
    if (parts.length > 50) return undefined;
  }
  if (!closed) return undefined;
  const out: SimpleMultipart = { attachments: [], warnings: [] };
  const texts: string[] = [];
  const htmls: string[] = [];
  for (const part of parts) {
    let head = '';
    let content = '';
    if (part.startsWith('\r\n') || part.startsWith('\n')) content = part.replace(/^\r?\n/, '');
    else {
      const blank = /\r?\n\r?\n/.exec(part);
      if (!blank) head = part;
      else {
        head = part.slice(0, blank.index);
        content = part.slice(blank.index + blank[0].length);
      }
    }
    const fields: Record<string, string> = {};
    for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      if (!(name in fields)) fields[name] = line.slice(colon + 1).trim();
    }
    if (/[^\x00-\x7f]/.test(head)) return undefined;
    const ct = partParams(fields['content-type']);
    const disp = partParams(fields['content-disposition']);
    if (!ct || !disp) return undefined;
    const ctype = ct.type || 'text/plain';
    if (ctype.startsWith('multipart/') || ctype.startsWith('message/')) return undefined;
    const cte = (fields['content-transfer-encoding'] ?? '').toLowerCase();
    if (!SIMPLE_ENCODINGS.has(cte)) return undefined;
    const filename = disp.params['filename'] ?? ct.params['name'];
    if ((ctype === 'text/plain' || ctype === 'text/html') && disp.type !== 'attachment') {
      let bytes = Buffer.from(content, 'latin1');
      if (bytes.length > maxPartBytes) {
        out.warnings.push(`text part longer than ${maxPartBytes} bytes; ${bytes.length - maxPartBytes} bytes dropped`);
        bytes = bytes.subarray(0, maxPartBytes);
      }
      const d = decodeSimpleBody(bytes, cte, ct.params['charset']);
      if (d.warning) out.warnings.push(d.warning);
      let text = d.text.indexOf('\r') >= 0 ? d.text.replace(/\r\n?/g, '\n') : d.text;
      if (ctype === 'text/plain' && (ct.params['format'] ?? '').toLowerCase() === 'flowed') {
        text = unflow(text, (ct.params['delsp'] ?? '').toLowerCase() === 'yes');
      }
      (ctype === 'text/html' ? htmls : texts).push(text);
      continue;
    }
    // An attachment is only measured (`content` holds one byte per character): never copied or decoded whole.
    let size = content.length;
    if (cte === 'base64') size = base64Size(content);
    else if (cte === 'quoted-printable') size = decodeQuotedPrintable(Buffer.from(content, 'latin1')).length;
    const a: SimpleMultipart['attachments'][number] = { contentType: ctype, size };
    if (filename) a.filename = filename.replace(/[\u0000-\u001f\u007f]/g, '');
    out.attachments.push(a);
  }
  if (type === 'multipart/alternative') {
    if (texts.length > 0) out.text = texts[0];
    if (htmls.length > 0) out.html = htmls[htmls.length - 1];
  } else {
    if (texts.length > 0) out.text = texts.join('\n');
    if (htmls.length > 0) out.html = htmls.join('<br/>\n');
  }
  return out;
}
