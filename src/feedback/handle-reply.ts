// One moderator's reply to an alert: checked (sender, token, alert), then its command recorded and acted on.

import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ModeratorConfig } from '../config/notify-schema.js';
import { parsePost } from '../parse/index.js';
import { headerText, truncate } from '../notify/escape.js';
import { domainOf, noticeRefsIn, tokenValid } from '../notify/links.js';
import type { Mailer } from '../notify/nodemailer-adapter.js';
import type { AlertRecord, LabelRecord, NotifyStore } from '../notify/store.js';
import { COMMAND_WORDS, parseFeedbackCommand, type FeedbackCommand } from './commands.js';

export interface ReplyHandlerOptions {
  moderators: ModeratorConfig[];
  store: NotifyStore;
  /** The secret reply tokens are signed with (the notifier's). */
  secret: string;
  /** Sends the short confirmation; none when absent. */
  mailer?: Mailer;
  /** From of the confirmation (smtp.from). */
  from: string;
  log: Logger;
  now?: () => number;
}

/** What happened to a reply: `done`, or why it was refused (nothing is changed then). */
export type ReplyOutcome =
  | { status: 'done'; command: FeedbackCommand; noticeId: string; list: string; moderator: string; confirmed: boolean }
  | {
      status: 'not-a-moderator' | 'no-token' | 'bad-token' | 'unknown-notice' | 'not-moderator-of-list' | 'no-command' | 'duplicate' | 'auto-reply' | 'unreadable';
      detail?: string;
    };

export async function handleReply(raw: Buffer, o: ReplyHandlerOptions): Promise<ReplyOutcome> {
  const now = (o.now ?? Date.now)();
  let post;
  try {
    post = await parsePost(raw);
  } catch (err) {
    return { status: 'unreadable', detail: (err as Error).message };
  }
  const auto = post.headers['auto-submitted'];
  if (auto && auto.trim().toLowerCase() !== 'no') return { status: 'auto-reply' };

  const sender = post.from.address?.trim().toLowerCase();
  const moderator = o.moderators.find((m) => m.address === sender);
  if (!sender || !moderator) return { status: 'not-a-moderator', detail: sender };

  const ids = [post.inReplyTo ?? '', ...post.references];
  const refs = noticeRefsIn(ids, `${post.ownText}\n${post.quotedText}`);
  if (!refs.length) return { status: 'no-token' };
  const ref = refs.find((r) => tokenValid(o.secret, r.noticeId, r.token));
  if (!ref) return { status: 'bad-token' };
  const alert: AlertRecord | undefined = await o.store.alertOf(ref.noticeId);
  if (!alert) return { status: 'unknown-notice', detail: ref.noticeId };
  if (moderator.lists.length && !moderator.lists.includes(alert.list)) return { status: 'not-moderator-of-list', detail: alert.list };

  const command = parseFeedbackCommand(post.ownText) ?? parseFeedbackCommand(post.segments[0]?.text ?? '');
  if (!command) return { status: 'no-command' };
  const replyId = post.messageIdSynthetic ? createHash('sha256').update(raw).digest('hex') : post.messageId;
  if (!(await o.store.claimReply(replyId))) return { status: 'duplicate' };

  let what: string = COMMAND_WORDS[command];
  switch (command) {
    case 'confirm':
    case 'false-positive': {
      const labels: LabelRecord[] = alert.rules.map((r) => ({
        list: alert.list,
        noticeId: alert.noticeId,
        rule: r.rule,
        severity: r.severity,
        score: r.score,
        label: command === 'confirm' ? 'confirm' : 'false-positive',
        moderator: sender,
        at: now,
      }));
      await o.store.addLabels(labels);
      what += ` (${alert.rules.map((r) => r.rule).join(', ')})`;
      break;
    }
    case 'mute-thread':
      await o.store.mute(alert.list, alert.threadId, sender, now);
      await o.store.answered(alert.list, alert.noticeId);
      break;
    case 'ignore-sender':
      if (!alert.fromAddress) {
        what = 'sender not ignored: the post had no address to ignore';
        break;
      }
      await o.store.ignore(alert.list, alert.fromAddress, sender, now);
      await o.store.answered(alert.list, alert.noticeId);
      what += ` (${alert.fromAddress})`;
      break;
  }
  o.log.info({ list: alert.list, noticeId: alert.noticeId, command, moderator: sender }, 'moderator feedback recorded');

  let confirmed = false;
  if (o.mailer) {
    const subject = headerText(`Re: ${post.subject.replace(/^(\s*(re|aw|sv)\s*:\s*)+/i, '')}`);
    try {
      await o.mailer.send({
        from: o.from,
        to: [sender],
        subject: truncate(subject, 200),
        text: `listwarden: ${what} for "${truncate(alert.threadSubject, 120)}" on ${alert.list}.\n`,
        messageId: `<lw-ack.${createHash('sha256').update(replyId).digest('hex').slice(0, 24)}@${domainOf(o.from)}>`,
        inReplyTo: post.messageIdSynthetic ? undefined : post.messageId,
        references: post.messageIdSynthetic ? undefined : [...post.references, post.messageId],
        headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
      });
      confirmed = true;
    } catch (err) {
      // The label is recorded; a lost confirmation is not worth re-running the command for.
      o.log.warn({ err: { message: (err as Error).message } }, 'feedback confirmation could not be sent');
    }
  }
  return { status: 'done', command, noticeId: alert.noticeId, list: alert.list, moderator: sender, confirmed };
}
