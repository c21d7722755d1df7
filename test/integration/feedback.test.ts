// Feedback by reply against real servers: replies in Dovecot, alerts and confirmations through smtp-server, state in Redis.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log.js';
import { notifySectionsSchema } from '../../src/config/notify-schema.js';
import type { Notice } from '../../src/model/notice.js';
import { createMailer, type Mailer } from '../../src/notify/nodemailer-adapter.js';
import { Notifier } from '../../src/notify/notifier.js';
import { NotifyStore } from '../../src/notify/store.js';
import { noticeToken, refLine } from '../../src/notify/links.js';
import { ruleStats } from '../../src/notify/stats.js';
import { ReplyPoller } from '../../src/feedback/imap-replies.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { testRedis, type TestRedis } from '../helpers/redis.js';
import { imapClient } from './helpers.js';
import { startSmtp, type TestSmtp } from './notify-smtp.js';

const SECRET = 'feedback-test-secret';
const MOD = 'mod@example.org';
const silent = createLogger('silent');

let dovecot: Dovecot;
let smtp: TestSmtp;
let r: TestRedis;
let mailer: Mailer;
let store: NotifyStore;
let notifier: Notifier;
let poller: ReplyPoller;

before(async () => {
  dovecot = await startDovecot({ mailboxes: ['Handled'] });
  smtp = await startSmtp();
  r = await testRedis('lwfeedback');
  const s = notifySectionsSchema.parse({
    smtp: { host: '127.0.0.1', port: smtp.port, requireTls: true, tlsVerify: false, user: smtp.user, passEnv: 'P', from: 'listwarden <lw@lw.example.org>', pool: false },
    moderators: [{ address: MOD }, { address: 'other-list-mod@example.org', lists: ['elsewhere'] }],
    feedback: { host: dovecot.host, port: dovecot.port, secure: true, tlsVerify: false, user: dovecot.user, passEnv: 'FB', moveTo: 'Handled', pollSeconds: 1 },
  });
  mailer = createMailer({ kind: 'smtp', smtp: s.smtp!, env: { P: smtp.pass } });
  store = new NotifyStore(r.redis, { prefix: r.prefix });
  notifier = new Notifier({ config: { lists: [{ id: 'tlug', name: 'TLUG' }], smtp: s.smtp, moderators: s.moderators, notify: s.notify }, mailer, store, secret: SECRET, log: silent });
  poller = new ReplyPoller({
    feedback: s.feedback!,
    store,
    log: silent,
    env: { FB: dovecot.pass },
    handler: { moderators: s.moderators, secret: SECRET, mailer, from: s.smtp!.from },
  });
});

after(async () => {
  mailer?.close();
  await smtp?.close();
  await r?.cleanup();
  await dovecot?.destroy();
});

let seq = 0;
function notice(threadId: string, author = 'Ann Example <ann@example.org>'): Notice {
  seq += 1;
  return {
    noticeId: `n-fb${String(seq).padStart(6, '0')}${'b'.repeat(32)}`,
    list: 'tlug',
    messageId: `<fbpost-${seq}@example.org>`,
    threadId,
    action: 'alert',
    subject: `Re: thread ${threadId}`,
    author,
    flags: [{ rule: 'incendiary-language', category: 'incendiary', severity: 'high', score: 0.9, action: 'alert', evidence: 'idiot', reason: 'Rude.' }],
    decidedAt: Date.now(),
  };
}

