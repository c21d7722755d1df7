// `listwarden status` text: what an operator reads (lists, checkpoints, queues, failed posts), and how times read.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ago, formatStatus, processesOf, type DeploymentStatus } from '../../src/daemon/status.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

function status(over: Partial<DeploymentStatus> = {}): DeploymentStatus {
  const counts = (o: Record<string, number> = {}): Record<string, number> => ({ waiting: 0, active: 0, delayed: 0, prioritized: 0, failed: 0, completed: 0, 'waiting-children': 0, ...o });
  return {
    configFile: 'config/tlug.yaml',
    redis: { url: 'redis://127.0.0.1:6379', prefix: 'listwarden', ok: true, usedMemory: '2.10M', aof: true },
    processes: { poller: 1, worker: 3, all: 0 },
    lists: [
      {
        id: 'tlug',
        name: 'Tokyo Linux Users Group',
        listId: 'tlug.tlug.jp',
        mailbox: 'listbot@imap.example.org:993/INBOX',
        checkpoint: { uidValidity: '1714', lastUid: 4211, at: NOW - 12_000 },
        verdicts: 4100,
        lastVerdictAt: NOW - 30_000,
        lastDigestAt: NOW - 4 * 3600_000,
        nextDigestAt: NOW + 20 * 3600_000,
        digestCron: '0 8 * * * Asia/Tokyo',
        digestEntries: 7,
        unansweredAlerts: 2,
      },
      { id: 'other', name: 'other', verdicts: 0, digestEntries: 0, unansweredAlerts: 0 },
    ],
    queues: [
      { name: 'posts', counts: counts({ waiting: 3, active: 2, failed: 4, completed: 1000 }), workers: 3 },
      { name: 'notices', counts: counts({ completed: 12 }), workers: 3 },
      { name: 'digests', counts: counts(), workers: 3 },
    ],
    failed: 4,
    at: NOW,
    ...over,
  };
}

test('status text names each list, its mailbox, checkpoint, verdicts and digest', () => {
  const text = formatStatus(status());
  assert.match(text, /^listwarden status \(config\/tlug\.yaml\)$/m);
  assert.match(text, /Redis redis:\/\/127\.0\.0\.1:6379, prefix listwarden: up, 2\.10M used, AOF on/);
  assert.match(text, /Processes connected: 1 poller, 3 worker, 0 all-in-one/);
  assert.match(text, /tlug \(Tokyo Linux Users Group\) {2}List-Id tlug\.tlug\.jp/);
  assert.match(text, /mailbox {6}listbot@imap\.example\.org:993\/INBOX/);
  assert.match(text, /checkpoint {3}UID 4211 \(UIDVALIDITY 1714\), moved 12s ago/);
  assert.match(text, /verdicts {5}4100, last 30s ago/);
  assert.match(text, /digest {7}last 4h ago, next in 20h \(0 8 \* \* \* Asia\/Tokyo\); 7 flag\(s\) waiting, 2 unanswered alert\(s\)/);
  assert.match(text, /other\n {4}mailbox {6}not polled by this config/);
  assert.match(text, /digest {7}last never, no schedule/);
});

test('status text: queue table and the failed posts line point to the commands that act on them', () => {
  const text = formatStatus(status());
  assert.match(text, /queue {4}waiting {2}active {2}delayed {2}prioritized {2}failed {2}completed {2}workers/);
  assert.match(text, /posts {10}3 {7}2 {8}0 {12}0 {7}4 {7}1000 {8}3/);
  assert.match(text, /4 failed post\(s\): `listwarden failed --config config\/tlug\.yaml` shows why, `listwarden retry` re-queues them\./);
  assert.match(formatStatus(status({ failed: 0 })), /No failed posts\./);
  assert.match(formatStatus(status({ redis: { url: 'redis://r', prefix: 'p', ok: true, aof: false } })), /AOF off \(a restart of Redis loses queued posts\)/);
});

test('ago: seconds, minutes, hours, days, the future, never', () => {
  const cases: [number | undefined, string][] = [
    [NOW - 5_000, '5s ago'],
    [NOW - 10 * 60_000, '10m ago'],
    [NOW - 3 * 3600_000, '3h ago'],
    [NOW - 3 * 86_400_000, '3d ago'],
    [NOW + 2 * 3600_000, 'in 2h'],
    [undefined, 'never'],
  ];
  for (const [at, want] of cases) assert.equal(ago(at, NOW), want);
});

test('processes are counted by their Redis connection names, under this prefix only', () => {
  const list = [
    'id=1 addr=127.0.0.1:1 name=lw:listwarden-poller db=0',
    'id=2 addr=127.0.0.1:2 name=lw:listwarden-bull-poller db=0',
    'id=3 addr=127.0.0.1:3 name=lw:listwarden-worker db=0',
    'id=4 addr=127.0.0.1:4 name=lw:listwarden-worker db=0',
    'id=5 addr=127.0.0.1:5 name=other:listwarden-worker db=0',
    'id=6 addr=127.0.0.1:6 name=lw:listwarden-cli db=0',
    'id=7 addr=127.0.0.1:7 name= db=0',
  ].join('\n');
  assert.deepEqual(processesOf(list, 'lw'), { poller: 1, worker: 2, all: 0 });
});
