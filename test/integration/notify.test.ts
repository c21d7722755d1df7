// Notify against real servers: alerts and digests through smtp-server (STARTTLS, AUTH), state in the real Redis.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressObject } from 'mailparser';
import { createLogger } from '../../src/log.js';
import { notifySectionsSchema, type NotifySections } from '../../src/config/notify-schema.js';
import type { Notice } from '../../src/model/notice.js';
import { createMailer } from '../../src/notify/nodemailer-adapter.js';
import { Notifier, type NotifierConfig } from '../../src/notify/notifier.js';
import { NotifyStore } from '../../src/notify/store.js';
import { DigestSchedule, NoticeWorker } from '../../src/notify/notice-worker.js';
import { noticeToken, threadRootId } from '../../src/notify/links.js';
import { Queues } from '../../src/queue/queues.js';
import { connectRedis } from '../../src/queue/redis.js';
import { workerSchema } from '../../src/config/daemon-schema.js';
import { REDIS_URL, testRedis, type TestRedis } from '../helpers/redis.js';
import { startSmtp, type Received, type TestSmtp } from './notify-smtp.js';

const SECRET = 'test-secret-for-tokens';
const silent = createLogger('silent');

interface Env {
  smtp: TestSmtp;
  r: TestRedis;
  store: NotifyStore;
  notifier: Notifier;
  config: NotifierConfig;
  clock: { now: number };
  close(): Promise<void>;
}

async function setup(sections: Record<string, unknown> = {}, mods?: unknown[]): Promise<Env> {
  const smtp = await startSmtp();
  const r = await testRedis('lwnotify');
  const s: NotifySections = notifySectionsSchema.parse({
    smtp: { host: '127.0.0.1', port: smtp.port, secure: false, requireTls: true, tlsVerify: false, user: smtp.user, passEnv: 'LW_TEST_SMTP_PASS', from: 'listwarden <lw@lw.example.org>', replyTo: 'lw-replies@lw.example.org' },
    moderators: mods ?? [{ address: 'mod@example.org', name: 'Mod One' }],
    notify: { archiveUrl: 'https://lore.example.org/{list}/{messageId}/', ...sections },
  });
  const config: NotifierConfig = { lists: [{ id: 'tlug', name: 'Tokyo Linux Users Group' }], smtp: s.smtp, moderators: s.moderators, notify: s.notify };
  const mailer = createMailer({ kind: 'smtp', smtp: s.smtp!, env: { LW_TEST_SMTP_PASS: smtp.pass }, timeoutMs: 5000 });
  const store = new NotifyStore(r.redis, { prefix: r.prefix });
  const clock = { now: Date.parse('2024-05-01T03:00:00Z') };
  const notifier = new Notifier({ config, mailer, store, secret: SECRET, log: silent, now: () => clock.now });
  return {
    smtp, r, store, notifier, config, clock,
    async close() {
      mailer.close();
      await smtp.close();
      await r.cleanup();
    },
  };
}

let seq = 0;
function notice(over: Partial<Notice> = {}): Notice {
  seq += 1;
  return {
    noticeId: `n-${String(seq).padStart(8, '0')}${'a'.repeat(32)}`,
    list: 'tlug',
    messageId: `<post-${seq}@example.org>`,
    threadId: '<root-apt@example.org>',
    action: 'alert',
    subject: 'Re: apt keeps breaking my system',
    threadSubject: 'apt keeps breaking my system',
    author: 'Ann Example <ann@example.org>',
    date: '2024-05-01T02:59:00.000Z',
    flags: [{ rule: 'incendiary-language', category: 'incendiary', severity: 'high', score: 0.91, action: 'alert', evidence: 'you clueless moron', reason: 'Insults another member.' }],
    decidedAt: Date.parse('2024-05-01T03:00:00Z'),
    excerpt: 'Honestly, you clueless moron, read the apt manual.',
    thread: { posts: 12, participants: 4, top: [], heat: [0.1, 0.3, 0.9], heatTrend: 'rising' },
    ...over,
  };
}

const header = (m: Received, name: string): string => {
  const v = m.parsed.headers.get(name.toLowerCase());
  return typeof v === 'string' ? v : Array.isArray(v) ? v.join(' ') : v === undefined ? '' : JSON.stringify(v);
};
const toAddresses = (m: Received): string[] => ([] as AddressObject[]).concat(m.parsed.to ?? []).flatMap((a) => a.value.map((v) => v.address ?? ''));

