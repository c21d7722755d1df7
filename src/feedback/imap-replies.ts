// Reads moderators' replies from the feedback mailbox over IMAP (the ingest adapter's ImapSession), each once.

import type { Logger } from 'pino';
import { secretFromEnv, type FeedbackConfig } from '../config/notify-schema.js';
import { ImapSession } from '../ingest/imap/imapflow-adapter.js';
import type { NotifyStore } from '../notify/store.js';
import { handleReply, type ReplyHandlerOptions, type ReplyOutcome } from './handle-reply.js';

/** Replies are short; anything longer is cut (the command is on the first line). */
const MAX_REPLY_BYTES = 256 * 1024;

export interface ReplyPollerOptions {
  feedback: FeedbackConfig;
  store: NotifyStore;
  handler: Omit<ReplyHandlerOptions, 'store' | 'log'>;
  log: Logger;
  env?: NodeJS.ProcessEnv;
}

export interface PollResult {
  seen: number;
  outcomes: { uid: number; outcome: ReplyOutcome }[];
}

export class ReplyPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(private readonly o: ReplyPollerOptions) {}

  /** One pass: connect, handle every message after the checkpoint, advance it, log out. */
  async pollOnce(): Promise<PollResult> {
    const f = this.o.feedback;
    const log = this.o.log.child({ mailbox: f.mailbox, role: 'feedback' });
    const session = await ImapSession.open({
      host: f.host,
      port: f.port ?? (f.secure ? 993 : 143),
      secure: f.secure,
      requireTls: f.requireTls,
      tlsVerify: f.tlsVerify,
      user: f.user,
      pass: secretFromEnv(f.passEnv, 'feedback', this.o.env),
      log,
    });
    const out: PollResult = { seen: 0, outcomes: [] };
    try {
      const box = await session.select(f.mailbox);
      const cp = await this.o.store.replyCheckpoint(f.mailbox);
      // A new UIDVALIDITY renumbers the mailbox: read it all again; handled replies are skipped by Message-ID.
      const from = cp && cp.uidValidity === box.uidValidity ? cp.uid + 1 : 1;
      for (const m of await session.listFrom(from)) {
        out.seen += 1;
        const raw = await session.fetchSource(m.uid, MAX_REPLY_BYTES);
        const outcome: ReplyOutcome = raw
          ? await handleReply(raw, { ...this.o.handler, store: this.o.store, log })
          : { status: 'unreadable', detail: 'message vanished' };
        out.outcomes.push({ uid: m.uid, outcome });
        if (outcome.status !== 'done' && outcome.status !== 'duplicate') {
          log.warn({ uid: m.uid, status: outcome.status, detail: outcome.detail }, 'reply refused: nothing changed');
        }
        if (f.moveTo) await session.move(m.uid, f.moveTo);
        else await session.markSeen(m.uid);
        await this.o.store.setReplyCheckpoint(f.mailbox, { uidValidity: box.uidValidity, uid: m.uid });
      }
    } finally {
      await session.logout();
    }
    return out;
  }

  /** Polls every feedback.pollSeconds until stop(); a failed pass is logged and tried again next time. */
  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.pollOnce()
        .catch((err: Error) => this.o.log.warn({ err: { message: err.message } }, 'feedback poll failed; will try again'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.o.feedback.pollSeconds * 1000);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
