// Notify's entry points: build the notifier from config, and run it in the daemon (worker, schedule, reply poller).

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { notifySectionsSchema, secretFromEnv, type FeedbackConfig, type NotifySections } from '../config/notify-schema.js';
import { ReplyPoller } from '../feedback/imap-replies.js';
import { createMailer, type Mailer } from './nodemailer-adapter.js';
import { DigestSchedule, NoticeWorker } from './notice-worker.js';
import { Notifier, type NotifierConfig } from './notifier.js';
import { NotifyStore } from './store.js';

export { Notifier, addressOf, inQuietHours, type NotifierConfig, type NoticeResult, type DigestResult } from './notifier.js';
export { NotifyStore, type AlertRecord, type DigestEntry, type LabelRecord } from './store.js';
export { createMailer, type Mailer, type OutgoingMail, type StreamingMailer } from './nodemailer-adapter.js';
export { NoticeWorker, DigestSchedule, DIGESTS_QUEUE } from './notice-worker.js';
export { renderAlert } from './render-alert.js';
export { renderDigest } from './render-digest.js';

/** The notify sections of a loaded config (defaults filled in when the config does not have them). */
export function notifySectionsOf(cfg: object): NotifySections {
  const c = cfg as Record<string, unknown>;
  return notifySectionsSchema.parse({ smtp: c.smtp, moderators: c.moderators, notify: c.notify, feedback: c.feedback });
}

/** A loaded config as the notifier reads it. */
export function notifierConfigOf(cfg: { lists: { id: string; name: string }[] }): NotifierConfig & { feedback?: FeedbackConfig } {
  const s = notifySectionsOf(cfg);
  return { lists: cfg.lists, smtp: s.smtp, moderators: s.moderators, notify: s.notify, feedback: s.feedback };
}

export interface NotifyRuntimeOptions {
  config: NotifierConfig & { feedback?: FeedbackConfig };
  /** A connection made with maxRetriesPerRequest: null (BullMQ's requirement); also used for notify state. */
  connection: Redis;
  /** The daemon's redis.prefix. */
  prefix: string;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** Default: SMTP from config.smtp (required then). */
  mailer?: Mailer;
  /** Notices handled at once. */
  concurrency?: number;
  /** Start the feedback poller when config.feedback is set (default true). */
  feedback?: boolean;
}

export interface NotifyRuntime {
  notifier: Notifier;
  store: NotifyStore;
  mailer: Mailer;
  worker: NoticeWorker;
  schedule: DigestSchedule;
  replies?: ReplyPoller;
  close(): Promise<void>;
}

export function createNotifier(o: Omit<NotifyRuntimeOptions, 'concurrency' | 'feedback'>): { notifier: Notifier; store: NotifyStore; mailer: Mailer; secret: string } {
  const env = o.env ?? process.env;
  const store = new NotifyStore(o.connection, { prefix: o.prefix });
  const smtp = o.config.smtp;
  let mailer = o.mailer;
  if (!mailer) {
    if (!smtp) throw new Error('notify: no smtp section in the config, so alerts cannot be sent');
    mailer = createMailer({ kind: 'smtp', smtp, env });
  }
  const secret = secretFromEnv(o.config.notify.tokenSecretEnv, 'notify (reply tokens)', env);
  const notifier = new Notifier({ config: o.config, mailer, store, secret, log: o.log.child({ stage: 'notify' }) });
  return { notifier, store, mailer, secret };
}

/** Runs notify inside the daemon: consumes `notices`, schedules digests per list, polls the feedback mailbox. */
export async function startNotify(o: NotifyRuntimeOptions): Promise<NotifyRuntime> {
  const { notifier, store, mailer, secret } = createNotifier(o);
  const log = o.log.child({ stage: 'notify' });
  const worker = new NoticeWorker({ connection: o.connection, prefix: o.prefix, notifier, log, concurrency: o.concurrency });
  const schedule = new DigestSchedule(o.connection, o.prefix);
  const scheduled = await schedule.sync(o.config.lists.map((l) => l.id), o.config.notify);
  log.info({ digests: scheduled }, 'digest schedule set');
  let replies: ReplyPoller | undefined;
  if (o.config.feedback && o.feedback !== false) {
    replies = new ReplyPoller({
      feedback: o.config.feedback,
      store,
      log,
      env: o.env,
      handler: { moderators: o.config.moderators, secret, mailer, from: o.config.smtp?.from ?? 'listwarden <listwarden@localhost>' },
    });
    replies.start();
  }
  return {
    notifier,
    store,
    mailer,
    worker,
    schedule,
    replies,
    async close() {
      await replies?.stop();
      await worker.close();
      await schedule.close();
      mailer.close();
    },
  };
}
