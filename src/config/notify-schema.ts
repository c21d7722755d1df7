// Config sections of notifications (smtp, moderators, notify, feedback): zod schemas, their types, env secrets.

import { z } from 'zod';
import { imapLoginFields } from './daemon-schema.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const LIST_ID = /^[a-z0-9][a-z0-9._-]*$/;

/** An IANA time zone name that this Node knows (`Asia/Tokyo`, `UTC`). */
const timeZone = z
  .string()
  .min(1)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'not a known time zone; use an IANA name like Asia/Tokyo or UTC')
  .describe('An IANA time zone, e.g. Asia/Tokyo or UTC.');

/** Five or six cron fields (BullMQ's cron-parser), e.g. `0 8 * * *` for 08:00 every day. */
const cron = z
  .string()
  .trim()
  .refine((s) => {
    const n = s.split(/\s+/).length;
    return n === 5 || n === 6;
  }, 'a cron pattern has 5 fields (minute hour day month weekday), e.g. "0 8 * * *"')
  .describe('When the digest goes out: a cron pattern (minute hour day month weekday).');

export const smtpSchema = z
  .strictObject({
    host: z.string().min(1).describe('SMTP server.'),
    /** Default 465 with implicit TLS, 587 otherwise. */
    port: z.number().int().min(1).max(65535).optional().describe('SMTP port (default 465 with secure, else 587).'),
    secure: z.boolean().default(false).describe('Implicit TLS (smtps, port 465). Otherwise STARTTLS is used.'),
    requireTls: z.boolean().default(true).describe('Without `secure`: refuse a server that does not offer STARTTLS. Set false only on a trusted loopback.'),
    tlsVerify: z.boolean().default(true).describe('Verify the server\'s certificate.'),
    user: z.string().min(1).optional().describe('SMTP user; no AUTH when absent.'),
    passEnv: z.string().regex(ENV_NAME).default('LISTWARDEN_SMTP_PASS').describe('Environment variable holding the SMTP password.'),
    pool: z.boolean().default(true).describe('Keep connections open and reuse them.'),
    maxConnections: z.number().int().min(1).max(50).default(2).describe('Pooled connections at most.'),
    from: z.string().min(3).describe('The From of alerts and digests, e.g. "listwarden <listwarden@example.org>".'),
    replyTo: z.string().min(3).optional().describe('Where moderators\' replies go (the feedback mailbox); defaults to `from`.'),
    /** The domain part of the Message-IDs of alerts (default: the domain of `from`). */
    messageIdDomain: z.string().regex(/^[A-Za-z0-9.-]+$/).optional().describe('Domain of the Message-IDs listwarden writes.'),
  })
  .describe('How notices are sent.');

export const moderatorSchema = z
  .strictObject({
    address: z.string().trim().toLowerCase().regex(/^[^@\s]+@[^@\s]+$/).describe('The moderator\'s address; replies are accepted only from it.'),
    name: z.string().trim().min(1).optional().describe('Display name.'),
    lists: z.array(z.string().regex(LIST_ID)).default([]).describe('List ids this moderator looks after; empty means every list.'),
    receive: z.enum(['alerts', 'digests', 'both']).default('both').describe('Alerts at once, digests, or both.'),
  })
  .describe('A moderator: who hears about flags and may answer by reply.');

export const quietHoursSchema = z
  .strictObject({
    start: z.string().regex(HHMM).describe('Start, HH:MM local time.'),
    end: z.string().regex(HHMM).describe('End, HH:MM local time (may be past midnight).'),
    timezone: timeZone.default('UTC'),
    /** Flags at or above this severity are alerted even in quiet hours; absent: none is. */
    exceptSeverity: z.enum(['low', 'medium', 'high']).optional().describe('Still alert at once at or above this severity.'),
  })
  .describe('Alerts during these hours go to the next digest instead.');

export const digestSchema = z
  .strictObject({
    cron: cron.default('0 8 * * *'),
    timezone: timeZone.default('UTC'),
    sendEmpty: z.boolean().default(false).describe('Send a digest that says "nothing flagged" when there is nothing.'),
    /** Entries shown per digest at most; the rest are counted. */
    maxEntries: z.number().int().min(1).max(5000).default(200).describe('Flags shown in one digest at most.'),
  })
  .describe('The digest schedule.');

/** Per-list overrides; unset keys keep the notify-wide value. */
export const notifyListSchema = z
  .strictObject({
    archiveUrl: z.string().min(1).optional().describe('Archive link template; see notify.archiveUrl.'),
    alertsPerHour: z.number().int().min(0).max(10_000).optional().describe('Alert cap for this list.'),
    digest: digestSchema.partial().optional().describe('The digest schedule for this list; unset keys keep notify.digest\'s.'),
    quietHours: quietHoursSchema.nullable().optional().describe('Quiet hours for this list (null: none).'),
  })
  .describe('Notification settings of one list.');

