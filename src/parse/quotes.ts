// The quote detector: splits a plain-text body into own words, quotes, attributions, signature and code, in one pass.

import type { Segment, SegmentKind } from '../model/post.js';

/**
 * Private-use characters the HTML renderer puts at the start of a line to pass on what the markup said:
 * ATTRIBUTION_MARK — this line is an attribution (gmail_attr, moz-cite-prefix);
 * REGION_MARK — everything from here on is quoted (Outlook divRplyFwdMsg).
 * Plain text given to splitBody has them removed, so a sender cannot use them to hide words.
 */
export const ATTRIBUTION_MARK = '\ue000';
export const REGION_MARK = '\ue001';
const MARKS_RE = /[\ue000\ue001]/g;

/** Lines longer than this are never attribution, header or signature lines: they are text, and not worth a regex. */
const MAX_PATTERN_LINE = 400;

// "> ", ">> ", "> > ", full-width "＞"; up to 3 spaces before. Each repetition consumes a '>', so matching is linear.
const QUOTE_PREFIX_RE = /^[ \t]{0,3}((?:[>＞][ \t]?)+)/;

// Supercite quotes name the quoted author before the '>' ("J> ", "DanQ> "): short initials, then a space.
const SUPERCITE_RE = /^[ \t]{0,4}([A-Za-z][A-Za-z0-9]{0,5})>(?=[ \t>]|$)((?:[ \t]?>)*)[ \t]?/;
// Supercite's attribution: '>>>>> "Jim" == Jim Whitehead <jim@example.org> writes:'.
const SUPERCITE_HEADER_RE = /^>{3,}\s*"[^"]{1,40}"\s*==\s*(.{1,160}?)\s+(?:writes|wrote|said)\s*:\s*$/;
// Shell and tool prompts look the same and are not quotes.
const PROMPT_RE = /^(?:mysql|sql|sqlite|ftp|sftp|lftp|irb|pdb|cmd|ps|dos|js|py|db|gdb|ok|mongo|redis)$/i;
// nmh/exmh reply style: an indented "Date:/From:/Message-ID:" block, then quotes prefixed with "| ".
const PIPE_QUOTE_RE = /^[ \t]{0,4}((?:\|[ \t]?)+)/;

// Words that open an attribution line in the languages we see: "On …", "Le …", "Am …", "El …", "At …" (Wanderlust).
const STARTER_RE = /^(?:On|Le|El|Am|At|Il|Em|Op|Den|Dne|W dniu|Op|Quoting|Zitat von|In message|In article|\d{4}年|\d{4}\/\d{1,2}\/\d{1,2})\b/;
// The verb at the end: "… wrote:", "… a écrit :", "… escribió:", "… writes:".
const VERB_END_RE =
  /^(.*?)[\s,]*(?:wrote|writes|said|has written|a écrit|escribió|escribio|ha scritto|escreveu|schreef|skrev|kirjoitti|napisał|pisze|napsal|пишет|написал|írta|schrieb)\s*\*?\s*[:：]\s*$/iu;
// The verb before the name: "Am 01.01.2024 um 10:00 schrieb Max Mustermann <m@m>:", "Op … schreef …:", "Den … skrev …:".
const VERB_FIRST_RE = /^(?:Am|Op|Den|On|Le)\s.{1,160}?\s(?:schrieb|schreef|skrev|wrote|a écrit)\s+(.{1,120}?)\s*[:：]\s*$/u;
// "Max Mustermann <m@m> schrieb am 01.01.2024 um 10:00:".
const NAME_SCHRIEB_RE = /^(.{1,120}?)\s+(?:schrieb|schreef|skrev)\s+(?:am|op|den)\s.{1,80}[:：]\s*$/u;
// 「山田さんは書きました:」, "山田 太郎 さんは書きました：".
const JA_SAN_RE = /^「?\s*(.{1,80}?)\s*さん(?:は|が)?\s*(?:書きました|書かれました|書いています|wrote)\s*[:：。]?\s*」?$/u;
// "2020年7月16日(木) 15:31 Stephen J. Turnbull <s@x>:" (Gmail in Japanese).
const JA_DATE_RE = /^\d{4}年\d{1,2}月\d{1,2}日.{0,20}?\d{1,2}:\d{2}(?::\d{2})?\s+(.{1,160}?)\s*[:：]\s*$/u;
// "Quoting Name <a@b>:" (Horde), "Zitat von Name <a@b>:".
const QUOTING_RE = /^(?:Quoting|Zitat von)\s+(.{1,160}?)\s*[:：]\s*$/u;
// A clock time inside an attribution: everything after the last one is the author.
const TIME_RE = /\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?\s?[Mm]\.?)?(?:\s*(?:[+-]\d{4}|\(?[A-Z]{2,5}\)?|UTC|GMT)(?![\w]))?/g;

