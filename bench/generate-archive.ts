// Writes a realistic, seeded mbox of mailing-list traffic (threads, quotes, Japanese, patches, attachments, trolls).
// Usage: node --import tsx bench/generate-archive.ts OUT.mbox N [--seed S] [--gzip]

import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { createGzip } from 'node:zlib';
import iconv from 'iconv-lite';
import { mboxEntry } from '../src/ingest/archive/mbox-format.js';
import {
  DOMAINS, FIRST_NAMES, GENERIC, HEATED, INSULTS, JP_CLOSINGS, JP_NAMES, JP_SENTENCES, JP_SUBJECTS, LAST_NAMES,
  OFF_TOPIC, REPLY_OPENERS, SIGNATURES, TOPICS,
} from './archive-corpus.js';
import type { Topic } from './archive-corpus.js';

export interface GenerateArchiveOptions {
  /** Same seed, same bytes. Default 1. */
  seed?: number;
  /** Write gzip instead of plain mbox. Default false. */
  gzip?: boolean;
}

/** What was written, so tests and benches know what to expect without re-reading the file. */
export interface GenerateArchiveResult {
  posts: number;
  /** Bytes of mbox written (before gzip). */
  bytes: number;
  threads: number;
  offTopicThreads: number;
  /** Posts carrying one of the insults. */
  insults: number;
  japanese: number;
  withAttachments: number;
  withPatches: number;
  /** Replies written without In-Reply-To and References. */
  withoutReplyHeaders: number;
}

const LIST_TAG = '[tlug]';
const LIST_ADDR = 'tlug@tlug.example.jp';
const LIST_ID = 'Tokyo Linux Users Group <tlug.tlug.example.jp>';

type Style = 'mutt' | 'gmail' | 'outlook' | 'jp';

interface Author {
  name: string;
  email: string;
  style: Style;
  signature?: string;
  tz: number; // minutes east of UTC
  mailer: string;
  troll: boolean;
}

interface Stored {
  id: string;
  author: Author;
  date: Date;
  subject: string;
  /** The post's own words (no quotes, no signature), wrapped, paragraphs joined by "\n\n". */
  text: string;
}

interface ThreadState {
  subject: string;
  topic: Topic;
  offTopic: boolean;
  japanese: boolean;
  heated: boolean;
  refs: string[];
  recent: Stored[];
  lastPost: number;
}

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  readonly r: () => number;
  constructor(seed: number) {
    this.r = rng(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)] as T;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
}

function wrap(paragraph: string, width = 72): string {
  const words = paragraph.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line.length > 0 && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else {
      line = line.length > 0 ? `${line} ${w}` : w;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines.join('\n');
}

function quote(text: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? '>' : l.startsWith('>') ? `>${l}` : `> ${l}`))
    .join('\n');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** The author's local time, as the fields of a Date shifted by the zone. */
function local(date: Date, tz: number): Date {
  return new Date(date.getTime() + tz * 60_000);
}

