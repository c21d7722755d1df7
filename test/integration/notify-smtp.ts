// Test harness for notify: a real SMTP server (smtp-server) on loopback with STARTTLS and AUTH, that can go down.

import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface Received {
  envelopeFrom: string;
  envelopeTo: string[];
  raw: Buffer;
  parsed: ParsedMail;
  /** Whether the session ran over TLS (STARTTLS). */
  secure: boolean;
  user?: string;
}

export interface TestSmtp {
  port: number;
  user: string;
  pass: string;
  received: Received[];
  /** While down, every connection is refused with a 421 (a temporary failure, as a server in trouble gives). */
  down: boolean;
  /** Resolves once at least n messages arrived. */
  waitFor(n: number, ms?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startSmtp(o: { user?: string; pass?: string } = {}): Promise<TestSmtp> {
  const user = o.user ?? 'lwbot';
  const pass = o.pass ?? `pw-${Math.random().toString(36).slice(2)}`;
  const state = { down: false };
  const received: Received[] = [];
  const options: SMTPServerOptions = {
    secure: false,
    // smtp-server's built-in self-signed certificate serves STARTTLS.
    allowInsecureAuth: false,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onConnect(_session, cb) {
      if (state.down) {
        const err = Object.assign(new Error('Service temporarily unavailable'), { responseCode: 421 });
        cb(err);
        return;
      }
      cb();
    },
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === pass) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            received.push({
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              raw,
              parsed,
              secure: session.secure,
              user: typeof session.user === 'string' ? session.user : undefined,
            });
            cb();
          },
          (err: Error) => cb(err),
        );
      });
    },
  };
  const server = new SMTPServer(options);
  server.on('error', () => undefined);
  const port = await new Promise<number>((resolve, reject) => {
    server.listen(0, '127.0.0.1', () => {
      const addr = server.server.address();
      if (addr && typeof addr === 'object') resolve(addr.port);
      else reject(new Error('smtp-server did not listen'));
    });
  });
  return {
    port,
    user,
    pass,
    received,
    get down() {
      return state.down;
    },
    set down(v: boolean) {
      state.down = v;
    },
    async waitFor(n: number, ms = 15_000) {
      const until = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} messages, got ${received.length} within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
