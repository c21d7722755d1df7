// The soak's SMTP catcher (smtp-server on loopback): records each notice that arrives, and can go away for a while.

import type { Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message as it arrived: the headers the soak counts by, and when. */
export interface CaughtMail {
  /** X-Listwarden-Notice (alerts carry it; digests do not). */
  noticeId?: string;
  list?: string;
  subject: string;
  to: string[];
  at: number;
  bytes: number;
}

export interface SmtpCatcher {
  port: number;
  readonly mails: CaughtMail[];
  readonly up: boolean;
  /** Closes the listener and cuts every open connection (pooled ones too): a server that is gone. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Unfolded header fields of a raw message, by lower-cased name (the first of each). */
export function headerFields(raw: Buffer): Map<string, string> {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end < 0 ? raw.length : end).toString('utf8').replace(/\r\n[ \t]+/g, ' ');
  const out = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    if (!out.has(name)) out.set(name, line.slice(i + 1).trim());
  }
  return out;
}

export async function startSmtpCatcher(port = 0): Promise<SmtpCatcher> {
  const mails: CaughtMail[] = [];
  let server: SMTPServer | undefined;
  const sockets = new Set<Socket>();
  let boundPort = port;

  const start = async (): Promise<void> => {
    if (server) return;
    const s = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['AUTH'],
      logger: false,
      // Connections cut by stop() are not waited for.
      closeTimeout: 100,
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const h = headerFields(raw);
          mails.push({
            noticeId: h.get('x-listwarden-notice'),
            list: h.get('x-listwarden-list'),
            subject: h.get('subject') ?? '',
            to: session.envelope.rcptTo.map((r) => r.address),
            at: Date.now(),
            bytes: raw.length,
          });
          cb();
        });
      },
    });
    s.on('error', () => undefined);
    s.server.on('connection', (sock: Socket) => {
      sockets.add(sock);
      sock.once('close', () => sockets.delete(sock));
    });
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.listen(boundPort, '127.0.0.1', () => {
        s.server.off('error', reject);
        const a = s.server.address();
        if (a && typeof a === 'object') boundPort = a.port;
        resolve();
      });
    });
    server = s;
  };

  const stop = async (): Promise<void> => {
    const s = server;
    if (!s) return;
    server = undefined;
    const closed = new Promise<void>((r) => s.close(() => r()));
    for (const sock of sockets) sock.destroy();
    sockets.clear();
    await closed;
  };

  await start();
  return {
    get port() {
      return boundPort;
    },
    mails,
    get up() {
      return server !== undefined;
    },
    stop,
    start,
    close: stop,
  };
}