function rfc2822(date: Date, tz: number): string {
  const d = local(date, tz);
  const sign = tz >= 0 ? '+' : '-';
  const z = `${sign}${p2(Math.floor(Math.abs(tz) / 60))}${p2(Math.abs(tz) % 60)}`;
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${z}`;
}

function attribution(g: Gen, parent: Stored, style: Style): string {
  const d = local(parent.date, parent.author.tz);
  const h = d.getUTCHours();
  switch (style) {
    case 'gmail':
      return `On ${DAYS[d.getUTCDay()]}, ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} at ${h % 12 || 12}:${p2(d.getUTCMinutes())} ${h < 12 ? 'AM' : 'PM'} ${parent.author.name} <${parent.author.email}> wrote:`;
    case 'jp':
      return g.chance(0.5) ? `${parent.author.name} さんは書きました:` : `In <${parent.id.slice(1, -1)}>\n  "${parent.author.name}" <${parent.author.email}> wrote:`;
    default:
      return g.chance(0.5) ? `${parent.author.name} writes:` : `On ${rfc2822(parent.date, parent.author.tz)}, ${parent.author.name} wrote:`;
  }
}

function outlookBlock(parent: Stored): string {
  const d = local(parent.date, parent.author.tz);
  const h = d.getUTCHours();
  return [
    '-----Original Message-----',
    `From: ${parent.author.name} [mailto:${parent.author.email}]`,
    `Sent: ${LONG_DAYS[d.getUTCDay()]}, ${LONG_MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${h % 12 || 12}:${p2(d.getUTCMinutes())} ${h < 12 ? 'AM' : 'PM'}`,
    `To: Tokyo Linux Users Group`,
    `Subject: ${parent.subject}`,
  ].join('\n');
}

function patch(g: Gen): string {
  const file = g.pick(['src/net/dns.c', 'scripts/backup.sh', 'site/templates/index.html', 'lib/config.py']);
  const n = g.int(10, 400);
  return [
    `diff --git a/${file} b/${file}`,
    `index ${g.int(0x1000000, 0xfffffff).toString(16)}..${g.int(0x1000000, 0xfffffff).toString(16)} 100644`,
    `--- a/${file}`,
    `+++ b/${file}`,
    `@@ -${n},7 +${n},8 @@`,
    '     if (fd < 0)',
    '         return -errno;',
    '-    timeout = 30;',
    '+    timeout = config->timeout ? config->timeout : 30;',
    '+    /* a zero timeout used to kill the request at once */',
    '     rc = do_request(fd, timeout);',
    '     close(fd);',
    '     return rc;',
  ].join('\n');
}

function logSnippet(g: Gen): string {
  const lines: string[] = [];
  for (let i = 0; i < g.int(3, 8); i++) {
    lines.push(`[${g.int(0, 999)}.${String(g.int(0, 999999)).padStart(6, '0')}] ${g.pick(['iwlwifi 0000:00:14.3: Microcode SW error detected', 'EXT4-fs (sda1): mounted filesystem with ordered data mode', 'usb 1-2: new high-speed USB device number 4', 'nouveau 0000:01:00.0: DRM: failed to create kernel channel, -22', 'Out of memory: Killed process 1234 (java)'])}`);
  }
  return lines.map((l) => `    ${l}`).join('\n');
}

/** ISO-2022-JP from EUC-JP: JIS X 0208 pairs lose their high bits inside ESC $ B … ESC ( B; lines end in ASCII. */
function iso2022jp(s: string): Buffer {
  const euc = iconv.encode(s, 'euc-jp');
  const out: number[] = [];
  let kanji = false;
  for (let i = 0; i < euc.length; ) {
    const b = euc[i] as number;
    if (b < 0x80) {
      if (kanji) out.push(0x1b, 0x28, 0x42);
      kanji = false;
      out.push(b);
      i++;
    } else if (b === 0x8e || b === 0x8f) {
      out.push(0x3f); // half-width kana and JIS X 0212 have no place in ISO-2022-JP
      i += b === 0x8f ? 3 : 2;
    } else {
      if (!kanji) out.push(0x1b, 0x24, 0x42);
      kanji = true;
      out.push(b & 0x7f, (euc[i + 1] as number) & 0x7f);
      i += 2;
    }
  }
  if (kanji) out.push(0x1b, 0x28, 0x42);
  return Buffer.from(out);
}

function encodedWord(s: string, charset: 'ISO-2022-JP' | 'Shift_JIS' | 'UTF-8'): string {
  if (/^[\x20-\x7e]*$/.test(s)) return s;
  const bytes = charset === 'ISO-2022-JP' ? iso2022jp(s) : charset === 'Shift_JIS' ? iconv.encode(s, 'Shift_JIS') : Buffer.from(s);
  return `=?${charset}?B?${bytes.toString('base64')}?=`;
}

function quotedPrintable(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let enc = '';
    for (const b of Buffer.from(line, 'utf8')) {
      enc += b === 0x3d || b > 0x7e || (b < 0x20 && b !== 0x09) ? `=${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b);
    }
    if (enc.endsWith(' ') || enc.endsWith('\t')) enc = enc.slice(0, -1) + (enc.endsWith(' ') ? '=20' : '=09');
    while (enc.length > 76) {
      let cut = 75;
      if (enc[cut - 1] === '=') cut -= 1;
      else if (enc[cut - 2] === '=') cut -= 2;
      out.push(`${enc.slice(0, cut)}=`);
      enc = enc.slice(cut);
    }
    out.push(enc);
  }
  return out.join('\n');
}

function base64Lines(buf: Buffer): string {
  return (buf.toString('base64').match(/.{1,76}/g) ?? []).join('\n');
}

