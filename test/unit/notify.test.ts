// Unit tests of notify: escaping, subjects, evidence highlighting, links and tokens, commands, quiet hours, digests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Notice } from '../../src/model/notice.js';
import { threadSummaryOf } from '../../src/model/notice.js';
import type { Thread } from '../../src/model/thread.js';
import { escapeHtml, headerText, html, truncate } from '../../src/notify/escape.js';
import { alertMessageId, archiveLink, hyperkittyHash, noticeRefsIn, noticeToken, refLine, tokenValid, threadRootId } from '../../src/notify/links.js';
import { renderAlert } from '../../src/notify/render-alert.js';
import { digestModel, renderDigest } from '../../src/notify/render-digest.js';
import { evidenceRanges, highlightText } from '../../src/notify/render-common.js';
import { addressOf, inQuietHours } from '../../src/notify/notifier.js';
import { parseFeedbackCommand } from '../../src/feedback/commands.js';
import { parsePeriod, ruleStats } from '../../src/notify/stats.js';
import type { DigestEntry, LabelRecord } from '../../src/notify/store.js';
import { notifySectionsSchema, listNotifySettings } from '../../src/config/notify-schema.js';

export function notice(over: Partial<Notice> = {}): Notice {
  return {
    noticeId: 'n-0123456789abcdef0123456789abcdef01234567',
    list: 'tlug',
    messageId: '<p1@example.org>',
    threadId: '<root@example.org>',
    action: 'alert',
    subject: 'Re: apt keeps breaking my system every single upgrade',
    author: 'Ann Example <ann@example.org>',
    date: '2024-05-01T10:00:00.000Z',
    flags: [
      { rule: 'incendiary-language', category: 'incendiary', severity: 'high', score: 0.93, action: 'alert', evidence: 'you utter idiot', reason: 'Insults another member.' },
    ],
    decidedAt: 1_714_557_600_000,
    excerpt: 'Only you utter idiot would run unstable.\nRead the manual.',
    ...over,
  };
}

const ctx = { listName: 'Tokyo LUG', token: 'A'.repeat(20), subjectMax: 30 };

