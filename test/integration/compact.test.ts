// What the poller fetches and rebuilds of a post, job ids and reconnect backoff (no servers needed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headerMessageId, planFetch, rebuildMessage } from '../../src/ingest/imap/compact.js';
import type { BodyNode } from '../../src/ingest/imap/imapflow-adapter.js';
import { postJobId } from '../../src/queue/jobs.js';
import { backoffDelay } from '../../src/ingest/imap/poller.js';

const text: BodyNode = { part: '1', type: 'text/plain', parameters: { charset: 'utf-8' }, encoding: 'quoted-printable', size: 40 };
const pdf: BodyNode = { part: '2', type: 'application/pdf', parameters: { name: 'slides.pdf' }, encoding: 'base64', size: 4_000_000, disposition: 'attachment', dispositionParameters: { filename: 'slides.pdf' } };
const mixed: BodyNode = { type: 'multipart/mixed', childNodes: [text, pdf] };

test('planFetch: whole for small text-only posts, text parts only otherwise', () => {
  const cases: { name: string; size: number; structure?: BodyNode; want: string }[] = [
    { name: 'plain post', size: 2_000, structure: { type: 'text/plain', size: 2_000 }, want: 'whole' },
    { name: 'with attachment', size: 4_000_100, structure: mixed, want: 'parts:1' },
    { name: 'big text post', size: 900_000, structure: { type: 'text/plain', size: 900_000 }, want: 'parts:1' },
  ];
  for (const c of cases) {
    const plan = planFetch({ uid: 1, size: c.size, structure: c.structure }, 262_144);
    const got = plan.kind === 'whole' ? 'whole' : `parts:${plan.parts.map((p) => p.key).join(',')}`;
    assert.equal(got, c.want, c.name);
  }
});

test('rebuildMessage keeps headers and text, leaves an attachment as an empty placeholder', () => {
  const header = Buffer.from('From: Ann <ann@example.org>\r\nMessage-ID: <a1@example.org>\r\nContent-Type: multipart/mixed; boundary=x\r\nSubject: hi\r\n\r\n');
  const out = rebuildMessage(header, mixed, new Map([['1', Buffer.from('Hello=20list\r\n')]]), 262_144).toString('latin1');
  assert.match(out, /^From: Ann <ann@example.org>\r\nMessage-ID: <a1@example.org>\r\nSubject: hi\r\n/);
  assert.doesNotMatch(out, /boundary=x/);
  assert.match(out, /Content-Transfer-Encoding: quoted-printable\r\n\r\nHello=20list/);
  assert.match(out, /Content-Disposition: attachment; filename="slides.pdf"\r\nX-Listwarden-Omitted: 4000000 bytes/);
  assert.equal(headerMessageId(Buffer.from(out, 'latin1')), '<a1@example.org>');
});

test('job ids are deterministic, differ by list and never contain ":"', () => {
  const raw = Buffer.from('Subject: x\r\n\r\nbody\r\n');
  assert.equal(postJobId('a', '<m@x>', raw), postJobId('a', '<m@x>', Buffer.from('other bytes')));
  assert.notEqual(postJobId('a', '<m@x>', raw), postJobId('b', '<m@x>', raw));
  assert.equal(postJobId('a', undefined, raw), postJobId('a', undefined, Buffer.from(raw)));
  for (const id of [postJobId('a', '<m:1@x>', raw), postJobId('a', undefined, raw)]) assert.doesNotMatch(id, /:/);
});

test('reconnect backoff doubles up to the cap, with ±50 % jitter', () => {
  assert.deepEqual([1, 2, 3, 10].map((n) => backoffDelay(n, 1000, 60_000, () => 0.5)), [1000, 2000, 4000, 60_000]);
  assert.equal(backoffDelay(1, 1000, 60_000, () => 0), 500);
  assert.equal(backoffDelay(1, 1000, 60_000, () => 0.999), 1499);
});
