// parsePost's Post fields: ids, references, list id, author, date, headers map, subjects, warnings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parsePost, readPostHead } from '../../src/parse/index.js';

const seedLike = Buffer.from(
  [
    'From: "Stephen J. Turnbull" <Stephen@Example.JP>',
    'To: Tokyo Linux Users Group <tlug@tlug.example.jp>',
    'Subject: Re: [tlug] Introduction to (Tech) Worker Cooperatives, 09:00AM on',
    ' Sunday, July 12th JST',
    'Date: Tue, 14 Jul 2020 21:00:00 +0900 (JST)',
    'Message-ID: <a3@mail.example.jp>',
    'In-Reply-To: <a2@mail.example.jp>',
    'References: <a1@mail.example.jp>',
    '\t<a2@mail.example.jp>',
    'List-Id: Tokyo Linux Users Group <TLUG.tlug.example.jp>',
    'Received: from a by b',
    'Received: from c by d',
    'Content-Type: text/plain; charset="utf-8"',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Benjamin Kowarsch writes:',
    '',
    '> This is not an issue of capitalism versus cooperative.',
    '',
    'Not true in worker cooperatives.=C2=A0 Customers are excluded.',
    '',
    '-- ',
    'Stephen',
    '',
  ].join('\r\n'),
);

test('post: ids, thread headers, author, date and subject of a list reply', async () => {
  const p = await parsePost(seedLike);
  assert.equal(p.messageId, '<a3@mail.example.jp>');
  assert.equal(p.messageIdSynthetic, false);
  assert.equal(p.inReplyTo, '<a2@mail.example.jp>');
  assert.deepEqual(p.references, ['<a1@mail.example.jp>', '<a2@mail.example.jp>']);
  assert.equal(p.listId, 'tlug.tlug.example.jp');
  assert.deepEqual(p.from, { name: 'Stephen J. Turnbull', address: 'stephen@example.jp' });
  assert.equal(p.author, 'Stephen J. Turnbull <stephen@example.jp>');
  assert.equal(p.date?.toISOString(), '2020-07-14T12:00:00.000Z');
  assert.equal(p.subject, 'Re: [tlug] Introduction to (Tech) Worker Cooperatives, 09:00AM on Sunday, July 12th JST');
  assert.equal(p.normalizedSubject, 'introduction to (tech) worker cooperatives, 09:00am on sunday, july 12th jst');
  assert.equal(p.wasSubject, undefined);
  assert.equal(p.ownText, 'Not true in worker cooperatives.\u00a0 Customers are excluded.');
  assert.equal(p.quotedText, 'This is not an issue of capitalism versus cooperative.');
  assert.equal(p.signature, '-- \nStephen');
  assert.equal(p.size, seedLike.length);
  assert.equal(p.htmlOnly, false);
  assert.deepEqual(p.attachments, []);
  assert.deepEqual(p.warnings, []);
});

test('post: headers map has lower-cased names, repeated fields joined by newlines, folding undone', async () => {
  const p = await parsePost(seedLike);
  assert.equal(p.headers['received'], 'from a by b\nfrom c by d');
  assert.equal(p.headers['references'], '<a1@mail.example.jp> <a2@mail.example.jp>');
  assert.equal(p.headers['list-id'], 'Tokyo Linux Users Group <TLUG.tlug.example.jp>');
  assert.ok(Object.keys(p.headers).every((k) => k === k.toLowerCase()));
});

test('post: a missing Message-ID is synthesized from the sha256 of the raw bytes', async () => {
  const raw = Buffer.from('From: a@example.org\r\nSubject: no id\r\n\r\nhello\r\n');
  const p = await parsePost(raw);
  assert.equal(p.messageId, `<${createHash('sha256').update(raw).digest('hex')}@listwarden.invalid>`);
  assert.equal(p.messageIdSynthetic, true);
  assert.ok(p.warnings.some((w) => w.includes('Message-ID')));
  assert.deepEqual(p.references, []);
  assert.equal(p.listId, undefined);
});

test('post: In-Reply-To alone becomes the reference; a bare Message-ID gets its brackets', async () => {
  const p = await parsePost(Buffer.from('From: a@example.org\r\nMessage-ID: bare@example.org\r\nIn-Reply-To: <parent@x> (Jane\'s message)\r\n\r\nhi\r\n'));
  assert.equal(p.messageId, '<bare@example.org>');
  assert.equal(p.inReplyTo, '<parent@x>');
  assert.deepEqual(p.references, ['<parent@x>']);
});

test('post: "(was: …)" subjects carry the old topic', async () => {
  const p = await parsePost(Buffer.from('From: a@example.org\r\nSubject: Re: [tlug] Rice cookers (was: Re: [tlug] Emacs vs vi)\r\n\r\nhi\r\n'));
  assert.equal(p.normalizedSubject, 'rice cookers');
  assert.equal(p.wasSubject, 'emacs vs vi');
});

