// Replay's view of notify: the alerts and digests a run would send, written as .eml and .html files (nothing sent).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlagRecord } from '../replay/flag-record.js';
import type { Notice } from '../model/notice.js';
import { noticeJobId } from '../queue/jobs.js';
import { listNotifySettings, moderatorsOf } from '../config/notify-schema.js';
import { createMailer } from './nodemailer-adapter.js';
import { archiveLink, domainOf, noticeToken } from './links.js';
import { alertMailFor, type NotifierConfig } from './notifier.js';
import { renderAlert } from './render-alert.js';
import { renderDigest } from './render-digest.js';
import type { DigestEntry } from './store.js';

export interface ReplayNoticesOptions {
  config: NotifierConfig;
  outDir: string;
  /** Signs the reply tokens shown (default: a fixed placeholder; replay's alerts are never answered). */
  secret?: string;
  /** The digest's "to" time (default now). */
  now?: number;
}

export interface ReplayNoticesResult {
  alerts: number;
  digests: number;
  files: string[];
}

/** Flags of one post become one notice, as the daemon's worker would queue it. */
export function noticesFromRecords(records: FlagRecord[]): Notice[] {
  const byPost = new Map<string, FlagRecord[]>();
  for (const r of records) {
    if (r.action === 'ignore') continue;
    const key = `${r.list}\0${r.messageId}`;
    byPost.set(key, [...(byPost.get(key) ?? []), r]);
  }
  return [...byPost.values()].map((rs) => {
    const first = rs[0]!;
    return {
      noticeId: noticeJobId(first.list, first.messageId),
      list: first.list,
      messageId: first.messageId,
      threadId: first.threadId,
      action: rs.some((r) => r.action === 'alert') ? 'alert' : 'digest',
      subject: first.subject,
      author: first.from,
      date: first.date ?? undefined,
      flags: rs.map((r) => ({ rule: r.rule, category: r.category, severity: r.severity, score: r.score, action: r.action, evidence: r.evidence, reason: r.reason })),
      decidedAt: first.date ? Date.parse(first.date) : 0,
      threadSubject: first.threadSubject,
    };
  });
}

/** Writes `alert-NNNN.eml`/`.html` per alert and `digest-<list>.eml`/`.html` per list with digest flags. */
export async function writeReplayNotices(records: FlagRecord[], o: ReplayNoticesOptions): Promise<ReplayNoticesResult> {
  const secret = o.secret ?? 'replay';
  const from = o.config.smtp?.from ?? 'listwarden <listwarden@localhost>';
  const domain = o.config.smtp?.messageIdDomain ?? domainOf(from);
  const mailer = createMailer({ kind: 'stream' });
  const out: ReplayNoticesResult = { alerts: 0, digests: 0, files: [] };
  const listName = (id: string): string => o.config.lists.find((l) => l.id === id)?.name ?? id;
  const digestEntries = new Map<string, DigestEntry[]>();
  const write = (name: string, data: string | Buffer): void => {
    const file = join(o.outDir, name);
    writeFileSync(file, data);
    out.files.push(file);
  };

  for (const n of noticesFromRecords(records)) {
    const settings = listNotifySettings(o.config.notify, n.list);
    const url = archiveLink(settings.archiveUrl, n.list, n.messageId);
    for (const f of n.flags.filter((x) => x.action === 'digest')) {
      const entries = digestEntries.get(n.list) ?? [];
      entries.push({ ...f, noticeId: n.noticeId, list: n.list, messageId: n.messageId, threadId: n.threadId, from: n.author, date: n.date ?? null, subject: n.subject, threadSubject: n.threadSubject ?? n.subject, why: 'digest', at: n.decidedAt, archiveUrl: url });
      digestEntries.set(n.list, entries);
    }
    if (n.action !== 'alert') continue;
    out.alerts += 1;
    const r = renderAlert(n, { listName: listName(n.list), archiveUrl: url, token: noticeToken(secret, n.noticeId), subjectMax: o.config.notify.subjectMax });
    const to = moderatorsOf(o.config.moderators, n.list, 'alerts')[0] ?? { address: 'moderators@localhost' };
    const sent = await mailer.send(alertMailFor(n, r, to, { from, replyTo: o.config.smtp?.replyTo, domain, secret }));
    const base = `alert-${String(out.alerts).padStart(4, '0')}`;
    write(`${base}.eml`, sent.raw!);
    write(`${base}.html`, r.html);
  }
  for (const [list, entries] of digestEntries) {
    const settings = listNotifySettings(o.config.notify, list);
    const r = renderDigest(entries, [], { listName: listName(list), list, now: o.now ?? Date.now(), maxEntries: settings.digest.maxEntries, subjectMax: o.config.notify.subjectMax });
    const to = moderatorsOf(o.config.moderators, list, 'digests')[0]?.address ?? 'moderators@localhost';
    const sent = await mailer.send({ from, to: [to], subject: r.subject, text: r.text, html: r.html, messageId: `<lw-digest.replay.${list}@${domain}>`, headers: { 'Auto-Submitted': 'auto-generated' } });
    out.digests += 1;
    write(`digest-${list}.eml`, sent.raw!);
    write(`digest-${list}.html`, r.html);
  }
  return out;
}