test('an alert arrives over STARTTLS with AUTH: subject, parts, highlighted evidence, archive link, threading headers', async () => {
  const e = await setup();
  try {
    const n = notice();
    const res = await e.notifier.handle(n);
    assert.deepEqual(res.alerted, ['incendiary-language']);
    const [m] = await e.smtp.waitFor(1);
    assert.ok(m!.secure, 'sent over TLS');
    assert.equal(m!.user, e.smtp.user);
    assert.deepEqual(m!.envelopeTo, ['mod@example.org']);
    assert.equal(m!.parsed.subject, '[listwarden] tlug: incendiary language in "apt keeps breaking my system" (high)');
    const token = noticeToken(SECRET, n.noticeId);
    assert.equal(m!.parsed.messageId, `<lw.${n.noticeId}.${token}@lw.example.org>`);
    const root = threadRootId('tlug', n.threadId, 'lw.example.org');
    assert.equal(m!.parsed.inReplyTo, root);
    assert.equal(header(m!, 'references'), root);
    assert.equal(header(m!, 'auto-submitted'), 'auto-generated');
    assert.match(m!.parsed.text ?? '', /> Honestly, \[\[you clueless moron\]\], read the apt manual\./);
    assert.match(m!.parsed.text ?? '', /12 posts, 4 participants, heat rising/);
    assert.match(String(m!.parsed.html), /<mark[^>]*>you clueless moron<\/mark>/);
    assert.ok(String(m!.parsed.html).includes('https://lore.example.org/tlug/post-'));
    assert.equal(m!.parsed.attachments.length, 0, 'the post is quoted as text, never attached');

    // A later, worse alert on the same thread (another rule) replies to the same root: one conversation.
    await e.notifier.handle(notice({ flags: [{ rule: 'thread-heat', category: 'heat', severity: 'high', score: 0.8, action: 'alert', evidence: 'moron', reason: 'The thread is heating up.' }] }));
    const [, m2] = await e.smtp.waitFor(2);
    assert.equal(m2!.parsed.inReplyTo, root);
    assert.notEqual(m2!.parsed.messageId, m!.parsed.messageId);
  } finally {
    await e.close();
  }
});

test('hostile HTML and header-injection attempts from the post are neutralised', async () => {
  const e = await setup();
  try {
    const evil = '<script>alert(1)</script><img src="https://tracker.example/x.png">';
    await e.notifier.handle(
      notice({
        subject: 'Re: hi\r\nBcc: victim@example.net\r\nX-Evil: 1',
        threadSubject: 'hi\r\nBcc: victim@example.net',
        author: `Mallory ${evil} <mallory@example.net>`,
        excerpt: `look ${evil} here`,
        flags: [{ rule: 'incendiary-language', category: 'incendiary', severity: 'high', score: 0.9, action: 'alert', evidence: evil, reason: `reason ${evil}` }],
      }),
    );
    const [m] = await e.smtp.waitFor(1);
    assert.deepEqual(m!.envelopeTo, ['mod@example.org'], 'no injected recipient');
    assert.equal(header(m!, 'bcc'), '');
    assert.equal(header(m!, 'x-evil'), '');
    assert.ok(!/[\r\n]/.test(m!.parsed.subject ?? ''));
    const h = String(m!.parsed.html);
    assert.ok(!/<script/i.test(h), 'no script element');
    assert.ok(!/<img/i.test(h), 'no image element');
    assert.ok(h.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!/src=|https:\/\/tracker/.test(h.replace(/&lt;img src=&quot;https:\/\/tracker\.example\/x\.png&quot;&gt;/g, '')), 'no remote content outside escaped text');
  } finally {
    await e.close();
  }
});

test('dedupe: one alert per thread and rule unless it gets worse; repeats go to the digest', async () => {
  const e = await setup();
  try {
    const flag = (severity: 'medium' | 'high', score: number) => [{ rule: 'incendiary-language', category: 'incendiary', severity, score, action: 'alert' as const, evidence: 'idiot', reason: 'Rude.' }];
    assert.deepEqual((await e.notifier.handle(notice({ flags: flag('medium', 0.82) }))).alerted, ['incendiary-language']);
    const again = await e.notifier.handle(notice({ flags: flag('medium', 0.85) }));
    assert.deepEqual(again.alerted, []);
    assert.deepEqual(again.digested, [{ rule: 'incendiary-language', why: 'repeat' }]);
    assert.deepEqual((await e.notifier.handle(notice({ flags: flag('high', 0.9) }))).alerted, ['incendiary-language'], 'worse: alerted');
    assert.deepEqual((await e.notifier.handle(notice({ threadId: '<other@x>', flags: flag('medium', 0.82) }))).alerted, ['incendiary-language'], 'other thread');
    await e.smtp.waitFor(3);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(e.smtp.received.length, 3);
    // The same notice handled twice (a retried job) mails nobody twice.
    const n = notice({ threadId: '<third@x>' });
    await e.notifier.handle(n);
    await e.notifier.handle(n);
    await e.smtp.waitFor(4);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(e.smtp.received.length, 4);
  } finally {
    await e.close();
  }
});

