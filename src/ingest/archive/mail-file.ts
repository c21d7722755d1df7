// One message per file (.eml, Maildir): read, size-checked, and judged mail or not, never throwing.

import { open } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { errorCode } from './errors.js';
import { isFromLineAt, startsWithHeader } from './mbox-format.js';
import { NO_HEADER_REASON } from './mbox-splitter.js';
import type { ArchiveItem } from './types.js';
import { oversizeReason } from './types.js';

/**
 * Reads one message file. Files are gunzipped when they start with gzip's magic bytes (Dovecot's zlib plugin
 * stores Maildir messages that way), and a leading mbox `From ` line is dropped (some tools save .eml with
 * one). Never rejects: every failure is a skipped item with the reason.
 */
export async function readMailFile(path: string, maxMessageBytes: number): Promise<ArchiveItem> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    return { kind: 'skipped', source: path, reason: `unreadable file: ${errorCode(err)}` };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { kind: 'skipped', source: path, reason: 'not a regular file' };
    if (st.size > maxMessageBytes) return { kind: 'skipped', source: path, reason: oversizeReason(maxMessageBytes) };
    let buf = await handle.readFile();
    if (buf.length > maxMessageBytes) return { kind: 'skipped', source: path, reason: oversizeReason(maxMessageBytes) };
    if (buf[0] === 0x1f && buf[1] === 0x8b) {
      try {
        buf = gunzipSync(buf, { maxOutputLength: maxMessageBytes + 1 });
      } catch (err) {
        const tooBig = errorCode(err) === 'ERR_BUFFER_TOO_LARGE';
        return {
          kind: 'skipped',
          source: path,
          reason: tooBig ? oversizeReason(maxMessageBytes) : `gzip data corrupt or cut short (${errorCode(err)})`,
        };
      }
      if (buf.length > maxMessageBytes) return { kind: 'skipped', source: path, reason: oversizeReason(maxMessageBytes) };
    }
    return mailFromBytes(buf, path);
  } catch (err) {
    return { kind: 'skipped', source: path, reason: `unreadable file: ${errorCode(err)}` };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Judges a whole file's bytes: mail when it opens with a header block (after an optional From line). */
export function mailFromBytes(buf: Buffer, source: string): ArchiveItem {
  if (buf.length === 0) return { kind: 'skipped', source, reason: 'empty file' };
  let start = 0;
  const nl = buf.indexOf(0x0a);
  if (nl !== -1 && isFromLineAt(buf, 0, nl)) start = nl + 1;
  if (!startsWithHeader(buf, start)) return { kind: 'skipped', source, reason: NO_HEADER_REASON };
  return { kind: 'mail', raw: start > 0 ? buf.subarray(start) : buf, source };
}

/**
 * Orders names as people and delivery agents mean them: digit runs compare by value, so "9.eml" < "10.eml"
 * and a Maildir name's leading epoch seconds sort in delivery order even across a change in digit count.
 */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const ta = a.match(re) ?? [];
  const tb = b.match(re) ?? [];
  const n = Math.min(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    const x = ta[i] as string;
    const y = tb[i] as string;
    if (x === y) continue;
    const dx = x.charCodeAt(0) >= 48 && x.charCodeAt(0) <= 57;
    const dy = y.charCodeAt(0) >= 48 && y.charCodeAt(0) <= 57;
    if (dx && dy) {
      const vx = x.replace(/^0+/, '');
      const vy = y.replace(/^0+/, '');
      if (vx.length !== vy.length) return vx.length - vy.length;
      if (vx !== vy) return vx < vy ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  if (ta.length !== tb.length) return ta.length - tb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
