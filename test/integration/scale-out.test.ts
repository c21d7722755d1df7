// Scale-out: two pollers (one per list and mailbox) and three workers as separate processes on one Redis — each post handled once.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { REDIS_URL, testRedis, type TestRedis } from '../helpers/redis.js';
import { daemonReady, runListwarden, spawnDaemonProcess, verdictIdsLogged, type ListwardenProcess } from '../helpers/process.js';
import { imapClient, waitFor } from './helpers.js';

const PASS_ENV = 'LW_SCALE_IMAP_PASS';
const LISTS = [
  { id: 'alpha', mailbox: 'INBOX', listId: 'alpha.lists.example.org' },
  { id: 'beta', mailbox: 'beta', listId: 'beta.lists.example.org' },
] as const;
type ListName = (typeof LISTS)[number]['id'];

let dovecot: Dovecot;
let r: TestRedis;
let dir: string;

before(async () => {
  dovecot = await startDovecot({ mailboxes: ['beta'] });
  r = await testRedis('lwscale');
  dir = mkdtempSync(join(tmpdir(), 'lw-scale-'));
});

after(async () => {
  await r?.cleanup();
  await dovecot?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** One config file; `polled` says which lists get an imap section (a poller per list; workers need none). */
function writeConfig(path: string, polled: ListName[]): void {
  const lists = LISTS.map(
    (l) => `  - id: ${l.id}
    listId: ${l.listId}
    description: "${l.id === 'alpha' ? 'Linux kernels, distributions and shells.' : 'Postgres administration and SQL tuning.'}"
    terms: [${l.id === 'alpha' ? 'linux, kernel, debian' : 'postgres, sql, vacuum'}]
${polled.includes(l.id) ? `    imap:\n      host: 127.0.0.1\n      port: ${dovecot.port}\n      tlsVerify: false\n      user: ${dovecot.user}\n      passEnv: ${PASS_ENV}\n      mailbox: ${l.mailbox}\n      checkSeconds: 2\n` : ''}`,
  );
  writeFileSync(
    path,
    `lists:
${lists.join('')}custom:
  - id: watch-word
    description: Posts naming the watched word.
    severity: high
    weight: 0.95
    match:
      - ownText: { keywords: [bananas] }
redis:
  url: ${REDIS_URL}
  prefix: ${r.prefix}
worker:
  concurrency: 2
  lockMs: 3000
  backoffMs: 100
`,
  );
}

function post(list: (typeof LISTS)[number], n: number, body: string): string {
  return [
    `From: Poster ${n} <p${n}@example.org>`,
    `To: ${list.id}@lists.example.org`,
    `Subject: ${list.id} question number ${n}`,
    `Message-ID: <${list.id}-${n}@scale.example.org>`,
    `List-Id: ${list.id} <${list.listId}>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');
}

test('two pollers and three workers as processes: every post of both lists handled exactly once', { timeout: 180_000 }, async () => {
  const pollerCfg = (l: ListName): string => join(dir, `poller-${l}.yaml`);
  for (const l of LISTS) writeConfig(pollerCfg(l.id), [l.id]);
  const workerCfg = join(dir, 'workers.yaml');
  writeConfig(workerCfg, []);
  const env = { [PASS_ENV]: dovecot.pass };

  const procs: ListwardenProcess[] = [];
  try {
    const workers = [1, 2, 3].map((i) => spawnDaemonProcess(workerCfg, 'worker', { name: `worker-${i}`, env }));
    const pollers = LISTS.map((l) => spawnDaemonProcess(pollerCfg(l.id), 'poller', { name: `poller-${l.id}`, env }));
    procs.push(...workers, ...pollers);
    await Promise.all(procs.map((p) => daemonReady(p, 60_000)));
    await Promise.all(pollers.map((p) => p.waitForLog((l) => l.msg === 'imap connected', 30_000, 'an IMAP connection')));

    // 60 posts per list, every tenth names the watched word; five of each list are delivered twice (a list
    // server's redelivery), so the mailboxes hold 130 messages for 120 posts.
    const PER_LIST = 60;
    const expected = new Map<string, { list: ListName; alert: boolean }>();
    const s = await imapClient(dovecot);
    try {
      for (let n = 0; n < PER_LIST; n++) {
        for (const l of LISTS) {
          const alert = n % 10 === 3;
          const raw = post(l, n, alert ? 'Who wants bananas? Cheap, today only.' : `How do I tune ${l.id === 'alpha' ? 'the kernel on Debian' : 'vacuum in postgres'}?`);
          await s.append(l.mailbox, raw);
          if (n % 12 === 5) await s.append(l.mailbox, raw);
          expected.set(`<${l.id}-${n}@scale.example.org>`, { list: l.id, alert });
        }
      }
      // Bytes that are not mail: they must end in the failed set with a reason, not vanish.
      await s.append('INBOX', Buffer.concat([Buffer.from([0]), Buffer.alloc(2048, 0xfe)]));
    } finally {
      await s.logout();
    }

    const stream = `${r.prefix}:lw:verdicts`;
    await waitFor(`${expected.size} verdicts`, async () => (await r.redis.xlen(stream)) >= expected.size, 90_000);
    // Room for a late duplicate to show up, if there were one.
    await new Promise((res) => setTimeout(res, 2500));

    const entries = (await r.redis.xrange(stream, '-', '+')) as [string, string[]][];
    const seen = new Map<string, string[]>();
    for (const [, fields] of entries) {
      const f = Object.fromEntries(fields.flatMap((v, i) => (i % 2 ? [] : [[v, fields[i + 1]!]]))) as Record<string, string>;
      seen.set(f.messageId!, [...(seen.get(f.messageId!) ?? []), f.list!]);
    }
    const missing = [...expected.keys()].filter((id) => !seen.has(id));
    const twice = [...seen].filter(([, lists]) => lists.length > 1);
    const wrongList = [...expected].filter(([id, e]) => seen.has(id) && seen.get(id)![0] !== e.list);
    assert.deepEqual(missing, [], 'every post has a verdict');
    assert.deepEqual(twice, [], 'no post has two verdicts');
    assert.deepEqual(wrongList, [], 'each verdict is under the list whose mailbox the post came from');
    assert.equal(seen.size, expected.size, 'no verdict for a post that was not sent');

    // The three workers shared the work, and no post was decided by two of them.
    const byWorker = workers.map((w) => verdictIdsLogged(w));
    const all = byWorker.flat();
    assert.equal(all.length, expected.size, `verdicts logged by the workers: ${byWorker.map((v) => v.length).join(' + ')}`);
    assert.equal(new Set(all).size, all.length, 'no post decided by two workers');
    assert.ok(byWorker.filter((v) => v.length > 0).length >= 2, `work spread over the workers (${byWorker.map((v) => v.length).join(' + ')})`);

    // What an operator sees: `listwarden status` over the same Redis, from another process.
    const st = await runListwarden(['status', '--config', workerCfg, '--json'], { env });
    assert.equal(st.code, 0, st.stderr);
    const status = JSON.parse(st.stdout) as {
      lists: { id: string; verdicts: number; mailbox?: string; checkpoint?: { lastUid: number } }[];
      queues: { name: string; counts: Record<string, number> }[];
    };
    for (const l of LISTS) {
      const row = status.lists.find((x) => x.id === l.id);
      assert.equal(row?.verdicts, PER_LIST, `${l.id}: verdicts in status`);
    }
    const pollerStatus = JSON.parse((await runListwarden(['status', '--config', pollerCfg('beta'), '--json'], { env })).stdout) as typeof status;
    assert.equal(pollerStatus.lists.find((x) => x.id === 'beta')?.checkpoint?.lastUid, PER_LIST + 5, 'beta checkpoint at its last UID');
    // Each alert verdict queued exactly one notice (no smtp here: they wait in the notices queue).
    const alerts = [...expected.values()].filter((e) => e.alert).length;
    assert.equal(status.queues.find((q) => q.name === 'notices')?.counts.waiting, alerts, 'one notice per alert verdict');
    const posts = status.queues.find((q) => q.name === 'posts');
    assert.equal(posts?.counts.failed, 1, 'the junk, and only it, is in the failed set');

    // The operator's view of it: `failed` says why, `retry` re-queues it (and it fails again, for the same reason).
    const failed = await runListwarden(['failed', '--config', workerCfg], { env });
    assert.equal(failed.code, 0, failed.stderr);
    assert.match(failed.stdout, /alpha {2}\(no Message-ID\) {2}INBOX uid \d+ {2}tries \d+/);
    assert.match(failed.stdout, /unreadable post: /);
    assert.match(failed.stdout, /^1 failed post\(s\); `listwarden retry/m);
    const jobId = /^(p-\S+)/.exec(failed.stdout)?.[1];
    assert.ok(jobId, failed.stdout);
    const retried = await runListwarden(['retry', '--config', workerCfg, jobId, 'p-not-a-job'], { env });
    assert.equal(retried.code, 1, 'an id that is not in the failed set makes the exit code 1');
    assert.equal(retried.stdout, `1 post(s) re-queued: ${jobId}\n`);
    assert.match(retried.stderr, /not in the failed set: p-not-a-job/);
    await waitFor('the junk back in the failed set', async () => {
      const again = JSON.parse((await runListwarden(['failed', '--config', workerCfg, '--json'], { env })).stdout.split('\n')[0] ?? '{}') as { jobId?: string };
      return again.jobId === jobId;
    }, 30_000);
    assert.equal((posts?.counts.waiting ?? 0) + (posts?.counts.active ?? 0), 0, 'posts queue drained');

    // SIGTERM: every process finishes in-flight work and exits 0.
    const codes = await Promise.all(procs.map((p) => p.stop(15_000)));
    assert.deepEqual(codes, procs.map(() => 0));
    for (const p of procs) assert.deepEqual(p.stray.filter((l) => /Error|uncaught/i.test(l)), [], `${p.name} printed no crash`);
  } finally {
    for (const p of procs) p.kill('SIGKILL');
  }
});
