// The mbox format's small rules in one place: what a `From ` separator line looks like, what starts a header
// block, and how writers escape body lines (used by the splitter, detection, tests and the bench generator).

/** A `From ` line longer than this is body text, not a separator (real ones are well under 200 bytes). */
export const MAX_FROM_LINE = 1000;

const FROM_LINE = /^From +\S+[ \t]+\S/;
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MON = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const HMS = '\\d{1,2}:\\d{2}(?::\\d{2})?';
const ZONE = '(?:[+-]\\d{4}|[A-Z]{1,5})';
const TRAILER = '(?: remote from \\S+)?\\s*$';
/** The date a separator line ends with: asctime (with or without zone), RFC 2822, or ISO 8601. */
const DATE_AT_END = new RegExp(
  [
    `\\s${DAY}\\s+${MON}\\s+\\d{1,2}\\s+${HMS}(?:\\s+${ZONE})?\\s+\\d{4}(?:\\s+${ZONE})?${TRAILER}`,
    `\\s(?:${DAY},?\\s+)?\\d{1,2}\\s+${MON}\\s+\\d{4}\\s+${HMS}(?:\\s+${ZONE})?${TRAILER}`,
    `\\s\\d{4}-\\d{2}-\\d{2}[T ]${HMS}(?:\\.\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})?${TRAILER}`,
  ].join('|'),
);

/**
 * True when the line (without its "\n") looks like `From <addr> <date>`. The line must end with a date, so
 * that a body line such as "From what I can tell…" after a blank line is not taken for a separator in
 * unescaped (mboxo) files. Accepted dates: asctime (`Sat Jul 20 01:51:39 2002`, also with a zone), RFC 2822,
 * ISO 8601; addresses may contain spaces, as pipermail's `From jane at example.org  Thu Jul 16 …` does.
 */
export function isFromLine(line: string): boolean {
  if (line.length > MAX_FROM_LINE || !line.startsWith('From ')) return false;
  return FROM_LINE.test(line) && DATE_AT_END.test(line);
}

/** The same test on bytes `buf[start, end)`, without decoding more than the line. */
export function isFromLineAt(buf: Buffer, start: number, end: number): boolean {
  if (end - start > MAX_FROM_LINE + 1) return false;
  return isFromLine(buf.toString('latin1', start, end));
}

const HEADER_FIELD = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;

/**
 * True when the bytes start like an RFC 5322 header block: a field name and a colon on the first line. A
 * message that does not is not mail we can do anything with (binary junk, or a body split off by a false
 * separator), and is skipped with a reason instead of reaching parse as a post with no author.
 */
export function startsWithHeader(buf: Buffer, offset = 0): boolean {
  let start = offset;
  if (buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3; // a UTF-8 BOM
  const end = Math.min(buf.length, start + 1000);
  let nl = buf.indexOf(0x0a, start);
  if (nl === -1 || nl > end) nl = end;
  return HEADER_FIELD.test(buf.toString('latin1', start, nl));
}

const FROM_SPACE = Buffer.from('From ');
const GT = 0x3e;
const LF = 0x0a;

/**
 * Undo mboxrd escaping: one `>` comes off every line matching `^>+From `. For mboxo files (where writers only
 * turned `From ` into `>From `) this is also right, except for a body line that genuinely began with ">From "
 * before it was stored: it comes out as "From ". That loss is rare and mboxo cannot be told from mboxrd while
 * streaming (the evidence, a `>>From ` line, may never appear), so every mbox is read as mboxrd.
 */
export function unescapeFromLines(msg: Buffer): Buffer {
  let at = msg.indexOf(FROM_SPACE);
  if (at === -1) return msg;
  const cuts: number[] = [];
  while (at !== -1) {
    let k = at;
    while (k > 0 && msg[k - 1] === GT) k--;
    if (k < at && (k === 0 || msg[k - 1] === LF)) cuts.push(k);
    at = msg.indexOf(FROM_SPACE, at + 5);
  }
  if (cuts.length === 0) return msg;
  const out = Buffer.allocUnsafe(msg.length - cuts.length);
  let from = 0;
  let to = 0;
  for (const cut of cuts) {
    to += msg.copy(out, to, from, cut);
    from = cut + 1;
  }
  msg.copy(out, to, from);
  return out;
}

/** mboxrd escaping, for writers: every line matching `^>*From ` gains one `>`. Reverses `unescapeFromLines`. */
export function escapeFromLines(msg: Buffer): Buffer {
  let at = msg.indexOf(FROM_SPACE);
  if (at === -1) return msg;
  const cuts: number[] = [];
  while (at !== -1) {
    let k = at;
    while (k > 0 && msg[k - 1] === GT) k--;
    if (k === 0 || msg[k - 1] === LF) cuts.push(k);
    at = msg.indexOf(FROM_SPACE, at + 5);
  }
  if (cuts.length === 0) return msg;
  const out = Buffer.allocUnsafe(msg.length + cuts.length);
  let from = 0;
  let to = 0;
  for (const cut of cuts) {
    to += msg.copy(out, to, from, cut);
    out[to++] = GT;
    from = cut;
  }
  msg.copy(out, to, from);
  return out;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A separator line in asctime form, `From jane@example.org Sat Jul 20 01:51:39 2002` (UTC), without newline. */
export function fromLine(sender: string, date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const d = date;
  const day = String(d.getUTCDate()).padStart(2, ' ');
  const time = `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  const addr = sender.trim() === '' || /\s/.test(sender) ? 'MAILER-DAEMON' : sender;
  return `From ${addr} ${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${day} ${time} ${d.getUTCFullYear()}`;
}

export interface MboxEntryOptions {
  /** 'mboxrd' (default) escapes `^>*From `; 'mboxo' only `^From `, as old writers did. */
  style?: 'mboxrd' | 'mboxo';
  /** Line ending of the From line and the blank line after the message; the message's own bytes are kept. */
  eol?: '\n' | '\r\n';
}

/** One message as an mbox entry: From line, escaped message, a newline if it lacked one, and a blank line. */
export function mboxEntry(raw: Buffer, sender: string, date: Date, opts: MboxEntryOptions = {}): Buffer {
  const eol = opts.eol ?? '\n';
  const body = opts.style === 'mboxo' ? escapeMboxo(raw) : escapeFromLines(raw);
  const endsWithNewline = body.length > 0 && body[body.length - 1] === LF;
  return Buffer.concat([
    Buffer.from(fromLine(sender, date) + eol, 'latin1'),
    body,
    Buffer.from((endsWithNewline ? '' : eol) + eol, 'latin1'),
  ]);
}

function escapeMboxo(msg: Buffer): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  let at = msg.indexOf(FROM_SPACE);
  while (at !== -1) {
    if (at === 0 || msg[at - 1] === LF) {
      parts.push(msg.subarray(from, at), Buffer.from('>'));
      from = at;
    }
    at = msg.indexOf(FROM_SPACE, at + 5);
  }
  if (parts.length === 0) return msg;
  parts.push(msg.subarray(from));
  return Buffer.concat(parts);
}
