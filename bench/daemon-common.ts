// Shared by the daemon bench and its worker processes: the archive as raw posts, the bench config, Redis figures.

import type { Redis } from 'ioredis';

/** Splits an mbox into raw messages (From_ lines dropped, >From unescaped), CRLF line ends as IMAP wants. */
export function splitMbox(text: string): Buffer[] {
  const out: Buffer[] = [];
  let cur: string[] | undefined;
  const flush = (): void => {
    if (cur) out.push(Buffer.from(cur.join('\r\n').replace(/(\r\n)+$/, '') + '\r\n'));
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('From ')) {
      flush();
      cur = [];
    } else if (cur) cur.push(line.replace(/^>(>*From )/, '$1'));
  }
  flush();
  return out;
}

/** The p-th percentile (nearest rank) of xs. */
export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

export const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`;

export interface BenchConfigOptions {
  prefix: string;
  concurrency: number;
  keepCompleted: number;
  imap?: { port: number; user: string };
}

/** The bench's daemon config: one list (the generated archive's), Redis prefix per run, IMAP when live. */
export function benchConfigText(o: BenchConfigOptions): string {
  return `lists:
  - id: tlug
    listId: tlug.tlug.example.jp
    description: "Tokyo Linux Users Group: Linux, free software, Japanese input, hardware."
    terms: [linux, kernel, debian, emacs, ubuntu, shell]
${o.imap ? `    imap:
      host: 127.0.0.1
      port: ${o.imap.port}
      tlsVerify: false
      user: ${o.imap.user}
      passEnv: LW_BENCH_PASS
      checkSeconds: 30
` : ''}redis:
  prefix: ${o.prefix}
worker:
  concurrency: ${o.concurrency}
  keepCompleted: ${o.keepCompleted}
`;
}

export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

/** The Redis server's CPU time so far (user + system), ms: every client's share, this bench's among them. */
export async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const get = (k: string): number => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (get('used_cpu_user') + get('used_cpu_sys')) * 1000;
}

/**
 * Bytes held by the keys under a prefix (MEMORY USAGE of each): this run's own share, unlike used_memory, which
 * moves with whatever else uses the same Redis meanwhile.
 */
export async function prefixMemory(redis: Redis, prefix: string): Promise<{ keys: number; bytes: number }> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    const pipe = redis.pipeline();
    for (const k of batch) pipe.memory('USAGE', k, 'SAMPLES', '0');
    for (const [, n] of (await pipe.exec()) ?? []) {
      keys++;
      bytes += Number(n ?? 0);
    }
  } while (cursor !== '0');
  return { keys, bytes };
}

/** Messages between the bench and its worker processes (IPC). */
export type WorkerMessage = { type: 'ready' } | { type: 'cpu'; cpuMs: number } | { type: 'stopped' };
