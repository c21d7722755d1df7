// Archive readers: each format, From escaping, broken archives, size caps, chunk boundaries, and flat memory.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import {
  ArchiveNotFoundError,
  MboxSplitter,
  detectArchiveKind,
  escapeFromLines,
  isFromLine,
  mboxEntry,
  readArchive,
  readArchives,
  unescapeFromLines,
} from '../../src/ingest/archive/index.js';
import type { ArchiveItem } from '../../src/ingest/archive/index.js';
import { generateArchive } from '../../bench/generate-archive.js';
import { parsePost } from '../../src/parse/index.js';
import { binaryJunk, hostileMails } from '../helpers/hostile-mail.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'listwarden-archive-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function collect(iter: AsyncIterable<ArchiveItem>): Promise<ArchiveItem[]> {
  const out: ArchiveItem[] = [];
  for await (const item of iter) out.push(item);
  return out;
}

function mails(items: ArchiveItem[]): string[] {
  return items.map((i) => (i.kind === 'mail' ? i.raw.toString('latin1') : `SKIPPED ${i.reason}`));
}

function message(n: number, body: string, eol = '\n'): string {
  return [`From: Author ${n} <a${n}@example.org>`, `Subject: message ${n}`, `Message-ID: <m${n}@example.org>`, '', body, '']
    .join('\n')
    .replace(/\n/g, eol);
}

const DATE = new Date(Date.UTC(2020, 6, 12, 9, 30, 0));

function mbox(messages: string[], opts: { style?: 'mboxrd' | 'mboxo'; eol?: '\n' | '\r\n' } = {}): Buffer {
  return Buffer.concat(messages.map((m, i) => mboxEntry(Buffer.from(m, 'latin1'), `a${i}@example.org`, DATE, opts)));
}

test('mboxrd: messages come back byte for byte, whatever >From lines they held', async (t) => {
  const dir = await tempDir(t);
  const msgs = [
    message(1, 'From the start of a line.\n>From an already quoted one.\n>>From deeper.\nmid-line From here stays'),
    message(2, 'plain body'),
    message(3, '\nFrom me\n\nFrom you, after a blank line and with no date'),
  ];
  const path = join(dir, 'list.mbox');
  await writeFile(path, mbox(msgs));
  const items = await collect(readArchive(path));
  assert.deepEqual(mails(items), msgs);
  assert.deepEqual(
    items.map((i) => i.source),
    [`${path}#1`, `${path}#2`, `${path}#3`],
  );
});

test('mboxo: escaped "From " lines are unescaped', async (t) => {
  const dir = await tempDir(t);
  const msgs = [message(1, 'Hi,\n\nFrom what I can tell it works.\n'), message(2, 'second')];
  const path = join(dir, 'old.mbox');
  const written = mbox(msgs, { style: 'mboxo' });
  assert.match(written.toString(), /\n>From what I can tell/);
  await writeFile(path, written);
  assert.deepEqual(mails(await collect(readArchive(path))), msgs);
});

test('CRLF mbox: separators found and messages kept with their CRLF line endings', async (t) => {
  const dir = await tempDir(t);
  const msgs = [message(1, 'one\nFrom here on\n', '\r\n'), message(2, 'two', '\r\n'), message(3, 'three', '\r\n')];
  const path = join(dir, 'windows.mbox');
  await writeFile(path, mbox(msgs, { eol: '\r\n' }));
  assert.deepEqual(mails(await collect(readArchive(path))), msgs);
});

test('gzip: detected by magic bytes, with or without the .gz name', async (t) => {
  const dir = await tempDir(t);
  const msgs = [message(1, 'gz one'), message(2, 'gz two')];
  for (const name of ['list.mbox.gz', 'list-without-suffix']) {
    const path = join(dir, name);
    await writeFile(path, gzipSync(mbox(msgs)));
    assert.equal(await detectArchiveKind(path), 'mbox.gz');
    assert.deepEqual(mails(await collect(readArchive(path))), msgs);
  }
});