test('hourly cap per list: the overflow goes to the digest, and the cap resets next hour', async () => {
  const e = await setup({ alertsPerHour: 2 });
  try {
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await e.notifier.handle(notice({ threadId: `<cap-${i}@x>` })));
    assert.deepEqual(results.map((r) => r.alerted.length), [1, 1, 0, 0]);
    assert.deepEqual(results.slice(2).map((r) => r.digested[0]?.why), ['overflow', 'overflow']);
    e.clock.now += 3_600_000;
    assert.equal((await e.notifier.handle(notice({ threadId: '<cap-next@x>' }))).alerted.length, 1);
    await e.smtp.waitFor(3);
    const d = await e.notifier.sendDigest('tlug');
    assert.ok(d.sent);
    const [digest] = (await e.smtp.waitFor(4)).slice(3);
    assert.match(digest!.parsed.subject ?? '', /^\[listwarden\] tlug digest: 2 flags in 2 threads, 3 alerts unanswered$/);
    assert.match(digest!.parsed.text ?? '', /over the hourly alert cap/);
  } finally {
    await e.close();
  }
});

test('quiet hours hold alerts for the digest, except at or above exceptSeverity', async () => {
  // 03:00 UTC is 12:00 in Tokyo: quiet hours 11:00–13:00 there.
  const e = await setup({ quietHours: { start: '11:00', end: '13:00', timezone: 'Asia/Tokyo', exceptSeverity: 'high' } });
  try {
    const medium = await e.notifier.handle(notice({ flags: [{ rule: 'off-topic-thread', category: 'off-topic', severity: 'medium', score: 0.9, action: 'alert', evidence: 'bitcoin', reason: 'Off topic.' }] }));
    assert.deepEqual(medium.digested, [{ rule: 'off-topic-thread', why: 'quiet' }]);
    const high = await e.notifier.handle(notice({ threadId: '<loud@x>' }));
    assert.deepEqual(high.alerted, ['incendiary-language']);
    await e.smtp.waitFor(1);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(e.smtp.received.length, 1);
  } finally {
    await e.close();
  }
});

test('per-moderator choice: alerts-only, digests-only, both', async () => {
  const e = await setup({}, [
    { address: 'alerts@example.org', receive: 'alerts' },
    { address: 'digests@example.org', receive: 'digests' },
    { address: 'both@example.org' },
    { address: 'other-list@example.org', lists: ['elsewhere'] },
  ]);
  try {
    await e.notifier.handle(notice());
    await e.notifier.handle(notice({ threadId: '<d@x>', action: 'digest', flags: [{ rule: 'off-topic-thread', category: 'off-topic', severity: 'low', score: 0.5, action: 'digest', evidence: 'crypto', reason: 'Off topic.' }] }));
    const alerts = await e.smtp.waitFor(2);
    assert.deepEqual(alerts.flatMap(toAddresses).sort(), ['alerts@example.org', 'both@example.org']);
    await e.notifier.sendDigest('tlug');
    const all = await e.smtp.waitFor(4);
    assert.deepEqual(all.slice(2).flatMap(toAddresses).sort(), ['both@example.org', 'digests@example.org']);
  } finally {
    await e.close();
  }
});

