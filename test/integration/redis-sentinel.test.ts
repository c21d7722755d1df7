// redis.sentinel against real servers: a master, its replica and a sentinel of the test's own. The daemon finds the
// master through the sentinel and follows it when the sentinel fails over; every post still gets one verdict.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startSentinelSet } from '../helpers/sentinel.js';
import { createLogger } from '../../src/log.js';
import { parseDaemonConfigText } from '../../src/daemon/config.js';
import { runDaemon } from '../../src/daemon/index.js';
import { Queues } from '../../src/queue/queues.js';
import { connectRedis, describeRedis } from '../../src/queue/redis.js';
import { postJobId, type PostJobData } from '../../src/queue/jobs.js';
import { verdictCounts, waitFor } from './helpers.js';

const quiet = createLogger('silent');
const LIST = 'alpha';

function mail(id: string, n: number): Buffer {
  return Buffer.from(
    [
      `From: Poster ${n} <p${n}@example.org>`,
      'To: alpha@lists.example.org',
      `Subject: Kernel question ${id}`,
      `Message-ID: <${id}@sentinel.example.org>`,
      `Date: ${new Date(Date.parse('2026-11-02T09:00:00Z') + n * 60_000).toUTCString()}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'How do I rebuild the kernel on Debian?',
      '',
    ].join('\r\n'),
  );
}

function burst(ids: string[], from: number): { jobId: string; data: PostJobData }[] {
  return ids.map((id, i) => {
    const raw = mail(id, from + i);
    const messageId = `<${id}@sentinel.example.org>`;
    return { jobId: postJobId(LIST, messageId, raw), data: { list: LIST, messageId, raw: raw.toString('base64'), source: { mailbox: 'INBOX', uidValidity: '1', uid: from + i + 1 }, seenAt: Date.now() } };
  });
}

const configText = (prefix: string, sentinel: string, name: string): string => `lists:
  - id: ${LIST}
    description: "A Linux users group: kernels, distributions, shells."
    terms: [linux, kernel, debian, shell]
redis:
  # The host here is never used with a sentinel: the master is asked of the sentinel.
  url: redis://nowhere.invalid:1
  prefix: ${prefix}
  sentinel:
    name: ${name}
    nodes: [${sentinel}]
worker:
  concurrency: 2
  lockMs: 2000
  backoffMs: 100
`;

test('redis.sentinel: a sentinel written as anything but host:port is refused with the file, the line and what to write', () => {
  const text = configText('lwsent', 'sentinel-1', 'lwmaster');
  assert.throws(
    () => parseDaemonConfigText(text, 'config/ha.yaml'),
    (err: Error) => /config\/ha\.yaml:11\b/.test(err.message) && /host:port, e\.g\. sentinel-1:26379/.test(err.message),
  );
  const ok = parseDaemonConfigText(configText('lwsent', 'sentinel-1:26379', 'lwmaster'), 'config/ha.yaml');
  assert.deepEqual(ok.redis.sentinel, { name: 'lwmaster', nodes: ['sentinel-1:26379'] });
  assert.equal(describeRedis(ok.redis), 'master "lwmaster" via sentinel sentinel-1:26379');
  assert.equal(describeRedis({ url: 'redis://:s3cret@redis:6379' }), 'redis://:***@redis:6379');
});

test('redis.sentinel: the daemon finds the master through the sentinel and follows a failover; each post one verdict', { timeout: 120_000 }, async () => {
  const set = await startSentinelSet();
  const dir = mkdtempSync(join(tmpdir(), 'lw-sentinel-test-'));
  const prefix = `lwsent-${randomBytes(5).toString('hex')}`;
  const cfgPath = join(dir, 'ha.yaml');
  writeFileSync(cfgPath, configText(prefix, set.node, set.name));
  const cfg = parseDaemonConfigText(configText(prefix, set.node, set.name), cfgPath);
  const daemon = await runDaemon({ configPath: cfgPath, role: 'worker', env: {}, log: quiet, watchConfig: false });
  const conn = connectRedis({ url: cfg.redis.url, sentinel: cfg.redis.sentinel, name: `${prefix}:test`, maxRetriesPerRequest: null });
  const queues = new Queues({ connection: conn, prefix, worker: cfg.worker });
  const direct: Redis[] = [];
  try {
    const ids = Array.from({ length: 12 }, (_, i) => `ha-${i}`);
    await queues.addPosts(burst(ids.slice(0, 6), 0));
    await waitFor('6 verdicts', async () => (await daemon.store.verdictCount(LIST)) === 6);
    assert.equal((await daemon.health()).ok, true);
    const first = await set.masterPort();

    const promoted = await set.failover();
    assert.notEqual(promoted, first);
    const master = new Redis({ host: '127.0.0.1', port: promoted });
    master.on('error', () => undefined);
    direct.push(master);
    // The daemon's connections (and the test's) ask the sentinel again and come to the new master by themselves.
    // Posts are queued once they are there: a write still in flight to the old master as the sentinel switches can
    // be lost by Redis itself (replication is asynchronous), whatever the client.
    const names = [`${prefix}:listwarden-worker`, `${prefix}:listwarden-bull-worker`, `${prefix}:test`];
    await waitFor('every connection on the new master', async () => {
      const list = String(await master.client('LIST'));
      return names.every((n) => list.includes(` name=${n} `));
    }, 60_000);
    await queues.addPosts(burst(ids.slice(6), 6));
    await waitFor('12 verdicts after the failover', async () => (await daemon.store.verdictCount(LIST)) === 12, 60_000);
    await waitFor('the daemon healthy on the new master', async () => (await daemon.health()).ok);

    // What the daemon wrote is on the new master: every post once, before and after the failover.
    assert.match(await master.info('replication'), /role:master/);
    await new Promise((res) => setTimeout(res, 500)); // room for a duplicate to show up, if there were one
    const counts = await verdictCounts(master, prefix);
    assert.deepEqual([...counts].filter(([, n]) => n > 1), [], 'no post has two verdicts');
    assert.deepEqual(ids.filter((id) => !counts.has(`<${id}@sentinel.example.org>`)), [], 'every post has a verdict');
    assert.equal(counts.size, ids.length);
  } finally {
    await daemon.stop();
    await queues.close();
    await conn.quit().catch(() => undefined);
    for (const r of direct) r.disconnect();
    await set.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