test('post: From forms', async () => {
  const cases: [string, { name?: string; address?: string }, string][] = [
    ['jane@example.org', { address: 'jane@example.org' }, 'jane@example.org'],
    ['jane@example.org (Jane Doe)', { name: 'Jane Doe', address: 'jane@example.org' }, 'Jane Doe <jane@example.org>'],
    ['<jane@example.org>', { address: 'jane@example.org' }, 'jane@example.org'],
    ['"Doe, Jane" <jane@example.org>', { name: 'Doe, Jane', address: 'jane@example.org' }, 'Doe, Jane <jane@example.org>'],
    ['Undisclosed', { name: 'Undisclosed' }, 'Undisclosed'],
    // Mailman 2 (pipermail) archives: the address hidden as "user at domain".
    ['jane at example.org (Jane Doe)', { name: 'Jane Doe', address: 'jane@example.org' }, 'Jane Doe <jane@example.org>'],
    ['jane.doe at mail.example.org', { address: 'jane.doe@mail.example.org' }, 'jane.doe@mail.example.org'],
    ['Meet at noon', { name: 'Meet at noon' }, 'Meet at noon'],
  ];
  for (const [from, address, author] of cases) {
    const p = await parsePost(Buffer.from(`From: ${from}\r\nMessage-ID: <x@y>\r\n\r\nhi\r\n`));
    assert.deepEqual(p.from, address);
    assert.equal(p.author, author);
  }
});

test('post: an unreadable Date is left out, with a warning', async () => {
  const p = await parsePost(Buffer.from('From: a@example.org\r\nDate: the day after tomorrow\r\nMessage-ID: <x@y>\r\n\r\nhi\r\n'));
  assert.equal(p.date, undefined);
  assert.ok(p.warnings.some((w) => w.includes('Date')));
});

test('post: an mbox "From " line in front of the headers is skipped', async () => {
  const p = await parsePost(Buffer.from('From jane@example.org Mon Jan  1 00:00:00 2024\nFrom: jane@example.org\nMessage-ID: <x@y>\n\nhi\n'));
  assert.equal(p.from.address, 'jane@example.org');
  assert.equal(p.ownText, 'hi');
});

test('post: read as header section first (as a queue worker does), then whole, it is the same Post', async () => {
  const noHeaders = Buffer.from('just some words someone typed\nwith no header section at all\n');
  const noId = Buffer.from('From: a@example.org\r\nSubject: hello\r\nDate: not a date\r\n\r\nbody\r\n');
  for (const raw of [seedLike, noHeaders, noId]) {
    const head = readPostHead(raw);
    assert.deepEqual(await parsePost(raw, {}, head), await parsePost(raw));
  }
  // Its warnings keep their order: header repairs, then the body's, then ids, From and Date.
  const post = await parsePost(noId, {}, readPostHead(noId));
  assert.deepEqual(post.warnings, ['no Message-ID; synthesized from the raw bytes', 'Date header could not be read']);
  assert.throws(() => readPostHead(Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0, 7, 8])), /neither a header section nor readable text/);
});

test('post: what thread state keeps of a post (ids, subject, author) does not keep its header section alive', async () => {
  // V8 cuts substrings as views that keep their parent string whole: 3,000 posts with 16 KB header sections would
  // leave ~48 MB reachable through their kept ids if parse did not copy them out.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const filler = Array.from({ length: 200 }, (_, i) => `Received: from relay${i}.example.net by mx.example.org with ESMTP id ${'x'.repeat(40)}`).join('\r\n');
  const kept: unknown[] = [];
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 3000; i++) {
    const raw = Buffer.from(
      `${filler}\r\nFrom: Some Body Number ${i} <somebody.number.${i}@example.org>\r\nSubject: Re: [tlug] a subject long enough to be sliced ${i}\r\n` +
        `Message-ID: <message.number.${i}.abcdef@mail.example.org>\r\nIn-Reply-To: <parent.number.${i}@mail.example.org>\r\n` +
        `References: <root.number.${i}@mail.example.org> <parent.number.${i}@mail.example.org>\r\nList-Id: <tlug.tlug.example.jp>\r\n\r\nhello\r\n`,
    );
    const p = await parsePost(raw);
    kept.push([p.messageId, p.inReplyTo, p.references, p.subject, p.normalizedSubject, p.author, p.from.address, p.from.name, p.listId]);
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  assert.equal(kept.length, 3000);
  assert.ok(grown < 12 * 1048576, `kept fields of 3,000 posts hold ${(grown / 1048576).toFixed(1)} MB of heap`);
});
