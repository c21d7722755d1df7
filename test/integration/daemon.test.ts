// The live daemon against a real Dovecot and the real Redis: every post exactly one verdict, through faults.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { testRedis, type TestRedis } from '../helpers/redis.js';
import { runDaemon, type DaemonHandle } from '../../src/daemon/index.js';
import { createLogger } from '../../src/log.js';
import {
  PASS_ENV,
  appendPosts,
  imapClient,
  post,
  spawnDaemon,
  verdictCounts,
  verdictsLogged,
  waitFor,
  writeConfig,
  type ChildDaemon,
} from './helpers.js';

let dovecot: Dovecot;
let dir: string;
const quiet = createLogger(process.env.LISTWARDEN_LOG_LEVEL ?? 'silent');

before(async () => {
  dovecot = await startDovecot({ mailboxes: ['Done'] });
  dir = mkdtempSync(join(tmpdir(), 'lw-daemon-test-'));
});

after(async () => {
  await dovecot?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** Each test gets an empty INBOX: what earlier tests left is moved out of the way. */
async function emptyInbox(): Promise<void> {
  const s = await imapClient(dovecot);
  try {
    const state = await s.select('INBOX');
    if (state.exists > 0) for (const m of await s.listFrom(1)) await s.move(m.uid, 'Done');
  } finally {
    await s.logout();
  }
}

async function withRedis(fn: (r: TestRedis) => Promise<void>): Promise<void> {
  const r = await testRedis();
  try {
    await fn(r);
  } finally {
    await r.cleanup();
  }
}

function daemonEnv(): NodeJS.ProcessEnv {
  return { ...process.env, [PASS_ENV]: dovecot.pass };
}

function assertExactlyOnce(counts: Map<string, number>, ids: string[]): void {
  const missing = ids.filter((id) => !counts.has(`<${id}@test.example.org>`));
  assert.deepEqual(missing, [], 'every post has a verdict');
  const twice = [...counts].filter(([, n]) => n > 1);
  assert.deepEqual(twice, [], 'no post has two verdicts');
  assert.equal(counts.size, ids.length);
}

const ids = (tag: string, from: number, n: number): string[] => Array.from({ length: n }, (_, i) => `${tag}-${from + i}`);

test('APPENDed posts get one verdict each; health, metrics, notices and moveTo', { timeout: 60_000 }, async () => {
  await emptyInbox();
  await withRedis(async (r) => {
    const cfg = join(dir, 'basic.yaml');
    writeConfig(cfg, { prefix: r.prefix, dovecot, moveTo: 'Done' });
    const daemon = await runDaemon({ configPath: cfg, env: daemonEnv(), httpPort: 0, log: quiet, watchConfig: false });
    try {
      const posts = ids('basic', 0, 6);
      await appendPosts(dovecot, posts.slice(0, 5));
      const s = await imapClient(dovecot);
      await s.append('INBOX', post(posts[5]!, 'I am selling bananas cheap, reply now.'));
      await s.logout();
      await waitFor('6 verdicts', async () => (await daemon.store.verdictCount('alpha')) === 6);
      assertExactlyOnce(await verdictCounts(r.redis, r.prefix), posts);

      const flagged = await daemon.store.verdictOf('alpha', `<${posts[5]}@test.example.org>`);
      assert.equal(flagged?.action, 'alert');
      assert.ok(flagged?.flags.some((f) => f.rule === 'watch-word'));
      await waitFor('the alert notice', async () => (await daemon.queues.notices.getJobCounts('waiting')).waiting === 1);

      const health = await fetch(`http://127.0.0.1:${daemon.httpPort}/healthz`);
      assert.equal(health.status, 200);
      const metrics = await (await fetch(`http://127.0.0.1:${daemon.httpPort}/metrics`)).text();
      assert.match(metrics, /listwarden_posts_seen_total\{list="alpha"\} 6/);
      assert.match(metrics, /listwarden_posts_parsed_total\{list="alpha"\} 6/);
      assert.match(metrics, /listwarden_flags_total\{list="alpha",rule="watch-word",severity="high"\} 1/);
      // The six posts arrive in a burst or a few: a job per burst (a batch, or a post job for a burst of one).
      const completed = Number(/listwarden_queue_jobs\{queue="posts",state="completed"\} (\d+)/.exec(metrics)?.[1]);
      assert.ok(completed >= 1 && completed <= 6, `completed posts jobs: ${completed}`);
      assert.match(metrics, /listwarden_verdict_seconds_count 6/);
      assert.match(metrics, /listwarden_imap_reconnects_total/);

      await waitFor('posts moved to Done', async () => {
        const c = await imapClient(dovecot);
        try {
          return (await c.select('INBOX')).exists === 0;
        } finally {
          await c.logout();
        }
      });
    } finally {
      await daemon.stop();
    }
  });
});

test('faults: SIGKILLed worker, CLIENT KILL, Dovecot restart, daemon restart — every post exactly one verdict', { timeout: 120_000 }, async () => {
  await emptyInbox();
  await withRedis(async (r) => {
    const cfg = join(dir, 'faults.yaml');
    writeConfig(cfg, { prefix: r.prefix, dovecot, concurrency: 1 });
    const all: string[] = [];
    let poller: DaemonHandle = await runDaemon({
      configPath: cfg,
      role: 'poller',
      env: daemonEnv(),
      httpPort: 0,
      log: quiet,
      watchConfig: false,
      imapBackoffMs: { min: 100, max: 1000 },
    });
    let w1: ChildDaemon | undefined = spawnDaemon(cfg, 'worker', dovecot.pass);
    let w2: ChildDaemon | undefined;
    try {
      // 1. A worker killed with SIGKILL while a job is active: its job is re-run by the next worker (a batch's re-run
      // splits it into post jobs). Polled often: a batch of these posts is active for a short while only.
      all.push(...ids('kill', 0, 20));
      await appendPosts(dovecot, all.slice(-20));
      const until = Date.now() + 30_000;
      while (((await poller.queues.posts.getJobCounts('active')).active ?? 0) === 0) {
        if (Date.now() > until) throw new Error('timed out waiting for the first worker mid-job');
        await new Promise((res) => setTimeout(res, 5));
      }
      w1.child.kill('SIGKILL');
      await w1.exited;
      w1 = undefined;
      w2 = spawnDaemon(cfg, 'worker', dovecot.pass);

      // 2. listwarden's Redis connections dropped under it.
      await waitFor('the second worker at work', () => verdictsLogged(w2!).length > 0);
      assert.ok((await r.killClients()) > 0, 'found listwarden connections to kill');
      all.push(...ids('ckill', 0, 10));
      await appendPosts(dovecot, all.slice(-10));

      // 3. Dovecot stopped and started again mid-stream: health says why while it is down.
      await waitFor('the posts so far', async () => (await poller.store.verdictCount('alpha')) >= 25);
      await dovecot.stop();
      await waitFor('health to report IMAP down', async () => {
        const h = await fetch(`http://127.0.0.1:${poller.httpPort}/healthz`);
        const body = await h.text();
        return h.status === 503 && /imap alpha/.test(body);
      }, 15_000);
      await dovecot.start();
      all.push(...ids('dovecot', 0, 10));
      await appendPosts(dovecot, all.slice(-10));
      await waitFor('health back to 200', async () => (await fetch(`http://127.0.0.1:${poller.httpPort}/healthz`)).status === 200, 20_000);

      // 4. The poller restarted while posts arrive: its checkpoint in Redis carries on.
      await poller.stop();
      all.push(...ids('restart', 0, 10));
      await appendPosts(dovecot, all.slice(-10));
      poller = await runDaemon({ configPath: cfg, role: 'poller', env: daemonEnv(), log: quiet, watchConfig: false, imapBackoffMs: { min: 100, max: 1000 } });

      await waitFor(`${all.length} verdicts`, async () => (await poller.store.verdictCount('alpha')) >= all.length, 60_000);
      await new Promise((res) => setTimeout(res, 3000)); // room for a duplicate to show up, if there were one
      assertExactlyOnce(await verdictCounts(r.redis, r.prefix), all);
      assert.equal(await poller.store.verdictCount('alpha'), all.length);
      const failed = await poller.queues.failed();
      assert.deepEqual(failed, [], 'nothing ended in the failed set');

      // SIGTERM: finishes and exits 0.
      w2.child.kill('SIGTERM');
      assert.equal(await w2.exited, 0);
      w2 = undefined;
    } finally {
      w1?.child.kill('SIGKILL');
      w2?.child.kill('SIGKILL');
      await poller.stop();
    }
  });
});

test('two worker processes share one queue without duplicates', { timeout: 90_000 }, async () => {
  await emptyInbox();
  await withRedis(async (r) => {
    const cfg = join(dir, 'share.yaml');
    // One job at a time each: while one worker decides a burst, the next burst goes to the other.
    writeConfig(cfg, { prefix: r.prefix, dovecot, concurrency: 1 });
    const a = spawnDaemon(cfg, 'worker', dovecot.pass);
    const b = spawnDaemon(cfg, 'worker', dovecot.pass);
    const poller = await runDaemon({ configPath: cfg, role: 'poller', env: daemonEnv(), log: quiet, watchConfig: false });
    try {
      await waitFor('both workers up', () => [a, b].every((w) => w.lines.some((l) => l.includes('listwarden running'))), 30_000);
      // More than one batch's worth: the poller queues them as several jobs (bursts, at most 50 posts a batch).
      const posts = ids('share', 0, 120);
      await appendPosts(dovecot, posts);
      await waitFor('120 verdicts', async () => (await poller.store.verdictCount('alpha')) === 120, 60_000);
      assertExactlyOnce(await verdictCounts(r.redis, r.prefix), posts);
      // A worker logs its verdicts after it commits them: wait for the lines to come through the pipes.
      await waitFor('120 verdict log lines', () => verdictsLogged(a).length + verdictsLogged(b).length >= 120, 10_000);
      const byA = verdictsLogged(a);
      const byB = verdictsLogged(b);
      assert.ok(byA.length > 0 && byB.length > 0, `both workers worked (${byA.length} + ${byB.length})`);
      assert.equal(new Set([...byA, ...byB]).size, byA.length + byB.length, 'no post decided by both');
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      assert.deepEqual(await Promise.all([a.exited, b.exited]), [0, 0]);
    } finally {
      a.child.kill('SIGKILL');
      b.child.kill('SIGKILL');
      await poller.stop();
    }
  });
});

test('a config reload with a broken file keeps the old rules; a good one is swapped in', { timeout: 60_000 }, async () => {
  await emptyInbox();
  await withRedis(async (r) => {
    const cfg = join(dir, 'reload.yaml');
    writeConfig(cfg, { prefix: r.prefix, dovecot, keyword: 'bananas' });
    const daemon = await runDaemon({ configPath: cfg, env: daemonEnv(), log: quiet });
    const actionOf = async (id: string): Promise<string | undefined> => {
      await waitFor(`verdict for ${id}`, async () => !!(await daemon.store.verdictOf('alpha', `<${id}@test.example.org>`)));
      return (await daemon.store.verdictOf('alpha', `<${id}@test.example.org>`))?.action;
    };
    const send = async (id: string, body: string): Promise<void> => {
      const s = await imapClient(dovecot);
      await s.append('INBOX', post(id, body, `kernel build ${id}`));
      await s.logout();
    };
    try {
      await send('reload-1', 'Anyone want bananas?');
      assert.equal(await actionOf('reload-1'), 'alert');

      writeFileSync(cfg, 'lists:\n  - id: alpha\n    imap: [not, a, mapping\n');
      await new Promise((res) => setTimeout(res, 800));
      await send('reload-2', 'More bananas for the list.');
      assert.equal(await actionOf('reload-2'), 'alert', 'the old rules still run');
      assert.equal(daemon.config.config.custom[0]?.match[0]?.keywords?.[0], 'bananas');

      writeConfig(cfg, { prefix: r.prefix, dovecot, keyword: 'apples' });
      await waitFor('the new config', () => daemon.config.config.custom[0]?.match[0]?.keywords?.[0] === 'apples', 10_000);
      await send('reload-3', 'Apples are better than bananas.');
      assert.equal(await actionOf('reload-3'), 'alert');
      await send('reload-4', 'I only like bananas.');
      assert.equal(await actionOf('reload-4'), 'ignore');
    } finally {
      await daemon.stop();
    }
  });
});

test('Redis losing its last writes (a fail-over, an AOF restart) or everything: the running poller queues the lost posts again, and no post twice', { timeout: 90_000 }, async () => {
  await emptyInbox();
  await withRedis(async (r) => {
    const cfg = join(dir, 'lost-writes.yaml');
    writeConfig(cfg, { prefix: r.prefix, dovecot });
    const ckpt = `${r.prefix}:lw:ckpt:alpha:INBOX`;
    // UIDs go on from earlier tests' posts (moved out of INBOX, not renumbered).
    const s = await imapClient(dovecot);
    const base = (await s.select('INBOX')).uidNext - 1;
    await s.logout();
    const poller = await runDaemon({ configPath: cfg, role: 'poller', env: daemonEnv(), log: quiet, watchConfig: false });
    let worker: DaemonHandle | undefined;
    try {
      await waitFor('the poller up', async () => (await poller.health()).ok);
      const first = ids('lost', 0, 3);
      await appendPosts(dovecot, first);
      await waitFor('3 posts queued', async () => Number(await r.redis.hget(ckpt, 'lastUid')) === base + 3);

      // Redis loses the last writes: the jobs of those posts and the checkpoint advance that followed them.
      await poller.queues.posts.obliterate({ force: true });
      await r.redis.hset(ckpt, 'lastUid', String(base));
      const more = ids('lost', 3, 1);
      await appendPosts(dovecot, more);
      await waitFor('the poller past the new post again', async () => Number(await r.redis.hget(ckpt, 'lastUid')) === base + 4);

      worker = await runDaemon({ configPath: cfg, role: 'worker', env: daemonEnv(), log: quiet, watchConfig: false });
      await waitFor('4 verdicts', async () => (await worker!.store.verdictCount('alpha')) === 4);

      // Redis loses everything it had of the checkpoint: the poller writes its own back rather than rescanning the
      // mailbox (which would queue every post again).
      const jobsBefore = (await poller.queues.posts.getJobCounts('completed')).completed ?? 0;
      await r.redis.del(ckpt);
      const last = ids('lost', 4, 1);
      await appendPosts(dovecot, last);
      await waitFor('5 verdicts', async () => (await worker!.store.verdictCount('alpha')) === 5);
      assert.equal(Number(await r.redis.hget(ckpt, 'lastUid')), base + 5);
      await new Promise((res) => setTimeout(res, 1000)); // room for a duplicate to show up, if there were one
      assert.equal(((await poller.queues.posts.getJobCounts('completed')).completed ?? 0) - jobsBefore, 1, 'only the new post was queued');
      assertExactlyOnce(await verdictCounts(r.redis, r.prefix), [...first, ...more, ...last]);
    } finally {
      await worker?.stop();
      await poller.stop();
    }
  });
});
