// Loads a config file with its notify sections (smtp, moderators, notify, feedback) next to the daemon's.

import { readFile } from 'node:fs/promises';
import { isMap, parseDocument } from 'yaml';
import { ConfigError } from '../config/index.js';
import { configSections } from '../config/schema.js';
import { notifySectionsSchema, type FeedbackConfig } from '../config/notify-schema.js';
import { parseDaemonConfigText, type DaemonConfig } from '../daemon/config.js';
import type { NotifierConfig } from './notifier.js';

export const NOTIFY_KEYS = ['smtp', 'moderators', 'notify', 'feedback'] as const;

export interface NotifyFileConfig {
  daemon: DaemonConfig;
  notify: NotifierConfig & { feedback?: FeedbackConfig };
}

/** Parses config text; throws ConfigError (file and key path) when the notify sections are invalid. */
export function parseNotifyConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): NotifyFileConfig {
  const doc = parseDocument(text, { merge: true });
  const raw = (doc.errors.length ? {} : (doc.toJS() ?? {})) as Record<string, unknown>;
  // Until the shared schema knows the notify sections, they are taken out before it validates the rest.
  const sharedKnows = 'notify' in configSections;
  if (!sharedKnows && doc.errors.length === 0 && isMap(doc.contents)) for (const k of NOTIFY_KEYS) doc.delete(k);
  const daemon = parseDaemonConfigText(sharedKnows ? text : String(doc), file, env);
  const parsed = notifySectionsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ file, path: i.path.map(String).join('.'), message: i.message })));
  }
  const s = parsed.data;
  return {
    daemon,
    notify: { lists: daemon.config.lists, smtp: s.smtp, moderators: s.moderators, notify: s.notify, feedback: s.feedback },
  };
}

export async function loadNotifyConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<NotifyFileConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file, path: '', message: `cannot read the config file: ${(err as Error).message}` }]);
  }
  return parseNotifyConfigText(text, file, env);
}
