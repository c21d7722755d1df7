// Hostile and broken mail: mailparser's pathological fixtures and generated ones parse (or are refused) quickly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePost, UnreadableMailError } from '../../src/parse/index.js';
import type { Post } from '../../src/model/post.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const corpus = process.env['LISTWARDEN_CORPUS'] ?? resolve(repoRoot, '../shared/corpus/mailparser-fixtures');
const LIMIT_MS = 5_000;

/** Parses with a time limit; resolves to the Post or the UnreadableMailError. Any other failure fails the test. */
async function parseWithin(raw: Buffer, opts?: { maxBodyChars?: number }): Promise<Post | UnreadableMailError> {
  const started = Date.now();
  let post: Post | UnreadableMailError;
  try {
    post = await parsePost(raw, opts);
  } catch (err) {
    assert.ok(err instanceof UnreadableMailError, `unexpected error: ${String(err)}`);
    post = err;
  }
  const took = Date.now() - started;
  assert.ok(took < LIMIT_MS, `took ${took} ms`);
  return post;
}

function asPost(p: Post | UnreadableMailError): Post {
  assert.ok(!(p instanceof UnreadableMailError), `refused: ${p instanceof Error ? p.message : ''}`);
  return p;
}

test('hostile: the corpus directory exists', () => {
  assert.ok(existsSync(corpus), `no corpus at ${corpus} (set LISTWARDEN_CORPUS)`);
});

const corpusFiles = existsSync(corpus) ? readdirSync(corpus).filter((f) => f.endsWith('.eml')) : [];
for (const file of corpusFiles) {
  test(`hostile: corpus ${file}`, async () => {
    const raw = readFileSync(join(corpus, file));
    const p = await parseWithin(raw);
    if (p instanceof UnreadableMailError) return;
    assert.ok(p.ownText.length <= 200_000);
    assert.equal(p.size, raw.length);
    assert.match(p.messageId, /^<.+>$/);
  });
}

const HEAD = 'From: Mallory <mallory@example.org>\r\nTo: list@example.org\r\nSubject: hostile\r\nMessage-ID: <h@example.org>\r\nMIME-Version: 1.0\r\n';

test('hostile: binary junk without headers is refused with UnreadableMailError', async () => {
  for (const raw of [randomBytes(64 * 1024), Buffer.alloc(0), Buffer.alloc(4096, 0)]) {
    const p = await parseWithin(raw);
    assert.ok(p instanceof UnreadableMailError);
    assert.equal(p.size, raw.length);
  }
});

test('hostile: readable text without headers is kept, with a warning', async () => {
  const p = asPost(await parseWithin(Buffer.from('just some words someone typed\nand another line\n')));
  assert.equal(p.ownText, 'just some words someone typed\nand another line');
  assert.ok(p.warnings.some((w) => w.includes('no header section')));
  assert.equal(p.messageIdSynthetic, true);
});

test('hostile: binary junk after real headers keeps the headers', async () => {
  const raw = Buffer.concat([Buffer.from(HEAD + 'Content-Type: text/plain\r\n\r\n'), randomBytes(100_000)]);
  const p = asPost(await parseWithin(raw));
  assert.equal(p.subject, 'hostile');
  assert.equal(p.from.address, 'mallory@example.org');
});

test('hostile: NUL bytes and control characters are stripped from text and headers', async () => {
  const raw = Buffer.from(HEAD.replace('Subject: hostile', 'Subject: hos\x00tile\x07') + 'Content-Type: text/plain\r\n\r\nhel\x00lo\x1b wor\x00ld\r\n');
  const p = asPost(await parseWithin(raw));
  assert.equal(p.ownText, 'hello world');
  assert.ok(!/[\u0000-\u0008]/.test(p.subject));
  assert.ok(!Object.values(p.headers).some((v) => /[\u0000\u0007]/.test(v)));
});

test('hostile: header injection through encoded words and bare CRs stays one header value', async () => {
  const injected = `=?utf-8?B?${Buffer.from('hello\r\nBcc: victim@example.org\r\n\r\n<script>').toString('base64')}?=`;
  const raw = Buffer.from(
    `From: a@example.org\r\nSubject: ${injected}\r\nX-Test: one\rBcc: sneaky@example.org\r\nMessage-ID: <i@x>\r\n\r\nbody\r\n`,
  );
  const p = asPost(await parseWithin(raw));
  assert.ok(!p.subject.includes('\n') && !p.subject.includes('\r'));
  assert.equal(p.subject, 'hello Bcc: victim@example.org <script>');
  assert.equal(p.headers['bcc'], undefined);
  assert.ok(!p.headers['x-test']?.includes('\r'));
  assert.equal(p.ownText, 'body');
});

test('hostile: a 5 MB single line is cut to maxBodyChars, with a warning', async () => {
  const line = 'x'.repeat(5 * 1024 * 1024);
  for (const raw of [
    Buffer.from(HEAD + 'Content-Type: text/plain\r\n\r\n' + line + '\r\n'),
    Buffer.from(HEAD + 'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n' + line + '\r\n--b--\r\n'),
  ]) {
    const p = asPost(await parseWithin(raw));
    assert.equal(p.ownText.length, 200_000);
    assert.ok(p.warnings.some((w) => /longer than/.test(w)), JSON.stringify(p.warnings));
  }
});

