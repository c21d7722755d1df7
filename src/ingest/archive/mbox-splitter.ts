// Splits an mbox byte stream into messages, chunk by chunk, without ever holding more than one message.

import type { ArchiveItem } from './types.js';
import { oversizeReason } from './types.js';
import { isFromLineAt, MAX_FROM_LINE, startsWithHeader, unescapeFromLines } from './mbox-format.js';

const LF = 0x0a;
const CR = 0x0d;
const NL_FROM = Buffer.from('\nFrom ');
const EMPTY = Buffer.alloc(0);

/** What the bytes being read belong to. */
type Mode =
  | 'start' // nothing decided yet: waiting for the first line
  | 'junk' // bytes before the first separator that are not mail
  | 'message' // a message being collected
  | 'skip'; // a message over the size cap: counted, not kept

export const JUNK_REASON = 'non-mail data before the first "From " line';
export const NO_HEADER_REASON = 'no header block';
export const TRUNCATED_NO_HEADER_REASON = 'truncated at end of file: no header block';
export const EMPTY_REASON = 'empty message';

/**
 * A push parser: feed it chunks with `push`, then call `end`; each returns the items completed so far.
 *
 * A separator is a line that looks like `From <addr> <date>` at the start of the data or after a blank line
 * (LF or CRLF). Only "\nFrom " is searched for (Buffer.indexOf, so the scan runs at memory speed); each hit
 * is then checked. A few bytes at the end of each chunk stay unassigned until the next chunk, so a separator
 * split across chunks is still seen. Data that starts with a header line instead of a separator is taken as
 * a message too (an mbox missing its first From line, or a gzipped single message); anything else before the
 * first separator is junk and reported once.
 */
export class MboxSplitter {
  private mode: Mode = 'start';
  /** Bytes not yet assigned to any message, carried to the next chunk. */
  private pending: Buffer = EMPTY;
  /** The last (up to) 3 bytes before `pending`, to check for a blank line before a separator. */
  private tail: Buffer = EMPTY;
  private parts: Buffer[] = [];
  private size = 0;
  private messageNumber = 0;
  private junkHasContent = false;
  private out: ArchiveItem[] = [];

  constructor(
    /** Used in `source`: `label#n`. Normally the path as the user gave it. */
    private readonly label: string,
    private readonly maxMessageBytes: number,
  ) {}

  push(chunk: Buffer): ArchiveItem[] {
    if (chunk.length === 0) return this.drain();
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const keep = this.scan(buf, false);
    this.carry(buf, keep);
    return this.drain();
  }

  /** Call once the data has ended: completes (or reports) the last message. */
  end(): ArchiveItem[] {
    const buf = this.pending;
    this.scan(buf, true);
    this.carry(buf, buf.length);
    this.finish(true);
    this.mode = 'start';
    return this.drain();
  }

  private drain(): ArchiveItem[] {
    const items = this.out;
    this.out = [];
    return items;
  }

  /** Keeps `buf[keep..]` for the next chunk (copied, so the big chunk itself can be freed). */
  private carry(buf: Buffer, keep: number): void {
    const before = keep >= 3 ? buf.subarray(keep - 3, keep) : Buffer.concat([this.tail, buf.subarray(0, keep)]);
    this.tail = Buffer.from(before.subarray(Math.max(0, before.length - 3)));
    this.pending = keep < buf.length ? Buffer.from(buf.subarray(keep)) : EMPTY;
  }

  /** The byte at `idx` of the stream as seen from `buf`, reaching back into `tail` for negative indexes. */
  private byteAt(buf: Buffer, idx: number): number | undefined {
    return idx >= 0 ? buf[idx] : this.tail[this.tail.length + idx];
  }

  /** Is the line that ends with the "\n" at `i` empty (LF or CRLF)? The very start of the data counts too. */
  private blankLineEndsAt(buf: Buffer, i: number): boolean {
    const b1 = this.byteAt(buf, i - 1);
    if (b1 === undefined || b1 === LF) return true;
    return b1 === CR && (this.byteAt(buf, i - 2) ?? LF) === LF;
  }

