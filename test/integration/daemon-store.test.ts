// The worker's Redis path against the real Redis: one lookup per post answers placement, threads match replay's.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'bullmq';
import { testRedis, type TestRedis } from '../helpers/redis.js';
import { createLogger } from '../../src/log.js';
import { createPipeline } from '../../src/pipeline/index.js';
import { parseDaemonConfigText } from '../../src/daemon/config.js';
import { MemoryThreadStore } from '../../src/threads/memory-store.js';
import { RedisThreadStore } from '../../src/threads/redis-store.js';
import { Queues } from '../../src/queue/queues.js';
import { connectRedis, LuaScript } from '../../src/queue/redis.js';
import { PostWorker, type PostJobResult } from '../../src/queue/worker.js';
import { planJobs, postJobId, type BatchJobData, type PostJobData } from '../../src/queue/jobs.js';
import type { PendingSave, RedisThreadStoreOptions } from '../../src/threads/redis-store.js';
import type { Thread } from '../../src/model/thread.js';
import { headerMessageId } from '../../src/ingest/imap/compact.js';
import { generateArchive } from '../../bench/generate-archive.js';
import { splitMbox } from '../../bench/daemon-common.js';

const quiet = createLogger('silent');
const T0 = Date.parse('2026-11-02T09:00:00Z');

interface Mail {
  id: string;
  subject: string;
  inReplyTo?: string;
  references?: string[];
  body?: string;
}

