// The only nodemailer import: sends our OutgoingMail over SMTP (pooled, STARTTLS/TLS) or renders it to files/buffers.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { SendMailOptions, Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { SmtpConfig } from '../config/notify-schema.js';
import { secretFromEnv } from '../config/notify-schema.js';
import { headerText } from './escape.js';

/** One message, in our own words. Header values are cleaned here once more, whatever the caller did. */
export interface OutgoingMail {
  from: string;
  to: string[];
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
  /** With angle brackets. */
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  /** Extra headers (X-Listwarden-*, Auto-Submitted); names must be plain tokens. */
  headers?: Record<string, string>;
}

export interface SentMail {
  messageId: string;
  /** The raw message, for file/stream mailers (and dry runs). */
  raw?: Buffer;
  /** The server's reply, for SMTP. */
  response?: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<SentMail>;
  /** Checks the connection and login (SMTP), so a bad setting is seen at start. */
  verify(): Promise<void>;
  close(): void;
}

export type MailerOptions =
  | { kind: 'smtp'; smtp: SmtpConfig; env?: NodeJS.ProcessEnv; /** Connection/greeting/socket timeouts (default 30 s). */ timeoutMs?: number }
  /** Writes each message as `<dir>/<n>-<messageId>.eml`. */
  | { kind: 'file'; dir: string }
  /** Keeps each message in `sent` (tests, dry runs, replay). */
  | { kind: 'stream' };

/** An SMTP failure worth retrying later (server down, timeout, 4xx) as opposed to a refused message (5xx). */
export class MailerTransientError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'MailerTransientError';
  }
}

const HEADER_NAME = /^[A-Za-z][A-Za-z0-9-]{0,60}$/;

function cleanHeaders(h: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (HEADER_NAME.test(k)) out[k] = headerText(v);
  return out;
}

function toNodemailer(m: OutgoingMail): SendMailOptions {
  return {
    from: headerText(m.from),
    to: m.to.map(headerText),
    replyTo: m.replyTo ? headerText(m.replyTo) : undefined,
    subject: headerText(m.subject),
    text: m.text,
    html: m.html,
    messageId: headerText(m.messageId),
    inReplyTo: m.inReplyTo ? headerText(m.inReplyTo) : undefined,
    references: m.references?.map(headerText),
    headers: cleanHeaders(m.headers),
    // No remote content: nothing is fetched from a URL or a file while building the message.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

function transient(err: unknown): Error {
  const e = err as { message?: string; code?: string; responseCode?: number };
  const refused = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600 && e.code !== 'ECONNECTION';
  if (refused) return err instanceof Error ? err : new Error(String(e.message));
  return new MailerTransientError(`SMTP: ${e.message ?? String(err)}`, e.code);
}

class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(o: Extract<MailerOptions, { kind: 'smtp' }>) {
    const s = o.smtp;
    const timeout = o.timeoutMs ?? 30_000;
    const auth = s.user ? { user: s.user, pass: secretFromEnv(s.passEnv, 'smtp', o.env) } : undefined;
    const common = {
      host: s.host,
      port: s.port ?? (s.secure ? 465 : 587),
      secure: s.secure,
      requireTLS: !s.secure && s.requireTls,
      tls: { rejectUnauthorized: s.tlsVerify },
      auth,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      disableFileAccess: true,
      disableUrlAccess: true,
    };
    this.transport = s.pool
      ? nodemailer.createTransport({ ...common, pool: true, maxConnections: s.maxConnections } as SMTPPool.Options)
      : nodemailer.createTransport(common as SMTPTransport.Options);
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    try {
      const info = (await this.transport.sendMail(toNodemailer(mail))) as { messageId: string; response?: string };
      return { messageId: info.messageId, response: info.response };
    } catch (err) {
      throw transient(err);
    }
  }

  async verify(): Promise<void> {
    try {
      await this.transport.verify();
    } catch (err) {
      throw transient(err);
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** Renders with nodemailer's stream transport (the same MIME as SMTP would carry) and keeps or writes the bytes. */
class StreamMailer implements Mailer {
  readonly sent: { mail: OutgoingMail; raw: Buffer }[] = [];
  private readonly transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  private n = 0;

  constructor(private readonly dir?: string) {
    if (dir) mkdirSync(dir, { recursive: true });
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    const info = (await this.transport.sendMail(toNodemailer(mail))) as { messageId: string; message: Buffer };
    const raw = info.message;
    this.sent.push({ mail, raw });
    if (this.dir) {
      this.n += 1;
      const name = `${String(this.n).padStart(4, '0')}-${mail.messageId.replace(/[^A-Za-z0-9.@-]/g, '_').slice(0, 80)}.eml`;
      writeFileSync(join(this.dir, name), raw);
    }
    return { messageId: info.messageId, raw };
  }

  async verify(): Promise<void> {}

  close(): void {}
}

export type StreamingMailer = Mailer & { readonly sent: { mail: OutgoingMail; raw: Buffer }[] };

export function createMailer(o: { kind: 'stream' }): StreamingMailer;
export function createMailer(o: MailerOptions): Mailer;
export function createMailer(o: MailerOptions): Mailer {
  switch (o.kind) {
    case 'smtp':
      return new SmtpMailer(o);
    case 'file':
      return new StreamMailer(o.dir);
    case 'stream':
      return new StreamMailer();
  }
}