  /** Assigns all it can of `buf` and returns the index from which bytes must wait for the next chunk. */
  private scan(buf: Buffer, final: boolean): number {
    let pos = 0;
    if (this.mode === 'start') {
      if (buf.length === 0) return 0;
      const nl = buf.indexOf(LF);
      if (nl === -1 && !final && buf.length <= MAX_FROM_LINE) return 0;
      const lineEnd = nl === -1 ? buf.length : nl;
      if (isFromLineAt(buf, 0, lineEnd)) {
        this.begin();
        pos = Math.min(lineEnd + 1, buf.length);
      } else if (startsWithHeader(buf)) {
        this.begin();
      } else {
        this.mode = 'junk';
      }
    }
    let search = pos;
    for (;;) {
      const i = buf.indexOf(NL_FROM, search);
      if (i === -1) {
        // The last few bytes may be the start of a "\nFrom " split across chunks: keep only those, so that
        // nearly always nothing is carried and the next chunk is scanned in place, without a copy.
        const keep = final ? buf.length : Math.max(pos, partialSeparatorAt(buf));
        this.take(buf, pos, keep);
        return keep;
      }
      const lineStart = i + 1;
      let lineEnd = buf.indexOf(LF, lineStart);
      if (lineEnd === -1) {
        if (final) {
          lineEnd = buf.length;
        } else if (buf.length - lineStart > MAX_FROM_LINE) {
          search = i + 1;
          continue;
        } else {
          this.take(buf, pos, i);
          return i;
        }
      }
      const separates =
        (this.mode === 'junk' || this.blankLineEndsAt(buf, i)) && isFromLineAt(buf, lineStart, lineEnd);
      if (!separates) {
        search = i + 1;
        continue;
      }
      this.take(buf, pos, i + 1);
      this.finish(false);
      this.begin();
      pos = search = Math.min(lineEnd + 1, buf.length);
    }
  }

  private begin(): void {
    this.mode = 'message';
    this.messageNumber++;
    this.parts = [];
    this.size = 0;
  }

  /** Gives `buf[from, to)` to whatever is being read now. */
  private take(buf: Buffer, from: number, to: number): void {
    if (to <= from) return;
    switch (this.mode) {
      case 'message':
        this.size += to - from;
        // +2: the blank line before the next separator is counted here but is not part of the message.
        if (this.size > this.maxMessageBytes + 2) {
          this.mode = 'skip';
          this.parts = [];
        } else {
          this.parts.push(buf.subarray(from, to));
        }
        return;
      case 'skip':
        this.size += to - from;
        return;
      case 'junk':
        if (!this.junkHasContent) this.junkHasContent = hasNonSpace(buf, from, to);
        return;
      case 'start':
        return;
    }
  }

  /** Emits the message (or skip) being read: at a separator, or at the end of the data. */
  private finish(atEnd: boolean): void {
    const source = `${this.label}#${this.messageNumber}`;
    switch (this.mode) {
      case 'start':
        return;
      case 'junk':
        if (this.junkHasContent) this.out.push({ kind: 'skipped', source: this.label, reason: JUNK_REASON });
        this.junkHasContent = false;
        return;
      case 'skip':
        this.out.push({ kind: 'skipped', source, reason: oversizeReason(this.maxMessageBytes) });
        this.parts = [];
        return;
      case 'message': {
        let msg = Buffer.concat(this.parts, this.size);
        this.parts = [];
        const truncated = atEnd && msg.length > 0 && msg[msg.length - 1] !== LF;
        // At a separator the message ends with the blank line that belongs to the separator; at the end of
        // the data it has one only if the writer added it (most do).
        if (!atEnd || endsWithBlankLine(msg)) msg = msg.subarray(0, msg.length - lineEndingLength(msg));
        if (msg.length === 0) {
          this.out.push({ kind: 'skipped', source, reason: atEnd ? TRUNCATED_NO_HEADER_REASON : EMPTY_REASON });
        } else if (msg.length > this.maxMessageBytes) {
          this.out.push({ kind: 'skipped', source, reason: oversizeReason(this.maxMessageBytes) });
        } else if (!startsWithHeader(msg)) {
          this.out.push({ kind: 'skipped', source, reason: truncated ? TRUNCATED_NO_HEADER_REASON : NO_HEADER_REASON });
        } else {
          const raw = unescapeFromLines(msg);
          this.out.push(truncated ? { kind: 'mail', raw, source, truncated } : { kind: 'mail', raw, source });
        }
        return;
      }
    }
  }
}

/** Where a "\n" begins that, with the bytes after it, is a proper prefix of "\nFrom " ending the buffer. */
function partialSeparatorAt(buf: Buffer): number {
  const n = buf.length;
  for (let k = Math.max(0, n - (NL_FROM.length - 1)); k < n; k++) {
    if (buf[k] !== LF) continue;
    let prefix = true;
    for (let j = k + 1; j < n; j++) if (buf[j] !== NL_FROM[j - k]) prefix = false;
    if (prefix) return k;
  }
  return n;
}

function lineEndingLength(msg: Buffer): number {
  const n = msg.length;
  if (n === 0 || msg[n - 1] !== LF) return 0;
  return n >= 2 && msg[n - 2] === CR ? 2 : 1;
}

function endsWithBlankLine(msg: Buffer): boolean {
  const n = msg.length;
  if (n === 0 || msg[n - 1] !== LF) return false;
  const before = n - lineEndingLength(msg);
  return before === 0 || msg[before - 1] === LF;
}

function hasNonSpace(buf: Buffer, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const b = buf[k];
    if (b !== 0x20 && b !== 0x09 && b !== LF && b !== CR) return true;
  }
  return false;
}
