// Commander sub-commands for the daemon: `run`, `status`, `failed`, `retry` (the CLI adds them with program.addCommand).

import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger } from '../log.js';
import type { FailedPost, Queues } from '../queue/queues.js';
import type { Redis } from '../queue/redis.js';
import { loadDaemonConfig, type DaemonConfig } from './config.js';

// The daemon (BullMQ, ioredis, imapflow) is loaded when one of these commands runs, not when the CLI starts.
type Role = 'poller' | 'worker' | 'all';
const ROLES: readonly Role[] = ['poller', 'worker', 'all'];

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port number 0–65535');
  return n;
}

export function runCommand(): Command {
  return new Command('run')
    .description('Watch the lists\' mailboxes and run every new post through the rules (the live daemon).')
    .requiredOption('-c, --config <file>', 'list config (YAML) with imap, redis, worker and http sections')
    .addOption(new Option('--role <role>', 'poller: IMAP to queue; worker: queue to verdicts; all: both').choices([...ROLES]).default('all'))
    .option('--http-port <port>', 'serve /healthz and /metrics here (overrides http.port)', port)
    .addHelpText(
      'after',
      `
The config file is watched: a valid change is swapped in, an invalid one is logged and the old config stays.
SIGTERM/SIGINT finish in-flight posts and exit 0; a second signal exits at once.
Passwords come from the environment (imap.passEnv, or pass: \${VAR}).

Examples:
  IMAP_PASS=... listwarden run --config config/tlug.yaml
  listwarden run --config config/tlug.yaml --role worker     # on another machine, same Redis
  listwarden run --config config/tlug.yaml --role poller --http-port 9464   # /healthz and /metrics there`,
    )
    .action(async (o: { config: string; role: Role; httpPort?: number }) => {
      const { runDaemon } = await import('./index.js');
      const daemon = await runDaemon({ configPath: o.config, role: o.role, httpPort: o.httpPort, handleSignals: true, log: createLogger() });
      await daemon.stopped;
    });
}

/** Redis did not answer: the operator sees where and why, not a hang (exit 2). */
export class RedisUnreachableError extends Error {}

/** How long a one-shot command waits for Redis before saying it is unreachable. */
const REDIS_WAIT_MS = 5000;

async function withQueues<T>(configPath: string, fn: (q: Queues, cfg: DaemonConfig, conn: Redis) => Promise<T>): Promise<T> {
  const cfg = await loadDaemonConfig(configPath);
  const { connectRedis, describeRedis } = await import('../queue/redis.js');
  const { Queues } = await import('../queue/queues.js');
  const conn = connectRedis({ url: cfg.redis.url, sentinel: cfg.redis.sentinel, name: `${cfg.redis.prefix}:listwarden-cli`, maxRetriesPerRequest: null });
  let timer: NodeJS.Timeout | undefined;
  try {
    // BullMQ's connections wait for Redis without end; a command run by hand should say so instead.
    await Promise.race([
      conn.ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RedisUnreachableError(`Redis ${describeRedis(cfg.redis)} did not answer within ${REDIS_WAIT_MS / 1000} s (is it running? is ${cfg.redis.sentinel ? 'redis.sentinel' : 'redis.url'} right?)`)), REDIS_WAIT_MS);
      }),
    ]);
  } catch (err) {
    clearTimeout(timer);
    conn.disconnect();
    throw err instanceof RedisUnreachableError ? err : new RedisUnreachableError(`Redis ${describeRedis(cfg.redis)}: ${(err as Error).message}`);
  }
  clearTimeout(timer);
  const queues = new Queues({ connection: conn, prefix: cfg.redis.prefix, worker: cfg.worker });
  try {
    return await fn(queues, cfg, conn);
  } finally {
    await queues.close();
    await conn.quit().catch(() => undefined);
  }
}

/** Runs a one-shot command's body; Redis out of reach is a message and exit 2, not a stack. */
async function oneShot(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof RedisUnreachableError)) throw err;
    process.stderr.write(`listwarden: ${err.message}\n`);
    process.exitCode = 2;
  }
}