export const notifySchema = z
  .strictObject({
    /**
     * `{messageId}` (without <>, URL-encoded), `{messageIdRaw}`, `{hyperkittyHash}` (HyperKitty's message hash),
     * `{list}`. e.g. `https://lore.kernel.org/{list}/{messageId}/`.
     */
    archiveUrl: z.string().min(1).optional().describe('Link to a post in the list archive by Message-ID: {messageId}, {hyperkittyHash}, {list}.'),
    alertsPerHour: z.number().int().min(0).max(10_000).default(10).describe('Alerts per list per hour at most; the rest go to the digest.'),
    dedupe: z.boolean().default(true).describe('One alert per thread and rule, unless it gets worse.'),
    quietHours: quietHoursSchema.optional(),
    digest: digestSchema.prefault({}),
    subjectMax: z.number().int().min(20).max(200).default(60).describe('Characters of a post\'s subject shown in an alert\'s subject.'),
    tokenSecretEnv: z.string().regex(ENV_NAME).default('LISTWARDEN_NOTIFY_SECRET').describe('Environment variable holding the secret that signs reply tokens.'),
    lists: z.record(z.string().regex(LIST_ID), notifyListSchema).default({}).describe('Per-list settings by list id.'),
  })
  .describe('Alerts and digests.');

export const feedbackSchema = z
  .strictObject({
    host: z.string().min(1).describe('IMAP server of the feedback mailbox.'),
    port: z.number().int().min(1).max(65535).optional().describe('Default 993 with secure, else 143.'),
    ...imapLoginFields,
    passEnv: z.string().regex(ENV_NAME).default('LISTWARDEN_FEEDBACK_PASS').describe('Environment variable holding the IMAP password.'),
    mailbox: z.string().min(1).default('INBOX').describe('The mailbox moderators\' replies arrive in.'),
    /** Handled replies are moved here (created by the operator); absent: they are only marked \Seen. */
    moveTo: z.string().min(1).optional().describe('Move handled replies to this folder (it must exist); absent: they are only marked \\Seen.'),
    pollSeconds: z.number().positive().max(3600).default(60).describe('Seconds between checks of the mailbox.'),
  })
  .describe('The mailbox where moderators\' replies to alerts arrive (IMAP).');

/** The notify sections of a config file; each is optional so a config without them still loads. */
export const notifySections = {
  smtp: smtpSchema.optional(),
  moderators: z.array(moderatorSchema).default([]).describe('Who is told, and who may answer.'),
  notify: notifySchema.prefault({}),
  feedback: feedbackSchema.optional(),
};

export const notifySectionsSchema = z.object(notifySections).loose();

export type SmtpConfig = z.output<typeof smtpSchema>;
export type ModeratorConfig = z.output<typeof moderatorSchema>;
export type QuietHoursConfig = z.output<typeof quietHoursSchema>;
export type DigestConfig = z.output<typeof digestSchema>;
export type NotifyListConfig = z.output<typeof notifyListSchema>;
export type NotifyConfig = z.output<typeof notifySchema>;
export type FeedbackConfig = z.output<typeof feedbackSchema>;
export type NotifySections = z.output<typeof notifySectionsSchema>;

/** The settings that apply to one list: the notify-wide ones with the list's overrides. */
export interface ListNotifySettings {
  archiveUrl?: string;
  alertsPerHour: number;
  digest: DigestConfig;
  quietHours?: QuietHoursConfig;
}

export function listNotifySettings(n: NotifyConfig, list: string): ListNotifySettings {
  const o = n.lists[list];
  const quiet = o?.quietHours === null ? undefined : (o?.quietHours ?? n.quietHours);
  return {
    archiveUrl: o?.archiveUrl ?? n.archiveUrl,
    alertsPerHour: o?.alertsPerHour ?? n.alertsPerHour,
    digest: { ...n.digest, ...Object.fromEntries(Object.entries(o?.digest ?? {}).filter(([, v]) => v !== undefined)) },
    quietHours: quiet,
  };
}

/** Moderators of a list who want alerts (`kind` alerts) or digests. */
export function moderatorsOf(mods: ModeratorConfig[], list: string, kind: 'alerts' | 'digests'): ModeratorConfig[] {
  return mods.filter((m) => (m.lists.length === 0 || m.lists.includes(list)) && (m.receive === 'both' || m.receive === kind));
}

/** A secret from the environment; throws naming the variable (never a value) when unset. */
export function secretFromEnv(name: string, what: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`${what}: environment variable ${name} is not set`);
  return value;
}