// Outlook/Exchange header blocks: a From line followed by Sent/Date/To/Subject/Cc lines, in the languages seen.
const FROM_RE =
  /^\s{0,3}\*?(?:From|Von|De|Da|Van|Från|Fra|Od|Lähettäjä|Feladó|От|差出人|送信者|发件人|寄件者|寄件人)\s*\*?\s*[:：]\s*\*?\s*(.*)$/iu;
const HEADER_RE =
  /^\s{0,3}\*?(?:Sent|Date|To|Cc|Bcc|Subject|Reply-To|Gesendet|Datum|An|Betreff|Kopie|Envoyé|À|A|Objet|Enviado|Fecha|Para|Asunto|Inviato|Data|Oggetto|Verzonden|Aan|Onderwerp|Skickat|Till|Ämne|Sendt|Til|Emne|Wysłano|Do|Temat|Отправлено|Кому|Тема|送信日時|日時|日付|宛先|件名|发送时间|收件人|主题|日期|抄送|Organization|Message-ID|Newsgroups)\s*\*?\s*[:：]/iu;
// Separators after which the rest of the mail is an earlier message.
const SEPARATOR_RE =
  /^\s*-{2,}\s*(?:Original Message|Forwarded message|Forwarded Message|Ursprüngliche Nachricht|Weitergeleitete Nachricht|Message d'origine|Message transféré|Mensaje original|Mensaje reenviado|Messaggio originale|Messaggio inoltrato|Oorspronkelijk bericht|Doorgestuurd bericht|Originalmeddelande|Opprinnelig melding|Alkuperäinen viesti|Původní zpráva|Oryginalna wiadomość|Исходное сообщение|Пересылаемое сообщение|元のメッセージ|転送されたメッセージ|原始邮件|转发的邮件)\s*-{2,}\s*$/iu;
const FORWARD_LINE_RE =
  /^\s*(?:Begin forwarded message|Anfang der weitergeleiteten Nachricht|Début du message réexpédié|Inicio del mensaje reenviado|Inizio messaggio inoltrato)\s*[:：]\s*$/iu;
const UNDERSCORE_RULE_RE = /^_{8,}\s*$/;

// Signatures.
const SIG_STRONG = '-- ';
const SIG_WEAK_RE = /^(?:--|_{2,}|—)\s*$/;
/**
 * Mailman 2's archives put this line where they removed an attachment, followed by notes ("An HTML attachment was
 * scrubbed... URL: …"): nothing the author wrote, so it and what follows are read as signature.
 */
const SCRUBBED_RE = /^-{5,} next part -{5,}\s*$/;
const MOBILE_RE =
  /^\s*(?:Sent from my [\w ]{1,30}|Sent from (?:Mail|Outlook|Yahoo Mail|Proton Mail)\b.*|Get Outlook for \w+|Sent with Proton Mail.*|Envoyé de mon \w+.*|Von meinem \w+ gesendet.*|Enviado desde mi \w+.*|Inviato da \w+.*|iPhoneから送信|iPadから送信|Androidから送信)\s*$/iu;
const SHORT_BLOCK = 10;

// Code.
const FENCE_RE = /^\s{0,3}(```|~~~)/;
const DIFF_START_RE = /^(?:diff --git |diff -[a-zA-Z]+ \S|Index: \S|@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@)/;
const DIFF_LINE_RE =
  /^(?:[ +\-\\]|@@ |diff |index |Index: |={5,}|new file mode|deleted file mode|old mode|new mode|similarity index|rename (?:from|to) |copy (?:from|to) |Binary files )/;
const INDENT_RE = /^(?: {4}|\t)/;
const CODEISH_RE =
  /[{}=<>$#[\]\\|`]|;\s*$|^\s*(?:\$|%|>>>|C:\\)|\w\(|\(\)|^\s*(?:at |File ")|:\d+|\s--?\w|\/\w+\/|[rwxd-]{10}|[^\s.!?:] {3,}\S/;

interface Label {
  kind: SegmentKind;
  depth?: number;
  author?: string;
  /** The line's text as it goes into the segment (quote prefix stripped for quotes). */
  text: string;
}

interface Line {
  raw: string;
  /** Number of '>' in the quote prefix; 0 for unquoted lines. */
  depth: number;
  /** The line without its quote prefix. */
  content: string;
  blank: boolean;
  /** A quoted line the HTML renderer marked as an attribution. */
  marked: boolean;
}

function toLines(text: string): Line[] {
  const raws = text.split('\n');
  const out: Line[] = new Array<Line>(raws.length);
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i]!;
    let depth = 0;
    let content = raw;
    const c0 = raw.charCodeAt(0);
    // Cheap first-character test keeps the regex off most lines.
    if (c0 === 0x3e || c0 === 0xff1e || c0 === 0x20 || c0 === 0x09) {
      const m = QUOTE_PREFIX_RE.exec(raw);
      if (m) {
        const prefix = m[1]!;
        for (let k = 0; k < prefix.length; k++) {
          const ch = prefix.charCodeAt(k);
          if (ch === 0x3e || ch === 0xff1e) depth++;
        }
        content = raw.slice(m[0].length);
      }
    }
    if (depth === 0 && c0 !== 0x3e) {
      const gt = raw.indexOf('>');
      if (gt > 0 && gt <= 12) {
        const m = SUPERCITE_RE.exec(raw);
        if (m && !PROMPT_RE.test(m[1]!)) {
          depth = 1;
          for (const ch of m[2]!) if (ch === '>') depth++;
          content = raw.slice(m[0].length);
        }
      }
    }
    const marked = depth > 0 && content.startsWith(ATTRIBUTION_MARK);
    if (marked) content = content.slice(1);
    out[i] = { raw, depth, content, blank: content.trim() === '' && depth === 0, marked };
  }
  return out;
}

/** Removes an address and quoting from a name: `"Jane Doe" <j@d>` → `Jane Doe`; a bare address stays. */
export function cleanAuthor(s: string): string | undefined {
  let t = s.trim();
  let email: string | undefined;
  const angle = /<([^<>]*)>\s*$/.exec(t) ?? /\[mailto:([^\]]*)\]\s*$/i.exec(t) ?? /\(([^()]*@[^()]*)\)\s*$/.exec(t);
  if (angle) {
    email = angle[1]!.replace(/^mailto:/i, '').trim();
    t = t.slice(0, angle.index).trim();
  }
  // Supercite: 'On …, "Rick" == Rick Baartman wrote:' names the author after "==".
  const sc = t.lastIndexOf('==');
  if (sc >= 0) t = t.slice(sc + 2);
  t = t
    .replace(/^[,\s]+|[,\s]+$/g, '')
    .replace(/^["'“”「]+|["'“”」]+$/g, '')
    .replace(/\s*さん$/u, '')
    .replace(/^(?:at|à|um|a las|alle|kl\.|klo)\s+/i, '')
    .trim();
  t = t.replace(/\s+/g, ' ');
  if (!t && email) return email;
  if (!t) return undefined;
  if (t.length > 120) return undefined;
  return t;
}

/** The author in the part of an attribution before its verb: the words after the date and time. */
function authorFromHead(head: string): string | undefined {
  let h = head.trim();
  if (/^In (?:message|article)\b/i.test(h)) {
    const comma = h.lastIndexOf(',');
    return comma >= 0 ? cleanAuthor(h.slice(comma + 1)) : undefined;
  }
  h = h.replace(STARTER_RE, '').trim();
  let lastEnd = -1;
  TIME_RE.lastIndex = 0;
  for (let m = TIME_RE.exec(h); m; m = TIME_RE.exec(h)) lastEnd = m.index + m[0].length;
  if (lastEnd >= 0) {
    // Eudora puts the date after the time ("At 2:35 PM -0700 7/25/02, Adam wrote:"): the name follows a comma.
    const rest = h.slice(lastEnd);
    const c = rest.lastIndexOf(',');
    return cleanAuthor(c >= 0 && rest.slice(c + 1).trim() ? rest.slice(c + 1) : rest);
  }
  const comma = h.lastIndexOf(',');
  if (comma >= 0) return cleanAuthor(h.slice(comma + 1));
  // "On 2024-01-01 Jane wrote:": drop the leading tokens that carry digits.
  const words = h.split(/\s+/);
  while (words.length > 0 && /\d/.test(words[0]!)) words.shift();
  return cleanAuthor(words.join(' '));
}

interface Attribution {
  author?: string;
  /** Weak attributions ("Jane wrote:") only count when a quote follows. */
  strong: boolean;
}

/** Whether one (possibly joined) line is an attribution, and whom it names. */
export function parseAttribution(line: string): Attribution | undefined {
  const s = line.trim();
  if (s.length < 6 || s.length > MAX_PATTERN_LINE) return undefined;
  const last = s.charCodeAt(s.length - 1);
  // Every form ends with a colon (or 」/。 in Japanese); skip the regexes for the vast majority of lines.
  if (last !== 0x3a && last !== 0xff1a && last !== 0x300d && last !== 0x3002) return undefined;
  let m = JA_SAN_RE.exec(s);
  if (m) return { author: cleanAuthor(m[1]!), strong: true };
  m = JA_DATE_RE.exec(s);
  if (m && !/(?:wrote|writes)\s*[:：]$/i.test(s)) return { author: cleanAuthor(m[1]!), strong: true };
  m = QUOTING_RE.exec(s);
  if (m) return { author: cleanAuthor(m[1]!), strong: true };
  m = VERB_FIRST_RE.exec(s);
  if (m) return { author: cleanAuthor(m[1]!), strong: true };
  m = NAME_SCHRIEB_RE.exec(s);
  if (m) return { author: cleanAuthor(m[1]!), strong: true };
  m = VERB_END_RE.exec(s);
  if (!m) return undefined;
  const head = m[1]!;
  if (STARTER_RE.test(head) || /^\d/.test(head) || /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\w*,/.test(head)) {
    return { author: authorFromHead(head), strong: true };
  }
  // "Benjamin Kowarsch writes:", "jane@example.org wrote:": short, a name rather than a sentence.
  // "Once upon a time, Peter wrote :": custom attributions put the name last, after a comma.
  const comma = head.lastIndexOf(',');
  const name = cleanAuthor(comma >= 0 && head.slice(comma + 1).trim() ? head.slice(comma + 1) : head);
  if (!name) return undefined;
  const words = name.split(/\s+/).length;
  if (words > 6 || /[.!?;]$/.test(name)) return undefined;
  return { author: name, strong: false };
}

/** The author named in an Outlook block's From line: `Stephen J. Turnbull [mailto:s@x]` → `Stephen J. Turnbull`. */
function authorFromFromLine(value: string): string | undefined {
  const behalf = /\bOn Behalf Of\s+(.+)$/i.exec(value);
  return cleanAuthor((behalf ? behalf[1]! : value).replace(/\*+/g, ''));
}

/** Length of the Outlook header block starting at i (From line first), or 0 when it is not one. */
function headerBlockAt(lines: Line[], i: number, useContent: boolean): number {
  const first = useContent ? lines[i]!.content : lines[i]!.raw;
  if (first.length > MAX_PATTERN_LINE || !FROM_RE.test(first)) return 0;
  let headers = 0;
  let j = i + 1;
  let lastHeader = i;
  for (; j < lines.length && j <= i + 12; j++) {
    const l = lines[j]!;
    const t = useContent ? l.content : l.raw;
    if (t.trim() === '') {
      // Some clients put a blank line between the fields; only a header after it keeps the block going.
      const next = lines[j + 1];
      if (next && HEADER_RE.test(useContent ? next.content : next.raw) && headers < 2) continue;
      break;
    }
    if (t.length <= MAX_PATTERN_LINE && HEADER_RE.test(t)) {
      headers++;
      lastHeader = j;
    } else if (j === lastHeader + 1 && /^\s/.test(t)) {
      lastHeader = j; // a wrapped header value
    } else if (j === lastHeader + 1 && headers > 0 && j + 1 < lines.length && HEADER_RE.test(lines[j + 1]!.raw)) {
      lastHeader = j; // a long To/Cc list wrapped without indentation
    } else break;
  }
  return headers >= 2 ? lastHeader - i + 1 : 0;
}

/** The author of a "From: Name <a@b>" line, as forwarded-message headers carry it. */
function fromLineAuthor(line: string): string | undefined {
  if (line.length > MAX_PATTERN_LINE) return undefined;
  const m = FROM_RE.exec(line);
  return m ? authorFromFromLine(m[1]!) : undefined;
}

/** An nmh/exmh attribution: indented "Date:", "From:", "Message-ID:" lines. Returns its length, 0 if none. */
function indentedHeaderBlockAt(lines: Line[], i: number): { used: number; author?: string } {
  let j = i;
  let author: string | undefined;
  let from = false;
  for (; j < lines.length && j < i + 8; j++) {
    const r = lines[j]!.raw;
    if (!(r.startsWith(' ') || r.startsWith('\t')) || r.length > MAX_PATTERN_LINE) break;
    const t = r.trimStart();
    const f = FROM_RE.exec(t);
    if (f) {
      from = true;
      author = authorFromFromLine(f[1]!);
    } else if (!HEADER_RE.test(t)) break;
  }
  return from && j - i >= 2 ? { used: j - i, author } : { used: 0 };
}

function nextNonBlank(lines: Line[], from: number): number {
  for (let j = from; j < lines.length; j++) if (!lines[j]!.blank) return j;
  return -1;
}

/** Where an attribution or separator (or the end) follows: how far a short signature block may reach. */
function isSectionStart(lines: Line[], j: number): boolean {
  const l = lines[j]!;
  if (l.depth > 0) return true;
  const r = l.raw;
  if (r.startsWith(ATTRIBUTION_MARK) || r.startsWith(REGION_MARK)) return true;
  if (r.length > MAX_PATTERN_LINE) return false;
  return SEPARATOR_RE.test(r) || FORWARD_LINE_RE.test(r) || headerBlockAt(lines, j, false) > 0 || parseAttribution(r) !== undefined;
}

/** Non-blank lines from `from` up to the next section start; Infinity when more than `limit`. */
function blockLength(lines: Line[], from: number, limit: number): { count: number; end: number } {
  let count = 0;
  let j = from;
  for (; j < lines.length; j++) {
    if (lines[j]!.blank) continue;
    if (isSectionStart(lines, j)) break;
    if (++count > limit) return { count: Infinity, end: j };
  }
  return { count, end: j };
}

/** Tries an attribution on line i, joined with up to two following lines when it is wrapped. Returns lines used. */
function attributionAt(lines: Line[], i: number, useContent: boolean): { att: Attribution; used: number } | undefined {
  const text = (k: number): string => (useContent ? lines[k]!.content : lines[k]!.raw);
  const first = text(i);
  if (first.length > MAX_PATTERN_LINE) return undefined;
  const one = parseAttribution(first);
  if (one) return { att: one, used: 1 };
  if (!STARTER_RE.test(first.trim())) return undefined;
  let joined = first.trim();
  for (let k = 1; k <= 2 && i + k < lines.length; k++) {
    const l = lines[i + k]!;
    if (l.blank || (!useContent && l.depth > 0)) return undefined;
    // A name broken mid-word by a hard wrap ("Tony Nu" / "gent writes:") joins without a space.
    const prev = text(i + k - 1);
    const next = text(i + k).trim();
    const midWord = /[A-Za-z]$/.test(prev) && /^[a-z]/.test(next);
    joined += (midWord ? '' : ' ') + next;
    const att = parseAttribution(joined);
    if (att) return { att: { ...att, strong: true }, used: k + 1 };
  }
  return undefined;
}

/**
 * The end of the run of indented lines starting at i, and whether it reads as code or command output rather than
 * an indented paragraph. Callers skip the whole run either way, which keeps the scan linear.
 */
function indentedRun(lines: Line[], i: number): { end: number; code: boolean } {
  let j = i;
  let nonBlank = 0;
  let codeish = 0;
  for (; j < lines.length; j++) {
    const l = lines[j]!;
    if (l.blank) {
      const n = lines[j + 1];
      if (n && !n.blank && n.depth === 0 && INDENT_RE.test(n.raw)) continue;
      break;
    }
    if (l.depth > 0 || !INDENT_RE.test(l.raw)) break;
    nonBlank++;
    if (CODEISH_RE.test(l.raw) && !isProse(l.raw)) codeish++;
  }
  // Two lines are too little to tell an indented remark ("Capitalist = Nazi.") from code: rules must see it.
  return { end: j, code: nonBlank >= 3 && codeish * 2 >= nonBlank };
}

/** A line of words (letters and spaces, six words or more) reads as a sentence even when it holds a "/" or ":". */
function isProse(line: string): boolean {
  let letters = 0;
  let words = 0;
  let inWord = false;
  let nonSpace = 0;
  for (let k = 0; k < line.length; k++) {
    const c = line.charCodeAt(k);
    const space = c === 0x20 || c === 0x09;
    if (!space) nonSpace++;
    const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x27 || c === 0x2c || c === 0x2e || c >= 0xc0;
    if (letter) letters++;
    if (letter && !inWord) words++;
    inWord = letter;
  }
  return words >= 6 && letters >= nonSpace * 0.9;
}

function diffEnd(lines: Line[], i: number): number {
  const first = lines[i]!.raw;
  if (!DIFF_START_RE.test(first)) {
    // "--- a/file" needs its "+++ b/file" partner: alone it is prose or a separator.
    if (!(first.startsWith('--- ') && lines[i + 1]?.raw.startsWith('+++ '))) return i;
  }
  let j = i + 1;
  for (; j < lines.length; j++) {
    const r = lines[j]!.raw;
    if (r === SIG_STRONG) break;
    if (r === '') {
      const n = lines[j + 1]?.raw;
      if (n !== undefined && n !== '' && n !== SIG_STRONG && (DIFF_LINE_RE.test(n) || n.startsWith('--- ') || n.startsWith('+++ '))) continue;
      break;
    }
    if (!(DIFF_LINE_RE.test(r) || r.startsWith('--- ') || r.startsWith('+++ '))) break;
  }
  return j;
}

/**
 * Labels every line. `allowMarks` lets the HTML renderer's private marks through; plain text never has them.
 */
function labelLines(lines: Line[]): (Label | undefined)[] {
  const labels: (Label | undefined)[] = new Array<Label | undefined>(lines.length);
  const authorByDepth: (string | undefined)[] = [];
  const setAuthor = (depth: number, author: string | undefined): void => {
    authorByDepth.length = Math.min(authorByDepth.length, depth + 1);
    authorByDepth[depth] = author;
  };
  // Once an Outlook block, "Original Message" or forward marker is seen, the rest of the mail is quoted.
  let region = false;
  let regionHeaderUntil = -1;
  let inSignature = false;
  // After an nmh-style attribution, "| " lines are quotes.
  let pipeQuotes = false;

  const enterRegion = (author: string | undefined): void => {
    region = true;
    inSignature = false;
    setAuthor(1, author);
  };

  /** A forwarded/original-message region starts after line `at`; a header block right after names its author. */
  const openRegionAfter = (at: number): void => {
    enterRegion(undefined);
    const n = nextNonBlank(lines, at + 1);
    if (n < 0) return;
    const hb = headerBlockAt(lines, n, false);
    if (hb > 0) {
      setAuthor(1, authorFromFromLine(FROM_RE.exec(lines[n]!.raw)![1]!));
      regionHeaderUntil = n + hb - 1;
    }
  };
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i]!;
    if (l.blank) continue;
    if (pipeQuotes && l.depth === 0) {
      const m = PIPE_QUOTE_RE.exec(l.raw);
      if (m) {
        let depth = 0;
        for (const ch of m[1]!) if (ch === '|') depth++;
        l = { ...l, depth, content: l.raw.slice(m[0].length) };
        lines[i] = l;
      }
    }
    const raw = l.raw;

    if (region) {
      const depth = l.depth + 1;
      if (i <= regionHeaderUntil) {
        labels[i] = { kind: 'attribution', author: authorByDepth[1], text: raw };
        continue;
      }
      if (l.depth === 0 && (SEPARATOR_RE.test(raw) || FORWARD_LINE_RE.test(raw))) {
        labels[i] = { kind: 'attribution', depth: 1, text: raw.trim() };
        continue;
      }
      const hb = l.depth === 0 ? headerBlockAt(lines, i, false) : 0;
      if (hb > 0) {
        // A nested Outlook block: its author wrote what follows, one level deeper.
        const author = authorFromFromLine(FROM_RE.exec(raw)![1]!);
        for (let k = 0; k < hb; k++) if (!lines[i + k]!.blank) labels[i + k] = { kind: 'attribution', depth: 1, author, text: lines[i + k]!.raw };
        setAuthor(1, author);
        i += hb - 1;
        continue;
      }
      const a = attributionAt(lines, i, true);
      if (a && (a.att.strong || nextQuoteDepth(lines, i + a.used) > l.depth)) {
        for (let k = 0; k < a.used; k++) labels[i + k] = { kind: 'attribution', depth, author: a.att.author, text: lines[i + k]!.content };
        setAuthor(depth + 1, a.att.author);
        i += a.used - 1;
        continue;
      }
      labels[i] = { kind: 'quote', depth, author: authorByDepth[depth] ?? authorByDepth[1], text: l.content };
      continue;
    }

    if (l.depth > 0) {
      inSignature = false;
      const sc = raw.length <= MAX_PATTERN_LINE ? SUPERCITE_HEADER_RE.exec(raw) : null;
      if (sc) {
        const author = cleanAuthor(sc[1]!);
        labels[i] = { kind: 'attribution', author, text: raw };
        setAuthor(1, author);
        continue;
      }
      const a: { att: Attribution; used: number } | undefined = l.marked
        ? { att: { author: parseAttribution(l.content)?.author ?? fromLineAuthor(l.content), strong: true }, used: 1 }
        : attributionAt(lines, i, true);
      const after = a ? nextQuoteDepth(lines, i + a.used) : 0;
      if (a && (a.att.strong || after > l.depth)) {
        for (let k = 0; k < a.used; k++) labels[i + k] = { kind: 'attribution', depth: l.depth, author: a.att.author, text: lines[i + k]!.content };
        // Apple Mail puts "> On …, Name wrote:" inside the quote it introduces, at the same depth.
        if (after === l.depth && !authorByDepth[l.depth]) setAuthor(l.depth, a.att.author);
        setAuthor(l.depth + 1, a.att.author);
        i += a.used - 1;
        continue;
      }
      labels[i] = { kind: 'quote', depth: l.depth, author: authorByDepth[l.depth], text: l.content };
      continue;
    }

    // Unquoted line.
    if (raw.startsWith(REGION_MARK)) {
      openRegionAfter(i);
      continue;
    }
    if (raw.startsWith(ATTRIBUTION_MARK)) {
      const t = raw.slice(1);
      const author = parseAttribution(t)?.author ?? fromLineAuthor(t);
      labels[i] = { kind: 'attribution', author, text: t };
      if (author || !authorByDepth[1]) setAuthor(1, author);
      inSignature = false;
      continue;
    }
    if (raw.length <= MAX_PATTERN_LINE) {
      if (SEPARATOR_RE.test(raw) || FORWARD_LINE_RE.test(raw)) {
        labels[i] = { kind: 'attribution', text: raw.trim() };
        openRegionAfter(i);
        continue;
      }
      if (UNDERSCORE_RULE_RE.test(raw)) {
        const n = nextNonBlank(lines, i + 1);
        if (n >= 0 && headerBlockAt(lines, n, false) > 0) {
          labels[i] = { kind: 'attribution', text: raw };
          continue;
        }
      }
      const hb = headerBlockAt(lines, i, false);
      if (hb > 0) {
        const author = authorFromFromLine(FROM_RE.exec(raw)![1]!);
        for (let k = 0; k < hb; k++) if (!lines[i + k]!.blank) labels[i + k] = { kind: 'attribution', author, text: lines[i + k]!.raw };
        enterRegion(author);
        i += hb - 1;
        continue;
      }
      const a = attributionAt(lines, i, false);
      if (a && (a.att.strong || nextQuoteDepth(lines, i + a.used) > 0)) {
        for (let k = 0; k < a.used; k++) labels[i + k] = { kind: 'attribution', author: a.att.author, text: lines[i + k]!.raw };
        setAuthor(1, a.att.author);
        inSignature = false;
        i += a.used - 1;
        continue;
      }
    }
    if (inSignature) {
      labels[i] = { kind: 'signature', text: raw };
      continue;
    }
    if (raw === SIG_STRONG || (raw.charCodeAt(0) === 45 && raw.length < 60 && SCRUBBED_RE.test(raw))) {
      inSignature = true;
      labels[i] = { kind: 'signature', text: raw };
      continue;
    }
    if (raw.length <= 80 && (SIG_WEAK_RE.test(raw) || MOBILE_RE.test(raw))) {
      if (blockLength(lines, i + 1, SHORT_BLOCK).count !== Infinity) {
        inSignature = true;
        labels[i] = { kind: 'signature', text: raw };
        continue;
      }
      if (MOBILE_RE.test(raw)) {
        labels[i] = { kind: 'signature', text: raw };
        continue;
      }
    }
    const fence = FENCE_RE.exec(raw);
    if (fence) {
      let j = i + 1;
      while (j < lines.length && !lines[j]!.raw.trimStart().startsWith(fence[1]!)) j++;
      if (j < lines.length) {
        for (let k = i; k <= j; k++) labels[k] = { kind: 'code', text: lines[k]!.raw };
        i = j;
        continue;
      }
    }
    const c0 = raw.charCodeAt(0);
    if (c0 === 0x20 || c0 === 0x09) {
      const nmh = indentedHeaderBlockAt(lines, i);
      if (nmh.used > 0) {
        for (let k = i; k < i + nmh.used; k++) labels[k] = { kind: 'attribution', author: nmh.author, text: lines[k]!.raw };
        setAuthor(1, nmh.author);
        pipeQuotes = true;
        i += nmh.used - 1;
        continue;
      }
    }
    if (c0 === 0x64 /* d */ || c0 === 0x49 /* I */ || c0 === 0x40 /* @ */ || c0 === 0x2d /* - */) {
      const end = diffEnd(lines, i);
      if (end > i) {
        for (let k = i; k < end; k++) labels[k] = { kind: 'code', text: lines[k]!.raw };
        i = end - 1;
        continue;
      }
    }
    if (c0 === 0x20 || c0 === 0x09) {
      const run = indentedRun(lines, i);
      if (run.end > i + 1 || run.code) {
        const kind: SegmentKind = run.code ? 'code' : 'own';
        for (let k = i; k < run.end; k++) if (!lines[k]!.blank) labels[k] = { kind, text: lines[k]!.raw };
        i = run.end - 1;
        continue;
      }
    }
    labels[i] = { kind: 'own', text: raw };
  }
  return labels;
}

