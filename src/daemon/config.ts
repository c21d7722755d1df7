// The daemon's config: the shared Config plus the daemon sections (imap per list, redis, worker, http).

import { readFile } from 'node:fs/promises';
import { ConfigError, parseConfigText } from '../config/index.js';
import type { Config } from '../config/types.js';
import { redisSchema, workerSchema, type HttpConfig, type ImapListConfig, type RedisConfig, type WorkerConfig } from '../config/daemon-schema.js';

export interface DaemonConfig {
  config: Config;
  /** list id → its mailbox; lists without `imap` are not polled (their posts may still come through other lists). */
  imap: Map<string, ImapListConfig>;
  redis: RedisConfig;
  worker: WorkerConfig;
  http?: HttpConfig;
}

/**
 * Parses config text with the daemon sections; throws ConfigError (naming file, line and path) when invalid.
 * The shared loader validates every section, daemon ones included, after `${ENV}` substitution, so
 * `redis.url: ${REDIS_URL}` and `imap.host: ${IMAP_HOST}` work like any other value.
 */
export function parseDaemonConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  const config = parseConfigText(text, file, env);
  const imap = new Map<string, ImapListConfig>();
  for (const l of config.lists) if (l.imap) imap.set(l.id, l.imap);
  return { config, imap, redis: config.redis ?? redisSchema.parse({}), worker: config.worker ?? workerSchema.parse({}), http: config.http };
}

export async function loadDaemonConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<DaemonConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file, path: '', message: `cannot read the config file: ${(err as Error).message}` }]);
  }
  return parseDaemonConfigText(text, file, env);
}
