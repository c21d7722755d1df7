#!/usr/bin/env node
// A throwaway SMTP catcher for scripts/local-stack.sh: accepts any mail on loopback, writes each to a folder as .eml, prints one JSON line.
//
// Usage: node deploy/demo/smtp-catcher.mjs --port 2525 --dir /tmp/caught
// It offers STARTTLS with smtp-server's built-in self-signed certificate (so listwarden's default
// `requireTls: true` is exercised; set `tlsVerify: false` for it) and takes mail without AUTH.
// Plain JavaScript on purpose: it runs from a checkout or an image without a TypeScript toolchain.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const { values: o } = parseArgs({
  options: {
    port: { type: 'string', default: '2525' },
    host: { type: 'string', default: '127.0.0.1' },
    dir: { type: 'string' },
  },
});
if (!o.dir) {
  process.stderr.write('usage: smtp-catcher.mjs --port N --dir FOLDER\n');
  process.exit(1);
}
mkdirSync(o.dir, { recursive: true });

let n = 0;
const server = new SMTPServer({
  secure: false,
  authOptional: true,
  disabledCommands: ['AUTH'],
  logger: false,
  // Alerts are small; a cap keeps a runaway sender from filling the disk.
  size: 10 * 1024 * 1024,
  onData(stream, session, cb) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', async () => {
      const raw = Buffer.concat(chunks);
      const file = join(o.dir, `${String(++n).padStart(4, '0')}.eml`);
      writeFileSync(file, raw);
      let subject = '';
      let messageId = '';
      let inReplyTo = '';
      try {
        const p = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
        subject = p.subject ?? '';
        messageId = p.messageId ?? '';
        inReplyTo = p.inReplyTo ?? '';
      } catch {
        // A message the parser refuses is still kept on disk for a person to read.
      }
      const line = {
        file,
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
        tls: Boolean(session.secure),
        subject,
        messageId,
        inReplyTo,
        notice: /^X-Listwarden-Notice:\s*(.+)$/im.exec(raw.toString('latin1').split(/\r?\n\r?\n/)[0] ?? '')?.[1]?.trim() ?? '',
      };
      process.stdout.write(JSON.stringify(line) + '\n');
      cb();
    });
  },
});

server.on('error', (err) => process.stderr.write(`smtp-catcher: ${err.message}\n`));
server.listen(Number(o.port), o.host, () => process.stderr.write(`smtp-catcher: listening on ${o.host}:${o.port}, mail to ${o.dir}\n`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
