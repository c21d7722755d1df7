// Notify state in Redis: dedupe, hourly caps, pending digest entries, sent alerts, labels, mutes and ignores.

import type { Redis } from 'ioredis';
import { severityRank, type Severity } from '../model/flag.js';
import type { NoticeFlagRecord } from '../model/notice.js';

/** Why a flag is in the digest rather than an alert. */
export type DigestReason = 'digest' | 'overflow' | 'quiet' | 'repeat' | 'undelivered' | 'no-alert-recipients';

export interface DigestEntry extends NoticeFlagRecord {
  why: DigestReason;
  /** ms since epoch when it was added. */
  at: number;
  archiveUrl?: string;
}

/** An alert that went out: for the digest's "unanswered" list and for checking replies. */
export interface AlertRecord {
  noticeId: string;
  list: string;
  threadId: string;
  messageId: string;
  subject: string;
  threadSubject: string;
  author: string;
  fromAddress?: string;
  rules: { rule: string; severity: Severity; score: number }[];
  /** ms since epoch when it was sent. */
  at: number;
  archiveUrl?: string;
}

export type Label = 'confirm' | 'false-positive';

export interface LabelRecord {
  list: string;
  noticeId: string;
  rule: string;
  severity: Severity;
  score: number;
  label: Label;
  moderator: string;
  /** ms since epoch. */
  at: number;
}

export interface NotifyStoreOptions {
  /** The daemon's redis.prefix. */
  prefix: string;
  /** How long a sent alert can still be answered (default 90 days). */
  alertTtlDays?: number;
}

/**
 * KEYS[1] dedupe hash. ARGV: field, severity rank, score, noticeId, min score gain, 1 = claim (0 = only check).
 * Returns 1 when this notice may alert (new, worse than before, or already the claimant), 0 when it is a repeat.
 */
const DEDUPE_LUA = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local rank = tonumber(ARGV[2])
local score = tonumber(ARGV[3])
if cur then
  local c = cjson.decode(cur)
  if c.noticeId == ARGV[4] then return 1 end
  if rank < c.rank or (rank == c.rank and score < c.score + tonumber(ARGV[5])) then return 0 end
end
if ARGV[6] == '1' then
  redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({ rank = rank, score = score, noticeId = ARGV[4] }))
