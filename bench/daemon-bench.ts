// Daemon figures: EXISTS→verdict and APPEND→verdict over loopback Dovecot (IDLE), posts/s through BullMQ vs replay.
//   node --import tsx bench/daemon-bench.ts [--posts 600] [--concurrency 8] [--workers 1,2] [--live-workers 2]
//     [--repeat 3] [--pace-ms 20] [--keep-completed 100] [--batch 50] [--skip-live] [--json]
// LISTWARDEN_WORKER_LOG=FILE (and LISTWARDEN_WORKER_LOG_LEVEL) keeps the workers' logs; LISTWARDEN_WORKER_PROF=FILE
// writes a CPU profile of each worker's measured part.
// --workers: worker processes (`listwarden run --role worker`, one Redis) per throughput run; --live-workers: worker
// processes beside the poller in the live run (0: one process with --role all); --batch: the most posts a batch job
// carries in the throughput runs (as the poller queues a burst; 1: a job per post, as before batches).

import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateArchive } from './generate-archive.js';
import { benchConfigText, mb, pct, prefixMemory, daemonNodeFlags, redisCpuMs, replayNodeFlags, splitMbox, usedMemory, type ReplayMessage, type WorkerMessage } from './daemon-common.js';
import { startDovecot } from '../test/helpers/dovecot.js';
import { testRedis } from '../test/helpers/redis.js';
import { createLogger } from '../src/log.js';
import { RedisThreadStore } from '../src/threads/redis-store.js';
import { parseDaemonConfigText } from '../src/daemon/config.js';
import { runDaemon, type Role } from '../src/daemon/index.js';
import { Queues } from '../src/queue/queues.js';
import { connectRedis } from '../src/queue/redis.js';
import { BATCH_MAX_POSTS, postJobId, type PostJobData } from '../src/queue/jobs.js';
import { headerMessageId } from '../src/ingest/imap/compact.js';
import { ImapSession } from '../src/ingest/imap/imapflow-adapter.js';

const { values } = parseArgs({
  options: {
    posts: { type: 'string', default: '600' },
    concurrency: { type: 'string', default: '8' },
    workers: { type: 'string', default: `1,${Math.max(2, availableParallelism())}` },
    'live-workers': { type: 'string', default: String(Math.max(2, availableParallelism())) },
    'pace-ms': { type: 'string', default: '20' },
    'keep-completed': { type: 'string', default: '100' },
    batch: { type: 'string', default: String(BATCH_MAX_POSTS) },
    repeat: { type: 'string', default: '3' },
    'skip-live': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(values.posts);
const concurrency = Number(values.concurrency);
const workerCounts = values.workers.split(',').map(Number).filter((n) => n > 0);
const liveWorkers = Number(values['live-workers']);
const paceMs = Number(values['pace-ms']);
const keepCompleted = Number(values['keep-completed']);
const repeat = Math.max(1, Number(values.repeat));
const batch = Math.max(1, Number(values.batch));
const log = createLogger(process.env.LISTWARDEN_LOG_LEVEL ?? 'warn');
const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));
const say = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

mkdirSync('.bench', { recursive: true });
const archive = join('.bench', `daemon-archive-${N}.mbox`);
if (!existsSync(archive)) await generateArchive(archive, N, { seed: 7 });
const raws = splitMbox(readFileSync(archive, 'utf8')).slice(0, N);
const dir = mkdtempSync(join(tmpdir(), 'lw-bench-'));
// Worker and replay processes run the compiled code, each under the V8 flags it ships with: replay those of the
// `listwarden` bin, workers those of the systemd unit (LISTWARDEN_BENCH_CODE=src: src/ through tsx, markedly slower).
const code = process.env.LISTWARDEN_BENCH_CODE === 'src' ? 'src' : 'dist';
if (code === 'dist' && !process.env.LISTWARDEN_BENCH_BUILT) execFileSync('npm', ['run', 'build', '--silent']);
const workerFlags = daemonNodeFlags();
const replayFlags = replayNodeFlags();
const flagsText = (f: string[]): string => f.join(' ') || "Node's default flags";
const childEnv = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ ...env, LISTWARDEN_BENCH_CODE: code });
say(`daemon bench: ${raws.length} posts, worker concurrency ${concurrency}, ${code} code; workers: ${flagsText(workerFlags)}; replay: ${flagsText(replayFlags)}`);

