// Redis connections (ioredis): one factory so every connection is named, reconnects, and never logs a password.

import { Redis, type RedisOptions } from 'ioredis';

export type { Redis };

export interface RedisConnectOptions {
  url: string;
  /** Shown in CLIENT LIST (`<prefix>:listwarden-<role>`), so an operator can tell listwarden's connections apart. */
  name: string;
  /** BullMQ needs `null` (it retries itself); plain commands give up after a few reconnects and let the job retry. */
  maxRetriesPerRequest?: number | null;
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
  };
  const client = new Redis(opts.url, options);
  // ioredis emits 'error' on every failed reconnect; an unhandled one would crash the process.
  client.on('error', () => undefined);
  return client;
}

/** `redis://user:secret@host` → `redis://user:***@host`, for logs and errors. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