/** Keeps generated posts and threads for replies; old ones are dropped so memory stays flat at any size. */
class Archive {
  readonly g: Gen;
  readonly authors: Author[] = [];
  readonly threads: ThreadState[] = [];
  readonly stats: GenerateArchiveResult = {
    posts: 0, bytes: 0, threads: 0, offTopicThreads: 0, insults: 0, japanese: 0, withAttachments: 0, withPatches: 0, withoutReplyHeaders: 0,
  };
  private clock = Date.UTC(2020, 0, 6, 0, 0, 0);
  private seq = 0;

  constructor(seed: number) {
    this.g = new Gen(seed);
    const g = this.g;
    for (let i = 0; i < 240; i++) {
      const first = g.pick(FIRST_NAMES);
      const last = g.pick(LAST_NAMES);
      const style = g.pick<Style>(['mutt', 'mutt', 'gmail', 'gmail', 'outlook']);
      this.authors.push({
        name: `${first} ${last}`,
        email: `${first.toLowerCase()}.${last.toLowerCase()}${g.chance(0.3) ? g.int(1, 99) : ''}@${g.pick(DOMAINS)}`,
        style,
        ...(g.chance(0.4) ? { signature: `${first} ${last}\n${g.pick(SIGNATURES)}` } : {}),
        tz: g.pick([540, 540, 540, 0, 60, -300, -420, 330]),
        mailer: style === 'outlook' ? 'Microsoft Outlook 16.0' : style === 'gmail' ? '' : g.pick(['Mutt/2.2.12', 'Thunderbird 115.9', 'Gnus/5.13', 'Evolution 3.50']),
        troll: i % 60 === 7,
      });
    }
    JP_NAMES.forEach((name, i) => {
      this.authors.push({ name, email: `user${i}@${g.pick(['example.jp', 'isp.example.ne.jp', 'corp.example.co.jp'])}`, style: 'jp', tz: 540, mailer: g.pick(['Becky! ver. 2.81', 'Sylpheed 3.7', 'Thunderbird 115.9']), troll: false });
    });
  }

  private author(t: ThreadState): Author {
    const g = this.g;
    if (t.japanese) return this.authors[this.authors.length - 1 - g.int(0, JP_NAMES.length - 1)] as Author;
    if (t.heated && g.chance(0.3)) return this.authors.filter((a) => a.troll)[g.int(0, 3)] ?? (this.authors[0] as Author);
    return this.authors[g.int(0, this.authors.length - JP_NAMES.length - 1)] as Author;
  }

  private newThread(): ThreadState {
    const g = this.g;
    this.stats.threads++;
    const japanese = g.chance(0.04);
    // About one thread in 25 is off-topic; a fixed share keeps even small archives from having none.
    const offTopic = !japanese && (this.stats.threads % 40 === 12 || g.chance(0.015));
    if (offTopic) this.stats.offTopicThreads++;
    const topic = offTopic ? g.pick(OFF_TOPIC) : g.pick(TOPICS);
    const base = japanese ? g.pick(JP_SUBJECTS) : g.chance(0.03) ? `[PATCH] ${g.pick(topic.subjects)}` : g.pick(topic.subjects);
    const t: ThreadState = { subject: base, topic, offTopic, japanese, heated: offTopic ? g.chance(0.5) : g.chance(0.03), refs: [], recent: [], lastPost: this.seq };
    this.threads.push(t);
    if (this.threads.length > 400) this.threads.shift();
    return t;
  }

  private pickThread(): ThreadState {
    const g = this.g;
    // Recent threads get most replies; an old one is revived now and then.
    const n = this.threads.length;
    const back = g.chance(0.85) ? Math.floor(Math.pow(g.r(), 2) * Math.min(n, 30)) : g.int(0, n - 1);
    return this.threads[n - 1 - back] as ThreadState;
  }

  /** n sentences from the pool, none twice in one paragraph. */
  private sentences(pool: readonly string[], n: number): string {
    const out: string[] = [];
    for (let tries = 0; out.length < Math.min(n, pool.length) && tries < 4 * n; tries++) {
      const s = this.g.pick(pool);
      if (!out.includes(s)) out.push(s);
    }
    return out.join(' ');
  }