test('hostile: maxBodyChars is honoured', async () => {
  const p = asPost(await parseWithin(Buffer.from(HEAD + '\r\n' + 'word '.repeat(10_000)), { maxBodyChars: 1000 }));
  assert.ok(p.ownText.length <= 1000);
  assert.ok(p.warnings.some((w) => w.includes('1000')));
});

test('hostile: 1,000 nested multiparts', async () => {
  let body = 'Content-Type: text/plain\r\n\r\ninnermost words\r\n';
  for (let i = 0; i < 1000; i++) body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}\r\n--b${i}--\r\n`;
  const p = asPost(await parseWithin(Buffer.from(HEAD + body)));
  assert.equal(p.subject, 'hostile');
});

test('hostile: 10,000 sibling parts', async () => {
  let body = 'Content-Type: multipart/mixed; boundary="s"\r\n\r\n';
  for (let i = 0; i < 10_000; i++) body += `--s\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`;
  body += '--s--\r\n';
  const p = asPost(await parseWithin(Buffer.from(HEAD + body)));
  assert.equal(p.subject, 'hostile');
});

test('hostile: bad boundaries (never used, unterminated, mismatched)', async () => {
  const shapes = [
    'Content-Type: multipart/mixed; boundary="nope"\r\n\r\nno parts here at all\r\n',
    'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nnever closed\r\n',
    'Content-Type: multipart/alternative; boundary="b"\r\n\r\n--c\r\nContent-Type: text/plain\r\n\r\nwrong boundary\r\n--c--\r\n',
    'Content-Type: multipart/mixed\r\n\r\n--b\r\nno boundary parameter\r\n--b--\r\n',
    'Content-Type: multipart/mixed; boundary=""\r\n\r\n--\r\n\r\nempty boundary\r\n----\r\n',
  ];
  for (const s of shapes) {
    const p = asPost(await parseWithin(Buffer.from(HEAD + s)));
    assert.equal(p.subject, 'hostile');
  }
  const closed = asPost(await parseWithin(Buffer.from(HEAD + shapes[1]!)));
  assert.equal(closed.ownText, 'never closed');
});

test('hostile: broken transfer encodings', async () => {
  const shapes = [
    'Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64 at all***\r\n',
    'Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=\r\n=4\r\n=\r\n',
    'Content-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\n`\r\nend\r\n',
    'Content-Type: text/plain; charset=utf-7\r\n\r\n+ADw-script+AD4-\r\n',
  ];
  for (const s of shapes) asPost(await parseWithin(Buffer.from(HEAD + s)));
});

test('hostile: header floods and giant header lines', async () => {
  const many = Array.from({ length: 20_000 }, (_, i) => `X-H${i}: v`).join('\r\n');
  const p1 = asPost(await parseWithin(Buffer.from(HEAD + many + '\r\n\r\nbody\r\n')));
  assert.ok(p1.warnings.some((w) => w.includes('header fields')));
  const p2 = asPost(await parseWithin(Buffer.from(HEAD + 'X-Long: ' + 'a'.repeat(3_000_000) + '\r\n\r\nbody\r\n')));
  assert.equal(p2.subject, 'hostile');
  const refs = Array.from({ length: 5000 }, (_, i) => `<r${i}@x>`).join(' ');
  const p3 = asPost(await parseWithin(Buffer.from(HEAD + `References: ${refs}\r\n\r\nbody\r\n`)));
  assert.ok(p3.references.length <= 100);
  assert.equal(p3.references[0], '<r0@x>');
  assert.equal(p3.references.at(-1), '<r4999@x>');
});

test('hostile: deeply nested and unclosed HTML', async () => {
  const html = '<div><blockquote>'.repeat(50_000) + 'deep' + '<span>'.repeat(50_000);
  const p = asPost(await parseWithin(Buffer.from(HEAD + 'Content-Type: text/html\r\n\r\n' + html)));
  assert.equal(p.htmlOnly, true);
  const p2 = asPost(await parseWithin(Buffer.from(HEAD + 'Content-Type: text/html\r\n\r\n<head><title>never closed' + ' x'.repeat(100_000))));
  assert.equal(p2.htmlOnly, true);
});

test('hostile: attachments are listed, never kept', async () => {
  const big = randomBytes(2 * 1024 * 1024).toString('base64').replace(/.{76}/g, '$&\r\n');
  const raw = Buffer.from(
    HEAD +
      'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n' +
      `--b\r\nContent-Type: application/octet-stream; name="a\x00b.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${big}\r\n--b--\r\n`,
  );
  const p = asPost(await parseWithin(raw));
  assert.equal(p.ownText, 'see attached');
  assert.equal(p.attachments.length, 1);
  assert.equal(p.attachments[0]!.size, 2 * 1024 * 1024);
  assert.equal(p.attachments[0]!.filename, 'ab.bin');
  assert.ok(!('content' in p.attachments[0]!));
});
