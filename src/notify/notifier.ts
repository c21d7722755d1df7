// The notify stage: a notice becomes an alert now or digest entries (dedupe, caps, quiet hours, mutes); digests go out.

import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { severityRank } from '../model/flag.js';
import { flagRecordsOf, type Notice, type NoticeFlagRecord } from '../model/notice.js';
import {
  listNotifySettings,
  moderatorsOf,
  type ModeratorConfig,
  type NotifyConfig,
  type QuietHoursConfig,
  type SmtpConfig,
} from '../config/notify-schema.js';
import type { Mailer, OutgoingMail } from './nodemailer-adapter.js';
import { alertMessageId, archiveLink, domainOf, noticeToken, threadRootId } from './links.js';
import { alertFlags, renderAlert, type Rendered } from './render-alert.js';
import { renderDigest, type DigestModel } from './render-digest.js';
import type { AlertRecord, DigestEntry, DigestReason, NotifyStore } from './store.js';

/** The config a notifier reads: the notify sections and the lists' names (a full Config fits). */
export interface NotifierConfig {
  lists: { id: string; name: string }[];
  smtp?: SmtpConfig;
  moderators: ModeratorConfig[];
  notify: NotifyConfig;
}

export interface NotifierOptions {
  config: NotifierConfig;
  mailer: Mailer;
  store: NotifyStore;
  /** Signs reply tokens (from the environment; see notify.tokenSecretEnv). */
  secret: string;
  log: Logger;
  /** The clock (tests). */
  now?: () => number;
}

export interface NoticeResult {
  /** 'muted' or 'ignored' when the notice was dropped on a moderator's word. */
  skipped?: 'muted' | 'ignored';
  /** Rules alerted, and who got the alert. */
  alerted: string[];
  sentTo: string[];
  /** Rules put in the digest, and why. */
  digested: { rule: string; why: DigestReason }[];
}

export interface DigestResult {
  list: string;
  sent: boolean;
  /** Why nothing was sent: empty, or nobody takes digests. */
  reason?: 'empty' | 'no-recipients' | 'dry-run';
  sentTo: string[];
  rendered?: Rendered & { model: DigestModel };
  entries: number;
  unanswered: number;
}

const DEFAULT_FROM = 'listwarden <listwarden@localhost>';

/** The address inside `Name <addr>` (or the whole string when it is an address), lower-cased. */
export function addressOf(author: string): string | undefined {
  const m = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(author) ?? /^\s*([^<>\s]+@[^<>\s]+)\s*$/.exec(author);
  return m?.[1]?.toLowerCase();
}

