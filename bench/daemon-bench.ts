// Daemon figures: EXISTS→verdict and APPEND→verdict over loopback Dovecot (IDLE), and posts/s through BullMQ vs in-process.
//   node --import tsx bench/daemon-bench.ts [--posts 600] [--concurrency 4] [--pace-ms 20]

import { existsSync, mkdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { generateArchive } from './generate-archive.js';
import { startDovecot } from '../test/helpers/dovecot.js';
import { testRedis } from '../test/helpers/redis.js';
import { createLogger } from '../src/log.js';
import { createPipeline } from '../src/pipeline/index.js';
import { MemoryThreadStore } from '../src/threads/memory-store.js';
import { RedisThreadStore } from '../src/threads/redis-store.js';
import { parseDaemonConfigText } from '../src/daemon/config.js';
import { runDaemon } from '../src/daemon/index.js';
import { Queues } from '../src/queue/queues.js';
import { PostWorker } from '../src/queue/worker.js';
import { connectRedis } from '../src/queue/redis.js';
import { postJobId, type PostJobData } from '../src/queue/jobs.js';
import { headerMessageId } from '../src/ingest/imap/compact.js';
import { ImapSession } from '../src/ingest/imap/imapflow-adapter.js';

const { values } = parseArgs({
  options: {
    posts: { type: 'string', default: '600' },
    concurrency: { type: 'string', default: '4' },
    'pace-ms': { type: 'string', default: '20' },
  },
});
const N = Number(values.posts);
const concurrency = Number(values.concurrency);
const paceMs = Number(values['pace-ms']);
const log = createLogger(process.env.LISTWARDEN_LOG_LEVEL ?? 'warn');

/** Splits an mbox into raw messages (From_ lines dropped, >From unescaped), CRLF line ends as IMAP wants. */
function splitMbox(text: string): Buffer[] {
  const out: Buffer[] = [];
  let cur: string[] | undefined;
  const flush = (): void => {
    if (cur) out.push(Buffer.from(cur.join('\r\n').replace(/(\r\n)+$/, '') + '\r\n'));
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('From ')) {
      flush();
      cur = [];
    } else if (cur) cur.push(line.replace(/^>(>*From )/, '$1'));
  }
  flush();
  return out;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};
const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`;

async function usedMemory(redis: ReturnType<typeof connectRedis>): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

function configText(prefix: string, imap?: { port: number; user: string }): string {
  return `lists:
  - id: tlug
    listId: tlug.tlug.example.jp
    description: "Tokyo Linux Users Group: Linux, free software, Japanese input, hardware."
    terms: [linux, kernel, debian, emacs, ubuntu, shell]
${imap ? `    imap:
      host: 127.0.0.1
      port: ${imap.port}
      tlsVerify: false
      user: ${imap.user}
      passEnv: LW_BENCH_PASS
      checkSeconds: 30
` : ''}redis:
  prefix: ${prefix}
worker:
  concurrency: ${concurrency}
  keepCompleted: 100