/** Worker processes running the real daemon (role worker) on a config; resolves once all are ready. */
async function startWorkers(n: number, configPath: string, env: NodeJS.ProcessEnv): Promise<{ cpu(): Promise<number>; maxRssMB(): number; stop(): Promise<void> }> {
  const children: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const child = fork(join(import.meta.dirname, 'daemon-worker.ts'), [configPath, archive], {
      execArgv: [...workerFlags, '--import', 'tsx'],
      env: { ...childEnv(env), LISTWARDEN_LOG_LEVEL: process.env.LISTWARDEN_WORKER_LOG_LEVEL ?? 'info', LISTWARDEN_BENCH_BATCH: String(batch) },
      // Workers log at info as in production (one line per verdict); the lines themselves are not kept.
      stdio: ['ignore', 'ignore', process.env.LISTWARDEN_WORKER_LOG ? 'pipe' : 'ignore', 'ipc'],
    });
    // For a look at what the workers did (e.g. LISTWARDEN_WORKER_LOG_LEVEL=debug): their log lines to a file.
    if (process.env.LISTWARDEN_WORKER_LOG) child.stderr?.pipe(createWriteStream(`${process.env.LISTWARDEN_WORKER_LOG}.${i}`));
    children.push(child);
    ready.push(
      new Promise((resolve, reject) => {
        child.on('message', (m: WorkerMessage) => m.type === 'ready' && resolve());
        child.once('exit', (code) => reject(new Error(`bench worker exited (${code}) before it was ready`)));
      }),
    );
  }
  await Promise.all(ready);
  let maxRss = 0;
  return {
    /** The highest peak RSS of a worker process so far (as of the last CPU reading), MB. */
    maxRssMB: () => maxRss,
    /** The workers' CPU time so far, ms, summed. */
    async cpu() {
      const each = await Promise.all(
        children.map(
          (c) =>
            new Promise<number>((resolve) => {
              const on = (m: WorkerMessage): void => {
                if (m.type !== 'cpu') return;
                c.off('message', on);
                maxRss = Math.max(maxRss, m.maxRssMB);
                resolve(m.cpuMs);
              };
              c.on('message', on);
              c.send({ type: 'cpu' });
            }),
        ),
      );
      return each.reduce((a, b) => a + b, 0);
    },
    async stop() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              c.on('message', (m: WorkerMessage) => m.type === 'stopped' && resolve());
              c.once('exit', () => resolve());
              c.send({ type: 'stop' });
            }),
        ),
      );
      for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    },
  };
}

