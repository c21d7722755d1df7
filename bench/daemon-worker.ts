// A worker process for the daemon bench: `listwarden run --role worker` as the daemon runs it, after a JIT warm-up.
// LISTWARDEN_BENCH_BATCH: the batch size the bench queues with (the warm-up uses it too).
//   node --import tsx bench/daemon-worker.ts CONFIG ARCHIVE   (started by bench/daemon-bench.ts, talks over IPC)

import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { Job } from 'bullmq';
import type { DaemonConfig } from '../src/daemon/index.js';
import { benchModule, collectGarbage, splitMbox, type WorkerMessage } from './daemon-common.js';

/** Posts the warm-up runs through the worker's path (at most: the archive may be shorter). */
const WARM_UP_POSTS = 2000;

const { createLogger } = await benchModule<typeof import('../src/log.js')>('log.js');
const { createPipeline } = await benchModule<typeof import('../src/pipeline/index.js')>('pipeline/index.js');
const { RedisThreadStore } = await benchModule<typeof import('../src/threads/redis-store.js')>('threads/redis-store.js');
const { loadDaemonConfig, runDaemon } = await benchModule<typeof import('../src/daemon/index.js')>('daemon/index.js');
const { headerMessageId } = await benchModule<typeof import('../src/ingest/imap/compact.js')>('ingest/imap/compact.js');
const { planJobs, postJobId } = await benchModule<typeof import('../src/queue/jobs.js')>('queue/jobs.js');
const { Queues } = await benchModule<typeof import('../src/queue/queues.js')>('queue/queues.js');
const { connectRedis } = await benchModule<typeof import('../src/queue/redis.js')>('queue/redis.js');
const { PostWorker } = await benchModule<typeof import('../src/queue/worker.js')>('queue/worker.js');

const [configPath, archive] = process.argv.slice(2);
if (!configPath || !archive || !process.send) {
  process.stderr.write('usage: started by bench/daemon-bench.ts with an IPC channel: daemon-worker.ts CONFIG ARCHIVE\n');
  process.exit(2);
}
const send = (m: WorkerMessage): void => {
  process.send?.(m);
};
const log = createLogger(process.env.LISTWARDEN_LOG_LEVEL ?? 'info');

/**
 * The warm-up: the archive once through the worker's own path (batch jobs, then its first posts as post jobs) on a
 * throwaway Redis prefix, as replay warms up on its own path, so both are measured warm. (Warmed on replay's path
 * instead, the worker's first posts re-optimise the code for the Redis store while they are measured.)
 */
async function warmUp(cfg: DaemonConfig, raws: Buffer[], batchMaxPosts: number | undefined): Promise<void> {
  const prefix = `${cfg.redis.prefix}-warm${process.pid}`;
  const redis = connectRedis({ url: cfg.redis.url, name: `${prefix}:store`, autoPipelining: true });
  const bull = connectRedis({ url: cfg.redis.url, name: `${prefix}:bull`, maxRetriesPerRequest: null });
  try {
    for (const [part, posts, maxPosts] of [['b', raws, batchMaxPosts], ['p', raws.slice(0, 500), 1]] as const) {
      const store = new RedisThreadStore(redis, { prefix: `${prefix}${part}` });
      const saves = store.deferring();
      const pipeline = createPipeline(cfg.config, { store: saves, log });
      const queues = new Queues({ connection: bull, prefix: `${prefix}${part}`, worker: cfg.worker });
      const worker = new PostWorker({ connection: bull, prefix: `${prefix}${part}`, worker: cfg.worker, queues, store, saves, pipeline: () => pipeline, log });
      const list = cfg.config.lists[0]!.id;
      const queued = posts.map((raw, i) => {
        const messageId = headerMessageId(raw);
        return { jobId: postJobId(list, messageId, raw), data: { list, messageId, raw: raw.toString('base64'), source: { mailbox: 'warm', uidValidity: '1', uid: i + 1 }, seenAt: Date.now() } };
      });
      for (const j of planJobs(queued, maxPosts)) {
        const job = { id: j.jobId, data: j.data, attemptsStarted: 1, stalledCounter: 0, updateData: async () => undefined };
        await worker.process(job as unknown as Job<typeof j.data>);
      }
      await worker.close();
      await queues.close();
    }
  } finally {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
    await Promise.all([redis.quit(), bull.quit()]);
  }
}
// The JIT is warm after a couple of thousand posts; the warm-up holds its posts' job data all at once, so a longer
// one only inflates the process's peak RSS.
await warmUp(await loadDaemonConfig(configPath, process.env), splitMbox(readFileSync(archive, 'utf8')).slice(0, WARM_UP_POSTS), Number(process.env.LISTWARDEN_BENCH_BATCH) || undefined);
collectGarbage();

// LISTWARDEN_WORKER_PROF=FILE: a CPU profile of the measured part (from the bench's first CPU reading to the stop)
// into FILE.<pid>.cpuprofile.
const profFile = process.env.LISTWARDEN_WORKER_PROF;
const inspector = profFile ? new Session() : undefined;
if (inspector) {
  inspector.connect();
  await inspector.post('Profiler.enable');
  // 100 µs between samples, not the default 1 ms: a few thousand posts then give a profile worth reading.
  await inspector.post('Profiler.setSamplingInterval', { interval: 100 });
}
let profiling = false;

const daemon = await runDaemon({ configPath, role: 'worker', log, watchConfig: false });
send({ type: 'ready' });
const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

// The bench gone (it exited or crashed) means nobody will ask this worker to stop: stop now rather than linger.
process.on('disconnect', () => {
  void daemon.stop().finally(() => process.exit(0));
});

// The bench reads each worker's CPU time just before it queues the posts and again after the last verdict: the
// difference is what deciding them cost (start-up and shutdown are left out, as replay's are).
process.on('message', (m: { type?: string }) => {
  if (m.type === 'cpu') {
    const reading = cpuMs();
    if (inspector && !profiling) {
      profiling = true;
      void inspector.post('Profiler.start');
    }
    send({ type: 'cpu', cpuMs: reading, maxRssMB: process.resourceUsage().maxRSS / 1024 });
    return;
  }
  if (m.type !== 'stop') return;
  void daemon.stop().then(async () => {
    if (inspector && profiling) {
      const { profile } = await inspector.post('Profiler.stop');
      writeFileSync(`${profFile}.${process.pid}.cpuprofile`, JSON.stringify(profile));
    }
    send({ type: 'stopped' });
    process.disconnect();
  });
});
