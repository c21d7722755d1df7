// The live daemon: IMAP pollers → BullMQ `posts` → workers running the shared pipeline; reload, health, shutdown.

import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { imapPassword } from '../config/daemon-schema.js';
import { CheckpointStore } from '../ingest/imap/checkpoint.js';
import { MailboxPoller } from '../ingest/imap/poller.js';
import { log as rootLog } from '../log.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { createPipeline, type Pipeline } from '../pipeline/index.js';
import { Queues } from '../queue/queues.js';
import { connectRedis, describeRedis, type Redis } from '../queue/redis.js';
import { PostWorker } from '../queue/worker.js';
import { RedisThreadStore, type DeferredSaves } from '../threads/redis-store.js';
import { loadDaemonConfig, type DaemonConfig } from './config.js';
import { startHttp, type Health, type HttpHandle } from './http.js';
import { notifierConfigOf, startNotify, type NotifyRuntime } from '../notify/index.js';

export type Role = 'poller' | 'worker' | 'all';
export const ROLES: readonly Role[] = ['poller', 'worker', 'all'];

export interface RunDaemonOptions {
  configPath: string;
  /** Default 'all'. */
  role?: Role;
  log?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Exit on SIGTERM/SIGINT after a clean stop (default false: the caller stops the handle). */
  handleSignals?: boolean;
  /** Watch the config file and swap in a valid new one (default true). */
  watchConfig?: boolean;
  /** Overrides http.port (0: any free port); without http config and without this, no HTTP server. */
  httpPort?: number;
  /** Stalled-job check period (tests make it short). */
  stalledIntervalMs?: number;
  /** IMAP reconnect backoff (tests make it short). */
  imapBackoffMs?: { min: number; max: number };
}

export interface DaemonHandle {
  readonly role: Role;
  /** The config in force (swapped on reload). */
  readonly config: DaemonConfig;
  readonly httpPort: number | undefined;
  readonly store: RedisThreadStore;
  readonly queues: Queues;
  readonly metrics: Metrics;
  health(): Promise<Health>;
  /** Re-reads the config file; false (old config kept, error logged) when it is invalid. */
  reload(): Promise<boolean>;
  /** Finishes in-flight work, closes IMAP, Redis and HTTP. Idempotent. */
  stop(): Promise<void>;
  /** Resolves once stopped. */
  readonly stopped: Promise<void>;
}

