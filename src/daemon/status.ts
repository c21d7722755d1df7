// `listwarden status`: a read-only look at a running deployment in Redis — lists, mailboxes, checkpoints, queues, digests.

import type { Redis } from 'ioredis';
import type { DaemonConfig } from './config.js';
import { CheckpointStore } from '../ingest/imap/checkpoint.js';
import { JOB_STATES, type Queues } from '../queue/queues.js';
import { describeRedis } from '../queue/redis.js';
import { NotifyStore } from '../notify/store.js';
import type { DigestSchedule } from '../notify/notice-worker.js';

export interface ListStatus {
  id: string;
  name: string;
  /** The List-Id that routes posts to this list, when configured. */
  listId?: string;
  /** `user@host:port/mailbox`, when this config polls the list. */
  mailbox?: string;
  checkpoint?: { uidValidity: string; lastUid: number; at?: number };
  /** Verdicts recorded for the list (all time, while thread state lasts). */
  verdicts: number;
  /** ms since epoch of the newest verdict in the verdict stream's recent part. */
  lastVerdictAt?: number;
  lastDigestAt?: number;
  /** Next scheduled digest (ms since epoch) and its cron, when a daemon with smtp has set the schedule. */
  nextDigestAt?: number;
  digestCron?: string;
  /** Flags waiting for the next digest. */
  digestEntries: number;
  /** Alerts sent since the last digest and not answered yet. */
  unansweredAlerts: number;
}

export interface QueueStatus {
  name: string;
  counts: Record<string, number>;
  /** BullMQ workers connected to this queue right now. */
  workers: number;
}

export interface DeploymentStatus {
  configFile: string;
  redis: { url: string; prefix: string; ok: boolean; error?: string; usedMemory?: string; aof?: boolean };
  /** listwarden processes connected to Redis right now, by role (from their connection names). */
  processes: { poller: number; worker: number; all: number };
  lists: ListStatus[];
  queues: QueueStatus[];
  /** Posts in the failed set (`listwarden failed` lists them). */
  failed: number;
  at: number;
}

export interface CollectStatusOptions {
  configFile: string;
  config: DaemonConfig;
  /** A plain connection for reads. */
  redis: Redis;
  queues: Queues;
  digests: DigestSchedule;
  /** Newest verdicts scanned for each list's last verdict time (default 2000). */
  recentVerdicts?: number;
}

function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

/** Counts listwarden's processes by the names their connections carry (`<prefix>:listwarden-<role>`). */
export function processesOf(clientList: string, prefix: string): DeploymentStatus['processes'] {
  const out = { poller: 0, worker: 0, all: 0 };
  for (const line of clientList.split('\n')) {
    const name = /(?:^| )name=(\S*)/.exec(line)?.[1];
    const role = name?.startsWith(`${prefix}:listwarden-`) ? name.slice(prefix.length + ':listwarden-'.length) : undefined;
    if (role === 'poller' || role === 'worker' || role === 'all') out[role]++;
  }
  return out;
}

