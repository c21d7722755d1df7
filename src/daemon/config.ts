// The daemon's config: the shared Config plus the daemon sections (imap per list, redis, worker, http).

import { readFile } from 'node:fs/promises';
import { parseDocument, isMap, isSeq } from 'yaml';
import { ConfigError, parseConfigText } from '../config/index.js';
import { configSections } from '../config/schema.js';
import type { Config } from '../config/types.js';
import { daemonSectionsSchema, type HttpConfig, type ImapListConfig, type RedisConfig, type WorkerConfig } from '../config/daemon-schema.js';

export interface DaemonConfig {
  config: Config;
  /** list id → its mailbox; lists without `imap` are not polled (their posts may still come through other lists). */
  imap: Map<string, ImapListConfig>;
  redis: RedisConfig;
  worker: WorkerConfig;
  http?: HttpConfig;
}

const DAEMON_KEYS = ['redis', 'worker', 'http'] as const;

/** Parses config text with the daemon sections; throws ConfigError (naming file and path) when invalid. */
export function parseDaemonConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  const doc = parseDocument(text, { merge: true });
  const raw = (doc.errors.length ? {} : (doc.toJS() ?? {})) as Record<string, unknown>;
  // Until the shared schema knows the daemon sections, they are taken out before it validates the rest.
  const sharedKnows = 'redis' in configSections;
  if (!sharedKnows && doc.errors.length === 0 && isMap(doc.contents)) {
    for (const k of DAEMON_KEYS) doc.delete(k);
    const lists = doc.get('lists');
    if (isSeq(lists)) for (const item of lists.items) if (isMap(item)) item.delete('imap');
  }
  // A file with YAML errors goes to the shared parser as it is, which says where they are.
  const config = parseConfigText(sharedKnows || doc.errors.length ? text : String(doc), file, env);
  const parsed = daemonSectionsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ file, path: i.path.map(String).join('.'), message: i.message })),
    );
  }
  const imap = new Map<string, ImapListConfig>();
  for (const l of parsed.data.lists) if (l.imap) imap.set(l.id, l.imap);
  return { config, imap, redis: parsed.data.redis, worker: parsed.data.worker, http: parsed.data.http };
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
