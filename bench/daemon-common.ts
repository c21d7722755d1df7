// Shared by the daemon bench and its worker processes: the archive as raw posts, the bench config, Redis figures.

import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Redis } from 'ioredis';

/**
 * A listwarden module (`path` under src/, e.g. 'parse/index.js') from the compiled dist/ when LISTWARDEN_BENCH_CODE
 * is 'dist' (what `listwarden` runs; the benches set it), from src/ through tsx otherwise. Typed from src/.
 */
export function benchModule<T>(path: string): Promise<T> {
  const root = process.env.LISTWARDEN_BENCH_CODE === 'dist' ? 'dist' : 'src';
  return import(new URL(`../${root}/${path}`, import.meta.url).href) as Promise<T>;
}

/** Node options of a command line (`--name` or `--name=value` words), as given. */
const nodeOptions = (words: string): string[] => words.split(/\s+/).filter((w) => w.startsWith('--'));

/**
 * The V8 flags `listwarden replay` runs with: those of the bin's shebang (`#!/usr/bin/env -S node FLAGS`).
 * LISTWARDEN_BENCH_REPLAY_FLAGS overrides them ('none': Node's defaults), for experiments.
 */
export function replayNodeFlags(cli = 'dist/cli.js'): string[] {
  const override = process.env.LISTWARDEN_BENCH_REPLAY_FLAGS;
  if (override !== undefined) return override === 'none' ? [] : nodeOptions(override);
  const first = readFileSync(cli, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\S*env\s+-S\s+node\s+(.*)$/.exec(first);
  return m ? nodeOptions(m[1]!) : [];
}

/**
 * The V8 flags the daemon runs with: those of the systemd unit's ExecStart (`node FLAGS …/dist/cli.js run`), which
 * starts dist/cli.js through node, as the Docker image does, so the bin's shebang flags do not apply.
 * LISTWARDEN_BENCH_WORKER_FLAGS overrides them ('none': Node's defaults), for experiments.
 */
export function daemonNodeFlags(unit = 'deploy/listwarden@.service'): string[] {
  const override = process.env.LISTWARDEN_BENCH_WORKER_FLAGS;
  if (override !== undefined) return override === 'none' ? [] : nodeOptions(override);
  const exec = /^ExecStart=\S*node\s+(.*?)\S*dist\/cli\.js/m.exec(readFileSync(unit, 'utf8'));
  return exec ? nodeOptions(exec[1]!) : [];
}

/** Splits an mbox into raw messages (From_ lines dropped, >From unescaped), CRLF line ends as IMAP wants. */
/**
 * A full garbage collection now, so what a warm-up (or an earlier run) left behind is collected before the
 * measured part rather than in it: a major GC of a warm-up's 100+ MB of garbage is hundreds of ms of CPU, which
 * a short measured run would book against its posts. (`--expose-gc` set at run time, then `gc` read from a new context.)
 */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

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
export type WorkerMessage = { type: 'ready' } | { type: 'cpu'; cpuMs: number; maxRssMB: number } | { type: 'stopped' };

/** Messages between the bench and its replay process: one replay of the archive asked for, and its figures. */
export type ReplayMessage = { type: 'ready' } | { type: 'replay' } | { type: 'replayed'; rate: number; cpuMs: number };