`;
}

mkdirSync('.bench', { recursive: true });
const archive = join('.bench', `daemon-archive-${N}.mbox`);
if (!existsSync(archive)) await generateArchive(archive, N, { seed: 7 });
const raws = splitMbox(readFileSync(archive, 'utf8')).slice(0, N);
process.stderr.write(`daemon bench: ${raws.length} posts, worker concurrency ${concurrency}\n`);

// 1. In-process replay: the same pipeline, memory store, one post after another.
const base = parseDaemonConfigText(configText('unused'), '(bench)');
{
  const p = createPipeline(base.config, { store: new MemoryThreadStore(), log });
  for (const raw of raws.slice(0, 50)) await p.processRaw(raw); // warm-up (JIT, rule compilation)
}
const replayPipeline = createPipeline(base.config, { store: new MemoryThreadStore(), log });
const t0 = performance.now();
for (const raw of raws) await replayPipeline.processRaw(raw);
const replaySeconds = (performance.now() - t0) / 1000;
const replayRate = raws.length / replaySeconds;

// 2. Through BullMQ and the Redis store: all jobs queued first, then the worker drains them.
const r1 = await testRedis('lwbench');
let queueRate = 0;
let redisAfterQueue = 0;
let redisBefore = 0;
{
  const cfg = parseDaemonConfigText(configText(r1.prefix), '(bench)');
  const bull = connectRedis({ url: cfg.redis.url, name: `${r1.prefix}:bench`, maxRetriesPerRequest: null });
  const redis = connectRedis({ url: cfg.redis.url, name: `${r1.prefix}:bench-store` });
  redisBefore = await usedMemory(redis);
  const queues = new Queues({ connection: bull, prefix: r1.prefix, worker: cfg.worker });
  const store = new RedisThreadStore(redis, { prefix: r1.prefix });
  const saves = store.deferring();
  const pipeline = createPipeline(cfg.config, { store: saves, log });
  const now = Date.now();
  for (const [i, raw] of raws.entries()) {
    const messageId = headerMessageId(raw);
    const data: PostJobData = { list: 'tlug', messageId, raw: raw.toString('base64'), source: { mailbox: 'bench', uidValidity: '1', uid: i + 1 }, seenAt: now };
    await queues.addPost(postJobId('tlug', messageId, raw), data);
  }
  const t1 = performance.now();
  const worker = new PostWorker({ connection: bull, prefix: r1.prefix, worker: cfg.worker, queues, store, saves, pipeline: () => pipeline, log });
  while ((await store.verdictCount('tlug')) < raws.length) await new Promise((res) => setTimeout(res, 20));
  const seconds = (performance.now() - t1) / 1000;
  queueRate = raws.length / seconds;
  redisAfterQueue = await usedMemory(redis);
  await worker.close();
  await queues.close();
  await Promise.all([bull.quit(), redis.quit()]);
}
await r1.cleanup();

// 3. Live: APPEND to a loopback Dovecot, the daemon (poller + worker, IDLE) decides.
const dovecot = await startDovecot();
const r2 = await testRedis('lwbench');
const dir = mkdtempSync(join(tmpdir(), 'lw-bench-'));
const existsToVerdict: number[] = [];
const appendToVerdict: number[] = [];
try {
  const cfgPath = join(dir, 'bench.yaml');
  writeFileSync(cfgPath, configText(r2.prefix, { port: dovecot.port, user: dovecot.user }));
  const daemon = await runDaemon({ configPath: cfgPath, env: { ...process.env, LW_BENCH_PASS: dovecot.pass }, log, watchConfig: false });
  const client = await ImapSession.open({ host: '127.0.0.1', port: dovecot.port, secure: true, requireTls: true, tlsVerify: false, user: dovecot.user, pass: dovecot.pass, log });
  // Give the poller time to connect and enter IDLE.
  while (!(await daemon.health()).ok) await new Promise((res) => setTimeout(res, 50));
  await new Promise((res) => setTimeout(res, 300));
  const appendedAt = new Map<string, number>();
  for (const raw of raws) {
    const id = headerMessageId(raw);
    await client.append('INBOX', raw);
    if (id) appendedAt.set(id, Date.now());
    if (paceMs > 0) await new Promise((res) => setTimeout(res, paceMs));
  }
  await client.logout();
  const until = Date.now() + 120_000;
  while ((await daemon.store.verdictCount('tlug')) < raws.length && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
  for (const [id, at] of appendedAt) {
    const rec = await daemon.store.verdictOf('tlug', id);
    if (!rec) continue;
    appendToVerdict.push(rec.at - at);
    if (rec.seenAt !== undefined) existsToVerdict.push(rec.at - rec.seenAt);
  }
  await daemon.stop();
} finally {
  await r2.cleanup();
  await dovecot.destroy();
  rmSync(dir, { recursive: true, force: true });
}

const lines = [
  `posts: ${raws.length} (generated archive, seed 7), worker concurrency ${concurrency}, 2 cores shared`,
  `EXISTS→verdict (listwarden's share): p50 ${pct(existsToVerdict, 50)} ms, p99 ${pct(existsToVerdict, 99)} ms (n=${existsToVerdict.length})`,
  `APPEND→verdict (incl. Dovecot's IDLE notify delay): p50 ${pct(appendToVerdict, 50)} ms, p99 ${pct(appendToVerdict, 99)} ms`,
  `in-process replay: ${replayRate.toFixed(0)} posts/s; through BullMQ + Redis store: ${queueRate.toFixed(0)} posts/s (${(queueRate / replayRate).toFixed(2)} of replay)`,
  `Redis used_memory: ${mb(redisBefore)} before, ${mb(redisAfterQueue)} after ${raws.length} posts (+${mb(redisAfterQueue - redisBefore)}; completed jobs trimmed to ${100})`,
];
process.stdout.write(lines.join('\n') + '\n');
process.stdout.write(JSON.stringify({ posts: raws.length, existsP50: pct(existsToVerdict, 50), existsP99: pct(existsToVerdict, 99), appendP50: pct(appendToVerdict, 50), appendP99: pct(appendToVerdict, 99), replayRate, queueRate, redisDeltaBytes: redisAfterQueue - redisBefore }) + '\n');
process.exit(0);