test('a Mailman 2 (pipermail) monthly archive: .txt.gz, "user at domain" separators and authors, read and parsed', async (t) => {
  const dir = await tempDir(t);
  const text = [
    'From jane at example.org  Mon Nov  2 09:00:00 2026',
    'From: jane at example.org (Jane Doe)',
    'Date: Mon, 02 Nov 2026 09:00:00 +0000',
    'Subject: [tlug] kernel build fails on Debian',
    'Message-ID: <a1@example.org>',
    '',
    'My kernel build fails with a linker error on Debian 12. Any ideas?',
    '',
    'From bob at example.net  Mon Nov  2 10:00:00 2026',
    'From: bob at example.net (Bob Builder)',
    'Date: Mon, 02 Nov 2026 10:00:00 +0000',
    'Subject: [tlug] kernel build fails on Debian',
    'In-Reply-To: <a1@example.org>',
    'Message-ID: <b1@example.net>',
    '',
    'On Mon, Nov 2, 2026 at 9:00 AM Jane Doe wrote:',
    '> My kernel build fails with a linker error on Debian 12. Any ideas?',
    '',
    'Install binutils from backports.',
    '',
  ].join('\n');
  const path = join(dir, '2026-November.txt.gz');
  await writeFile(path, gzipSync(text));
  const items = await collect(readArchive(path));
  assert.equal(items.length, 2);
  const posts = await Promise.all(items.map((i) => (i.kind === 'mail' ? parsePost(i.raw) : Promise.reject(new Error(i.reason)))));
  assert.deepEqual(posts.map((p) => p.author), ['Jane Doe <jane@example.org>', 'Bob Builder <bob@example.net>']);
  assert.equal(posts[1]!.inReplyTo, '<a1@example.org>');
  assert.equal(posts[1]!.ownText.trim(), 'Install binutils from backports.');
  assert.match(posts[1]!.quotedText, /linker error/);
});

test('gzip cut short: what was read is kept, then a skipped item says so', async (t) => {
  const dir = await tempDir(t);
  const msgs = Array.from({ length: 50 }, (_, i) => message(i + 1, `body ${i} `.repeat(200)));
  const gz = gzipSync(mbox(msgs));
  const path = join(dir, 'cut.mbox.gz');
  await writeFile(path, gz.subarray(0, Math.floor(gz.length * 0.6)));
  const items = await collect(readArchive(path));
  const last = items[items.length - 1];
  assert.equal(last?.kind, 'skipped');
  assert.match(last?.kind === 'skipped' ? last.reason : '', /^gzip data corrupt or cut short/);
  assert.ok(items.filter((i) => i.kind === 'mail').length >= 20);
});

test('Maildir: cur/ and new/ together in delivery order, gzipped files read, tmp/ and dot files ignored', async (t) => {
  const dir = await tempDir(t);
  for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(dir, sub));
  const files: [string, number][] = [
    ['cur/1594512000.M1P1.host:2,S', 1],
    ['new/1594512100.M2P1.host', 2],
    ['cur/1594512200.M3P1.host:2,RS', 3],
    ['new/999999999.M0P1.host', 0], // fewer digits: earlier, not later
  ];
  for (const [name, n] of files) await writeFile(join(dir, name), message(n, `body ${n}`));
  // Dovecot's zlib plugin stores Maildir messages gzipped.
  await writeFile(join(dir, 'new/1594512100.M2P1.host'), gzipSync(message(2, 'body 2')));
  await writeFile(join(dir, 'tmp', '1594512300.M4P1.host'), message(4, 'half delivered'));
  await writeFile(join(dir, 'cur', '.hidden'), 'not mail');
  assert.equal(await detectArchiveKind(dir), 'maildir');
  const items = await collect(readArchive(dir));
  assert.deepEqual(mails(items), [0, 1, 2, 3].map((n) => message(n, `body ${n}`)));
  assert.equal(items[1]?.source, join(dir, 'cur', '1594512000.M1P1.host:2,S'));
});

test('.eml: one file, also with a leading mbox From line', async (t) => {
  const dir = await tempDir(t);
  const plain = join(dir, 'one.eml');
  await writeFile(plain, message(1, 'single'));
  assert.equal(await detectArchiveKind(plain), 'eml');
  assert.deepEqual(mails(await collect(readArchive(plain))), [message(1, 'single')]);
  const withFrom = join(dir, 'saved.eml');
  await writeFile(withFrom, `From a@example.org Sun Jul 12 09:30:00 2020\n${message(2, 'saved')}`);
  assert.deepEqual(mails(await collect(readArchive(withFrom))), [message(2, 'saved')]);
});