  private ownText(t: ThreadState, isReply: boolean, author: Author, target: number): { text: string; insult: boolean; patch: boolean } {
    const g = this.g;
    const paras: string[] = [];
    let insult = false;
    let hasPatch = false;
    if (t.japanese) {
      paras.push(`${author.name}です。`);
      let len = 0;
      while (len < target / 3) {
        const p = Array.from({ length: g.int(2, 4) }, () => g.pick(JP_SENTENCES)).join('');
        paras.push(p);
        len += Buffer.byteLength(p);
      }
      paras.push(g.pick(JP_CLOSINGS));
      return { text: paras.join('\n\n'), insult, patch: false };
    }
    if (isReply && g.chance(0.5)) paras.push(g.pick(REPLY_OPENERS));
    else if (!isReply) paras.push(g.pick(['Hi all,', 'Hello,', 'Hi everyone,', 'Dear list,']));
    const pool = t.offTopic ? t.topic.sentences : g.chance(0.7) ? t.topic.sentences : GENERIC;
    let len = 0;
    while (len < target) {
      const p = this.sentences(g.chance(0.8) ? pool : GENERIC, g.int(2, 5));
      paras.push(p);
      len += p.length + 2;
    }
    if (!t.offTopic && !t.japanese && g.chance(0.04)) {
      hasPatch = true;
      paras.push(`Something like this:\n\n${patch(g)}`);
    } else if (!t.offTopic && g.chance(0.05)) {
      paras.push(`Here is what dmesg says:\n\n${logSnippet(g)}`);
    }
    const insultP = author.troll ? 0.5 : t.heated ? 0.15 : 0.006;
    if (isReply && g.chance(insultP)) {
      insult = true;
      paras.splice(g.int(1, paras.length), 0, g.pick(INSULTS));
    } else if (t.heated && g.chance(0.3)) {
      paras.push(g.pick(HEATED));
    }
    return { text: paras.join('\n\n'), insult, patch: hasPatch };
  }

  /** Formats paragraphs: prose is wrapped, indented or diff blocks stay as they are. */
  private render(text: string): string {
    return text
      .split('\n\n')
      .map((p) => (p.includes('\n') || this.isJapanese(p) ? p : wrap(p)))
      .join('\n\n');
  }

  private isJapanese(s: string): boolean {
    return /[\u3000-\u9fff]/.test(s);
  }

