// The only imapflow import: one IMAP connection to one mailbox, in our own types, every command time-bounded.

import { EventEmitter } from 'node:events';
import { ImapFlow, type FetchMessageObject, type MessageStructureObject } from 'imapflow';
import type { Logger } from 'pino';

export interface ImapConnectOptions {
  host: string;
  port: number;
  /** Implicit TLS. */
  secure: boolean;
  /** Without implicit TLS: require STARTTLS (true) or allow cleartext (false). */
  requireTls: boolean;
  tlsVerify: boolean;
  user: string;
  pass: string;
  log: Logger;
  /** Any single command (or the connect) taking longer than this closes the connection (default 30 s). */
  commandTimeoutMs?: number;
}

/** A MIME node of a message, as the server's BODYSTRUCTURE describes it. */
export interface BodyNode {
  /** Part number ("1", "1.2"); absent for the root of a multipart message. */
  part?: string;
  /** Lower-case `type/subtype`. */
  type: string;
  parameters?: Record<string, string>;
  encoding?: string;
  /** Encoded size in bytes. */
  size?: number;
  disposition?: string;
  dispositionParameters?: Record<string, string>;
  childNodes?: BodyNode[];
}

export interface MessageMeta {
  uid: number;
  size: number;
  structure?: BodyNode;
  /** The whole message, when it was asked for along with the structure and fit (see listFrom). */
  source?: Buffer;
}

export interface MailboxState {
  /** UIDVALIDITY as a decimal string (it is a 32-bit unsigned number; bigint in imapflow). */
  uidValidity: string;
  uidNext: number;
  exists: number;
}

export class ImapTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`IMAP ${what} took longer than ${ms} ms`);
    this.name = 'ImapTimeoutError';
  }
}

function toNode(s: MessageStructureObject): BodyNode {
  return {
    part: s.part,
    type: s.type.toLowerCase(),
    parameters: s.parameters,
    encoding: s.encoding,
    size: s.size,
    disposition: s.disposition,
    dispositionParameters: s.dispositionParameters,
    childNodes: s.childNodes?.map(toNode),
  };
}

/** An IMAP UID set ("7" or "7,8,9"); '' for none. */
function uidSet(uid: number | number[]): string {
  return Array.isArray(uid) ? uid.join(',') : String(uid);
}

/**
 * One connection. Events: 'exists' (new mail reported by the server: the time it was read and how many messages
 * are new) and 'close'.
 * A closed session is never reused (imapflow cannot reconnect a closed client): make a new one.
 */
export class ImapSession extends EventEmitter {
  private closedFlag = false;
  private readonly timeoutMs: number;