test('.eml folder: recursive, sorted with numbers by value, other files left out', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'b-sub'));
  await writeFile(join(dir, '10.eml'), message(10, 'ten'));
  await writeFile(join(dir, '2.eml'), message(2, 'two'));
  await writeFile(join(dir, 'b-sub', '1.EML'), message(1, 'one in sub'));
  await writeFile(join(dir, 'index.txt'), 'not mail');
  await writeFile(join(dir, 'junk.eml'), binaryJunk(256));
  assert.equal(await detectArchiveKind(dir), 'eml-dir');
  const items = await collect(readArchive(dir));
  assert.deepEqual(mails(items), [
    message(2, 'two'),
    message(10, 'ten'),
    message(1, 'one in sub'),
    'SKIPPED no header block',
  ]);
  assert.equal(items[3]?.source, join(dir, 'junk.eml'));
});

test('From escaping round trip', () => {
  const cases: [string, string][] = [
    ['From x', '>From x'],
    ['>From x', '>>From x'],
    ['a\nFrom x\n>>From y\nnot From z\nFrom:header-like\n', 'a\n>From x\n>>>From y\nnot From z\nFrom:header-like\n'],
    ['>> From spaced', '>> From spaced'],
    ['', ''],
  ];
  for (const [plain, escaped] of cases) {
    assert.equal(escapeFromLines(Buffer.from(plain)).toString(), escaped, plain);
    assert.equal(unescapeFromLines(Buffer.from(escaped)).toString(), plain, escaped);
  }
});

test('what counts as a separator line', () => {
  const cases: [string, boolean][] = [
    ['From claw@kanga.nu Sat Jul 20 01:51:39 2002', true],
    ['From MAILER-DAEMON Fri Jul  8 12:08:34 2011', true],
    ['From - Mon Jan 01 00:00:00 2001', true],
    ['From 1234@xxx Sat Jul 20 01:51:39 +0000 2002', true],
    ['From jane at example.org  Thu Jul 16 15:31:00 2020', true],
    ['From a@b 2020-07-12T09:30:00Z', true],
    ['From a@b Sun, 12 Jul 2020 09:30:00 +0900', true],
    ['From uucp!a Sat Jul 20 01:51:39 2002 remote from host\r', true],
    ['From what I can tell, it broke in 2002 at 10:30 on Mon', false],
    ['From me', false],
    ['From: a@b', false],
    ['From a@b Sat Jul 20 2002', false],
  ];
  for (const [line, want] of cases) assert.equal(isFromLine(line), want, line);
});

test('a From line without a blank line before it stays inside the message', async (t) => {
  const dir = await tempDir(t);
  const body = 'quoting an archive:\nFrom x@example.org Sat Jul 20 01:51:39 2002\nend';
  const path = join(dir, 'inner.mbox');
  // Written without escaping, as a careless mboxo writer would.
  await writeFile(path, `From a@example.org Sun Jul 12 09:30:00 2020\n${message(1, body)}\n`);
  assert.deepEqual(mails(await collect(readArchive(path))), [message(1, body)]);
});

test('truncated mbox: the cut message is kept and marked; a lone From line at the end is skipped', async (t) => {
  const dir = await tempDir(t);
  const cases: { name: string; tail: string; want: string[]; truncated?: boolean }[] = [
    { name: 'mid-body', tail: 'From: c@example.org\nSubject: cut\n\nhalf a sen', want: ['From: c@example.org\nSubject: cut\n\nhalf a sen'], truncated: true },
    { name: 'mid-headers', tail: 'From: c@example.org\nSubj', want: ['From: c@example.org\nSubj'], truncated: true },
    { name: 'no final blank line', tail: 'From: c@example.org\n\nwhole\n', want: ['From: c@example.org\n\nwhole\n'] },
    { name: 'only a From line', tail: '', want: ['SKIPPED truncated at end of file: no header block'] },
  ];
  for (const c of cases) {
    const path = join(dir, `${c.name}.mbox`);
    await writeFile(path, Buffer.concat([mbox([message(1, 'first')]), Buffer.from(`From c@example.org Sun Jul 12 10:00:00 2020\n${c.tail}`)]));
    const items = await collect(readArchive(path));
    assert.deepEqual(mails(items), [message(1, 'first'), ...c.want], c.name);
    const last = items[1];
    assert.equal(last?.kind === 'mail' ? last.truncated === true : undefined, c.want[0]?.startsWith('SKIPPED') ? undefined : c.truncated === true, c.name);
  }
});