end
return 1
`;

/** A flag alerted again on the same thread and rule must beat the last one by this much (or by severity). */
export const DEDUPE_MIN_GAIN = 0.1;

const DAY = 86_400;

export class NotifyStore {
  private readonly p: string;
  private readonly alertTtl: number;

  constructor(
    readonly redis: Redis,
    opts: NotifyStoreOptions,
  ) {
    this.p = `${opts.prefix}:lw:n`;
    this.alertTtl = Math.round((opts.alertTtlDays ?? 90) * DAY);
  }

  /** Every key this store writes starts with this. */
  get keyPrefix(): string {
    return this.p;
  }

  // Dedupe: one alert per thread and rule unless it gets worse.

  private async dedupe(list: string, threadId: string, rule: string, severity: Severity, score: number, noticeId: string, claim: boolean): Promise<boolean> {
    const r = await this.redis.eval(
      DEDUPE_LUA,
      1,
      `${this.p}:dedupe:${list}`,
      `${threadId}\n${rule}`,
      String(severityRank(severity)),
      String(score),
      noticeId,
      String(DEDUPE_MIN_GAIN),
      claim ? '1' : '0',
    );
    return r === 1;
  }

  /** True when this flag would be a new (or worse) alert for its thread and rule. */
  mayAlert(list: string, threadId: string, rule: string, severity: Severity, score: number, noticeId: string): Promise<boolean> {
    return this.dedupe(list, threadId, rule, severity, score, noticeId, false);
  }

  /** Records this flag as the thread's alert for the rule; false when another notice got there first. */
  claimAlert(list: string, threadId: string, rule: string, severity: Severity, score: number, noticeId: string): Promise<boolean> {
    return this.dedupe(list, threadId, rule, severity, score, noticeId, true);
  }

  // Hourly cap: a set per list and hour, so a retried notice is counted once.

  async countAlertInHour(list: string, noticeId: string, now: number): Promise<number> {
    const key = `${this.p}:rate:${list}:${Math.floor(now / 3_600_000)}`;
    const res = await this.redis.multi().sadd(key, noticeId).expire(key, 7200).scard(key).exec();
    const card = res?.[2]?.[1];
    return typeof card === 'number' ? card : 0;
  }

  /** Un-counts a notice that did not go out as an alert after all. */
  async uncountAlert(list: string, noticeId: string, now: number): Promise<void> {
    await this.redis.srem(`${this.p}:rate:${list}:${Math.floor(now / 3_600_000)}`, noticeId);
  }

  // Digest entries, keyed by notice and rule so a retried notice does not add twice.

  async addDigestEntries(list: string, entries: DigestEntry[]): Promise<void> {
    if (!entries.length) return;
    const args: string[] = [];
    for (const e of entries) args.push(`${e.noticeId}\n${e.rule}`, JSON.stringify(e));
    await this.redis.hset(`${this.p}:digest:${list}`, ...args);
  }

  async digestEntries(list: string): Promise<Map<string, DigestEntry>> {
    const all = await this.redis.hgetall(`${this.p}:digest:${list}`);
    return new Map(Object.entries(all).map(([k, v]) => [k, JSON.parse(v) as DigestEntry]));
  }

  // Alerts sent since the last digest (listed again there while unanswered), and the index replies are checked against.

  async recordAlert(a: AlertRecord): Promise<void> {
    await this.redis
      .multi()
      .hset(`${this.p}:alerts:${a.list}`, a.noticeId, JSON.stringify(a))
      .set(`${this.p}:alert:${a.noticeId}`, JSON.stringify(a), 'EX', this.alertTtl)
      .exec();
  }

  async alertOf(noticeId: string): Promise<AlertRecord | undefined> {
    const v = await this.redis.get(`${this.p}:alert:${noticeId}`);
    return v ? (JSON.parse(v) as AlertRecord) : undefined;
  }

  async recentAlerts(list: string): Promise<Map<string, AlertRecord>> {
    const all = await this.redis.hgetall(`${this.p}:alerts:${list}`);
    return new Map(Object.entries(all).map(([k, v]) => [k, JSON.parse(v) as AlertRecord]));
  }

  /** After a digest went out: drop exactly what it showed (entries added meanwhile stay for the next one). */
  async clearDigest(list: string, entryKeys: string[], alertIds: string[], at: number): Promise<void> {
    const m = this.redis.multi();
    if (entryKeys.length) m.hdel(`${this.p}:digest:${list}`, ...entryKeys);
    if (alertIds.length) m.hdel(`${this.p}:alerts:${list}`, ...alertIds);
    m.set(`${this.p}:last-digest:${list}`, String(at));
    await m.exec();
  }

  async lastDigestAt(list: string): Promise<number | undefined> {
    const v = await this.redis.get(`${this.p}:last-digest:${list}`);
    return v ? Number(v) : undefined;
  }

  // Once-only markers (one per message and recipient), so a retried job never mails anyone twice.

  async wasSent(key: string): Promise<boolean> {
    return (await this.redis.exists(`${this.p}:sent:${key}`)) === 1;
  }

  async markSent(key: string): Promise<void> {
    await this.redis.set(`${this.p}:sent:${key}`, '1', 'EX', 30 * DAY);
  }

  /** Claims a reply (by its Message-ID) for handling; false when it was handled already. */
  async claimReply(replyId: string): Promise<boolean> {
    return (await this.redis.set(`${this.p}:reply:${replyId}`, '1', 'EX', 365 * DAY, 'NX')) === 'OK';
  }

  // Labels from moderators' replies.

  async addLabels(labels: LabelRecord[]): Promise<void> {
    if (!labels.length) return;
    const m = this.redis.multi();
    for (const l of labels) {
      // The latest answer for a notice and rule wins: a moderator may change their mind.
      m.hset(`${this.p}:labels`, `${l.list}\n${l.noticeId}\n${l.rule}`, JSON.stringify(l));
      m.hdel(`${this.p}:alerts:${l.list}`, l.noticeId);
    }
    await m.exec();
  }

  async labels(since = 0): Promise<LabelRecord[]> {
    const all = await this.redis.hvals(`${this.p}:labels`);
    return all.map((v) => JSON.parse(v) as LabelRecord).filter((l) => l.at >= since);
  }

  async answered(list: string, noticeId: string): Promise<void> {
    await this.redis.hdel(`${this.p}:alerts:${list}`, noticeId);
  }

  // Mutes and ignores: read by the notifier (and by decide or workers that want them).

  async mute(list: string, threadId: string, by: string, at: number): Promise<void> {
    await this.redis.hset(`${this.p}:muted:${list}`, threadId, JSON.stringify({ by, at }));
  }

  async isMuted(list: string, threadId: string): Promise<boolean> {
    return (await this.redis.hexists(`${this.p}:muted:${list}`, threadId)) === 1;
  }

  async ignore(list: string, sender: string, by: string, at: number): Promise<void> {
    await this.redis.hset(`${this.p}:ignored:${list}`, sender.toLowerCase(), JSON.stringify({ by, at }));
  }

  async isIgnored(list: string, sender: string): Promise<boolean> {
    return (await this.redis.hexists(`${this.p}:ignored:${list}`, sender.toLowerCase())) === 1;
  }

  // The feedback mailbox's checkpoint.

  async replyCheckpoint(mailbox: string): Promise<{ uidValidity: string; uid: number } | undefined> {
    const v = await this.redis.get(`${this.p}:feedback-checkpoint:${mailbox}`);
    return v ? (JSON.parse(v) as { uidValidity: string; uid: number }) : undefined;
  }

  async setReplyCheckpoint(mailbox: string, cp: { uidValidity: string; uid: number }): Promise<void> {
    await this.redis.set(`${this.p}:feedback-checkpoint:${mailbox}`, JSON.stringify(cp));
  }
}