// 1. In-process replay: the same pipeline, memory store, one post after another, in a process of its own (see
// bench/daemon-replay.ts), warmed up on the whole archive first as the worker processes are.
const replayConfig = join(dir, 'replay.yaml');
writeFileSync(replayConfig, benchConfigText({ prefix: 'unused', concurrency, keepCompleted }));
const replayer = fork(join(import.meta.dirname, 'daemon-replay.ts'), [replayConfig, archive], {
  execArgv: [...replayFlags, '--import', 'tsx'],
  env: childEnv(process.env),
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
await new Promise<void>((resolve, reject) => {
  replayer.on('message', (m: ReplayMessage) => m.type === 'ready' && resolve());
  replayer.once('exit', (c) => reject(new Error(`bench replay process exited (${c}) before it was ready`)));
});
/** One replay of the archive from empty state: posts/s and CPU ms/post. */
function replayOnce(): Promise<{ rate: number; cpuMs: number }> {
  return new Promise((resolve) => {
    const on = (m: ReplayMessage): void => {
      if (m.type !== 'replayed') return;
      replayer.off('message', on);
      resolve({ rate: m.rate, cpuMs: m.cpuMs });
    };
    replayer.on('message', on);
    replayer.send({ type: 'replay' });
  });
}

// 2. Through BullMQ and the Redis store: W worker processes wait; the posts are queued in bursts of 50 (as the poller
// queues what one fetch brought: batch jobs of --batch posts) and the clock runs from the first add to the last
// verdict. Worker CPU is read just before the first add and after the last verdict. The machine is shared, so each run is
// framed by a replay just before and just after it, and its ratio is against their mean.
interface QueueRun {
  workers: number;
  rate: number;
  /** Replay posts/s around this run (mean of before and after). */
  replayRate: number;
  cpuMsPerPost: number;
  /** The Redis server's CPU time over the run, per post (anything else using that Redis meanwhile counts too). */
  redisCpuMsPerPost: number;
  /** Worker CPU time over wall time, per process (1 = a full core each). */
  busy: number;
  /** The highest peak RSS of a worker process (start-up and warm-up included), MB. */
  workerRssMB: number;
  /** The whole machine's CPU use over the run (0..1 of all cores; /proc/stat), NaN where it cannot be read. */
  machineBusy: number;
  prefixBytes: number;
  prefixKeys: number;
  usedMemoryDelta: number;
}
/** The machine's CPU time so far, in clock ticks: all of it, and all but idle and iowait (Linux /proc/stat). */
function machineTicks(): { total: number; busy: number } | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    return { total, busy: total - (f[3] ?? 0) - (f[4] ?? 0) };
  } catch {
    return undefined;
  }
}
async function queueRun(W: number): Promise<Omit<QueueRun, 'replayRate'>> {
  const r = await testRedis('lwbench');
  try {
    const cfgPath = join(dir, `queue-${W}.yaml`);
    writeFileSync(cfgPath, benchConfigText({ prefix: r.prefix, concurrency, keepCompleted }));
    const cfg = parseDaemonConfigText(readFileSync(cfgPath, 'utf8'), cfgPath);
    const before = await usedMemory(r.redis);
    const workers = await startWorkers(W, cfgPath, process.env);
    const bull = connectRedis({ url: cfg.redis.url, name: `${r.prefix}:bench`, maxRetriesPerRequest: null });
    const queues = new Queues({ connection: bull, prefix: r.prefix, worker: cfg.worker, batchMaxPosts: batch });
    const store = new RedisThreadStore(r.redis, { prefix: r.prefix });
    const now = Date.now();
    const jobs = raws.map((raw, i) => {
      const messageId = headerMessageId(raw);
      const data: PostJobData = { list: 'tlug', messageId, raw: raw.toString('base64'), source: { mailbox: 'bench', uidValidity: '1', uid: i + 1 }, seenAt: now };
      return { jobId: postJobId('tlug', messageId, raw), data };
    });
    const cpu0 = await workers.cpu();
    const redisCpu0 = await redisCpuMs(r.redis);
    const machine0 = machineTicks();
    const t1 = performance.now();
    for (let i = 0; i < jobs.length; i += 50) await queues.addPosts(jobs.slice(i, i + 50));
    while ((await store.verdictCount('tlug')) < raws.length) await sleep(10);
    const seconds = (performance.now() - t1) / 1000;
    const cpuMs = (await workers.cpu()) - cpu0;
    const redisCpu = (await redisCpuMs(r.redis)) - redisCpu0;
    const machine1 = machineTicks();
    await workers.stop();
    const mem = await prefixMemory(r.redis, r.prefix);
    const after = await usedMemory(r.redis);
    await queues.close();
    await bull.quit();
    return {
      workers: W,
      rate: raws.length / seconds,
      cpuMsPerPost: cpuMs / raws.length,
      redisCpuMsPerPost: redisCpu / raws.length,
      busy: cpuMs / 1000 / seconds / W,
      workerRssMB: workers.maxRssMB(),
      machineBusy: machine0 && machine1 ? (machine1.busy - machine0.busy) / (machine1.total - machine0.total) : NaN,
      prefixBytes: mem.bytes,
      prefixKeys: mem.keys,
      usedMemoryDelta: after - before,
    };
  } finally {
    await r.cleanup();
  }
}

const replays: { rate: number; cpuMs: number }[] = [];
const queueRuns: QueueRun[] = [];
for (let rep = 0; rep < repeat; rep++) {
  for (const W of workerCounts) {
    const before = await replayOnce();
    const q = await queueRun(W);
    const after = await replayOnce();
    replays.push(before, after);
    queueRuns.push({ ...q, replayRate: (before.rate + after.rate) / 2 });
    say(`  ${W} worker process(es): ${q.rate.toFixed(0)} posts/s; replay around it ${before.rate.toFixed(0)} → ${after.rate.toFixed(0)} posts/s`);
  }
}
const median = (xs: number[]): number => pct(xs, 50);
replayer.disconnect();
const replayRate = median(replays.map((r) => r.rate));
const replayCpuMs = median(replays.map((r) => r.cpuMs));

