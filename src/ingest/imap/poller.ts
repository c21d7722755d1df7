// The IMAP poller of one list's mailbox: IDLE (or polling), a periodic UIDNEXT check, reconnects, checkpointed queueing.

import type { Logger } from 'pino';
import type { ImapListConfig } from '../../config/daemon-schema.js';
import type { Metrics } from '../../metrics.js';
import { postJobId, type PostJobData } from '../../queue/jobs.js';
import type { Checkpoint, CheckpointStore } from './checkpoint.js';
import { headerMessageId, planFetch, rebuildMessage } from './compact.js';
import { ImapSession, type MailboxState, type MessageMeta } from './imapflow-adapter.js';

/** Where queued posts go (the posts queue). */
export interface PostSink {
  /** Adds a burst of posts at once (resolves when all are queued); ids already queued are skipped. */
  addPosts(posts: { jobId: string; data: PostJobData }[]): Promise<void>;
}

export interface MailboxPollerOptions {
  list: string;
  imap: ImapListConfig;
  password: string;
  sink: PostSink;
  checkpoints: CheckpointStore;
  metrics?: Metrics;
  log: Logger;
  /** Reconnect backoff: first delay and cap (defaults 1 s and 60 s); jitter ±50 %. */
  backoffMs?: { min: number; max: number };
  /** IMAP command timeout (default 30 s). */
  commandTimeoutMs?: number;
}

export interface PollerHealth {
  list: string;
  ok: boolean;
  reason?: string;
}

/** Messages fetched per round trip. */
const FETCH_BATCH = 50;
/**
 * When the server announced at most FETCH_BATCH new messages, their first this-many bytes come with the structure
 * (one FETCH instead of two for the usual small post; at most 50 × 64 KiB in flight).
 */
const SOURCE_WITH_LIST = 65_536;

export function backoffDelay(attempt: number, min: number, max: number, rand: () => number = Math.random): number {
  const base = Math.min(max, min * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.5 + rand()));
}

export class MailboxPoller {
  private stopping = false;
  private session: ImapSession | undefined;
  private wakeUp: (() => void) | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private connected = false;
  private lastError: string | undefined = 'not connected yet';
  /** When the server reported new mail that no sync has picked up yet. */
  private existsAt: number | undefined;
  /** How many new messages the server reported since the last sync began. */
  private newSince = 0;
  /**
   * The checkpoint as this connection last read or wrote it: read from Redis once per connection, then kept here
   * (it only moves forward; another poller being ahead only means posts queued twice, which job ids deduplicate).
   */
  private checkpoint: Checkpoint | undefined;
  private readonly log: Logger;

  constructor(private readonly o: MailboxPollerOptions) {
    this.log = o.log.child({ list: o.list, mailbox: o.imap.mailbox });
  }

