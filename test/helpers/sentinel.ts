// Test helper: a Redis Sentinel setup of its own: a master, its replica and one sentinel, each a redis-server on a
// free loopback port in a temporary folder (never the machine's shared Redis), and a failover on demand.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startOwnRedis, type OwnRedis } from '../../scripts/soak/own-redis.js';

export interface SentinelSet {
  /** The master group name the sentinel monitors. */
  name: string;
  /** The sentinel as host:port (what `redis.sentinel.nodes` lists). */
  node: string;
  /** The port of the server the sentinel names as master now. */
  masterPort(): Promise<number>;
  /** Has the replica take over (SENTINEL FAILOVER) once it holds every write; the new master's port. */
  failover(): Promise<number>;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export async function startSentinelSet(name = 'lwmaster'): Promise<SentinelSet> {
  const dir = mkdtempSync(join(tmpdir(), 'lw-sentinel-'));
  const servers: OwnRedis[] = [];
  let sentinelProcess: ChildProcess | undefined;
  const clients: Redis[] = [];
  const client = (port: number): Redis => {
    const r = new Redis({ host: '127.0.0.1', port, lazyConnect: false, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    r.on('error', () => undefined);
    clients.push(r);
    return r;
  };
  const stop = async (): Promise<void> => {
    for (const r of clients) r.disconnect();
    const s = sentinelProcess;
    if (s && s.exitCode === null && s.signalCode === null) {
      const gone = new Promise<void>((res) => s.once('exit', () => res()));
      s.kill('SIGKILL');
      await gone;
    }
    await Promise.all(servers.map((r) => r.destroy()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Nothing on disk: the set lives for one test.
    const master = await startOwnRedis({ aof: false });
    servers.push(master);
    servers.push(await startOwnRedis({ aof: false, args: ['--replicaof', '127.0.0.1', String(master.port)] }));
    const replicaPort = servers[1]!.port;
    const sentinelPort = await freePort();
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `logfile ${join(dir, 'sentinel.log')}`,
        `sentinel monitor ${name} 127.0.0.1 ${master.port} 1`,
        `sentinel down-after-milliseconds ${name} 2000`,
        `sentinel failover-timeout ${name} 10000`,
        '',
      ].join('\n'),
    );
    sentinelProcess = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
    const sentinel = client(sentinelPort);
    const replica = client(replicaPort);
    // The replica in sync, and the sentinel aware of it (it learns replicas from the master's INFO).
    await until('the replica to sync', async () => ((await replica.info('replication')).includes('master_link_status:up') ? true : undefined));
    await until('the sentinel to see the replica', async () => (((await sentinel.call('SENTINEL', 'REPLICAS', name)) as unknown[]).length > 0 ? true : undefined));
    const masterPortNow = async (): Promise<number> => Number(((await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[])[1]);
    return {
      name,
      node: `127.0.0.1:${sentinelPort}`,
      masterPort: masterPortNow,
      async failover() {
        const before = await masterPortNow();
        const master = client(before);
        // Every write on the replica first: a failover never loses acknowledged writes in this test.
        await until('the replica to hold every write', async () => (Number(await master.call('WAIT', '1', '1000')) >= 1 ? true : undefined));
        await sentinel.call('SENTINEL', 'FAILOVER', name);
        const after = await until('the sentinel to name the new master', async () => {
          const p = await masterPortNow();
          return p !== before ? p : undefined;
        });
        const promoted = client(after);
        await until('the new master to take writes', async () => ((await promoted.info('replication')).includes('role:master') ? true : undefined));
        return after;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