function mail(m: Mail, n: number): Buffer {
  const ref = (id: string): string => `<${id}@store.example.org>`;
  return Buffer.from(
    [
      `From: Poster ${n} <p${n}@example.org>`,
      'To: alpha@lists.example.org',
      'List-Id: Alpha <alpha.lists.example.org>',
      `Subject: ${m.subject}`,
      `Message-ID: ${ref(m.id)}`,
      ...(m.inReplyTo ? [`In-Reply-To: ${ref(m.inReplyTo)}`] : []),
      ...(m.references?.length ? [`References: ${m.references.map(ref).join(' ')}`] : []),
      `Date: ${new Date(T0 + n * 60_000).toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      m.body ?? 'How do I rebuild the kernel on Debian?',
      '',
    ].join('\r\n'),
  );
}

const config = (prefix: string): ReturnType<typeof parseDaemonConfigText> =>
  parseDaemonConfigText(
    `lists:
  - id: alpha
    listId: alpha.lists.example.org
    description: "A Linux users group: kernels, distributions, shells."
    terms: [linux, kernel, debian, shell]
redis:
  prefix: ${prefix}
worker:
  concurrency: 2
`,
    '(test)',
  );

/** A worker whose BullMQ side stays idle: the test hands it jobs directly. */
async function withWorker(
  fn: (w: PostWorker, o: { store: RedisThreadStore; saves: ReturnType<RedisThreadStore['deferring']>; r: TestRedis }) => Promise<void>,
  storeOpts: Omit<RedisThreadStoreOptions, 'prefix'> = {},
): Promise<void> {
  const r = await testRedis();
  const cfg = config(r.prefix);
  const bull = connectRedis({ url: cfg.redis.url, name: `${r.prefix}:bull`, maxRetriesPerRequest: null });
  const redis = connectRedis({ url: cfg.redis.url, name: `${r.prefix}:store`, autoPipelining: true });
  const store = new RedisThreadStore(redis, { ...storeOpts, prefix: r.prefix });
  const saves = store.deferring();
  const pipeline = createPipeline(cfg.config, { store: saves, log: quiet });
  const queues = new Queues({ connection: bull, prefix: r.prefix, worker: cfg.worker });
  const worker = new PostWorker({ connection: bull, prefix: r.prefix, worker: cfg.worker, queues, store, saves, pipeline: () => pipeline, log: quiet });
  try {
    await fn(worker, { store, saves, r });
  } finally {
    await worker.close();
    await queues.close();
    await Promise.all([bull.quit(), redis.quit()]);
    await r.cleanup();
  }
}

let uid = 0;
function job(raw: Buffer): Job<PostJobData, PostJobResult> {
  uid++;
  const data: PostJobData = { list: 'alpha', raw: raw.toString('base64'), source: { mailbox: 'INBOX', uidValidity: '1', uid }, seenAt: Date.now() };
  return { id: `test-${uid}`, data } as unknown as Job<PostJobData, PostJobResult>;
}

// One thread found every way placement finds one: reply headers, a deeper reply, a subject-only reply, a reply to
// a root not seen yet, then that root itself; and an unrelated post.
const MAILS: Mail[] = [
  { id: 'a', subject: 'Kernel panic on boot with Debian 12' },
  { id: 'b', subject: 'Re: Kernel panic on boot with Debian 12', inReplyTo: 'a', references: ['a'] },
  { id: 'c', subject: 'Re: Kernel panic on boot with Debian 12', inReplyTo: 'b', references: ['a', 'b'] },
  { id: 'd', subject: 'Re: Kernel panic on boot with Debian 12' },
  { id: 'e', subject: 'Re: Shell prompt colours', inReplyTo: 'x', references: ['x'] },
  { id: 'x', subject: 'Shell prompt colours' },
  { id: 'f', subject: 'Which laptop runs Linux best?' },
];

test('each post is placed from one lookup, into the same threads replay finds', async () => {
  const replay = createPipeline(config('unused').config, { store: new MemoryThreadStore(), log: quiet });
  const want = new Map<string, string>();
  for (const [n, m] of MAILS.entries()) {
    const o = await replay.processRaw(mail(m, n));
    assert.equal(o.kind, 'verdict');
    if (o.kind === 'verdict') want.set(o.post.messageId, o.verdict.threadId);
  }

  await withWorker(async (worker, { store, saves }) => {
    for (const [n, m] of MAILS.entries()) {
      const res = await worker.process(job(mail(m, n)));
      assert.equal(res.status, 'verdict', m.id);
    }
    assert.equal(saves.readsPastLookup, 0, 'no read went past the lookup');
    for (const [messageId, threadId] of want) {
      assert.equal((await store.verdictOf('alpha', messageId))?.threadId, threadId, messageId);
    }
    assert.equal(want.get('<d@store.example.org>'), '<a@store.example.org>', 'the subject-only reply joined the thread');
    assert.equal(want.get('<x@store.example.org>'), '<x@store.example.org>', 'the late root joined the thread named after it');

    // A post seen again is not decided again.
    const again = await worker.process(job(mail(MAILS[1]!, 1)));
    assert.equal(again.status, 'already');
    assert.equal(await store.verdictCount('alpha'), MAILS.length);
  });
});

test('a batch places its posts as replay does, from one lookup for all of them and one commit', async () => {
  const replay = createPipeline(config('unused').config, { store: new MemoryThreadStore(), log: quiet });
  const want = new Map<string, string>();
  for (const [n, m] of MAILS.entries()) {
    const o = await replay.processRaw(mail(m, n));
    if (o.kind === 'verdict') want.set(o.post.messageId, o.verdict.threadId);
  }
  await withWorker(async (worker, { store, saves, r }) => {
    const posts = MAILS.map((m, n) => {
      const raw = mail(m, n);
      const messageId = `<${m.id}@store.example.org>`;
      return { jobId: postJobId('alpha', messageId, raw), data: { list: 'alpha', messageId, raw: raw.toString('base64'), source: { mailbox: 'INBOX', uidValidity: '1', uid: n + 1 }, seenAt: Date.now() } };
    });
    const [planned] = planJobs(posts);
    assert.equal(planned?.name, 'batch');
    const calls = { snapshot: 0, commitMany: 0 };
    for (const k of ['snapshot', 'commitMany'] as const) {
      const f = store[k].bind(store) as (...a: unknown[]) => unknown;
      (store as unknown as Record<string, unknown>)[k] = (...a: unknown[]) => (calls[k]++, f(...a));
    }
    const res = await worker.process({ id: planned!.jobId, data: planned!.data, attemptsStarted: 1, stalledCounter: 0, updateData: async () => undefined } as unknown as Job<BatchJobData>);
    assert.deepEqual(res, { status: 'batch', list: 'alpha', posts: MAILS.length, verdicts: MAILS.length, already: 0, split: 0 });
    assert.equal(saves.readsPastLookup, 0, 'no read went past the lookup');
    assert.deepEqual(calls, { snapshot: 1, commitMany: 1 }, 'one lookup and one commit for the whole batch');
    for (const [messageId, threadId] of want) assert.equal((await store.verdictOf('alpha', messageId))?.threadId, threadId, messageId);
    const thread = JSON.parse((await r.redis.hget(`${store.keyPrefix}:thread:alpha:<a@store.example.org>`, 'json')) ?? '{}') as Thread;
    assert.equal(thread.postCount, 4, 'a, b, c and the subject-only reply d');
    assert.equal(await r.redis.hget(`${store.keyPrefix}:thread:alpha:<a@store.example.org>`, 'n'), '4', 'the post count the next commit checks');
    assert.equal(saves.reusedThreads, 4, 'b, c, d (and x, after its reply e) were placed on the thread object the post before left, not on its JSON parsed again');
  });
});

test('600 generated posts in batch jobs get the verdicts replay gives them, post for post', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-parity-'));
  try {
    await generateArchive(join(dir, 'a.mbox'), 600, { seed: 3 });
    const raws = splitMbox(readFileSync(join(dir, 'a.mbox'), 'utf8'));
    const key = (v: { threadId: string; action: string; flags: { rule: string; severity: string; score: number }[] }): string =>
      JSON.stringify([v.threadId, v.action, v.flags.map((f) => [f.rule, f.severity, f.score])]);
    const replay = createPipeline(config('unused').config, { store: new MemoryThreadStore(), log: quiet });
    const want = new Map<string, string>();
    for (const raw of raws) {
      const o = await replay.processRaw(raw, { list: 'alpha' });
      if (o.kind === 'verdict') want.set(o.post.messageId, key(o.verdict));
    }
    assert.ok([...want.values()].some((v) => v.includes('incendiary-language')), 'the archive has flagged posts');
    await withWorker(async (worker, { store, saves }) => {
      const posts = raws.map((raw, n) => {
        const messageId = headerMessageId(raw);
        return { jobId: postJobId('alpha', messageId, raw), data: { list: 'alpha', messageId, raw: raw.toString('base64'), source: { mailbox: 'INBOX', uidValidity: '1', uid: n + 1 }, seenAt: Date.now() } };
      });
      for (const j of planJobs(posts)) {
        await worker.process({ id: j.jobId, data: j.data, attemptsStarted: 1, stalledCounter: 0, updateData: async () => undefined } as unknown as Job<BatchJobData>);
      }
      assert.ok(saves.reusedThreads > want.size / 2, `most placements reuse the thread object saved before (${saves.reusedThreads})`);
      let same = 0;
      for (const [messageId, v] of want) {
        const rec = await store.verdictOf('alpha', messageId);
        assert.equal(rec && key(rec), v, messageId);
        same++;
      }
      assert.equal(same, raws.length);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a thread another worker moved on is read again, not taken from what this worker saved last', async () => {
  await withWorker(async (worker, { store, saves, r }) => {
    const cfg = config(r.prefix);
    const otherSaves = store.deferring();
    const otherPipeline = createPipeline(cfg.config, { store: otherSaves, log: quiet });
    const bull = connectRedis({ url: cfg.redis.url, name: `${r.prefix}:bull2`, maxRetriesPerRequest: null });
    const queues = new Queues({ connection: bull, prefix: r.prefix, worker: cfg.worker });
    const other = new PostWorker({ connection: bull, prefix: r.prefix, worker: cfg.worker, queues, store, saves: otherSaves, pipeline: () => otherPipeline, log: quiet });
    try {
      assert.equal((await worker.process(job(mail(MAILS[0]!, 0)))).status, 'verdict');
      assert.equal((await other.process(job(mail(MAILS[1]!, 1)))).status, 'verdict');
      assert.equal((await worker.process(job(mail(MAILS[2]!, 2)))).status, 'verdict');
      assert.equal(saves.reusedThreads, 0, 'the state in Redis is not the one this worker saved');
      const thread = JSON.parse((await r.redis.hget(`${store.keyPrefix}:thread:alpha:<a@store.example.org>`, 'json')) ?? '{}') as Thread;
      assert.deepEqual(thread.posts.map((p) => p.messageId), ['<a@store.example.org>', '<b@store.example.org>', '<c@store.example.org>']);
      assert.equal(thread.postCount, 3);
      // The same worker again, nobody else in between: its own object is placed on.
      assert.equal((await worker.process(job(mail(MAILS[3]!, 3)))).status, 'verdict');
      assert.equal(saves.reusedThreads, 1);
      assert.equal(await r.redis.hget(`${store.keyPrefix}:thread:alpha:<a@store.example.org>`, 'n'), '4');
    } finally {
      await other.close();
      await queues.close();
      await bull.quit();
    }
  });
});

test('what a post leaves in Redis is swept keepDays after it was decided: Redis holds a window of the list, not its history', async () => {
  const DAY = 86_400_000;
  let now = T0;
  const id = (x: string): string => `<${x}@store.example.org>`;
  await withWorker(
    async (worker, { store, r }) => {
      const k = (what: string): string => `${store.keyPrefix}:${what}:alpha`;
      // Day 0: a thread of three posts and a post of its own; one of them was notified.
      for (const n of [0, 1, 2, 6]) assert.equal((await worker.process(job(mail(MAILS[n]!, n)))).status, 'verdict');
      assert.equal(await store.markNoticeQueued('alpha', id('a')), true);
      assert.equal(await store.verdictCount('alpha'), 4);
      const panic = (keys: string[]): boolean => keys.some((x) => /kernel panic/i.test(x));
      assert.ok(panic(await r.redis.hkeys(k('subj'))), 'the thread\'s subject is indexed');

      // Day 10, with 7 days kept: the next post's commit sweeps the old posts' entries.
      now = T0 + 10 * DAY;
      const g: Mail = { id: 'g', subject: 'Booting Debian from ZFS' };
      assert.equal((await worker.process(job(mail(g, 7)))).status, 'verdict');
      for (const x of ['a', 'b', 'c', 'f']) {
        assert.equal(await store.verdictOf('alpha', id(x)), undefined, `${x}: verdict swept`);
        assert.equal(await store.threadOfMessage('alpha', id(x)), undefined, `${x}: message index entry swept`);
      }
      assert.equal(await store.noticeQueued('alpha', id('a')), false, 'notice mark swept');
      assert.equal(await store.verdictCount('alpha'), 1);
      assert.equal(await r.redis.hlen(k('msg')), 1);
      assert.equal(await r.redis.zcard(k('msgage')), 1);
      assert.equal(await r.redis.hlen(k('subj')), await r.redis.zcard(k('subjage')), 'subject entries swept with their ages');
      assert.ok(!panic(await r.redis.hkeys(k('subj'))), 'the old thread\'s subject entry swept');

      // Day 13: g is within the window: delivered again, it is not decided again.
      now = T0 + 13 * DAY;
      assert.equal((await worker.process(job(mail(g, 7)))).status, 'already');
      assert.equal(await store.verdictCount('alpha'), 1);
    },
    { threadTtlDays: 7, now: () => now },
  );
});

test('commitMany: posts of one thread chain; a stale one and those after it on its thread are refused, others saved', async () => {
  const r = await testRedis();
  const redis = connectRedis({ url: config(r.prefix).redis.url, name: `${r.prefix}:store` });
  try {
    const store = new RedisThreadStore(redis, { prefix: r.prefix });
    const thread = (id: string, postCount: number): Thread =>
      ({ id, list: 'alpha', subject: id, normalizedSubject: id, posts: [], postCount, participants: {}, flagged: {} }) as Thread;
    const save = (id: string, n: number, messageId: string): PendingSave => ({ thread: thread(id, n), messageId, subjectKey: '', expectedPostCount: n - 1 });
    const verdict = (messageId: string) => ({ list: 'alpha', messageId, threadId: 't', action: 'ignore' as const, flags: [], suppressed: 0, at: 1 });
    // t1 and t2 exist with one post each; another worker then moves t1 on to 2.
    await store.commitMany([{ save: save('t1', 1, 'm0') }, { save: save('t2', 1, 'n0') }]);
    await store.save(thread('t1', 2), 'x1', '', 1);
    const out = await store.commitMany([
      { save: save('t1', 2, 'm1'), verdict: verdict('m1') }, // read t1 at 1: stale
      { save: save('t2', 2, 'n1'), verdict: verdict('n1') }, // another thread: saved
      { save: save('t1', 3, 'm2'), verdict: verdict('m2') }, // placed on top of m1: refused with it
      { save: save('t2', 3, 'n2'), verdict: verdict('n2') }, // chains on n1 in the same commit: saved
      { save: save('t3', 1, 'n1'), verdict: verdict('n1') }, // n1 again: its verdict is recorded already
    ]);
    assert.deepEqual(out, ['conflict', 'saved', 'conflict', 'saved', 'already']);
    assert.equal(await redis.hget(`${store.keyPrefix}:thread:alpha:t1`, 'n'), '2');
    assert.equal(await redis.hget(`${store.keyPrefix}:thread:alpha:t2`, 'n'), '3');
    assert.equal(await redis.exists(`${store.keyPrefix}:thread:alpha:t3`), 0);
    assert.equal(await store.verdictCount('alpha'), 2);
    assert.equal(await redis.xlen(store.verdictStreamKey), 2);
  } finally {
    await redis.quit();
    await r.cleanup();
  }
});

test('posts of one thread handled at once by one worker are decided together: no conflict, counts add up', async () => {
  await withWorker(async (worker, { store, r }) => {
    const root: Mail = { id: 'r', subject: 'Debian on a Raspberry Pi' };
    await worker.process(job(mail(root, 0)));
    const replies: Mail[] = Array.from({ length: 6 }, (_, i) => ({
      id: `r${i}`,
      subject: 'Re: Debian on a Raspberry Pi',
      inReplyTo: 'r',
      references: ['r'],
    }));
    const results = await Promise.all(replies.map((m, i) => worker.process(job(mail(m, i + 1)))));
    assert.deepEqual(results.map((x) => x.status), replies.map(() => 'verdict'));
    const thread = JSON.parse((await r.redis.hget(`${store.keyPrefix}:thread:alpha:<r@store.example.org>`, 'json')) ?? '{}') as { postCount?: number };
    assert.equal(thread.postCount, 7, 'the root and its six replies, each counted once');
  });
});

test('LuaScript: a script Redis has not cached yet runs (EVAL), then by its SHA', async () => {
  const r = await testRedis();
  try {
    // Unique text: a SHA Redis cannot know yet, without flushing anyone else's scripts.
    const script = new LuaScript(`-- ${r.prefix}\nreturn redis.call('INCR', KEYS[1]) + tonumber(ARGV[1])`);
    const [known] = (await r.redis.script('EXISTS', script.sha)) as number[];
    assert.equal(known, 0);
    assert.equal(await script.run(r.redis, [`${r.prefix}:n`], [10]), 11);
    assert.equal(await script.run(r.redis, [`${r.prefix}:n`], [10]), 12);
  } finally {
    await r.cleanup();
  }
});