  /** One post: headers and body as bytes, and the Stored record replies will quote. */
  next(): { raw: Buffer; sender: string; date: Date } {
    const g = this.g;
    this.seq++;
    this.clock += Math.floor(-Math.log(1 - g.r()) * 25 * 60_000) + 1000;
    const date = new Date(this.clock);
    const isReply = this.threads.length > 0 && g.chance(0.75);
    const t = isReply ? this.pickThread() : this.newThread();
    const author = this.author(t);
    const parent = isReply ? (g.chance(0.7) ? t.recent[t.recent.length - 1] : g.pick(t.recent)) : undefined;
    // Sizes: most posts 2–6 KB, a tail of short ones and long ones.
    const roll = g.r();
    const target = roll < 0.12 ? g.int(150, 500) : roll < 0.92 ? g.int(400, 2200) : g.int(2200, 8000);
    const own = this.ownText(t, isReply, author, target);
    if (own.insult) this.stats.insults++;
    if (own.patch) this.stats.withPatches++;

    let subject = t.subject;
    let startsNewTopic = false;
    if (isReply && !t.japanese && g.chance(0.01)) {
      // A topic change inside a thread: "New (was: Old)".
      const fresh = g.pick(g.chance(0.5) ? OFF_TOPIC : TOPICS);
      subject = `${g.pick(fresh.subjects)} (was: ${t.subject})`;
      startsNewTopic = true;
    }
    const prefix = !isReply ? '' : author.style === 'outlook' ? g.pick(['RE: ', 'RE: ', 'AW: ']) : t.japanese ? g.pick(['Re: ', 'Re: ', '返信: ']) : g.pick(['Re: ', 'Re: ', 'Re: ', 'Re: Re: ']);
    const fullSubject = startsNewTopic ? `${LIST_TAG} ${subject}` : g.chance(0.2) && isReply ? `${prefix}${LIST_TAG} ${subject}` : `${LIST_TAG} ${prefix}${subject}`;

    // Body: own text, quotes by the author's habits, signature.
    const ownRendered = this.render(own.text);
    let body = ownRendered;
    if (parent) {
      const parentBody = parent.text;
      if (author.style === 'outlook') {
        body = `${body}\n\n${outlookBlock(parent)}\n\n${parentBody}`;
      } else if (author.style === 'gmail') {
        body = `${body}\n\n${attribution(g, parent, 'gmail')}\n\n${quote(parentBody)}`;
      } else {
        // Bottom-posting: quote the parent paragraph by paragraph with answers in between.
        const qs = parentBody.split('\n\n').slice(0, 3);
        const mine = body.split('\n\n');
        const parts: string[] = [attribution(g, parent, author.style)];
        qs.forEach((q, i) => {
          parts.push(quote(q));
          const answer = mine.splice(0, i === qs.length - 1 ? mine.length : Math.max(1, Math.floor(mine.length / qs.length)));
          if (answer.length > 0) parts.push(answer.join('\n\n'));
        });
        if (mine.length > 0) parts.push(mine.join('\n\n'));
        body = parts.join('\n\n');
      }
    }
    if (author.signature) body += `\n\n-- \n${author.signature}`;
    body += '\n';

    const id = `<${date.getTime().toString(36)}.${this.seq}.${g.int(0, 0xffffff).toString(16)}@${author.email.split('@')[1]}>`;
    const headers: string[] = [
      `Received: from ${author.email.split('@')[1]} (mx.${author.email.split('@')[1]} [192.0.2.${g.int(1, 254)}])\n\tby tlug.example.jp (Postfix) with ESMTP id ${g.int(0x10000, 0xfffff).toString(16).toUpperCase()}\n\tfor <${LIST_ADDR}>; ${rfc2822(date, 540)}`,
      `From: ${t.japanese ? encodedWord(author.name, 'ISO-2022-JP') : `${author.name.includes('.') ? `"${author.name}"` : author.name}`} <${author.email}>`,
      `To: Tokyo Linux Users Group <${LIST_ADDR}>`,
      `Subject: ${t.japanese ? encodedWord(fullSubject, g.chance(0.8) ? 'ISO-2022-JP' : 'UTF-8') : fullSubject}`,
      `Date: ${rfc2822(date, author.tz)}`,
      `Message-ID: ${id}`,
    ];
    const outlookNoRefs = isReply && (author.style === 'outlook' ? g.chance(0.4) : g.chance(0.03));
    if (isReply && parent && !outlookNoRefs) {
      headers.push(`In-Reply-To: ${parent.id}`);
      const refs = [...t.refs.slice(0, 1), ...t.refs.slice(-9)].filter((r, i, a) => a.indexOf(r) === i);
      if (!refs.includes(parent.id)) refs.push(parent.id);
      headers.push(`References: ${refs.join('\n ')}`);
    } else if (isReply) {
      this.stats.withoutReplyHeaders++;
    }
    if (author.style === 'outlook') headers.push('Thread-Topic: ' + subject.slice(0, 60), 'X-MS-Has-Attach:');
    if (author.mailer) headers.push(`X-Mailer: ${author.mailer}`);
    headers.push(
      `List-Id: ${LIST_ID}`,
      `List-Post: <mailto:${LIST_ADDR}>`,
      `List-Unsubscribe: <https://tlug.example.jp/mailman/listinfo/tlug>`,
      `Precedence: list`,
      'MIME-Version: 1.0',
    );

    // Body bytes and MIME.
    let contentHeaders: string[];
    let bodyBytes: Buffer;
    if (t.japanese) {
      this.stats.japanese++;
      if (g.chance(0.7)) {
        contentHeaders = ['Content-Type: text/plain; charset=ISO-2022-JP', 'Content-Transfer-Encoding: 7bit'];
        bodyBytes = iso2022jp(body);
      } else if (g.chance(0.5)) {
        contentHeaders = ['Content-Type: text/plain; charset=Shift_JIS', 'Content-Transfer-Encoding: 8bit'];
        bodyBytes = iconv.encode(body, 'Shift_JIS');
      } else {
        contentHeaders = ['Content-Type: text/plain; charset="Shift_JIS"', 'Content-Transfer-Encoding: base64'];
        bodyBytes = Buffer.from(base64Lines(iconv.encode(body, 'Shift_JIS')) + '\n');
      }
    } else if (g.chance(0.15)) {
      contentHeaders = ['Content-Type: text/plain; charset="utf-8"', 'Content-Transfer-Encoding: quoted-printable'];
      bodyBytes = Buffer.from(quotedPrintable(body));
    } else {
      contentHeaders = ['Content-Type: text/plain; charset=utf-8; format=flowed', 'Content-Transfer-Encoding: 8bit'];
      bodyBytes = Buffer.from(body);
    }
    if (!t.japanese && g.chance(0.012)) {
      this.stats.withAttachments++;
      const boundary = `----=_Part_${this.seq}_${g.int(0, 1e9)}`;
      const binary = g.chance(0.5);
      const size = binary ? g.int(20_000, 150_000) : g.int(2_000, 30_000);
      const data = binary ? pseudoRandom(g, size) : Buffer.from(Array.from({ length: Math.ceil(size / 60) }, () => logSnippet(g)).join('\n').slice(0, size));
      const name = binary ? 'screenshot.png' : 'dmesg.log';
      bodyBytes = Buffer.concat([
        Buffer.from(`This is a multi-part message in MIME format.\n\n--${boundary}\n${contentHeaders.join('\n')}\n\n`),
        bodyBytes,
        Buffer.from(
          `\n--${boundary}\nContent-Type: ${binary ? 'image/png' : 'text/plain; charset=us-ascii'}; name="${name}"\n` +
            `Content-Disposition: attachment; filename="${name}"\nContent-Transfer-Encoding: base64\n\n` +
            `${base64Lines(data)}\n--${boundary}--\n`,
        ),
      ]);
      contentHeaders = [`Content-Type: multipart/mixed; boundary="${boundary}"`];
    }
    const raw = Buffer.concat([Buffer.from(`${[...headers, ...contentHeaders].join('\n')}\n\n`), bodyBytes]);

    const stored: Stored = { id, author, date, subject: fullSubject, text: ownRendered };
    if (startsNewTopic) {
      const nt: ThreadState = { ...t, subject, refs: [id], recent: [stored], lastPost: this.seq };
      this.threads.push(nt);
    } else {
      t.refs.push(id);
      if (t.refs.length > 40) t.refs.splice(1, t.refs.length - 20);
      t.recent.push(stored);
      if (t.recent.length > 5) t.recent.shift();
      t.lastPost = this.seq;
      // Replies move a thread to the end, so "recent" means recently active.
      const at = this.threads.indexOf(t);
      if (at !== -1 && at !== this.threads.length - 1) {
        this.threads.splice(at, 1);
        this.threads.push(t);
      }
    }
    if (this.threads.length > 400) this.threads.shift();
    this.stats.posts++;
    return { raw, sender: author.email, date };
  }
}