  get health(): PollerHealth {
    return this.connected ? { list: this.o.list, ok: true } : { list: this.o.list, ok: false, reason: `imap ${this.o.list}: ${this.lastError ?? 'down'}` };
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops after the message in hand is queued; closes the connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  /** Sleeps up to ms, or until woken (new mail, a dropped connection, stop); new mail already waiting ends it at once. */
  private nap(ms: number, forMail = false): Promise<void> {
    if (this.stopping || (forMail && this.existsAt !== undefined)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(this.sleepTimer);
        this.wakeUp = undefined;
        resolve();
      };
      this.wakeUp = done;
      this.sleepTimer = setTimeout(done, ms);
    });
  }

  private async run(): Promise<void> {
    const { imap } = this.o;
    const backoff = this.o.backoffMs ?? { min: 1000, max: 60_000 };
    let failures = 0;
    while (!this.stopping) {
      try {
        const session = await ImapSession.open({
          host: imap.host,
          port: imap.port ?? (imap.secure ? 993 : 143),
          secure: imap.secure,
          requireTls: imap.requireTls,
          tlsVerify: imap.tlsVerify,
          user: imap.user,
          pass: this.o.password,
          log: this.log,
          commandTimeoutMs: this.o.commandTimeoutMs,
        });
        this.session = session;
        this.checkpoint = undefined;
        session.on('exists', (at: number, added: number) => {
          this.existsAt ??= at;
          this.newSince += added;
          this.wake();
        });
        session.on('close', () => this.wake());
        let state = await session.select(imap.mailbox);
        this.connected = true;
        this.lastError = undefined;
        this.log.info({ host: imap.host, idle: session.hasIdle, uidNext: state.uidNext }, 'imap connected');
        await this.sync(session, state);
        failures = 0;
        let lastCheck = Date.now();
        while (!this.stopping && !session.closed) {
          const wait = session.hasIdle ? imap.checkSeconds * 1000 : Math.min(imap.pollSeconds, imap.checkSeconds) * 1000;
          const idling = session.idle();
          const sinceCheck = Date.now() - lastCheck;
          await this.nap(Math.max(0, wait - (session.hasIdle ? sinceCheck : 0)), true);
          if (this.stopping || session.closed) break;
          const checkDue = Date.now() - lastCheck >= imap.checkSeconds * 1000 - 50;
          if (checkDue || !session.hasIdle) {
            // IDLE can go silent (NAT timeouts, server quirks): ask for UIDNEXT/UIDVALIDITY ourselves.
            const st = await session.status(imap.mailbox);
            lastCheck = Date.now();
            if (st.uidValidity !== state.uidValidity) {
              this.log.warn({ was: state.uidValidity, now: st.uidValidity }, 'UIDVALIDITY changed: reselecting and rescanning');
              state = await session.select(imap.mailbox);
            } else {
              state = { ...state, uidNext: st.uidNext };
            }
            if (!session.hasIdle) await session.noop();
          }
          await this.sync(session, state);
          void idling;
        }
        if (!this.stopping) throw new Error(session.closed ? 'connection closed' : 'stopped');
      } catch (err) {
        if (this.stopping) break;
        failures++;
        this.connected = false;
        this.lastError = err instanceof Error ? err.message : String(err);
        this.o.metrics?.imapReconnects.inc({ list: this.o.list });
        const delay = backoffDelay(failures, backoff.min, backoff.max);
        this.log.warn({ err: { message: this.lastError }, attempt: failures, retryInMs: delay }, 'imap connection lost; reconnecting');
        this.session?.close();
        this.session = undefined;
        await this.nap(delay);
      }
    }
    this.connected = false;
    this.lastError = 'stopped';
    await this.session?.logout();
    this.session = undefined;
  }

  /**
   * Queues every message past the checkpoint, oldest first, a fetch batch at a time: the batch is fetched, queued in
   * one round trip, and only then is the checkpoint advanced past it (a crash in between re-queues the batch,
   * which the job ids deduplicate).
   */
  private async sync(session: ImapSession, state: MailboxState): Promise<void> {
    const { list, imap, checkpoints } = this.o;
    let cp = await this.knownCheckpoint();
    if (!cp || cp.uidValidity !== state.uidValidity) {
      const lastUid = cp ? 0 : imap.startAt === 'new' ? Math.max(0, state.uidNext - 1) : 0;
      if (cp) this.log.warn({ was: cp.uidValidity, now: state.uidValidity }, 'UIDVALIDITY differs from the checkpoint: rescanning the mailbox (queued posts are deduplicated)');
      cp = { uidValidity: state.uidValidity, lastUid };
      await checkpoints.advance(list, imap.mailbox, cp, true);
    }
    this.checkpoint = cp;
    const seenAt = this.existsAt ?? Date.now();
    const announced = this.newSince;
    this.existsAt = undefined;
    this.newSince = 0;
    const few = announced > 0 && announced <= FETCH_BATCH;
    const metas = await session.listFrom(cp.lastUid + 1, few ? Math.min(SOURCE_WITH_LIST, imap.maxPartBytes) : 0);
    for (let i = 0; i < metas.length; i += FETCH_BATCH) {
      if (this.stopping && session.closed) return;
      const batch = metas.slice(i, i + FETCH_BATCH);
      const plans = batch.map((m) => planFetch(m, imap.maxPartBytes));
      // Small text-only posts come with the list or in one FETCH per batch; the rest part by part.
      const whole = await session.fetchSources(batch.filter((m, j) => plans[j]!.kind === 'whole' && !m.source).map((m) => m.uid), imap.maxPartBytes);
      const posts: { jobId: string; data: PostJobData }[] = [];
      const queued: number[] = [];
      for (const [j, meta] of batch.entries()) {
        const raw = plans[j]!.kind === 'whole' ? (meta.source ?? whole.get(meta.uid)) : await this.fetchCompact(session, meta);
        if (!raw) {
          this.log.warn({ uid: meta.uid }, 'message vanished before it could be fetched; skipped');
          continue;
        }
        const messageId = headerMessageId(raw);
        posts.push({
          jobId: postJobId(list, messageId, raw),
          data: { list, messageId, raw: raw.toString('base64'), source: { mailbox: imap.mailbox, uidValidity: state.uidValidity, uid: meta.uid }, seenAt },
        });
        queued.push(meta.uid);
        this.log.debug({ uid: meta.uid, messageId, bytes: raw.length }, 'post fetched');
      }
      await this.o.sink.addPosts(posts);
      if (posts.length) this.o.metrics?.postsSeen.inc({ list }, posts.length);
      this.log.debug({ posts: posts.length, lastUid: batch[batch.length - 1]!.uid }, 'posts queued');
      this.checkpoint = { uidValidity: state.uidValidity, lastUid: batch[batch.length - 1]!.uid };
      await checkpoints.advance(list, imap.mailbox, this.checkpoint);
      if (queued.length && imap.markSeen) await session.markSeen(queued);
      if (queued.length && imap.moveTo) await session.move(queued, imap.moveTo);
    }
  }

  /**
   * Where to go on from: the checkpoint in Redis, read at every sync, against the one this poller advanced last.
   * - Redis behind it (same UIDVALIDITY, a lower UID): Redis lost its last writes (a Sentinel fail-over, a restart
   *   with `appendfsync everysec`). The jobs queued with them may be lost too, so the posts after Redis'
   *   checkpoint are queued again; those whose jobs survived are deduplicated by their job ids.
   * - Redis without one while this poller has one: Redis lost everything (no AOF). Rescanning the mailbox would
   *   decide every post again, so this poller's own checkpoint is written back instead.
   * - Otherwise Redis' (another poller may have moved it on).
   */
  private async knownCheckpoint(): Promise<Checkpoint | undefined> {
    const { list, imap, checkpoints } = this.o;
    const stored = await checkpoints.get(list, imap.mailbox);
    const mine = this.checkpoint;
    if (!mine) return stored;
    if (!stored) {
      this.log.warn({ lastUid: mine.lastUid }, 'the checkpoint is gone from Redis (Redis lost its data?): writing back the one this poller holds');
      await checkpoints.advance(list, imap.mailbox, mine, true);
      return mine;
    }
    if (stored.uidValidity === mine.uidValidity && stored.lastUid < mine.lastUid) {
      this.log.warn({ redis: stored.lastUid, poller: mine.lastUid }, 'the checkpoint in Redis is behind this poller (Redis lost its last writes?): queueing the posts after it again');
    }
    return stored;
  }

  private async fetchCompact(session: ImapSession, meta: MessageMeta): Promise<Buffer | undefined> {
    const plan = planFetch(meta, this.o.imap.maxPartBytes);
    if (plan.kind === 'whole') return session.fetchSource(meta.uid, plan.maxBytes);
    const got = await session.fetchParts(meta.uid, plan.parts);
    if (!got || !meta.structure) return undefined;
    return rebuildMessage(got.header, meta.structure, got.parts, this.o.imap.maxPartBytes);
  }
}
