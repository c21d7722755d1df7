// The soak's own Redis: a redis-server with AOF in a temp folder on a free loopback port, stopped and started at will.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OwnRedis {
  port: number;
  url: string;
  dir: string;
  /** Whether the server is running now. */
  readonly up: boolean;
  /** SIGTERM (Redis flushes its AOF and exits), waiting for the exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder; the AOF brings the data back. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function answers(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    let got = '';
    c.once('connect', () => c.write('PING\r\n'));
    c.on('data', (d) => {
      got += d.toString();
      if (got.includes('\r\n')) {
        c.destroy();
        // "-LOADING" while the AOF is read back: not ready yet.
        resolve(got.startsWith('+PONG'));
      }
    });
    c.once('error', () => resolve(false));
  });
}

/**
 * Starts redis-server with appendonly yes (fsync every second) on loopback; never the machine's shared 6379.
 * `aof: false` keeps nothing on disk; `args` are more redis-server flags (`--replicaof host port`, say).
 */
export async function startOwnRedis(o: { port?: number; fsync?: 'always' | 'everysec'; aof?: boolean; args?: string[] } = {}): Promise<OwnRedis> {
  const port = o.port ?? (await freePort());
  if (port === 6379) throw new Error('the soak never uses the shared Redis on 6379');
  const dir = mkdtempSync(join(tmpdir(), 'lw-soak-redis-'));
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    if (child) return;
    const c = spawn(
      'redis-server',
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', o.aof === false ? 'no' : 'yes', '--appendfsync', o.fsync ?? 'everysec'],
        ...['--save', '', '--logfile', join(dir, 'redis.log'), '--protected-mode', 'yes', ...(o.args ?? [])],
      ],
      { stdio: 'ignore' },
    );
    child = c;
    c.once('exit', () => {
      if (child === c) child = undefined;
    });
    const until = Date.now() + 15_000;
    while (!(await answers(port))) {
      if (!child) throw new Error(`redis-server on ${port} exited at start; see ${join(dir, 'redis.log')}`);
      if (Date.now() > until) throw new Error(`redis-server on ${port} did not answer within 15 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async (): Promise<void> => {
    const c = child;
    if (!c) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(t);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    get up() {
      return child !== undefined;
    },
    stop,
    start,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