test('binary junk before the first From line is skipped with a reason, the rest is read', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'junk.mbox');
  await writeFile(path, Buffer.concat([binaryJunk(10_000), Buffer.from('\n'), mbox([message(1, 'a'), message(2, 'b')])]));
  assert.equal(await detectArchiveKind(path), 'mbox');
  const items = await collect(readArchive(path));
  assert.deepEqual(mails(items), ['SKIPPED non-mail data before the first "From " line', message(1, 'a'), message(2, 'b')]);
  assert.equal(items[0]?.source, path);
});

test('a message over maxMessageBytes is skipped with a reason and reading goes on', async (t) => {
  const dir = await tempDir(t);
  const big = message(2, 'x'.repeat(300_000));
  const path = join(dir, 'big.mbox');
  await writeFile(path, mbox([message(1, 'small'), big, message(3, 'after')]));
  const items = await collect(readArchive(path, { maxMessageBytes: 100 * 1024 }));
  assert.deepEqual(mails(items), [message(1, 'small'), 'SKIPPED message larger than 100 KB', message(3, 'after')]);
  assert.equal(items[1]?.source, `${path}#2`);
  const eml = join(dir, 'big.eml');
  await writeFile(eml, big);
  assert.deepEqual(mails(await collect(readArchive(eml, { maxMessageBytes: 100 * 1024 }))), ['SKIPPED message larger than 100 KB']);
});

test('missing or unreadable paths throw ArchiveNotFoundError, before anything is read', async (t) => {
  const dir = await tempDir(t);
  const good = join(dir, 'good.mbox');
  await writeFile(good, mbox([message(1, 'a')]));
  await assert.rejects(collect(readArchive(join(dir, 'nothing-here.mbox'))), ArchiveNotFoundError);
  await assert.rejects(detectArchiveKind(join(dir, 'nope')), ArchiveNotFoundError);
  let yielded = 0;
  await assert.rejects(async () => {
    for await (const _ of readArchives([good, join(dir, 'missing.mbox')])) yielded++;
  }, ArchiveNotFoundError);
  assert.equal(yielded, 0);
  if (process.getuid?.() !== 0) {
    const locked = join(dir, 'locked.mbox');
    await writeFile(locked, mbox([message(1, 'a')]));
    await chmod(locked, 0o000);
    await assert.rejects(collect(readArchive(locked)), ArchiveNotFoundError);
  }
});

test('detectArchiveKind looks at content, not names', async (t) => {
  const dir = await tempDir(t);
  const cases: [string, Buffer | string, string][] = [
    ['mbox-named.txt', mbox([message(1, 'a')]), 'mbox'],
    ['message.mbox', message(1, 'a'), 'eml'],
    ['lost-first-from', Buffer.concat([Buffer.from(message(1, 'a') + '\n'), mbox([message(2, 'b')])]), 'mbox'],
    ['lost-first-from.eml', Buffer.concat([Buffer.from(message(1, 'a') + '\n'), mbox([message(2, 'b')])]), 'eml'],
    ['junk.bin', binaryJunk(100), 'eml'],
    ['junk.mbox', binaryJunk(100), 'mbox'],
  ];
  for (const [name, content, kind] of cases) {
    await writeFile(join(dir, name), content);
    assert.equal(await detectArchiveKind(join(dir, name)), kind, name);
  }
  // An mbox that lost its first From line still yields every message.
  assert.deepEqual(mails(await collect(readArchive(join(dir, 'lost-first-from')))), [message(1, 'a'), message(2, 'b')]);
});

test('the splitter gives the same messages whatever the chunk sizes', () => {
  const msgs = [
    message(1, 'From x\n\nFrom y@z Sat Jul 20 01:51:39 2002 inside, escaped by the writer'),
    message(2, 'two', '\r\n'),
    message(3, 'z'.repeat(5000)),
    message(4, ''),
  ];
  const data = Buffer.concat([Buffer.from('\n\n'), mbox(msgs.slice(0, 1)), mbox(msgs.slice(1, 2), { eol: '\r\n' }), mbox(msgs.slice(2))]);
  const whole = new MboxSplitter('w', 1 << 20);
  const want = mails([...whole.push(data), ...whole.end()]);
  assert.deepEqual(want, msgs);
  for (const size of [1, 2, 3, 5, 6, 7, 13, 64, 1000]) {
    const s = new MboxSplitter('c', 1 << 20);
    const got: ArchiveItem[] = [];
    for (let i = 0; i < data.length; i += size) got.push(...s.push(data.subarray(i, i + size)));
    got.push(...s.end());
    assert.deepEqual(mails(got), want, `chunks of ${size}`);
  }
});

