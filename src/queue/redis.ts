// Redis connections (ioredis): one factory so every connection is named, reconnects, and never logs a password.

import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';

export type { Redis };

/** Redis Sentinel (config `redis.sentinel`): where to ask for the master, and under what name. */
export interface RedisSentinelOptions {
  name: string;
  /** host:port of each sentinel. */
  nodes: string[];
  password?: string | undefined;
}

export interface RedisConnectOptions {
  /** The server (or, with `sentinel`, only the password, user, database and TLS of the master). */
  url: string;
  /** Find the master through these sentinels and follow it when they fail over. */
  sentinel?: RedisSentinelOptions | undefined;
  /** Shown in CLIENT LIST (`<prefix>:listwarden-<role>`), so an operator can tell listwarden's connections apart. */
  name: string;
  /** BullMQ needs `null` (it retries itself); plain commands give up after a few reconnects and let the job retry. */
  maxRetriesPerRequest?: number | null;
  /**
   * Commands issued in one event-loop turn go out in one write (ioredis auto-pipelining). Only for listwarden's
   * own connections: BullMQ's are left alone (it is not tested with it; users reported lost job data).
   */
  autoPipelining?: boolean;
}

/** Reconnect delay: exponential with jitter, capped at 5 s, so many clients do not reconnect in step. */
export function redisRetryDelay(times: number): number {
  const base = Math.min(5000, 50 * 2 ** Math.min(times, 7));
  return Math.round(base / 2 + Math.random() * (base / 2));
}

export function connectRedis(opts: RedisConnectOptions): Redis {
  const options: RedisOptions = {
    connectionName: opts.name,
    maxRetriesPerRequest: opts.maxRetriesPerRequest === undefined ? 5 : opts.maxRetriesPerRequest,
    enableReadyCheck: true,
    retryStrategy: redisRetryDelay,
    lazyConnect: false,
    enableAutoPipelining: opts.autoPipelining ?? false,
  };
  if (opts.sentinel) {
    options.name = opts.sentinel.name;
    options.sentinels = opts.sentinel.nodes.map(hostPort);
    if (opts.sentinel.password !== undefined) options.sentinelPassword = opts.sentinel.password;
    options.sentinelRetryStrategy = redisRetryDelay;
    // After a failover the old master (if it still runs) answers writes with READONLY once the sentinels make it a
    // replica, and drops its clients: either way the connection asks the sentinels again and the command is sent
    // to the new master. (ioredis' failoverDetector is left off: its own sentinel connections have no error
    // handler, so a sentinel going down would print ioredis' "Unhandled error event" to stderr on every retry.)
    options.reconnectOnError = (err) => (err.message.startsWith('READONLY') ? 2 : false);
  }
  const client = new Redis(opts.url, options);
  // ioredis emits 'error' on every failed reconnect; an unhandled one would crash the process.
  client.on('error', () => undefined);
  return client;
}

/** `host:port` or `[v6]:port` → ioredis' sentinel address. */
function hostPort(node: string): { host: string; port: number } {
  const at = node.lastIndexOf(':');
  const host = node.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(node.slice(at + 1)) };
}

/** Where the config points listwarden at, for logs and errors: the URL (password hidden), or the sentinels. */
export function describeRedis(target: { url: string; sentinel?: RedisSentinelOptions | undefined }): string {
  if (!target.sentinel) return redactUrl(target.url);
  return `master "${target.sentinel.name}" via sentinel ${target.sentinel.nodes.join(', ')}`;
}

/** `redis://user:secret@host` → `redis://user:***@host`, for logs and errors. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

/**
 * A Lua script run by its SHA (EVALSHA), so the script text is not sent with every call; after a Redis restart
 * (empty script cache) the first call falls back to EVAL, which caches it again.
 */
export class LuaScript {
  readonly sha: string;
  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}