function minutesIn(tz: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

const hhmm = (s: string): number => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/** Whether `at` falls in the quiet hours (start inclusive, end exclusive; may wrap past midnight). */
export function inQuietHours(q: QuietHoursConfig | undefined, at: number): boolean {
  if (!q) return false;
  const t = minutesIn(q.timezone, at);
  const s = hhmm(q.start);
  const e = hhmm(q.end);
  if (s === e) return false;
  return s < e ? t >= s && t < e : t >= s || t < e;
}

/** An alert as mail to one moderator: its Message-ID carries the reply token; it replies to the thread's invented root. */
export function alertMailFor(n: Notice, r: Rendered, to: { address: string; name?: string }, o: { from: string; replyTo?: string; domain: string; secret: string }): OutgoingMail {
  const root = threadRootId(n.list, n.threadId, o.domain);
  return {
    from: o.from,
    to: [to.name ? `"${to.name.replace(/["\\]/g, '')}" <${to.address}>` : to.address],
    replyTo: o.replyTo,
    subject: r.subject,
    text: r.text,
    html: r.html,
    messageId: alertMessageId(n.noticeId, noticeToken(o.secret, n.noticeId), o.domain),
    inReplyTo: root,
    references: [root],
    headers: {
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      'X-Listwarden-List': n.list,
      'X-Listwarden-Notice': n.noticeId,
    },
  };
}

export class Notifier {
  private readonly now: () => number;
  private readonly from: string;
  private readonly domain: string;

  constructor(private readonly o: NotifierOptions) {
    this.now = o.now ?? Date.now;
    this.from = o.config.smtp?.from ?? DEFAULT_FROM;
    this.domain = o.config.smtp?.messageIdDomain ?? domainOf(this.from);
  }

  private listName(list: string): string {
    return this.o.config.lists.find((l) => l.id === list)?.name ?? list;
  }

  /** `isMuted(list, threadId)`: a moderator answered `mute thread` on an alert about it. */
  isMuted(list: string, threadId: string): Promise<boolean> {
    return this.o.store.isMuted(list, threadId);
  }

  /** `isIgnored(list, sender)`: a moderator answered `ignore sender` on an alert about one of the sender's posts. */
  isIgnored(list: string, sender: string): Promise<boolean> {
    return this.o.store.isIgnored(list, sender);
  }

  /** The alert as it would be mailed (also for replay and dry runs). */
  renderAlert(n: Notice): Rendered {
    const settings = listNotifySettings(this.o.config.notify, n.list);
    return renderAlert(n, {
      listName: this.listName(n.list),
      archiveUrl: archiveLink(settings.archiveUrl, n.list, n.messageId),
      token: noticeToken(this.o.secret, n.noticeId),
      subjectMax: this.o.config.notify.subjectMax,
    });
  }

  /** The mail for one moderator; every alert about a thread replies to the same invented root. */
  alertMail(n: Notice, r: Rendered, to: ModeratorConfig): OutgoingMail {
    return alertMailFor(n, r, to, { from: this.from, replyTo: this.o.config.smtp?.replyTo, domain: this.domain, secret: this.o.secret });
  }

  /**
   * Handles one notice. Throws on a send failure so the queue retries it with backoff; with `finalAttempt` it
   * instead moves the alert into the digest, so an SMTP outage longer than every retry still loses nothing.
   */
  async handle(n: Notice, opts: { finalAttempt?: boolean } = {}): Promise<NoticeResult> {
    const { store, config, log } = this.o;
    const now = this.now();
    const result: NoticeResult = { alerted: [], sentTo: [], digested: [] };
    const sender = n.fromAddress ?? addressOf(n.author);
    if (await store.isMuted(n.list, n.threadId)) return { ...result, skipped: 'muted' };
    if (sender && (await store.isIgnored(n.list, sender))) return { ...result, skipped: 'ignored' };

    const settings = listNotifySettings(config.notify, n.list);
    const archiveUrl = archiveLink(settings.archiveUrl, n.list, n.messageId);
    const records = flagRecordsOf(n);
    const toDigest: DigestEntry[] = [];
    const digest = (r: NoticeFlagRecord, why: DigestReason): void => {
      toDigest.push({ ...r, why, at: now, archiveUrl });
    };
    const flush = async (): Promise<NoticeResult> => {
      await store.addDigestEntries(n.list, toDigest);
      result.digested = toDigest.map((e) => ({ rule: e.rule, why: e.why }));
      return result;
    };

    let candidates: NoticeFlagRecord[] = [];
    for (const r of records) {
      if (r.action === 'digest') digest(r, 'digest');
      else if (r.action === 'alert') candidates.push(r);
    }
    if (!candidates.length) return flush();

    const recipients = moderatorsOf(config.moderators, n.list, 'alerts');
    if (!recipients.length) {
      for (const r of candidates) digest(r, 'no-alert-recipients');
      return flush();
    }
    if (config.notify.dedupe) {
      const fresh: NoticeFlagRecord[] = [];
      for (const r of candidates) {
        if (await store.mayAlert(n.list, n.threadId, r.rule, r.severity, r.score, n.noticeId)) fresh.push(r);
        else digest(r, 'repeat');
      }
      candidates = fresh;
      if (!candidates.length) return flush();
    }
    const q = settings.quietHours;
    if (inQuietHours(q, now)) {
      const except = q?.exceptSeverity;
      const loud = except ? candidates.filter((r) => severityRank(r.severity) >= severityRank(except)) : [];
      for (const r of candidates) if (!loud.includes(r)) digest(r, 'quiet');
      candidates = loud;
      if (!candidates.length) return flush();
    }
    const count = await store.countAlertInHour(n.list, n.noticeId, now);
    if (count > settings.alertsPerHour) {
      await store.uncountAlert(n.list, n.noticeId, now);
      for (const r of candidates) digest(r, 'overflow');
      log.info({ list: n.list, noticeId: n.noticeId, cap: settings.alertsPerHour }, 'alert cap reached: moved to the digest');
      return flush();
    }
    if (config.notify.dedupe) {
      const won: NoticeFlagRecord[] = [];
      for (const r of candidates) {
        if (await store.claimAlert(n.list, n.threadId, r.rule, r.severity, r.score, n.noticeId)) won.push(r);
        else digest(r, 'repeat');
      }
      candidates = won;
      if (!candidates.length) {
        await store.uncountAlert(n.list, n.noticeId, now);
        return flush();
      }
    }

    const alertNotice: Notice = { ...n, flags: n.flags.filter((f) => f.action !== 'alert' || candidates.some((c) => c.rule === f.rule)) };
    const rendered = this.renderAlert(alertNotice);
    try {
      for (const m of recipients) {
        const key = `alert:${n.noticeId}:${m.address}`;
        if (await store.wasSent(key)) {
          result.sentTo.push(m.address);
          continue;
        }
        await this.o.mailer.send(this.alertMail(alertNotice, rendered, m));
        await store.markSent(key);
        result.sentTo.push(m.address);
      }
    } catch (err) {
      if (!opts.finalAttempt) throw err;
      log.error({ list: n.list, noticeId: n.noticeId, err: { message: (err as Error).message } }, 'alert could not be sent after every retry: kept for the digest');
      for (const r of candidates) digest(r, 'undelivered');
      return flush();
    }
    const flags = alertFlags(alertNotice);
    const rec: AlertRecord = {
      noticeId: n.noticeId,
      list: n.list,
      threadId: n.threadId,
      messageId: n.messageId,
      subject: n.subject,
      threadSubject: n.threadSubject ?? n.subject,
      author: n.author,
      fromAddress: sender,
      rules: flags.map((f) => ({ rule: f.rule, severity: f.severity, score: f.score })),
      at: now,
      archiveUrl,
    };
    await store.recordAlert(rec);
    result.alerted = candidates.map((c) => c.rule);
    log.info({ list: n.list, noticeId: n.noticeId, rules: result.alerted, to: result.sentTo.length }, 'alert sent');
    return flush();
  }

  /**
   * Sends the list's digest to the moderators who take digests. The pending entries are cleared only after every
   * send succeeded; a failure throws (the scheduler's job retries) and the next attempt sends the same digest.
   */
  async sendDigest(list: string, opts: { dryRun?: boolean } = {}): Promise<DigestResult> {
    const { store, config, log } = this.o;
    const now = this.now();
    const settings = listNotifySettings(config.notify, list);
    const entries = await store.digestEntries(list);
    const alerts = await store.recentAlerts(list);
    const base = { list, sentTo: [] as string[], entries: entries.size, unanswered: alerts.size };
    if (!entries.size && !alerts.size && !settings.digest.sendEmpty && !opts.dryRun) return { ...base, sent: false, reason: 'empty' };
    const since = await store.lastDigestAt(list);
    const rendered = renderDigest([...entries.values()], [...alerts.values()], {
      listName: this.listName(list),
      list,
      since,
      now,
      maxEntries: settings.digest.maxEntries,
      subjectMax: config.notify.subjectMax,
    });
    if (opts.dryRun) return { ...base, sent: false, reason: 'dry-run', rendered };
    const recipients = moderatorsOf(config.moderators, list, 'digests');
    if (!recipients.length) {
      log.warn({ list }, 'nobody takes digests for this list: its pending entries are dropped');
      await store.clearDigest(list, [...entries.keys()], [...alerts.keys()], now);
      return { ...base, sent: false, reason: 'no-recipients', rendered };
    }
    // The same pending state always gives the same digest id, so a retry does not mail anyone twice.
    const digestId = createHash('sha256')
      .update([list, String(since ?? 0), ...[...entries.keys()].sort(), ...[...alerts.keys()].sort()].join('\0'))
      .digest('hex')
      .slice(0, 24);
    for (const m of recipients) {
      const key = `digest:${digestId}:${m.address}`;
      if (!(await store.wasSent(key))) {
        await this.o.mailer.send({
          from: this.from,
          to: [m.address],
          replyTo: config.smtp?.replyTo,
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          messageId: `<lw-digest.${digestId}@${this.domain}>`,
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'X-Listwarden-List': list },
        });
        await store.markSent(key);
      }
      base.sentTo.push(m.address);
    }
    await store.clearDigest(list, [...entries.keys()], [...alerts.keys()], now);
    log.info({ list, entries: entries.size, unanswered: alerts.size, to: recipients.length }, 'digest sent');
    return { ...base, sent: true, rendered };
  }
}