test('a digest after an SMTP outage: nothing lost, state cleared only after the send, no empty digest', async () => {
  const e = await setup();
  try {
    for (let i = 0; i < 3; i++) {
      await e.notifier.handle(notice({ threadId: `<t${i % 2}@x>`, action: 'digest', flags: [{ rule: 'off-topic-thread', category: 'off-topic', severity: i === 2 ? 'medium' : 'low', score: 0.5 + i / 10, action: 'digest', evidence: `crypto ${i}`, reason: 'Off topic.' }] }));
    }
    e.smtp.down = true;
    await assert.rejects(e.notifier.sendDigest('tlug'), /SMTP/);
    assert.equal((await e.store.digestEntries('tlug')).size, 3, 'entries kept after the failed send');
    // An alert during the outage: the send throws (the queue retries it); on the final attempt it is kept for the digest.
    const during = notice({ threadId: '<outage@x>' });
    await assert.rejects(e.notifier.handle(during), /SMTP/);
    const last = await e.notifier.handle(during, { finalAttempt: true });
    assert.deepEqual(last.digested, [{ rule: 'incendiary-language', why: 'undelivered' }]);
    e.smtp.down = false;
    const d = await e.notifier.sendDigest('tlug');
    assert.ok(d.sent);
    const [m] = await e.smtp.waitFor(1);
    assert.match(m!.parsed.subject ?? '', /tlug digest: 4 flags in 3 threads/);
    assert.match(m!.parsed.text ?? '', /alert could not be sent/);
    assert.match(m!.parsed.text ?? '', /×2 in 2 posts/);
    assert.equal((await e.store.digestEntries('tlug')).size, 0, 'cleared after the send');
    const empty = await e.notifier.sendDigest('tlug');
    assert.equal(empty.sent, false);
    assert.equal(empty.reason, 'empty');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(e.smtp.received.length, 1);
  } finally {
    await e.close();
  }
});

test('sendEmpty sends a "nothing flagged" digest', async () => {
  const e = await setup({ digest: { sendEmpty: true } });
  try {
    const d = await e.notifier.sendDigest('tlug');
    assert.ok(d.sent);
    const [m] = await e.smtp.waitFor(1);
    assert.equal(m!.parsed.subject, '[listwarden] tlug digest: nothing flagged');
  } finally {
    await e.close();
  }
});

test('muted threads and ignored senders are not notified', async () => {
  const e = await setup();
  try {
    await e.store.mute('tlug', '<muted@x>', 'mod@example.org', 0);
    await e.store.ignore('tlug', 'troll@example.net', 'mod@example.org', 0);
    assert.equal((await e.notifier.handle(notice({ threadId: '<muted@x>' }))).skipped, 'muted');
    assert.equal((await e.notifier.handle(notice({ author: 'Troll <Troll@Example.net>' }))).skipped, 'ignored');
    assert.equal(await e.notifier.isMuted('tlug', '<muted@x>'), true);
    assert.equal(await e.notifier.isIgnored('tlug', 'TROLL@example.net'), true);
    assert.equal((await e.store.digestEntries('tlug')).size, 0);
  } finally {
    await e.close();
  }
});

test('through BullMQ: a notice queued during an SMTP outage is retried with backoff and arrives; digests run from the schedule queue', async () => {
  const e = await setup();
  const conn = connectRedis({ url: REDIS_URL, name: `${e.r.prefix}:test-bull`, maxRetriesPerRequest: null });
  const queues = new Queues({ connection: conn, prefix: e.r.prefix, worker: workerSchema.parse({}) });
  const worker = new NoticeWorker({ connection: conn, prefix: e.r.prefix, notifier: e.notifier, log: silent });
  const schedule = new DigestSchedule(conn, e.r.prefix);
  try {
    e.smtp.down = true;
    const n = notice({ threadId: '<queued@x>' });
    await queues.addNotice(n.noticeId, n);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(e.smtp.received.length, 0);
    const job = await queues.notices.getJob(n.noticeId);
    assert.ok(job && job.attemptsMade >= 1, 'the failed send was counted as an attempt');
    assert.equal(await job.getState(), 'delayed', 'waiting for its retry');
    e.smtp.down = false;
    const [m] = await e.smtp.waitFor(1, 20_000);
    assert.match(m!.parsed.subject ?? '', /incendiary language/);

    await e.notifier.handle(notice({ threadId: '<dq@x>', action: 'digest', flags: [{ rule: 'off-topic-thread', category: 'off-topic', severity: 'low', score: 0.5, action: 'digest', evidence: 'crypto', reason: 'Off topic.' }] }));
    const scheduled = await schedule.sync(['tlug'], e.config.notify);
    assert.deepEqual(scheduled, [{ list: 'tlug', cron: '0 8 * * *', timezone: 'UTC' }]);
    const schedulers = await schedule.queue.getJobSchedulers(0, -1);
    assert.equal(schedulers.length, 1);
    assert.equal(schedulers[0]!.tz, 'UTC');
    assert.equal(schedulers[0]!.pattern, '0 8 * * *');
    await schedule.requestNow('tlug');
    const all = await e.smtp.waitFor(2, 10_000);
    assert.match(all[1]!.parsed.subject ?? '', /tlug digest: 1 flag in 1 thread, 1 alert unanswered/);
  } finally {
    await worker.close();
    await schedule.close();
    await queues.close();
    await conn.quit();
    await e.close();
  }
});