test('escapeHtml escapes markup and drops control and bidi characters', () => {
  assert.equal(escapeHtml('<script>alert("x")</script>&\'`'), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;');
  assert.equal(escapeHtml('a\u202Eb\u0000c'), 'abc');
  assert.equal(html`<p>${'<b>'}</p>${html`<i>ok</i>`}`.value, '<p>&lt;b&gt;</p><i>ok</i>');
});

test('headerText makes one clean line (no header injection)', () => {
  for (const [input, want] of [
    ['Hello\r\nBcc: victim@example.org', 'Hello Bcc: victim@example.org'],
    ['a\u0000b\u0007c', 'abc'],
    ['  spaced\t\tout  ', 'spaced out'],
  ] as const) assert.equal(headerText(input), want);
});

test('truncate cuts by code point and marks the cut', () => {
  assert.equal(truncate('short', 10), 'short');
  assert.equal(truncate('abcdefghijk', 5), 'abcd…');
  assert.equal(truncate('😀😀😀😀😀😀', 3), '😀😀…');
});

test('alert subject: list, what, thread subject truncated, severity', () => {
  const r = renderAlert(notice(), ctx);
  assert.equal(r.subject, '[listwarden] tlug: incendiary language in "Re: apt keeps breaking my sys…" (high)');
  const two = renderAlert(
    notice({ flags: [...notice().flags, { rule: 'off-topic-thread', category: 'off-topic', severity: 'medium', score: 0.7, action: 'alert', evidence: 'crypto', reason: 'Off topic.' }] }),
    ctx,
  );
  assert.match(two.subject, /incendiary language \+1 in/);
  const hostile = renderAlert(notice({ subject: 'Re: hi\r\nBcc: x@evil.example\u0000' }), { ...ctx, subjectMax: 80 });
  assert.ok(!/[\r\n\u0000]/.test(hostile.subject));
});

test('alert parts show the list, author, reason, rule, score, highlighted evidence, commands and token', () => {
  const r = renderAlert(notice({ thread: { posts: 14, participants: 5, top: [], heat: [0.1, 0.4, 0.9], heatTrend: 'rising' } }), { ...ctx, archiveUrl: 'https://lore.example.org/tlug/p1@example.org/' });
  for (const part of [r.text, r.html]) {
    for (const want of ['Tokyo LUG', 'Ann Example', 'Insults another member.', 'incendiary-language', '0.93', '14 posts, 5 participants, heat rising', 'https://lore.example.org/tlug/p1@example.org/', 'false positive', 'mute thread', 'ignore sender', refLine(notice().noticeId, ctx.token)]) {
      assert.ok(part.includes(want), `missing ${want}`);
    }
  }
  assert.match(r.text, /> Only \[\[you utter idiot\]\] would run unstable\./);
  assert.match(r.html, /<mark[^>]*>you utter idiot<\/mark>/);
  assert.ok(!/<script|<img|<link|src=|@import|url\(/i.test(r.html));
});

test('hostile HTML from mail is escaped in every field', () => {
  const evil = '<img src=x onerror=alert(1)><script>steal()</script>';
  const r = renderAlert(
    notice({ subject: evil, author: `${evil} <a@b.example>`, excerpt: `hi ${evil} bye`, flags: [{ ...notice().flags[0]!, evidence: evil, reason: `${evil}"` }] }),
    ctx,
  );
  assert.ok(!r.html.includes('<img'), 'raw <img> in html');
  assert.ok(!r.html.includes('<script'), 'raw <script> in html');
  assert.ok(r.html.includes('&lt;img src=x onerror=alert(1)&gt;'));
});

test('a javascript: archive template gives no link', () => {
  assert.equal(archiveLink('javascript:alert({messageId})', 'tlug', '<a@b>'), undefined);
});

test('archive links by template', () => {
  const id = '<20240101.abc@example.org>';
  for (const [tpl, want] of [
    ['https://lore.kernel.org/{list}/{messageId}/', 'https://lore.kernel.org/tlug/20240101.abc%40example.org/'],
    ['https://lists.example.org/archives/list/tlug@example.org/message/{hyperkittyHash}/', 'https://lists.example.org/archives/list/tlug@example.org/message/TKEO7PQUS3D7TTFJLGI2VPHUMPKYMKIS/'],
    ['https://www.mail-archive.com/search?l=tlug@example.org&q=msgid:{messageId}', 'https://www.mail-archive.com/search?l=tlug@example.org&q=msgid:20240101.abc%40example.org'],
  ] as const) assert.equal(archiveLink(tpl, 'tlug', id), want);
  assert.equal(hyperkittyHash(id), 'TKEO7PQUS3D7TTFJLGI2VPHUMPKYMKIS');
});

test('tokens: valid for their notice and secret only; found in reply headers and quoted text', () => {
  const t = noticeToken('s3cret', 'n-abc');
  assert.ok(tokenValid('s3cret', 'n-abc', t));
  assert.ok(!tokenValid('s3cret', 'n-abd', t));
  assert.ok(!tokenValid('other', 'n-abc', t));
  assert.ok(!tokenValid('s3cret', 'n-abc', t.slice(0, -1)));
  const mid = alertMessageId('n-abc', t, 'lw.example.org');
  assert.deepEqual(noticeRefsIn([mid]), [{ noticeId: 'n-abc', token: t }]);
  assert.deepEqual(noticeRefsIn([], `> ${refLine('n-abc', t)}`), [{ noticeId: 'n-abc', token: t }]);
  assert.equal(threadRootId('tlug', '<r@x>', 'd'), threadRootId('tlug', '<r@x>', 'd'));
  assert.notEqual(threadRootId('tlug', '<r@x>', 'd'), threadRootId('tlug', '<s@x>', 'd'));
});

test('feedback commands: only the first unquoted line, alone', () => {
  for (const [text, want] of [
    ['confirm', 'confirm'],
    ['Confirm.\n\nthanks', 'confirm'],
    ['\n\n  FP\n', 'false-positive'],
    ['false positive', 'false-positive'],
    ['False-Positive!', 'false-positive'],
    ['mute thread', 'mute-thread'],
    ['ignore sender', 'ignore-sender'],
    ['I do not think we should confirm', undefined],
    ['> confirm', undefined],
    ['', undefined],
    ['thanks\nconfirm', undefined],
  ] as const) assert.equal(parseFeedbackCommand(text), want, JSON.stringify(text));
});

test('quiet hours, across midnight and in a time zone', () => {
  const q = { start: '22:00', end: '07:00', timezone: 'Asia/Tokyo' };
  for (const [iso, want] of [
    ['2024-05-01T13:30:00Z', true], // 22:30 in Tokyo
    ['2024-05-01T21:59:00Z', true], // 06:59
    ['2024-05-01T22:00:00Z', false], // 07:00
    ['2024-05-01T03:00:00Z', false], // 12:00
  ] as const) assert.equal(inQuietHours(q, Date.parse(iso)), want, iso);
  assert.equal(inQuietHours({ start: '09:00', end: '17:00', timezone: 'UTC' }, Date.parse('2024-05-01T12:00:00Z')), true);
  assert.equal(inQuietHours(undefined, Date.now()), false);
});

test('addressOf finds the address in an author', () => {
  assert.equal(addressOf('Ann <Ann@Example.org>'), 'ann@example.org');
  assert.equal(addressOf('bob@example.org'), 'bob@example.org');
  assert.equal(addressOf('No Address'), undefined);
});

test('evidence ranges merge overlaps and fall back to case-insensitive', () => {
  assert.deepEqual(evidenceRanges('abc ABC abc', ['abc']), [[0, 3], [8, 11]]);
  assert.deepEqual(evidenceRanges('Hello World', ['hello world']), [[0, 11]]);
  assert.deepEqual(evidenceRanges('abcdef', ['abcd', 'cdef']), [[0, 6]]);
  assert.equal(highlightText('a bad word', ['bad']), 'a [[bad]] word');
});

function entry(over: Partial<DigestEntry>): DigestEntry {
  return {
    noticeId: 'n-1', list: 'tlug', messageId: '<m1@x>', threadId: '<t1@x>', rule: 'incendiary-language', category: 'incendiary',
    severity: 'medium', score: 0.6, action: 'digest', evidence: 'dumb', reason: 'Rude.', from: 'Ann <ann@x>', date: null,
    subject: 'Re: apt', threadSubject: 'apt', why: 'digest', at: 0, ...over,
  };
}

test('digest: grouped by thread, worst first, repeats collapsed, totals by rule, unanswered alerts', () => {
  const entries = [
    entry({ noticeId: 'n-1', messageId: '<m1@x>' }),
    entry({ noticeId: 'n-2', messageId: '<m2@x>', score: 0.7, from: 'Bob <bob@x>', evidence: 'stupid' }),
    entry({ noticeId: 'n-3', messageId: '<m3@x>', threadId: '<t2@x>', threadSubject: 'systemd', severity: 'high', score: 0.9, why: 'overflow' }),
    entry({ noticeId: 'n-4', messageId: '<m4@x>', threadId: '<t3@x>', threadSubject: 'bitcoin', rule: 'off-topic-thread', category: 'off-topic', severity: 'low', score: 0.5 }),
  ];
  const m = digestModel(entries, [], 100);
  assert.deepEqual(m.threads.map((t) => t.threadSubject), ['systemd', 'apt', 'bitcoin']);
  const apt = m.threads[1]!;
  assert.equal(apt.flags.length, 1);
  assert.equal(apt.flags[0]!.count, 2);
  assert.equal(apt.flags[0]!.worst.evidence, 'stupid');
  assert.deepEqual(m.totals.map((t) => [t.rule, t.flags, t.worst, t.overflow]), [['incendiary-language', 3, 'high', 1], ['off-topic-thread', 1, 'low', 0]]);
  const r = renderDigest(entries, [{ noticeId: 'n-9', list: 'tlug', threadId: '<t9@x>', messageId: '<m9@x>', subject: 'flame <b>', threadSubject: 'flame <b>', author: 'Eve <eve@x>', rules: [{ rule: 'incendiary-language', severity: 'high', score: 0.95 }], at: 0 }], { listName: 'Tokyo LUG', list: 'tlug', now: 0, maxEntries: 100, subjectMax: 60 });
  assert.equal(r.subject, '[listwarden] tlug digest: 4 flags in 3 threads, 1 alert unanswered');
  assert.ok(r.text.indexOf('systemd') < r.text.indexOf('apt') && r.text.indexOf('apt') < r.text.indexOf('bitcoin'));
  assert.match(r.text, /×2 in 2 posts by 2 authors/);
  assert.match(r.text, /over the hourly alert cap/);
  assert.match(r.text, /Alerts nobody has answered yet/);
  assert.ok(r.html.includes('flame &lt;b&gt;') && !r.html.includes('flame <b>'));
});

test('an empty digest says so', () => {
  const r = renderDigest([], [], { listName: 'L', list: 'l', now: 0, maxEntries: 10, subjectMax: 60 });
  assert.equal(r.subject, '[listwarden] l digest: nothing flagged');
  assert.match(r.text, /Nothing was flagged/);
});

test('stats: precision per rule over a period and list', () => {
  const l = (rule: string, label: LabelRecord['label'], at: number, list = 'tlug'): LabelRecord => ({ list, noticeId: `n-${at}`, rule, severity: 'high', score: 0.9, label, moderator: 'm@x', at });
  const labels = [l('a', 'confirm', 10), l('a', 'confirm', 11), l('a', 'false-positive', 12), l('b', 'false-positive', 13), l('a', 'false-positive', 1), l('a', 'confirm', 14, 'other')];
  const s = ruleStats(labels, { since: 5, list: 'tlug' });
  assert.deepEqual(s.map((r) => [r.rule, r.confirmed, r.falsePositives, r.precision]), [['a', 2, 1, 2 / 3], ['b', 0, 1, 0]]);
  assert.equal(parsePeriod('30d'), 30 * 86_400_000);
  assert.throws(() => parsePeriod('soon'), /not a period/);
});

test('thread summary: posts, participants, heat trend', () => {
  const thread: Thread = {
    id: '<r@x>', list: 'tlug', subject: 's', normalizedSubject: 's', postCount: 6, firstAt: 1, lastAt: 2, flagged: {},
    participants: { 'a@x': 3, 'b@x': 2, 'c@x': 1 },
    posts: [0.1, 0.1, 0.2, 0.5, 0.7, 0.9].map((h, i) => ({ messageId: `<${i}@x>`, author: `A${i}`, authorKey: ['a@x', 'b@x', 'c@x'][i % 3]!, subject: 's', signals: { 'incendiary-language': h } })),
  };
  const s = threadSummaryOf(thread);
  assert.equal(s.posts, 6);
  assert.equal(s.participants, 3);
  assert.equal(s.heatTrend, 'rising');
  assert.equal(s.top[0]!.posts, 3);
});

test('notify config: defaults, per-list overrides, bad values refused', () => {
  const s = notifySectionsSchema.parse({ notify: { alertsPerHour: 5, lists: { tlug: { alertsPerHour: 2, digest: { cron: '0 18 * * *' }, quietHours: null } }, quietHours: { start: '22:00', end: '07:00' } } });
  const t = listNotifySettings(s.notify, 'tlug');
  assert.equal(t.alertsPerHour, 2);
  assert.equal(t.digest.cron, '0 18 * * *');
  assert.equal(t.digest.timezone, 'UTC');
  assert.equal(t.quietHours, undefined);
  assert.equal(listNotifySettings(s.notify, 'other').quietHours?.start, '22:00');
  assert.equal(s.moderators.length, 0);
  assert.equal(notifySectionsSchema.safeParse({ notify: { digest: { timezone: 'Mars/Olympus' } } }).success, false);
  assert.equal(notifySectionsSchema.safeParse({ notify: { digest: { cron: 'every day' } } }).success, false);
  assert.equal(notifySectionsSchema.safeParse({ notify: { quietHours: { start: '25:00', end: '07:00' } } }).success, false);
  assert.equal(notifySectionsSchema.safeParse({ moderators: [{ address: 'not-an-address' }] }).success, false);
});