export async function runDaemon(opts: RunDaemonOptions): Promise<DaemonHandle> {
  const role = opts.role ?? 'all';
  const env = opts.env ?? process.env;
  const configPath = resolve(opts.configPath);
  const log = (opts.log ?? rootLog()).child({ role });
  let current = await loadDaemonConfig(configPath, env);
  const { redis: redisCfg, worker: workerCfg } = current;

  const redis: Redis = connectRedis({ url: redisCfg.url, sentinel: redisCfg.sentinel, name: `${redisCfg.prefix}:listwarden-${role}`, autoPipelining: true });
  const bull: Redis = connectRedis({ url: redisCfg.url, sentinel: redisCfg.sentinel, name: `${redisCfg.prefix}:listwarden-bull-${role}`, maxRetriesPerRequest: null });
  const store = new RedisThreadStore(redis, { prefix: redisCfg.prefix, threadTtlDays: redisCfg.keepDays });
  const saves: DeferredSaves = store.deferring();
  const checkpoints = new CheckpointStore(redis, redisCfg.prefix);
  const queues = new Queues({ connection: bull, prefix: redisCfg.prefix, worker: workerCfg });
  const metrics = createMetrics({ queueCounts: () => queues.counts() });

  const makePipeline = (c: DaemonConfig): Pipeline => createPipeline(c.config, { store: saves, log });
  let pipeline = makePipeline(current);

  const pollers = new Map<string, { poller: MailboxPoller; key: string }>();
  const startPollers = (c: DaemonConfig): void => {
    if (role === 'worker') return;
    for (const [list, imap] of c.imap) {
      const key = JSON.stringify(imap);
      const have = pollers.get(list);
      if (have?.key === key) continue;
      if (have) {
        log.info({ list }, 'mailbox settings changed: reconnecting');
        void have.poller.stop();
      }
      let password: string;
      try {
        password = imapPassword(imap, env);
      } catch (err) {
        log.error({ list, err: { message: (err as Error).message } }, 'cannot poll this list');
        pollers.delete(list);
        continue;
      }
      const poller = new MailboxPoller({ list, imap, password, sink: queues, checkpoints, metrics, log, backoffMs: opts.imapBackoffMs });
      pollers.set(list, { poller, key });
      poller.start();
    }
    for (const [list, { poller }] of pollers) {
      if (!c.imap.has(list)) {
        log.info({ list }, 'list no longer polled');
        void poller.stop();
        pollers.delete(list);
      }
    }
  };

  const worker =
    role === 'poller'
      ? undefined
      : new PostWorker({
          connection: bull,
          prefix: redisCfg.prefix,
          worker: workerCfg,
          queues,
          store,
          saves,
          pipeline: () => pipeline,
          metrics,
          log,
          stalledIntervalMs: opts.stalledIntervalMs,
        });
  startPollers(current);

  // Workers also send what they decide: alerts now, digests on schedule, replies from moderators.
  let notify: NotifyRuntime | undefined;
  if (role !== 'poller') {
    if (current.config.smtp) {
      notify = await startNotify({ config: notifierConfigOf(current.config), connection: bull, prefix: redisCfg.prefix, log, env });
    } else {
      log.warn('no smtp section: notices wait in the notices queue until a worker with smtp runs');
    }
  }

  const health = async (): Promise<Health> => {
    const reasons: string[] = [];
    if (redis.status !== 'ready') reasons.push(`redis ${describeRedis(redisCfg)}: ${redis.status}`);
    else {
      try {
        await redis.ping();
      } catch (err) {
        reasons.push(`redis ${describeRedis(redisCfg)}: ${(err as Error).message}`);
      }
    }
    for (const { poller } of pollers.values()) {
      const h = poller.health;
      if (!h.ok) reasons.push(h.reason ?? `imap ${h.list}: down`);
    }
    if (role !== 'worker' && current.imap.size === 0) reasons.push('no list has an imap section: nothing to poll');
    return { ok: reasons.length === 0, reasons };
  };

  const httpPort = opts.httpPort ?? current.http?.port;
  let http: HttpHandle | undefined;
  if (httpPort !== undefined) {
    http = await startHttp({ host: current.http?.host ?? '127.0.0.1', port: httpPort, health, registry: metrics.registry });
    log.info({ port: http.port }, 'http: /healthz and /metrics');
  }

  const reload = async (): Promise<boolean> => {
    let next: DaemonConfig;
    try {
      next = await loadDaemonConfig(configPath, env);
    } catch (err) {
      log.error({ file: configPath, err: { message: (err as Error).message } }, 'config reload rejected: the running config stays');
      return false;
    }
    if (JSON.stringify([next.redis, next.worker, next.http]) !== JSON.stringify([current.redis, current.worker, current.http])) {
      log.warn('redis, worker and http settings take effect on restart only');
    }
    // One assignment: a job in flight finishes with the pipeline it started with; the next takes the new one.
    pipeline = makePipeline(next);
    current = next;
    startPollers(next);
    if (notify) await notify.schedule.sync(next.config.lists.map((l) => l.id), notifierConfigOf(next.config).notify);
    log.info({ lists: next.config.lists.map((l) => l.id) }, 'config reloaded');
    return true;
  };

  let watcher: FSWatcher | undefined;
  if (opts.watchConfig !== false) {
    let timer: NodeJS.Timeout | undefined;
    // Editors replace files by rename: watch the folder, filter by name, and let a burst of events settle.
    watcher = watch(dirname(configPath), (_event, name) => {
      if (name !== null && name !== basename(configPath)) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), 150);
    });
    watcher.on('error', (err) => log.warn({ err: { message: err.message } }, 'config watch failed; reload needs a restart'));
  }

  let stopping: Promise<void> | undefined;
  let markStopped: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (markStopped = r));
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      log.info('stopping: finishing in-flight posts');
      watcher?.close();
      await Promise.allSettled([...pollers.values()].map(({ poller }) => poller.stop()));
      if (worker) await worker.close().catch((err: Error) => log.warn({ err: { message: err.message } }, 'worker close'));
      await notify?.close().catch((err: Error) => log.warn({ err: { message: err.message } }, 'notify close'));
      await queues.close();
      await http?.close();
      await Promise.allSettled([redis.quit(), bull.quit()]);
      log.info('stopped');
      markStopped();
    })();
    return stopping;
  };

  if (opts.handleSignals) {
    let signalled = false;
    const onSignal = (sig: NodeJS.Signals): void => {
      if (signalled) {
        log.warn({ signal: sig }, 'second signal: exiting now');
        process.exit(1);
      }
      signalled = true;
      log.info({ signal: sig }, 'signal: shutting down (send again to exit at once)');
      stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  log.info({ lists: current.config.lists.map((l) => l.id), polled: [...current.imap.keys()], redis: describeRedis(redisCfg) }, 'listwarden running');

  return {
    role,
    get config() {
      return current;
    },
    httpPort: http?.port,
    store,
    queues,
    metrics,
    health,
    reload,
    stop,
    stopped,
  };
}

export { loadDaemonConfig, parseDaemonConfigText, type DaemonConfig } from './config.js';