function pseudoRandom(g: Gen, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let x = g.int(1, 0x7fffffff);
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0xff;
  }
  return buf;
}

/**
 * Writes `posts` posts of list traffic to `path` as mboxrd (gzip when asked), streaming with backpressure so
 * any size can be written in flat memory. Deterministic for a given seed and post count.
 */
export async function generateArchive(path: string, posts: number, opts: GenerateArchiveOptions = {}): Promise<GenerateArchiveResult> {
  if (!Number.isSafeInteger(posts) || posts < 0) throw new RangeError(`posts must be a whole number ≥ 0, got ${posts}`);
  const archive = new Archive(opts.seed ?? 1);
  const file = createWriteStream(path);
  const gzip = opts.gzip ? createGzip({ level: 6 }) : undefined;
  const out: Writable = gzip ?? file;
  const done = gzip ? pipeline(gzip, file) : finished(file);
  let batch: Buffer[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const ok = out.write(Buffer.concat(batch, batchBytes));
    batch = [];
    batchBytes = 0;
    if (!ok) await once(out, 'drain');
  };
  for (let i = 0; i < posts; i++) {
    const { raw, sender, date } = archive.next();
    const entry = mboxEntry(raw, sender, date);
    batch.push(entry);
    batchBytes += entry.length;
    archive.stats.bytes += entry.length;
    if (batchBytes >= 1 << 20) await flush();
  }
  await flush();
  out.end();
  await done;
  return archive.stats;
}

async function main(argv: string[]): Promise<void> {
  const positional: string[] = [];
  let seed = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--seed') seed = Number(argv[++i]);
    else if (!a.startsWith('--')) positional.push(a);
  }
  const [out, n] = positional;
  if (!out || !n || !Number.isSafeInteger(Number(n)) || !Number.isSafeInteger(seed)) {
    process.stderr.write('usage: node --import tsx bench/generate-archive.ts OUT.mbox N [--seed S] [--gzip]\n');
    process.exitCode = 1;
    return;
  }
  const started = performance.now();
  const stats = await generateArchive(out, Number(n), { seed, gzip: argv.includes('--gzip') });
  const secs = (performance.now() - started) / 1000;
  process.stderr.write(`${JSON.stringify(stats)}\nwrote ${out}: ${(stats.bytes / 1e6).toFixed(1)} MB in ${secs.toFixed(1)} s\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