/** Reads everything `status` shows; changes no state (BullMQ's Queue objects may write their version to a queue's meta key). */
export async function collectStatus(o: CollectStatusOptions): Promise<DeploymentStatus> {
  const { config, redis, queues, digests } = o;
  const { prefix } = config.redis;
  const info = await redis.info();
  const checkpoints = new CheckpointStore(redis, prefix);
  const notify = new NotifyStore(redis, { prefix });
  const schedulers = new Map((await digests.queue.getJobSchedulers(0, -1)).map((s) => [s.id ?? s.key, s]));

  // The verdict stream is an audit feed, newest last: scan its recent end for each list's last verdict.
  const recent = (await redis.xrevrange(`${prefix}:lw:verdicts`, '+', '-', 'COUNT', o.recentVerdicts ?? 2000)) as [string, string[]][];
  const lastVerdict = new Map<string, number>();
  for (const [id, fields] of recent) {
    const i = fields.indexOf('list');
    const list = i >= 0 ? fields[i + 1] : undefined;
    if (list && !lastVerdict.has(list)) lastVerdict.set(list, Number(id.split('-')[0]));
  }

  const lists: ListStatus[] = [];
  for (const l of config.config.lists) {
    const imap = config.imap.get(l.id);
    let checkpoint: ListStatus['checkpoint'];
    if (imap) {
      const h = await redis.hgetall(checkpoints.key(l.id, imap.mailbox));
      if (h.uidValidity && h.lastUid !== undefined) checkpoint = { uidValidity: h.uidValidity, lastUid: Number(h.lastUid), at: h.at ? Number(h.at) : undefined };
    }
    const sched = schedulers.get(`digest-${l.id}`);
    lists.push({
      id: l.id,
      name: l.name,
      listId: l.listId,
      mailbox: imap ? `${imap.user}@${imap.host}:${imap.port ?? (imap.secure ? 993 : 143)}/${imap.mailbox}` : undefined,
      checkpoint,
      verdicts: await redis.hlen(`${prefix}:lw:verdict:${l.id}`),
      lastVerdictAt: lastVerdict.get(l.id),
      lastDigestAt: await notify.lastDigestAt(l.id),
      nextDigestAt: sched?.next,
      digestCron: sched?.pattern ? `${sched.pattern}${sched.tz ? ` ${sched.tz}` : ''}` : undefined,
      digestEntries: await redis.hlen(`${notify.keyPrefix}:digest:${l.id}`),
      unansweredAlerts: await redis.hlen(`${notify.keyPrefix}:alerts:${l.id}`),
    });
  }

  const queueStatus: QueueStatus[] = [];
  for (const q of [queues.posts, queues.notices, digests.queue] as (typeof queues.posts)[]) {
    const c = await q.getJobCounts(...JOB_STATES);
    queueStatus.push({
      name: q.name,
      counts: Object.fromEntries(JOB_STATES.map((s) => [s, c[s] ?? 0])),
      workers: await q.getWorkersCount(),
    });
  }

  return {
    configFile: o.configFile,
    redis: { url: describeRedis(config.redis), prefix, ok: true, usedMemory: infoField(info, 'used_memory_human'), aof: infoField(info, 'aof_enabled') === '1' },
    processes: processesOf(String(await redis.client('LIST')), prefix),
    lists,
    queues: queueStatus,
    failed: queueStatus.find((q) => q.name === queues.posts.name)?.counts.failed ?? 0,
    at: Date.now(),
  };
}

/** "3m ago", "2h ago", "in 5h": how long from `now`. */
export function ago(at: number | undefined, now: number): string {
  if (at === undefined) return 'never';
  const d = Math.round((now - at) / 1000);
  const abs = Math.abs(d);
  const span = abs < 90 ? `${abs}s` : abs < 5400 ? `${Math.round(abs / 60)}m` : abs < 172_800 ? `${Math.round(abs / 3600)}h` : `${Math.round(abs / 86_400)}d`;
  return d >= 0 ? `${span} ago` : `in ${span}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => '  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

/** The text `listwarden status` prints. */
export function formatStatus(s: DeploymentStatus): string {
  const now = s.at;
  const out: string[] = [];
  const p = s.processes;
  out.push(`listwarden status (${s.configFile})\n`);
  out.push(
    `Redis ${s.redis.url}, prefix ${s.redis.prefix}: up${s.redis.usedMemory ? `, ${s.redis.usedMemory} used` : ''}` +
      `${s.redis.aof === false ? ', AOF off (a restart of Redis loses queued posts)' : s.redis.aof ? ', AOF on' : ''}\n`,
  );
  out.push(`Processes connected: ${p.poller} poller, ${p.worker} worker, ${p.all} all-in-one\n\n`);
  out.push('Lists\n');
  for (const l of s.lists) {
    out.push(`  ${l.id}${l.name && l.name !== l.id ? ` (${l.name})` : ''}${l.listId ? `  List-Id ${l.listId}` : ''}\n`);
    if (l.mailbox) {
      const cp = l.checkpoint;
      out.push(`    mailbox      ${l.mailbox}\n`);
      out.push(`    checkpoint   ${cp ? `UID ${cp.lastUid} (UIDVALIDITY ${cp.uidValidity}), moved ${ago(cp.at, now)}` : 'none yet (not polled so far)'}\n`);
    } else {
      out.push('    mailbox      not polled by this config\n');
    }
    out.push(`    verdicts     ${l.verdicts}, last ${ago(l.lastVerdictAt, now)}\n`);
    out.push(
      `    digest       last ${ago(l.lastDigestAt, now)}${l.nextDigestAt ? `, next ${ago(l.nextDigestAt, now)} (${l.digestCron})` : ', no schedule (no worker with smtp has run)'}; ` +
        `${l.digestEntries} flag(s) waiting, ${l.unansweredAlerts} unanswered alert(s)\n`,
    );
  }
  out.push('\nQueues\n');
  const states = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'];
  out.push(table([['queue', ...states, 'workers'], ...s.queues.map((q) => [q.name, ...states.map((st) => String(q.counts[st] ?? 0)), String(q.workers)])]));
  out.push(
    s.failed
      ? `\n${s.failed} failed post(s): \`listwarden failed --config ${s.configFile}\` shows why, \`listwarden retry\` re-queues them.\n`
      : '\nNo failed posts.\n',
  );
  return out.join('');
}
