// Shared pieces of the daemon integration tests: config files, posts, waiting, child daemons, verdict counts.

import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { Dovecot } from '../helpers/dovecot.js';
import { ImapSession } from '../../src/ingest/imap/imapflow-adapter.js';
import { createLogger } from '../../src/log.js';

export const PASS_ENV = 'LW_TEST_IMAP_PASS';

export interface ConfigOptions {
  prefix: string;
  dovecot: Dovecot;
  /** Keyword of the config-written rule `watch-word` (alerts). */
  keyword?: string;
  concurrency?: number;
  moveTo?: string;
  /** Raw text appended to the file (to break it). */
  extra?: string;
}

export function writeConfig(path: string, o: ConfigOptions): void {
  writeFileSync(
    path,
    `lists:
  - id: alpha
    description: "A Linux users group: kernels, distributions, shells."
    terms: [linux, kernel, debian, shell]
    imap:
      host: 127.0.0.1
      port: ${o.dovecot.port}
      tlsVerify: false
      user: ${o.dovecot.user}
      passEnv: ${PASS_ENV}
      checkSeconds: 2
${o.moveTo ? `      moveTo: ${o.moveTo}\n` : ''}custom:
  - id: watch-word
    description: Posts naming the watched word.
    severity: high
    weight: 0.95
    match:
      - ownText: { keywords: [${o.keyword ?? 'bananas'}] }
redis:
  url: redis://127.0.0.1:6379
  prefix: ${o.prefix}
worker:
  concurrency: ${o.concurrency ?? 2}
  lockMs: 2000
  backoffMs: 100
${o.extra ?? ''}`,
  );
}

export function post(id: string, body: string, subject = `linux kernel question ${id}`): string {
  return [
    `From: Poster ${id} <p${id}@example.org>`,
    'To: alpha@lists.example.org',
    `Subject: ${subject}`,
    `Message-ID: <${id}@test.example.org>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');
}

export async function imapClient(d: Dovecot): Promise<ImapSession> {
  return ImapSession.open({
    host: d.host,
    port: d.port,
    secure: true,
    requireTls: true,
    tlsVerify: false,
    user: d.user,
    pass: d.pass,
    log: createLogger('silent'),
  });
}

export async function appendPosts(d: Dovecot, ids: string[], body = 'How do I rebuild the kernel on Debian?'): Promise<void> {
  const s = await imapClient(d);
  try {
    for (const id of ids) await s.append('INBOX', post(id, body));
  } finally {
    await s.logout();
  }
}

export async function waitFor(what: string, cond: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Message-ID → how many times a verdict was recorded for it (from the verdict stream). */
export async function verdictCounts(redis: Redis, prefix: string): Promise<Map<string, number>> {
  const entries = (await redis.xrange(`${prefix}:lw:verdicts`, '-', '+')) as [string, string[]][];
  const counts = new Map<string, number>();
  for (const [, fields] of entries) {
    const i = fields.indexOf('messageId');
    const id = fields[i + 1]!;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

export interface ChildDaemon {
  child: ChildProcess;
  /** Log lines (pino JSON on stderr) so far. */
  lines: string[];
  exited: Promise<number | null>;
}

const PROCESS = fileURLToPath(new URL('./daemon-process.ts', import.meta.url));

export function spawnDaemon(configPath: string, role: 'poller' | 'worker' | 'all', pass: string): ChildDaemon {
  const child = spawn(process.execPath, ['--import', 'tsx', PROCESS, 'run', '--config', configPath, '--role', role], {
    env: { ...process.env, [PASS_ENV]: pass, LISTWARDEN_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: string[] = [];
  let buf = '';
  child.stderr?.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

/** Message-IDs this child logged a verdict for. */
export function verdictsLogged(d: ChildDaemon): string[] {
  return d.lines.flatMap((l) => {
    try {
      const j = JSON.parse(l) as { msg?: string; messageId?: string };
      return j.msg === 'verdict' && j.messageId ? [j.messageId] : [];
    } catch {
      return [];
    }
  });
}
