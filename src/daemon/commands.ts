// Commander sub-commands for the daemon: `run`, `failed`, `retry` (the CLI adds them with program.addCommand).

import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger } from '../log.js';
import type { FailedPost, Queues } from '../queue/queues.js';
import { loadDaemonConfig } from './config.js';

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
  listwarden run --config config/tlug.yaml --role worker     # on another machine, same Redis`,
    )
    .action(async (o: { config: string; role: Role; httpPort?: number }) => {
      const { runDaemon } = await import('./index.js');
      const daemon = await runDaemon({ configPath: o.config, role: o.role, httpPort: o.httpPort, handleSignals: true, log: createLogger() });
      await daemon.stopped;
    });
}

async function withQueues<T>(configPath: string, fn: (q: Queues) => Promise<T>): Promise<T> {
  const cfg = await loadDaemonConfig(configPath);
  const { connectRedis } = await import('../queue/redis.js');
  const { Queues } = await import('../queue/queues.js');
  const conn = connectRedis({ url: cfg.redis.url, name: `${cfg.redis.prefix}:listwarden-cli`, maxRetriesPerRequest: null });
  const queues = new Queues({ connection: conn, prefix: cfg.redis.prefix, worker: cfg.worker });
  try {
    return await fn(queues);
  } finally {
    await queues.close();
    await conn.quit().catch(() => undefined);
  }
}

export function formatFailed(f: FailedPost[]): string {
  if (!f.length) return 'No failed posts.\n';
  return (
    f
      .map(
        (p) =>
          `${p.jobId}  ${p.list}  ${p.messageId ?? '(no Message-ID)'}  ${p.source.mailbox} uid ${p.source.uid}` +
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
    .action(async (o: { config: string; limit: number; json?: boolean }) => {
      const failed = await withQueues(o.config, (q) => q.failed(o.limit));
      process.stdout.write(o.json ? failed.map((f) => JSON.stringify(f)).join('\n') + (failed.length ? '\n' : '') : formatFailed(failed));
    });
}

export function retryCommand(): Command {
  return new Command('retry')
    .description('Re-queue failed posts: those named, or all of them.')
    .requiredOption('-c, --config <file>', 'the daemon\'s config (for Redis)')
    .argument('[job-ids...]', 'job ids from `listwarden failed` (default: all failed posts)')
    .action(async (ids: string[], o: { config: string }) => {
      const done = await withQueues(o.config, (q) => q.retry(ids));
      process.stdout.write(`${done.length} post(s) re-queued${done.length ? `: ${done.join(' ')}` : ''}\n`);
      if (ids.length && done.length < ids.length) process.exitCode = 1;
    });
}

/** Every daemon sub-command, for `program.addCommand`. */
export function daemonCommands(): Command[] {
  return [runCommand(), failedCommand(), retryCommand()];
}
