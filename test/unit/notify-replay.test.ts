// Replay's notices: the alerts and digest a run would send, rendered to .eml and .html files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { notifySectionsSchema } from '../../src/config/notify-schema.js';
import type { FlagRecord } from '../../src/replay/flag-record.js';
import { noticesFromRecords, writeReplayNotices } from '../../src/notify/replay-notices.js';

const rec = (over: Partial<FlagRecord>): FlagRecord => ({
  messageId: '<m1@x>', threadId: '<t1@x>', rule: 'incendiary-language', category: 'incendiary', severity: 'high', score: 0.9,
  evidence: 'moron', reason: 'Insult.', from: 'Ann <ann@x>', date: '2024-05-01T00:00:00.000Z', subject: 'Re: apt <b>', list: 'tlug',
  action: 'alert', threadSubject: 'apt <b>', detectorVersion: null, source: 'a.mbox#1', ...over,
});

test('flags of one post become one notice; alerts and digests are written as files', async () => {
  const records = [
    rec({}),
    rec({ rule: 'thread-heat', category: 'heat', severity: 'medium', score: 0.6, action: 'digest' }),
    rec({ messageId: '<m2@x>', threadId: '<t2@x>', rule: 'off-topic-thread', category: 'off-topic', severity: 'low', score: 0.5, action: 'digest', threadSubject: 'bitcoin' }),
    rec({ messageId: '<m3@x>', action: 'ignore' }),
  ];
  const notices = noticesFromRecords(records);
  assert.deepEqual(notices.map((n) => [n.messageId, n.action, n.flags.length]), [['<m1@x>', 'alert', 2], ['<m2@x>', 'digest', 1]]);
  const dir = mkdtempSync(join(tmpdir(), 'lw-replay-notices-'));
  try {
    const s = notifySectionsSchema.parse({ notify: { archiveUrl: 'https://lore.example.org/{list}/{messageId}/' } });
    const r = await writeReplayNotices(records, { config: { lists: [{ id: 'tlug', name: 'TLUG' }], moderators: s.moderators, notify: s.notify }, outDir: dir, now: 0 });
    assert.equal(r.alerts, 1);
    assert.equal(r.digests, 1);
    assert.deepEqual(r.files.map((f) => basename(f)).sort(), ['alert-0001.eml', 'alert-0001.html', 'digest-tlug.eml', 'digest-tlug.html']);
    const eml = readFileSync(join(dir, 'alert-0001.eml'), 'utf8');
    assert.match(eml, /^Subject: =\?UTF-8\?Q\?=5Blistwarden=5D_tlug/m);
    assert.ok(readFileSync(join(dir, 'alert-0001.html'), 'utf8').includes('<title>[listwarden] tlug: incendiary language in &quot;apt &lt;b&gt;&quot; (high)</title>'));
    assert.match(eml, /^In-Reply-To: <lw-thread\.[0-9a-f]{32}@localhost>\r?$/m);
    const html = readFileSync(join(dir, 'digest-tlug.html'), 'utf8');
    assert.ok(html.includes('bitcoin') && html.includes('apt &lt;b&gt;') && !html.includes('apt <b>'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
