// The soak's stream of posts: ordinary posts and replies, alert triggers, the shared mailparser fixtures and spam, hostile mail.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostileMails } from '../../test/helpers/hostile-mail.js';

export type PostKind = 'plain' | 'reply' | 'trigger' | 'fixture' | 'spam' | 'hostile';

/** One post the soak sends; `messageId` is undefined for mail that has none (then it is found by count). */
export interface SoakPost {
  seq: number;
  kind: PostKind;
  /** For fixtures and hostile mail: which one. */
  name?: string;
  messageId?: string;
  raw: Buffer;
  /** An alert is expected (a trigger post, in a thread of its own). */
  expectAlert: boolean;
}

/** mulberry32: a small seeded generator, so a soak can be repeated with --seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const WATCH_WORD = 'soakbanana';
const LIST_ID = 'soak.lists.example.org';

/** Replaces (or adds) the Message-ID in the header section only, so each send of a file is a post of its own. */
export function withMessageId(raw: Buffer, id: string): Buffer {
  const text = raw.toString('latin1');
  const m = /\r?\n\r?\n/.exec(text);
  const cut = m ? m.index : text.length;
  const head = text.slice(0, cut).replace(/^Message-ID:[^\n]*\n?(?:[ \t][^\n]*\n?)*/gim, '');
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  return Buffer.from(`Message-ID: ${id}${nl}${head}${text.slice(cut)}`, 'latin1');
}

export interface CorpusFile {
  name: string;
  raw: Buffer;
}

/** The .eml files of the shared mailparser fixtures (spam.eml among them). */
export function loadCorpus(dir: string): CorpusFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => ({ name: f, raw: readFileSync(join(dir, f)) }));
}

export interface MailStreamOptions {
  random: () => number;
  corpus: CorpusFile[];
  /** Full-size hostile mail (20 MB line, 10,000 nested parts, 50 MB attachment); false shrinks them. */
  bigHostile: boolean;
  /** Share of posts that are alert triggers (default 0.12). */
  triggerShare?: number;
  /** One post in this many is from the corpus or hostile (default 4). */
  oddEvery?: number;
}

/** Makes the next post to send; hostile mail and the corpus cycle through, the big ones first. */
export class MailStream {
  private seq = 0;
  private readonly roots: { id: string; subject: string }[] = [];
  private readonly odd: (() => SoakPost)[] = [];
  private oddAt = 0;
  private readonly run = Date.now().toString(36);

  constructor(private readonly o: MailStreamOptions) {
    const hostile = hostileMails({ small: !o.bigHostile });
    // Mail with no Message-ID (junk, a header cut short) goes once: the same bytes twice are one post by design.
    const once = hostile.filter((h) => !/^Message-ID:/im.test(h.raw.toString('latin1', 0, 4096)));
    const again = hostile.filter((h) => !once.includes(h));
    const big = new Set(['huge-single-line', 'nested-multiparts', 'large-attachment']);
    for (const h of [...again.filter((h) => big.has(h.name)), ...once]) this.odd.push(() => this.hostile(h.name, h.raw, !once.includes(h)));
    // Hostile mail and corpus files take turns (spam first), so a short soak sees some of each.
    const hostileTurns = again.filter((h) => !big.has(h.name)).map((h) => () => this.hostile(h.name, h.raw, true));
    const corpusTurns = [...o.corpus].sort((a, b) => Number(b.name === 'spam.eml') - Number(a.name === 'spam.eml')).map((c) => () => this.fixture(c));
    for (let i = 0; i < Math.max(hostileTurns.length, corpusTurns.length); i++) {
      if (hostileTurns[i]) this.cycle.push(hostileTurns[i]!);
      if (corpusTurns[i]) this.cycle.push(corpusTurns[i]!);
    }
  }

  private readonly cycle: (() => SoakPost)[] = [];

  private nextId(tag: string): string {
    return `<soak-${this.run}-${this.seq}-${tag}@soak.example.org>`;
  }

  private hostile(name: string, raw: Buffer, rewrite: boolean): SoakPost {
    const seq = ++this.seq;
    const id = rewrite ? this.nextId(name) : undefined;
    return { seq, kind: 'hostile', name, messageId: id, raw: id ? withMessageId(raw, id) : raw, expectAlert: false };
  }

  private fixture(c: CorpusFile): SoakPost {
    const seq = ++this.seq;
    const id = this.nextId(c.name.replace(/\W+/g, '-'));
    return { seq, kind: c.name === 'spam.eml' ? 'spam' : 'fixture', name: c.name, messageId: id, raw: withMessageId(c.raw, id), expectAlert: false };
  }

  private ordinary(kind: 'plain' | 'reply' | 'trigger'): SoakPost {
    const seq = ++this.seq;
    const id = this.nextId(kind);
    const root = kind === 'reply' && this.roots.length ? this.roots[Math.floor(this.o.random() * this.roots.length)] : undefined;
    const subject = root ? `Re: ${root.subject}` : kind === 'trigger' ? `Fruit offer number ${seq}` : `Kernel build question ${seq}`;
    const body =
      kind === 'trigger'
        ? `Selling ${WATCH_WORD} by the crate, reply today.`
        : root
          ? 'Try rebuilding the initramfs after the kernel upgrade; that fixed it on Debian here.'
          : `My Debian box fails to boot the new kernel (attempt ${seq}); the shell drops to initramfs.`;
    const lines = [
      `From: Poster ${seq % 17} <poster${seq % 17}@example.org>`,
      'To: soak@lists.example.org',
      `Subject: ${subject}`,
      `Message-ID: ${id}`,
      `List-Id: Soak list <${LIST_ID}>`,
      `Date: ${new Date().toUTCString()}`,
      ...(root ? [`In-Reply-To: ${root.id}`, `References: ${root.id}`] : []),
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      body,
      '',
    ];
    if (kind === 'plain') this.roots.push({ id, subject });
    return { seq, kind: root ? 'reply' : kind === 'reply' ? 'plain' : kind, messageId: id, raw: Buffer.from(lines.join('\r\n')), expectAlert: kind === 'trigger' };
  }

  next(): SoakPost {
    const n = this.seq + 1;
    if (n % (this.o.oddEvery ?? 4) === 0) {
      const once = this.odd.shift();
      if (once) return once();
      const f = this.cycle[this.oddAt++ % this.cycle.length];
      if (f) return f();
    }
    const r = this.o.random();
    const t = this.o.triggerShare ?? 0.12;
    return this.ordinary(r < t ? 'trigger' : r < t + 0.3 ? 'reply' : 'plain');
  }
}
