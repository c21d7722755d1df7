#!/usr/bin/env node
// Demo feeder: APPENDs every message of an mbox archive into an IMAP mailbox, as if the list had delivered them.
//
// Used by the compose `demo` profile (one-shot service) and by scripts/local-stack.sh.
//   LISTWARDEN_DEMO_IMAP_PASS=... node deploy/demo/feed-imap.mjs --host 127.0.0.1 --port 993 --user listbot \
//     [--secure] [--insecure] [--delay-ms 300] [--if-empty] [--wait 60] examples/rlug.mbox
// --secure: implicit TLS; without it STARTTLS is used when the server offers it. --insecure: accept a
// self-signed certificate (throwaway servers only). --if-empty: feed nothing when the mailbox already
// holds mail (so restarting the demo does not feed the archive twice). --wait: seconds to keep trying to
// reach the server. Plain JavaScript on purpose: it runs in the production image, which has no TypeScript.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ImapFlow } from 'imapflow';

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '143' },
    user: { type: 'string', default: 'listbot' },
    'pass-env': { type: 'string', default: 'LISTWARDEN_DEMO_IMAP_PASS' },
    mailbox: { type: 'string', default: 'INBOX' },
    secure: { type: 'boolean', default: false },
    insecure: { type: 'boolean', default: false },
    'delay-ms': { type: 'string', default: '0' },
    'if-empty': { type: 'boolean', default: false },
    wait: { type: 'string', default: '60' },
  },
});

const pass = process.env[o['pass-env']];
if (positionals.length === 0 || !pass) {
  process.stderr.write(`usage: ${o['pass-env']}=... feed-imap.mjs --host H --port P --user U ARCHIVE.mbox...\n`);
  process.exit(1);
}

/** Splits an mbox (mboxo or mboxrd) into messages with CRLF line ends, `>From ` quoting undone once. */
function splitMbox(buf) {
  const lines = buf.toString('latin1').split('\n');
  const messages = [];
  let cur;
  for (const line of lines) {
    if (line.startsWith('From ') && (cur === undefined || cur.at(-1) === '' || cur.length === 0)) {
      if (cur !== undefined) messages.push(cur);
      cur = [];
      continue;
    }
    if (cur === undefined) continue;
    cur.push(/^>+From /.test(line) ? line.slice(1) : line.replace(/\r$/, ''));
  }
  if (cur !== undefined) messages.push(cur);
  return messages
    .map((m) => {
      while (m.length && m.at(-1) === '') m.pop();
      return Buffer.from(m.join('\r\n') + '\r\n', 'latin1');
    })
    .filter((b) => b.length > 2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function connect() {
  const until = Date.now() + Number(o.wait) * 1000;
  for (;;) {
    const client = new ImapFlow({
      host: o.host,
      port: Number(o.port),
      secure: o.secure,
      auth: { user: o.user, pass },
      tls: { rejectUnauthorized: !o.insecure },
      logger: false,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (err) {
      if (Date.now() > until) throw err;
      process.stderr.write(`feed-imap: ${o.host}:${o.port} not ready (${err.message}); retrying\n`);
      await sleep(1000);
    }
  }
}

const client = await connect();
try {
  const st = o['if-empty'] ? await client.status(o.mailbox, { messages: true }) : false;
  if (st && st.messages > 0) {
    process.stdout.write(`feed-imap: ${o.mailbox} already holds ${st.messages} message(s); nothing fed\n`);
  } else {
    await feed();
  }
} finally {
  await client.logout().catch(() => undefined);
}

async function feed() {
  let fed = 0;
  for (const file of positionals) {
    for (const raw of splitMbox(readFileSync(file))) {
      await client.append(o.mailbox, raw);
      fed++;
      const id = /^Message-ID:\s*(\S+)/im.exec(raw.toString('latin1'))?.[1] ?? '(no Message-ID)';
      process.stdout.write(`feed-imap: appended ${id}\n`);
      if (Number(o['delay-ms']) > 0) await sleep(Number(o['delay-ms']));
    }
  }
  process.stdout.write(`feed-imap: ${fed} message(s) appended to ${o.user}/${o.mailbox}\n`);
}