// 3. Live: APPEND to a loopback Dovecot; the daemon's poller (IDLE) queues, its workers decide.
const existsToVerdict: number[] = [];
const appendToVerdict: number[] = [];
let liveDecided = 0;
if (!values['skip-live']) {
  const dovecot = await startDovecot();
  const r = await testRedis('lwbench');
  try {
    const cfgPath = join(dir, 'live.yaml');
    writeFileSync(cfgPath, benchConfigText({ prefix: r.prefix, concurrency, keepCompleted, imap: { port: dovecot.port, user: dovecot.user } }));
    const env = { ...process.env, LW_BENCH_PASS: dovecot.pass };
    const workers = liveWorkers > 0 ? await startWorkers(liveWorkers, cfgPath, env) : undefined;
    const role: Role = workers ? 'poller' : 'all';
    const daemon = await runDaemon({ configPath: cfgPath, role, env, log, watchConfig: false });
    const client = await ImapSession.open({ host: '127.0.0.1', port: dovecot.port, secure: true, requireTls: true, tlsVerify: false, user: dovecot.user, pass: dovecot.pass, log });
    // Give the poller time to connect and enter IDLE.
    while (!(await daemon.health()).ok) await sleep(50);
    await sleep(300);
    const appendedAt = new Map<string, number>();
    for (const raw of raws) {
      const id = headerMessageId(raw);
      await client.append('INBOX', raw);
      if (id) appendedAt.set(id, Date.now());
      if (paceMs > 0) await sleep(paceMs);
    }
    await client.logout();
    const until = Date.now() + 120_000;
    while ((await daemon.store.verdictCount('tlug')) < raws.length && Date.now() < until) await sleep(50);
    for (const [id, at] of appendedAt) {
      const rec = await daemon.store.verdictOf('tlug', id);
      if (!rec) continue;
      liveDecided++;
      appendToVerdict.push(rec.at - at);
      if (rec.seenAt !== undefined) existsToVerdict.push(rec.at - rec.seenAt);
    }
    await daemon.stop();
    await workers?.stop();
  } finally {
    await r.cleanup();
    await dovecot.destroy();
  }
}
rmSync(dir, { recursive: true, force: true });

const lines = [
  `posts: ${raws.length} (generated archive, seed 7), worker concurrency ${concurrency}, ${availableParallelism()} cores (shared); ` +
    `${code} code; workers under ${flagsText(workerFlags)} (the systemd unit's), replay under ${flagsText(replayFlags)} (the bin's)`,
];
if (!values['skip-live']) {
  const how = liveWorkers > 0 ? `poller + ${liveWorkers} worker processes` : 'one process (role all)';
  lines.push(
    `EXISTS→verdict (listwarden's share, ${how}): p50 ${pct(existsToVerdict, 50)} ms, p99 ${pct(existsToVerdict, 99)} ms (n=${existsToVerdict.length}; target p50 ≤ 50, p99 ≤ 250)`,
    `APPEND→verdict (incl. Dovecot's IDLE notify delay): p50 ${pct(appendToVerdict, 50)} ms, p99 ${pct(appendToVerdict, 99)} ms${liveDecided < raws.length ? ` — only ${liveDecided} of ${raws.length} decided in time` : ''}`,
  );
}
lines.push(`in-process replay: ${replayRate.toFixed(0)} posts/s, ${replayCpuMs.toFixed(2)} CPU ms/post (median of ${replays.length} runs)`);
for (const W of workerCounts) {
  const runs = queueRuns.filter((q) => q.workers === W);
  const ratios = runs.map((q) => q.rate / q.replayRate);
  const m = (f: (q: QueueRun) => number): number => median(runs.map(f));
  lines.push(
    `through BullMQ + Redis store, ${W} worker process${W > 1 ? 'es' : ''}: ${m((q) => q.rate).toFixed(0)} posts/s, ` +
      `${median(ratios).toFixed(2)} of replay (median of ${runs.length}: ${ratios.map((x) => x.toFixed(2)).join(', ')}; target ≥ 0.8), ` +
      `${m((q) => q.cpuMsPerPost).toFixed(2)} worker CPU ms/post (+${(m((q) => q.cpuMsPerPost) - replayCpuMs).toFixed(2)} over replay's; Redis server ${m((q) => q.redisCpuMsPerPost).toFixed(2)}), workers ${(m((q) => q.busy) * 100).toFixed(0)}% busy (the machine: ${(m((q) => q.machineBusy) * 100).toFixed(0)}% of ${availableParallelism()} cores), peak RSS ${m((q) => q.workerRssMB).toFixed(0)} MB a process`,
  );
}
const mem = queueRuns[queueRuns.length - 1];
if (mem) {
  lines.push(
    `Redis after ${raws.length} posts: ${mb(mem.prefixBytes)} in ${mem.prefixKeys} keys under the run's prefix (completed jobs trimmed to ${keepCompleted}; ` +
      `thread state, indexes, verdicts kept); used_memory ${mem.usedMemoryDelta >= 0 ? '+' : ''}${mb(mem.usedMemoryDelta)}`,
  );
}
process.stdout.write(lines.join('\n') + '\n');
if (values.json) {
  process.stdout.write(
    JSON.stringify({
      posts: raws.length,
      concurrency,
      existsP50: pct(existsToVerdict, 50),
      existsP99: pct(existsToVerdict, 99),
      appendP50: pct(appendToVerdict, 50),
      appendP99: pct(appendToVerdict, 99),
      liveWorkers,
      replayRate,
      replayCpuMs,
      queueRuns,
    }) + '\n',
  );
}
process.exit(0);
