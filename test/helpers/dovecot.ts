// Test harness: a real Dovecot (Debian's dovecot-imapd) on loopback, with a throwaway config, user and Maildir.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync, chownSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';

export interface DovecotOptions {
  user?: string;
  pass?: string;
  /** Extra mailboxes to create (e.g. a moveTo folder). */
  mailboxes?: string[];
}

export interface Dovecot {
  host: string;
  /** Implicit-TLS port (self-signed certificate). */
  port: number;
  /** Plain IMAP port (STARTTLS offered). */
  plainPort: number;
  user: string;
  pass: string;
  dir: string;
  /** The user's Maildir (INBOX). */
  maildir: string;
  /** Stops the server (the Maildir stays, so a restart sees the same mail). */
  stop(): Promise<void>;
  /** Starts it again on the same ports after stop(). */
  start(): Promise<void>;
  /** Stops and removes every file. */
  destroy(): Promise<void>;
}

const DOVECOT = ['/usr/sbin/dovecot', '/usr/bin/dovecot'].find((p) => existsSync(p));

export function dovecotAvailable(): boolean {
  return DOVECOT !== undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const { connect } = await import('node:net');
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`dovecot did not listen on ${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const uidOf = (name: string): number => Number(execFileSync('id', ['-u', name]).toString().trim());
const gidOf = (name: string): number => Number(execFileSync('id', ['-g', name]).toString().trim());

/** Starts Dovecot. Needs root (it binds, chroots its login processes and drops to the `dovecot` user for mail). */
export async function startDovecot(o: DovecotOptions = {}): Promise<Dovecot> {
  if (!DOVECOT) throw new Error('dovecot is not installed: run `bash .ci/dovecot.sh` (apt-get install dovecot-imapd)');
  const user = o.user ?? 'listbot';
  const pass = o.pass ?? `pw-${Math.random().toString(36).slice(2)}`;
  const dir = mkdtempSync(join(tmpdir(), 'lw-dovecot-'));
  const mailUid = uidOf('dovecot');
  const mailGid = gidOf('dovecot');
  // Dovecot's auth and mail processes run as the dovecot user: they must be able to enter the folder.
  chmodSync(dir, 0o711);
  for (const d of ['run', 'state', 'mail']) mkdirSync(join(dir, d));
  chownSync(join(dir, 'mail'), mailUid, mailGid);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${pass}::::::\n`);
  const port = await freePort();
  const plainPort = await freePort();
  const home = join(dir, 'mail', user);
  const conf = `
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = lw-test-${port}
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <${dir}/cert.pem
ssl_key = <${dir}/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = ${mailUid}
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailUid} gid=${mailGid} home=${home}
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${plainPort}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${port}
    ssl = yes
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0600
  }
}
namespace inbox {
  inbox = yes
  separator = /
${(o.mailboxes ?? []).map((m) => `  mailbox "${m}" {\n    auto = create\n  }`).join('\n')}
}
`;
  const confPath = join(dir, 'dovecot.conf');
  writeFileSync(confPath, conf);

  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    // A process group of its own: stopping kills the master and every login and imap process together
    // (the master alone going away leaves them running, connections open).
    const c = spawn(DOVECOT, ['-F', '-c', confPath], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    child = c;
    let stderr = '';
    c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<never>((_, reject) =>
      c.once('exit', (code) => reject(new Error(`dovecot exited (${code}): ${stderr}`))),
    );
    await Promise.race([Promise.all([waitForPort(port, 10_000), waitForPort(plainPort, 10_000)]), exited]);
    exited.catch(() => undefined);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    const group = (sig: NodeJS.Signals): void => {
      try {
        process.kill(-c.pid!, sig);
      } catch {
        // the group is gone already
      }
    };
    group('SIGTERM');
    const timer = setTimeout(() => group('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
    // Stragglers of the group (a process that ignored SIGTERM) are killed outright.
    await new Promise((r) => setTimeout(r, 100));
    group('SIGKILL');
  };
  await start();
  return {
    host: '127.0.0.1',
    port,
    plainPort,
    user,
    pass,
    dir,
    maildir: join(home, 'Maildir'),
    stop,
    start,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
