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
 * RFC 3676 format=flowed: a line ending in a space continues on the next line of the same quote depth.
 * The signature separator "-- " is never joined.
 */
export function unflow(text: string, delSp: boolean): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let cur: string | undefined;
  let curDepth = -1;
  for (const line of lines) {
    let depth = 0;
    while (depth < line.length && line.charCodeAt(depth) === 0x3e) depth++;
    let content = line.slice(depth);
    if (content.startsWith(' ') && depth > 0) content = content.slice(1);
    else if (depth === 0 && content.startsWith(' ')) content = content.slice(1); // space-stuffing
    const flowed = content.endsWith(' ') && content !== '-- ';
    const piece = flowed && delSp ? content.slice(0, -1) : content;
    if (cur !== undefined && depth === curDepth) cur += piece;
    else {
      if (cur !== undefined) out.push(curDepth > 0 ? '>'.repeat(curDepth) + ' ' + cur : cur);
      cur = piece;
      curDepth = depth;
    }
    if (!flowed) {
      out.push(curDepth > 0 ? '>'.repeat(curDepth) + ' ' + cur : cur);
      cur = undefined;
      curDepth = -1;
    }
  }
  if (cur !== undefined) out.push(curDepth > 0 ? '>'.repeat(curDepth) + ' ' + cur : cur);
  return out.join('\n');
}

/** Decodes a single-part body: transfer encoding, then charset (with repair). */
export function decodeSimpleBody(body: Buffer, transferEncoding: string, charset: string | undefined): Decoded {
  let bytes = body;
  if (transferEncoding === 'quoted-printable') bytes = decodeQuotedPrintable(body);
  else if (transferEncoding === 'base64') bytes = Buffer.from(body.toString('latin1'), 'base64');
  return decodeBytes(bytes, charset);
}