function reply(o: { from: string; id: string; inReplyTo?: string; references?: string; body: string }): string {
  return [
    `From: ${o.from}`,
    'To: lw@lw.example.org',
    `Subject: Re: [listwarden] tlug: alert`,
    `Message-ID: <${o.id}@mod.example.org>`,
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`] : []),
    ...(o.references ? [`References: ${o.references}`] : []),
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.body,
    '',
  ].join('\r\n');
}

async function append(...raws: string[]): Promise<void> {
  const s = await imapClient(dovecot);
  try {
    for (const raw of raws) await s.append('INBOX', raw);
  } finally {
    await s.logout();
  }
}

async function state(): Promise<string> {
  const labels = await store.labels();
  const muted = await r.redis.hgetall(`${store.keyPrefix}:muted:tlug`);
  const ignored = await r.redis.hgetall(`${store.keyPrefix}:ignored:tlug`);
  return JSON.stringify({ labels: labels.length, muted: Object.keys(muted), ignored: Object.keys(ignored) });
}

test('spoofed replies (wrong sender, missing token, wrong token, other list\'s moderator) change nothing and get no answer', async () => {
  const n = notice('<spoof-thread@x>');
  await notifier.handle(n);
  await smtp.waitFor(1);
  const alertId = smtp.received[0]!.parsed.messageId!;
  const forged = alertId.replace(noticeToken(SECRET, n.noticeId), 'A'.repeat(20));
  const before = await state();
  await append(
    reply({ from: 'Mallory <mallory@evil.example>', id: 's1', inReplyTo: alertId, body: 'fp' }),
    reply({ from: `Mod <${MOD}>`, id: 's2', body: 'mute thread' }),
    reply({ from: MOD, id: 's3', inReplyTo: forged, body: 'ignore sender' }),
    reply({ from: MOD, id: 's4', body: `fp\n\n> ${refLine(n.noticeId, 'B'.repeat(20))}` }),
    reply({ from: 'other-list-mod@example.org', id: 's5', inReplyTo: alertId, body: 'fp' }),
  );
  const res = await poller.pollOnce();
  assert.deepEqual(res.outcomes.map((o) => o.outcome.status), ['not-a-moderator', 'no-token', 'bad-token', 'bad-token', 'not-moderator-of-list']);
  assert.equal(await state(), before);
  await new Promise((res2) => setTimeout(res2, 300));
  assert.equal(smtp.received.length, 1, 'no confirmation to a spoofer');
});

test('moderator replies: fp, confirm, mute thread, ignore sender are recorded, acted on and confirmed; each handled once', async () => {
  const base = smtp.received.length;
  const a = notice('<fb-a@x>');
  const b = notice('<fb-b@x>');
  const c = notice('<fb-c@x>');
  const d = notice('<fb-d@x>', 'Troll <troll@example.net>');
  for (const n of [a, b, c, d]) await notifier.handle(n);
  const alerts = (await smtp.waitFor(base + 4)).slice(base);
  const idOf = (n: Notice): string => alerts.find((m) => m.parsed.messageId!.includes(n.noticeId))!.parsed.messageId!;
  await append(
    reply({ from: `Mod <${MOD}>`, id: 'g1', inReplyTo: idOf(a), references: idOf(a), body: 'FP\n\nOn Mon, listwarden wrote:\n> something' }),
    reply({ from: MOD, id: 'g2', inReplyTo: idOf(b), body: 'confirm' }),
    // A client that dropped the threading headers: the quoted ref line still names the alert.
    reply({ from: MOD, id: 'g3', body: `mute thread\n\n> ${refLine(c.noticeId, noticeToken(SECRET, c.noticeId))}` }),
    reply({ from: MOD.toUpperCase(), id: 'g4', references: `<x@y> ${idOf(d)}`, body: 'ignore sender' }),
    reply({ from: MOD, id: 'g5', inReplyTo: idOf(a), body: 'thanks, will look later' }),
  );
  const res = await poller.pollOnce();
  assert.deepEqual(res.outcomes.map((o) => o.outcome.status), ['done', 'done', 'done', 'done', 'no-command']);
  assert.deepEqual(res.outcomes.slice(0, 4).map((o) => (o.outcome.status === 'done' ? o.outcome.command : '')), ['false-positive', 'confirm', 'mute-thread', 'ignore-sender']);
  const labels = await store.labels();
  assert.deepEqual(labels.map((l) => [l.noticeId, l.label]).sort(), [[a.noticeId, 'false-positive'], [b.noticeId, 'confirm']].sort());
  assert.equal(await notifier.isMuted('tlug', '<fb-c@x>'), true);
  assert.equal(await notifier.isIgnored('tlug', 'troll@example.net'), true);
  assert.deepEqual(ruleStats(labels).map((s) => [s.rule, s.confirmed, s.falsePositives, s.precision]), [['incendiary-language', 1, 1, 0.5]]);
  // Later posts in the muted thread, or by the ignored sender, are not notified.
  assert.equal((await notifier.handle(notice('<fb-c@x>'))).skipped, 'muted');
  assert.equal((await notifier.handle(notice('<fb-e@x>', 'troll@example.net'))).skipped, 'ignored');

  const acks = (await smtp.waitFor(base + 8)).slice(base + 4);
  assert.equal(acks.length, 4);
  const g1 = acks.find((m) => m.parsed.inReplyTo === '<g1@mod.example.org>');
  assert.ok(g1, 'the confirmation answers the moderator\'s reply');
  assert.match(g1!.parsed.text ?? '', /marked as a false positive \(incendiary-language\)/);
  assert.deepEqual(g1!.envelopeTo, [MOD]);

  // Handled replies were moved out; a second pass finds nothing new.
  const again = await poller.pollOnce();
  assert.equal(again.seen, 0);
  // Unanswered alerts are what the digest lists again: the answered ones are gone from it.
  const open = await store.recentAlerts('tlug');
  for (const n of [a, b, c, d]) assert.equal(open.has(n.noticeId), false, n.noticeId);
});