test('hostile mail survives an mbox round trip; junk is skipped with a reason', async (t) => {
  const dir = await tempDir(t);
  const hostile = hostileMails({ small: true });
  const path = join(dir, 'hostile.mbox');
  await writeFile(path, Buffer.concat(hostile.map((h) => mboxEntry(h.raw, 'hostile@example.test', DATE))));
  const items = await collect(readArchive(path));
  assert.equal(items.length, hostile.length);
  hostile.forEach((h, i) => {
    const item = items[i];
    if (h.name === 'binary-junk') {
      assert.deepEqual(item, { kind: 'skipped', source: `${path}#${i + 1}`, reason: 'no header block' });
      return;
    }
    assert.equal(item?.kind, 'mail', h.name);
    // The writer ends a message that lacks a final newline with one.
    const want = h.raw[h.raw.length - 1] === 0x0a ? h.raw : Buffer.concat([h.raw, Buffer.from('\n')]);
    assert.ok(item?.kind === 'mail' && item.raw.equals(want), h.name);
  });
});

test('the bench generator: same seed same bytes, gzip readable, every post read back', async (t) => {
  const dir = await tempDir(t);
  const [a, b, c] = [join(dir, 'a.mbox'), join(dir, 'b.mbox'), join(dir, 'c.mbox.gz')];
  const stats = await generateArchive(a, 400, { seed: 42 });
  await generateArchive(b, 400, { seed: 42 });
  await generateArchive(c, 400, { seed: 43, gzip: true });
  assert.ok((await readFile(a)).equals(await readFile(b)));
  const items = await collect(readArchive(a));
  assert.equal(items.filter((i) => i.kind === 'mail').length, 400);
  assert.equal((await collect(readArchive(c))).filter((i) => i.kind === 'mail').length, 400);
  const text = items.map((i) => (i.kind === 'mail' ? i.raw.toString('latin1') : '')).join('\n');
  assert.match(text, /^In-Reply-To: </m);
  assert.match(text, /^-----Original Message-----$/m);
  assert.match(text, /charset=ISO-2022-JP/);
  assert.ok(stats.threads > 50 && stats.japanese > 0 && stats.insults > 0 && stats.offTopicThreads > 0, JSON.stringify(stats));
  assert.ok(stats.bytes / stats.posts > 2000 && stats.bytes / stats.posts < 7000, `mean post ${stats.bytes / stats.posts} bytes`);
});

test('a generated ~300 MB mbox streams with flat memory', async (t) => {
  const dir = await tempDir(t);
  const part = join(dir, 'part.mbox');
  const stats = await generateArchive(part, 4000, { seed: 5 });
  const copies = Math.ceil((300 * 1024 * 1024) / stats.bytes);
  const path = join(dir, 'big.mbox');
  for (let i = 0; i < copies; i++) await pipeline(createReadStream(part), createWriteStream(path, { flags: 'a' }));
  assert.ok((await stat(path)).size >= 300 * 1024 * 1024);

  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  let count = 0;
  let skipped = 0;
  for await (const item of readArchive(path)) {
    if (item.kind === 'mail') count++;
    else skipped++;
    if (count % 500 === 0) {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }
  }
  const mb = 1024 * 1024;
  t.diagnostic(
    `${count} messages; RSS +${((peakRss - before.rss) / mb).toFixed(0)} MB, heap +${((peakHeap - before.heapUsed) / mb).toFixed(0)} MB`,
  );
  assert.equal(skipped, 0);
  assert.equal(count, stats.posts * copies);
  assert.ok(peakRss - before.rss < 128 * mb, `RSS grew by ${((peakRss - before.rss) / mb).toFixed(0)} MB`);
  assert.ok(peakHeap - before.heapUsed < 64 * mb, `heap grew by ${((peakHeap - before.heapUsed) / mb).toFixed(0)} MB`);
});