/** The quote depth of the next non-blank line (0 if unquoted or none). */
function nextQuoteDepth(lines: Line[], from: number): number {
  const n = nextNonBlank(lines, from);
  return n < 0 ? 0 : lines[n]!.depth;
}

/** Whether a UTF-16 code unit is one of JavaScript's whitespace characters (what `\s` and trim() match). */
function isJsSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Characters matchKey strips from the start of a line besides whitespace: bullets, dashes, quote marks. */
const KEY_LEAD = new Set([...'•*·-–"\'“”>'].map((ch) => ch.charCodeAt(0)));

/** Strips bullets, quote marks and whitespace differences so an inline copy matches its quoted original. */
function matchKey(s: string): string {
  // Most lines need none of that: single spaces between words, a letter first and last. Those are only lower-cased
  // (the same key as below, without the three intermediate strings: this runs for every quoted and own line).
  const n = s.length;
  let plain = n > 0 && !KEY_LEAD.has(s.charCodeAt(0)) && !isJsSpace(s.charCodeAt(0)) && !isJsSpace(s.charCodeAt(n - 1));
  for (let i = 1; plain && i < n - 1; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20) plain = s.charCodeAt(i + 1) !== 0x20;
    else if (isJsSpace(c)) plain = false;
  }
  if (plain) return s.toLowerCase();
  return s
    .replace(/[\s\u00a0]+/g, ' ')
    .replace(/^[\s•*·\-–"'“”>]+/, '')
    .trim()
    .toLowerCase();
}

const MIN_COPY_CHARS = 25;

/**
 * Own lines that repeat quoted text word for word (a reply that copies a sentence as a bullet, without '>')
 * are the quoted author's words, not the poster's: relabel them as quotes of that author.
 */
function relabelInlineCopies(labels: (Label | undefined)[]): void {
  const keys: string[] = [];
  const starts: number[] = [];
  const authors: (string | undefined)[] = [];
  let ownLines = 0;
  let len = 0;
  for (const lab of labels) {
    if (!lab) continue;
    if (lab.kind === 'own') ownLines++;
    if (lab.kind !== 'quote') continue;
    const k = matchKey(lab.text);
    if (!k) continue;
    starts.push(len);
    keys.push(k);
    authors.push(lab.author);
    len += k.length + 1;
  }
  if (keys.length === 0 || ownLines === 0 || ownLines > 2000 || len > 200_000) return;
  const haystack = keys.join(' ');
  for (const lab of labels) {
    if (!lab || lab.kind !== 'own') continue;
    // A key is never longer than its line, except where lower-casing lengthens "İ" (U+0130) into two code units.
    if (lab.text.length < MIN_COPY_CHARS && !lab.text.includes('\u0130')) continue;
    const k = matchKey(lab.text);
    if (k.length < MIN_COPY_CHARS) continue;
    const at = haystack.indexOf(k);
    if (at < 0) continue;
    // Binary search for the quote line the copy starts in, to credit its author.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    lab.kind = 'quote';
    lab.depth = 1;
    lab.author = authors[lo];
  }
}

function sameSegment(a: Label, b: Label): boolean {
  return a.kind === b.kind && a.depth === b.depth && a.author === b.author;
}

function toSegments(labels: (Label | undefined)[], lines: Line[]): Segment[] {
  const segments: Segment[] = [];
  let cur: { label: Label; parts: string[] } | undefined;
  let pendingBlank = 0;
  const close = (): void => {
    if (!cur) return;
    // Blank lines at a segment's edges (a lone ">" between quote and attribution) carry nothing.
    const parts = cur.parts;
    let a = 0;
    let b = parts.length;
    while (a < b && parts[a]!.trim() === '') a++;
    while (b > a && parts[b - 1]!.trim() === '') b--;
    const seg: Segment = { kind: cur.label.kind, text: parts.slice(a, b).join('\n') };
    if (cur.label.kind === 'quote') seg.depth = cur.label.depth ?? 1;
    else if (cur.label.depth !== undefined && cur.label.kind === 'attribution') seg.depth = cur.label.depth;
    if ((cur.label.kind === 'quote' || cur.label.kind === 'attribution') && cur.label.author) seg.quotedAuthor = cur.label.author;
    if (seg.text.trim()) segments.push(seg);
    cur = undefined;
  };
  for (let i = 0; i < labels.length; i++) {
    const lab = labels[i];
    if (!lab) {
      if (lines[i]!.blank || lines[i]!.depth > 0) pendingBlank++;
      continue;
    }
    if (cur && sameSegment(cur.label, lab)) {
      for (; pendingBlank > 0; pendingBlank--) cur.parts.push('');
      cur.parts.push(lab.text);
    } else {
      close();
      cur = { label: lab, parts: [lab.text] };
    }
    pendingBlank = 0;
  }
  close();
  return segments;
}

/** Splits text whose lines may carry the HTML renderer's marks (internal: splitHtml uses it). */
export function splitMarkedText(text: string): Segment[] {
  const normalized = text.indexOf('\r') >= 0 ? text.replace(/\r\n?/g, '\n') : text;
  const lines = toLines(normalized);
  const labels = labelLines(lines);
  relabelInlineCopies(labels);
  return toSegments(labels, lines);
}

/**
 * Splits a plain-text body into segments in reading order: 'own', 'quote' (with depth and quotedAuthor),
 * 'attribution', 'signature' and 'code'. Linear in the length of the text.
 */
export function splitBody(text: string): Segment[] {
  return splitMarkedText(text.replace(MARKS_RE, ''));
}

/** The author's own words: 'own' segments joined by blank lines. */
export function ownTextOf(segments: Segment[]): string {
  return joinTexts(segments, 'own', '\n\n', true);
}

/**
 * The texts of the segments of one kind, in order, joined by `sep` (each trimmed, and the empty ones left out, when
 * `trim`): what filter, map, filter and join would give, in one loop (the chain's intermediate arrays, of changing
 * element kinds, deoptimized the compiled parser again and again while it warmed up).
 */
export function joinTexts(segments: readonly Segment[], kind: Segment['kind'], sep: string, trim: boolean): string {
  // One text is returned as it is; more are joined into one flat string (rules read it character by character).
  let one: string | undefined;
  let more: string[] | undefined;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.kind !== kind) continue;
    const t = trim ? s.text.trim() : s.text;
    if (trim && t === '') continue;
    if (one === undefined) one = t;
    else if (more === undefined) more = [one, t];
    else more.push(t);
  }
  return more !== undefined ? more.join(sep) : (one ?? '');
}
