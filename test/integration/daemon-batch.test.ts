// Batch jobs against the real Redis: a burst is one job, each post still gets exactly one verdict; a failing post is split out alone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'bullmq';
import { testRedis, type TestRedis } from '../helpers/redis.js';
import { createLogger } from '../../src/log.js';
import { createPipeline, type Pipeline } from '../../src/pipeline/index.js';
import { parseDaemonConfigText } from '../../src/daemon/config.js';
import { RedisThreadStore } from '../../src/threads/redis-store.js';
import { Queues } from '../../src/queue/queues.js';
import { connectRedis } from '../../src/queue/redis.js';
import { PostWorker } from '../../src/queue/worker.js';
import { BATCH_MAX_POSTS, batchJobId, planJobs, postJobId, type BatchJobData, type PostJobData } from '../../src/queue/jobs.js';
import type { PostsJobData } from '../../src/queue/jobs.js';
import { verdictCounts, waitFor } from './helpers.js';

const quiet = createLogger('silent');
const LIST = 'alpha';

function mail(id: string, n: number, body = 'How do I rebuild the kernel on Debian?', inReplyTo?: string): Buffer {
  return Buffer.from(
    [
      `From: Poster ${n} <p${n}@example.org>`,
      'To: alpha@lists.example.org',
      `Subject: ${inReplyTo ? 'Re: ' : ''}Kernel question ${inReplyTo ?? id}`,
      `Message-ID: <${id}@batch.example.org>`,
      ...(inReplyTo ? [`In-Reply-To: <${inReplyTo}@batch.example.org>`, `References: <${inReplyTo}@batch.example.org>`] : []),
      `Date: ${new Date(Date.parse('2026-11-02T09:00:00Z') + n * 60_000).toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      body,
      '',
    ].join('\r\n'),
  );
}

/** A burst as the poller queues it: job id and payload per post, in mailbox order. */
function burst(ids: string[], from = 0): { jobId: string; data: PostJobData }[] {
  return ids.map((id, i) => {
    // Every other post replies to the one before it: threads are built inside the batch.
    const raw = mail(id, from + i, undefined, i % 2 ? ids[i - 1] : undefined);
    const messageId = `<${id}@batch.example.org>`;
    return {
      jobId: postJobId(LIST, messageId, raw),
      data: { list: LIST, messageId, raw: raw.toString('base64'), source: { mailbox: 'INBOX', uidValidity: '1', uid: from + i + 1 }, seenAt: Date.now() },
    };
  });
}

interface Parts {
  r: TestRedis;
  queues: Queues;
  store: RedisThreadStore;
  worker: PostWorker;
  /** Message-IDs whose processing throws (a bug, a rule gone wrong) while they are in here. */
  poisoned: Set<string>;
}

/** A real worker (BullMQ, the Redis store) whose pipeline throws for the posts in `poisoned`. */
async function withWorker(fn: (p: Parts) => Promise<void>, opts: { hashTag?: boolean } = {}): Promise<void> {
  const r = await testRedis('lwbatch', opts);
  const cfg = parseDaemonConfigText(
    `lists:
  - id: ${LIST}
    description: "A Linux users group: kernels, distributions, shells."
    terms: [linux, kernel, debian, shell]
redis:
  prefix: "${r.prefix}"
worker:
  concurrency: 2
  attempts: 3
  backoffMs: 20
  lockMs: 2000
`,
    '(test)',
  );
  const bull = connectRedis({ url: cfg.redis.url, name: `${r.prefix}:bull`, maxRetriesPerRequest: null });
  const redis = connectRedis({ url: cfg.redis.url, name: `${r.prefix}:store`, autoPipelining: true });
  const store = new RedisThreadStore(redis, { prefix: r.prefix });
  const saves = store.deferring();
  const base = createPipeline(cfg.config, { store: saves, log: quiet });
  const poisoned = new Set<string>();
  const pipeline: Pipeline = {
    ...base,
    async processPost(post, o) {
      if (poisoned.has(post.messageId)) throw new Error(`poisoned for the test: ${post.messageId}`);
      return base.processPost(post, o);
    },
  };
  const queues = new Queues({ connection: bull, prefix: r.prefix, worker: cfg.worker });
  const worker = new PostWorker({ connection: bull, prefix: r.prefix, worker: cfg.worker, queues, store, saves, pipeline: () => pipeline, log: quiet, stalledIntervalMs: 500 });
  try {
    await fn({ r, queues, store, worker, poisoned });
  } finally {
    await worker.close();
    await queues.close();
    await Promise.all([bull.quit(), redis.quit()]);
    await r.cleanup();
  }
}

async function idle(queues: Queues): Promise<void> {
  await waitFor('the posts queue to drain', async () => {
    const c = await queues.posts.getJobCounts('waiting', 'active', 'delayed');
    return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) === 0;
  });
}

function assertOncePerPost(counts: Map<string, number>, ids: string[]): void {
  assert.deepEqual([...counts].filter(([, n]) => n > 1), [], 'no post has two verdicts');
  assert.deepEqual(ids.filter((id) => !counts.has(`<${id}@batch.example.org>`)), [], 'every post has a verdict');
  assert.equal(counts.size, ids.length, 'no verdict for a post that was not queued');
}

test('planJobs: a burst becomes batches of consecutive posts; a lone post stays a post job; ids are stable', () => {
  const posts = burst(Array.from({ length: BATCH_MAX_POSTS + 3 }, (_, i) => `plan-${i}`));
  const jobs = planJobs(posts);
  assert.deepEqual(jobs.map((j) => j.name), ['batch', 'batch']);
  const [first, second] = jobs as [Extract<(typeof jobs)[number], { name: 'batch' }>, Extract<(typeof jobs)[number], { name: 'batch' }>];
  assert.equal(first.data.posts.length, BATCH_MAX_POSTS);
  assert.equal(second.data.posts.length, 3);
  assert.equal(first.jobId, batchJobId(LIST, posts.slice(0, BATCH_MAX_POSTS).map((p) => p.jobId)));
  assert.deepEqual(planJobs(posts).map((j) => j.jobId), jobs.map((j) => j.jobId), 'the same burst, the same ids');
  assert.doesNotMatch(first.jobId, /:/);
  // Each post keeps its own job id, for when it is split out.
  assert.deepEqual(first.data.posts.map((p) => p.jobId), posts.slice(0, BATCH_MAX_POSTS).map((p) => p.jobId));

  const one = planJobs(posts.slice(0, 1));
  assert.deepEqual(one.map((j) => [j.name, j.jobId]), [['post', posts[0]!.jobId]]);
  assert.equal('posts' in one[0]!.data, false);

  // A redelivered post (same job id twice in the burst) is queued once; a batch never spans two lists.
  const twice = planJobs([posts[0]!, posts[1]!, posts[0]!]);
  assert.equal(twice.length, 1);
  assert.equal((twice[0]!.data as BatchJobData).posts.length, 2);
  const other = { ...posts[2]!, data: { ...posts[2]!.data, list: 'beta' } };
  assert.deepEqual(planJobs([posts[0]!, posts[1]!, other]).map((j) => j.name), ['batch', 'post']);
  // Bytes bound a batch too: one post per job when each is larger than half the bound.
  const big = posts.slice(0, 3).map((p) => ({ ...p, data: { ...p.data, raw: 'x'.repeat(1_100_000) } }));
  assert.deepEqual(planJobs(big).map((j) => j.name), ['post', 'post', 'post']);
});

test('a batch with one failing post: the others get their verdicts, the bad one lands alone in the failed set, retry works', { timeout: 60_000 }, async () => {
  await withWorker(async ({ r, queues, store, poisoned }) => {
    const ids = Array.from({ length: 8 }, (_, i) => `poison-${i}`);
    const posts = burst(ids);
    const bad = posts[4]!;
    poisoned.add(bad.data.messageId!);
    await queues.addPosts(posts);
    const [job] = planJobs(posts);
    assert.equal(job?.name, 'batch');

    await waitFor('the good posts decided and the bad one failed for good', async () => (await store.verdictCount(LIST)) === 7 && (await queues.failed()).length === 1);
    await idle(queues);
    const failed = await queues.failed();
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.jobId, bad.jobId, 'the failed entry is the post, under its own job id');
    assert.equal(failed[0]!.messageId, bad.data.messageId);
    assert.equal(failed[0]!.batch, undefined);
    assert.equal(failed[0]!.attempts, 3, 'it went through its retries alone');
    assert.match(failed[0]!.reason, /poisoned for the test/);
    assertOncePerPost(await verdictCounts(r.redis, r.prefix), ids.filter((id) => id !== 'poison-4'));

    // The batch itself completed, and what is kept of it is small.
    const batchJob = await queues.posts.getJob(job!.jobId);
    assert.equal(await batchJob?.getState(), 'completed');
    assert.deepEqual(batchJob?.data, { list: LIST, posts: [], done: 8 });
    assert.deepEqual(batchJob?.returnvalue, { status: 'batch', list: LIST, posts: 8, verdicts: 7, already: 0, split: 1 });

    // The cause fixed, the operator re-queues it: it gets its verdict, once.
    poisoned.clear();
    assert.deepEqual(await queues.retry([bad.jobId, 'p-not-a-job']), [bad.jobId]);
    await waitFor('the retried post decided', async () => (await store.verdictCount(LIST)) === 8);
    await idle(queues);
    assert.deepEqual(await queues.failed(), []);
    assertOncePerPost(await verdictCounts(r.redis, r.prefix), ids);
  });
});

test('a re-poll of the same burst adds nothing; an overlapping burst decides only the new posts', { timeout: 60_000 }, async () => {
  await withWorker(async ({ r, queues, store }) => {
    const ids = Array.from({ length: 10 }, (_, i) => `repoll-${i}`);
    const first = burst(ids.slice(0, 6));
    await queues.addPosts(first);
    await waitFor('6 verdicts', async () => (await store.verdictCount(LIST)) === 6);
    await idle(queues);
    const jobsBefore = await queues.posts.getJobCounts('completed');

    // The same burst again (a crash before the checkpoint moved, a second poller): the batch id exists, nothing is added.
    await queues.addPosts(first);
    assert.deepEqual(await queues.posts.getJobCounts('completed', 'waiting', 'active'), { ...jobsBefore, waiting: 0, active: 0 });

    // A burst that overlaps it (the poller re-read from an older checkpoint): a new batch, whose old posts are recognised.
    await queues.addPosts(burst(ids.slice(3), 3));
    await waitFor('10 verdicts', async () => (await store.verdictCount(LIST)) === 10);
    await idle(queues);
    await new Promise((res) => setTimeout(res, 300)); // room for a duplicate to show up, if there were one
    assertOncePerPost(await verdictCounts(r.redis, r.prefix), ids);
    const batches = (await queues.posts.getCompleted()).map((j) => j.returnvalue as { verdicts: number; already: number });
    assert.deepEqual(batches.map((b) => [b.verdicts, b.already]).sort(), [[4, 3], [6, 0]]);
  });
});

test('a {hash-tag} prefix (as on Redis Cluster): every key listwarden and BullMQ write is under the tag; each post one verdict', { timeout: 60_000 }, async () => {
  await withWorker(
    async ({ r, queues, store }) => {
      assert.match(r.prefix, /^\{lwbatch-[0-9a-f]+\}$/);
      const ids = Array.from({ length: 8 }, (_, i) => `tag-${i}`);
      await queues.addPosts(burst(ids.slice(0, 5)));
      await queues.addPosts(burst(ids.slice(5), 5));
      await waitFor('8 verdicts', async () => (await store.verdictCount(LIST)) === 8);
      await idle(queues);
      assertOncePerPost(await verdictCounts(r.redis, r.prefix), ids);
      // Replies found their parents: every other post joined the thread of the one before it.
      for (let i = 1; i < 5; i += 2) assert.equal(await store.threadOfMessage(LIST, `<${ids[i]}@batch.example.org>`), `<${ids[i - 1]}@batch.example.org>`);
      // Cluster hashes only what is inside the braces: every key must start with the tag, or a script would cross slots.
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await r.redis.scan(cursor, 'MATCH', `*${r.prefix.slice(1, -1)}*`, 'COUNT', 1000);
        cursor = next;
        keys.push(...found);
      } while (cursor !== '0');
      assert.ok(keys.length > 5, `keys written: ${keys.join(', ')}`);
      assert.deepEqual(keys.filter((k) => !k.startsWith(`${r.prefix}:`)), [], 'no key outside the hash tag');
      assert.ok(keys.some((k) => k.startsWith(`${r.prefix}:posts:`)), 'BullMQ keys under the tag');
      assert.ok(keys.some((k) => k.startsWith(`${r.prefix}:lw:`) || k.startsWith(`${r.prefix}:thread:`)), 'listwarden keys under the tag');
    },
    { hashTag: true },
  );
});

test('a batch run again (after a failure or a killed worker) is split into post jobs: each post one verdict', { timeout: 60_000 }, async () => {
  await withWorker(async ({ r, queues, store, worker }) => {
    const ids = Array.from({ length: 6 }, (_, i) => `rerun-${i}`);
    const posts = burst(ids);
    const [planned] = planJobs(posts);
    // The first run decided two posts before its worker died.
    await queues.addPosts(posts.slice(0, 2));
    await waitFor('2 verdicts', async () => (await store.verdictCount(LIST)) === 2);

    let kept: unknown;
    const rerun = { id: planned!.jobId, data: planned!.data, attemptsStarted: 2, stalledCounter: 1, updateData: async (d: unknown) => void (kept = d) };
    const res = await worker.process(rerun as unknown as Job<BatchJobData>);
    assert.deepEqual(res, { status: 'batch', list: LIST, posts: 6, verdicts: 0, already: 0, split: 6 });
    assert.deepEqual(kept, { list: LIST, posts: [], done: 6 });
    await waitFor('6 verdicts', async () => (await store.verdictCount(LIST)) === 6);
    await idle(queues);
    assertOncePerPost(await verdictCounts(r.redis, r.prefix), ids);
    for (const p of posts.slice(2)) assert.equal((await queues.posts.getJob(p.jobId))?.name, 'post', 'split out under its own id');
  });
});

test('jobs of one process decided in one run: a failing post fails its own job only', { timeout: 60_000 }, async () => {
  await withWorker(async ({ r, store, worker, poisoned }) => {
    const ids = ['run-0', 'run-1', 'run-2', 'run-3'];
    const posts = burst(ids);
    poisoned.add(posts[2]!.data.messageId!);
    const job = (p: (typeof posts)[number]): Job<PostsJobData> => ({ id: p.jobId, data: p.data, attemptsStarted: 1, stalledCounter: 0 }) as unknown as Job<PostsJobData>;
    // Handed over at once: the first starts a run, the others wait for it and are decided together in the next.
    const settled = await Promise.allSettled(posts.map((p) => worker.process(job(p))));
    assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    assert.match(String((settled[2] as PromiseRejectedResult).reason), /poisoned for the test/);
    assert.equal(await store.verdictCount(LIST), 3);
    assertOncePerPost(await verdictCounts(r.redis, r.prefix), ['run-0', 'run-1', 'run-3']);
    // run-1 replies to run-0, run-3 to run-2 (not decided): each placed as replay would place it.
    assert.equal((await store.verdictOf(LIST, '<run-1@batch.example.org>'))?.threadId, '<run-0@batch.example.org>');
    assert.equal((await store.verdictOf(LIST, '<run-3@batch.example.org>'))?.threadId, '<run-2@batch.example.org>');
  });
});

test('a thread moved on by another process while a run is placed: its posts are placed again, once each', { timeout: 60_000 }, async () => {
  await withWorker(async ({ r, store, worker }) => {
    const [root, ...replies] = burst(['moved-0', 'moved-1', 'moved-2']);
    const job = (data: PostsJobData, id: string): Job<PostsJobData> => ({ id, data, attemptsStarted: 1, stalledCounter: 0, updateData: async () => undefined }) as unknown as Job<PostsJobData>;
    await worker.process(job(root!.data, root!.jobId));
    const threadKey = `${store.keyPrefix}:thread:${LIST}:<moved-0@batch.example.org>`;
    // Just before the worker's first commit of the replies, "another worker" adds a post to their thread.
    const commitMany = store.commitMany.bind(store);
    let moved = false;
    store.commitMany = (async (entries: Parameters<typeof commitMany>[0]) => {
      if (!moved) {
        moved = true;
        const t = JSON.parse((await r.redis.hget(threadKey, 'json'))!) as { postCount: number };
        await store.save({ ...t, postCount: t.postCount + 1 } as never, '<elsewhere@batch.example.org>', '', t.postCount);
      }
      return commitMany(entries);
    }) as typeof store.commitMany;
    // moved-2 replies to moved-1 (see burst): both on the moved thread, in one batch.
    const [planned] = planJobs(replies.map((p, i) => ({ ...p, data: { ...p.data, raw: mail(`moved-${i + 1}`, i + 1, undefined, i ? 'moved-1' : 'moved-0').toString('base64') } })));
    const res = await worker.process(job(planned!.data, planned!.jobId));
    assert.equal(moved, true);
    assert.deepEqual(res, { status: 'batch', list: LIST, posts: 2, verdicts: 2, already: 0, split: 0 });
    assert.equal((JSON.parse((await r.redis.hget(threadKey, 'json'))!) as { postCount: number }).postCount, 4, 'root, the other worker\'s post, and both replies');
    assertOncePerPost(await verdictCounts(r.redis, r.prefix), ['moved-0', 'moved-1', 'moved-2']);
  });
});