export function statusCommand(): Command {
  return new Command('status')
    .description('Show the deployment as Redis holds it: lists, mailboxes, checkpoints, queue depths, failed posts, digests.')
    .requiredOption('-c, --config <file>', 'the daemon\'s config (for Redis and the lists)')
    .option('--json', 'one JSON object instead of text')
    .addHelpText(
      'after',
      `
Changes nothing; safe to run at any time from any machine that reaches the daemon's Redis. "Processes connected"
counts the pollers and workers whose Redis connections are open now. A checkpoint is the last UID queued
from the list's mailbox. Exit codes: 0 ok, 1 bad config, 2 Redis did not answer.

Examples:
  listwarden status --config config/tlug.yaml
  listwarden status --config config/tlug.yaml --json | jq '.queues[] | select(.name == "posts") | .counts'`,
    )
    .action((o: { config: string; json?: boolean }) =>
      oneShot(async () => {
        const { collectStatus, formatStatus } = await import('./status.js');
        const { DigestSchedule } = await import('../notify/notice-worker.js');
        const status = await withQueues(o.config, async (queues, cfg, conn) => {
          const digests = new DigestSchedule(conn, cfg.redis.prefix);
          try {
            return await collectStatus({ configFile: o.config, config: cfg, redis: conn, queues, digests });
          } finally {
            await digests.close();
          }
        });
        process.stdout.write(o.json ? JSON.stringify(status, null, 2) + '\n' : formatStatus(status));
      }),
    );
}

export function formatFailed(f: FailedPost[]): string {
  if (!f.length) return 'No failed posts.\n';
  return (
    f
      .map(
        (p) =>
          `${p.jobId}  ${p.list}  ${p.messageId ?? '(no Message-ID)'}  ${p.source.mailbox} uid ${p.source.uid}` +
          `${p.batch ? `  (one of a batch of ${p.batch}: retry re-queues them all)` : ''}` +
          `  tries ${p.attempts}${p.failedAt ? `  ${new Date(p.failedAt).toISOString()}` : ''}\n    ${p.reason}`,
      )
      .join('\n') + `\n${f.length} failed post(s); \`listwarden retry --config <file> [job-id…]\` re-queues them.\n`
  );
}

export function failedCommand(): Command {
  return new Command('failed')
    .description('List posts that kept failing and wait for an operator, with the reason.')
    .requiredOption('-c, --config <file>', 'the daemon\'s config (for Redis)')
    .option('-n, --limit <n>', 'show at most this many', (v) => Number.parseInt(v, 10), 100)
    .option('--json', 'JSON Lines instead of text')
    .addHelpText(
      'after',
      `
A post lands here when parsing or the rules failed on every try (worker.attempts) or it cannot be read at
all; the reason says which. Nothing is dropped: fix the cause (a config, a rule) and \`listwarden retry\`.
Exit codes: 0 ok (also when none failed), 1 bad config, 2 Redis did not answer.

Examples:
  listwarden failed --config config/tlug.yaml
  listwarden failed --config config/tlug.yaml --limit 10 --json | jq -r .reason`,
    )
    .action((o: { config: string; limit: number; json?: boolean }) =>
      oneShot(async () => {
        const failed = await withQueues(o.config, (q) => q.failed(o.limit));
        process.stdout.write(o.json ? failed.map((f) => JSON.stringify(f)).join('\n') + (failed.length ? '\n' : '') : formatFailed(failed));
      }),
    );
}

export function retryCommand(): Command {
  return new Command('retry')
    .description('Re-queue failed posts: those named, or all of them.')
    .requiredOption('-c, --config <file>', 'the daemon\'s config (for Redis)')
    .argument('[job-ids...]', 'job ids from `listwarden failed` (default: all failed posts)')
    .addHelpText(
      'after',
      `
A re-queued post runs through the rules again with the config the workers have now; one already decided
is not decided twice. An id that is not in the failed set is named and the exit code is 1.

Examples:
  listwarden retry --config config/tlug.yaml                      # every failed post
  listwarden retry --config config/tlug.yaml JOB_ID JOB_ID         # just these (ids as failed shows them)`,
    )
    .action((ids: string[], o: { config: string }) =>
      oneShot(async () => {
        const done = await withQueues(o.config, (q) => q.retry(ids));
        process.stdout.write(`${done.length} post(s) re-queued${done.length ? `: ${done.join(' ')}` : ''}\n`);
        const missed = ids.filter((id) => !done.includes(id));
        if (missed.length) {
          process.stderr.write(`not in the failed set: ${missed.join(' ')}\n`);
          process.exitCode = 1;
        }
      }),
    );
}

/** Every daemon sub-command, for `program.addCommand`. */
export function daemonCommands(): Command[] {
  return [runCommand(), statusCommand(), failedCommand(), retryCommand()];
}