  private constructor(
    private readonly client: ImapFlow,
    private readonly log: Logger,
    timeoutMs: number,
  ) {
    super();
    this.timeoutMs = timeoutMs;
    client.on('exists', (e: { count: number; prevCount: number }) => {
      if (e.count > e.prevCount) this.emit('exists', Date.now(), e.count - e.prevCount);
    });
    client.on('close', () => {
      this.closedFlag = true;
      this.emit('close');
    });
    // imapflow emits 'error' before 'close'; unhandled it would crash the process.
    client.on('error', (err: Error) => log.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'imap connection error'));
  }

  static async open(o: ImapConnectOptions): Promise<ImapSession> {
    const timeoutMs = o.commandTimeoutMs ?? 30_000;
    const client = new ImapFlow({
      host: o.host,
      port: o.port,
      secure: o.secure,
      doSTARTTLS: o.secure ? undefined : o.requireTls,
      tls: { rejectUnauthorized: o.tlsVerify },
      auth: { user: o.user, pass: o.pass },
      logger: false,
      disableAutoIdle: true,
      connectionTimeout: timeoutMs,
      greetingTimeout: Math.min(timeoutMs, 16_000),
      // The server may stay quiet during IDLE; our own check breaks IDLE well within this.
      socketTimeout: 5 * 60_000,
      clientInfo: { name: 'listwarden' },
    });
    const session = new ImapSession(client, o.log, timeoutMs);
    try {
      await session.bounded('connect', client.connect());
    } catch (err) {
      session.close();
      throw err;
    }
    return session;
  }

  get closed(): boolean {
    return this.closedFlag || !this.client.usable;
  }

  get hasIdle(): boolean {
    return this.client.capabilities.has('IDLE');
  }

  /** Rejects after the command timeout and closes the connection then (a hung command means a dead link). */
  private async bounded<T>(what: string, p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.close();
        reject(new ImapTimeoutError(what, this.timeoutMs));
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([p, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async select(mailbox: string): Promise<MailboxState> {
    const mb = await this.bounded('SELECT', this.client.mailboxOpen(mailbox));
    return { uidValidity: mb.uidValidity.toString(), uidNext: mb.uidNext, exists: mb.exists };
  }

  /** UIDNEXT and UIDVALIDITY of a mailbox, fresh from the server. */
  async status(mailbox: string): Promise<{ uidValidity: string; uidNext: number }> {
    const st = await this.bounded('STATUS', this.client.status(mailbox, { uidNext: true, uidValidity: true }));
    if (!st || st.uidValidity === undefined || st.uidNext === undefined) throw new Error(`IMAP STATUS ${mailbox} gave no UIDNEXT/UIDVALIDITY`);
    return { uidValidity: st.uidValidity.toString(), uidNext: st.uidNext };
  }

  /**
   * Messages with UID ≥ fromUid in the selected mailbox, oldest first: UID, size, structure. With sourceUpTo > 0
   * the first sourceUpTo bytes of each come in the same FETCH, and a message no bigger than that keeps its whole
   * source (saves a second FETCH for the common small post; callers bound how many messages this may be).
   */
  async listFrom(fromUid: number, sourceUpTo = 0): Promise<MessageMeta[]> {
    if (this.client.mailbox && this.client.mailbox.exists === 0) return [];
    const query = { uid: true, size: true, bodyStructure: true, ...(sourceUpTo > 0 ? { source: { maxLength: sourceUpTo } } : {}) };
    const msgs = await this.bounded('FETCH', this.client.fetchAll(`${Math.max(1, fromUid)}:*`, query, { uid: true }));
    // `n:*` always names the last message, even when its UID is below n.
    return msgs
      .filter((m) => m.uid >= fromUid)
      .map((m) => ({
        uid: m.uid,
        size: m.size ?? 0,
        structure: m.bodyStructure ? toNode(m.bodyStructure) : undefined,
        // Only a source known to be whole (its length is the message's size) is kept.
        source: m.source && m.size !== undefined && m.size <= sourceUpTo && m.source.length === m.size ? m.source : undefined,
      }))
      .sort((a, b) => a.uid - b.uid);
  }

  /** The whole message, cut at maxBytes (only asked for small text-only posts). */
  async fetchSource(uid: number, maxBytes: number): Promise<Buffer | undefined> {
    const m = await this.bounded('FETCH', this.client.fetchOne(String(uid), { uid: true, source: { maxLength: maxBytes } }, { uid: true }));
    return m ? m.source : undefined;
  }

  /** Several whole messages in one FETCH (small text-only posts), each cut at maxBytes: UID → source. */
  async fetchSources(uids: number[], maxBytes: number): Promise<Map<number, Buffer>> {
    const out = new Map<number, Buffer>();
    if (!uids.length) return out;
    const msgs = await this.bounded('FETCH', this.client.fetchAll(uids.join(','), { uid: true, source: { maxLength: maxBytes } }, { uid: true }));
    for (const m of msgs) if (m.source) out.set(m.uid, m.source);
    return out;
  }

  /** The header block and the given parts (each cut at its maxLength), still transfer-encoded. */
  async fetchParts(uid: number, parts: { key: string; maxLength: number }[]): Promise<{ header: Buffer; parts: Map<string, Buffer> } | undefined> {
    const m: FetchMessageObject | false = await this.bounded(
      'FETCH',
      this.client.fetchOne(String(uid), { uid: true, headers: true, bodyParts: parts.map((p) => ({ key: p.key, maxLength: p.maxLength })) }, { uid: true }),
    );
    if (!m || !m.headers) return undefined;
    return { header: m.headers, parts: m.bodyParts ?? new Map() };
  }

  /**
   * Enters IDLE; resolves when IDLE ends (the next command breaks it, so callers need not wait for this).
   * Without IDLE on the server, resolves at once.
   */
  idle(): Promise<void> {
    if (!this.hasIdle) return Promise.resolve();
    return this.client.idle().then(
      () => undefined,
      (err: Error) => {
        this.log.debug({ err: { message: err.message } }, 'IDLE ended with an error');
      },
    );
  }

  /** A no-op round trip: lets a server without IDLE report new mail, and proves the link is alive. */
  async noop(): Promise<void> {
    await this.bounded('NOOP', this.client.noop());
  }

  /** Sets \Seen on one message or several (one STORE). */
  async markSeen(uid: number | number[]): Promise<void> {
    const set = uidSet(uid);
    if (set) await this.bounded('STORE', this.client.messageFlagsAdd(set, ['\\Seen'], { uid: true }));
  }

  /** Moves one message or several (one MOVE) to a folder. */
  async move(uid: number | number[], folder: string): Promise<void> {
    const set = uidSet(uid);
    if (set) await this.bounded('MOVE', this.client.messageMove(set, folder, { uid: true }));
  }

  /** Stores a message in a mailbox (tests and the bench post to a list this way); returns its UID when known. */
  async append(mailbox: string, raw: Buffer | string): Promise<number | undefined> {
    const r = await this.bounded('APPEND', this.client.append(mailbox, raw));
    return r ? r.uid : undefined;
  }

  /** Polite LOGOUT, bounded; falls back to dropping the socket. */
  async logout(): Promise<void> {
    if (this.closed) return;
    try {
      await this.bounded('LOGOUT', this.client.logout());
    } catch {
      this.close();
    }
  }

  close(): void {
    this.closedFlag = true;
    try {
      this.client.close();
    } catch {
      // already closed
    }
  }
}
