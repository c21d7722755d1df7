// Commander sub-commands of notify: `stats` (per-rule precision from labels) and `digest` (send or show one now).

import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger } from '../log.js';
import { connectRedis } from '../queue/redis.js';
import { loadNotifyConfig } from './config.js';
import { createMailer } from './nodemailer-adapter.js';
import { DigestSchedule } from './notice-worker.js';
import { Notifier } from './notifier.js';
import { parsePeriod, renderStatsText, ruleStats } from './stats.js';
import { NotifyStore } from './store.js';

/** `--since 30d` → ms; a bad period is a usage error (exit 1, no stack). */
function period(value: string): number {
  try {
    return parsePeriod(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function statsCommand(): Command {
  return new Command('stats')
    .description('Per-rule precision from moderators\' replies (confirm / false positive), to tune thresholds.')
    .requiredOption('-c, --config <file>', 'the daemon\'s config (for Redis)')
    .option('--since <period>', 'labels from this far back: 30d, 12h, 2w', period, parsePeriod('30d'))
    .option('--list <id>', 'one list only')
    .option('--json', 'JSON, one object per rule')
    .addHelpText(
      'after',
      `
Precision is confirmed / (confirmed + false positives) per rule, from the moderators' replies to alerts
(\`confirm\`, \`false positive\` or \`fp\`); the mean scores of each side show where a threshold could move.

Examples:
  listwarden stats --config config/tlug.yaml
  listwarden stats --config config/tlug.yaml --since 90d --list tlug
  listwarden stats --config config/tlug.yaml --json | jq 'select(.rule == "incendiary-language")'`,
    )
    .action(async (o: { config: string; since: number; list?: string; json?: boolean }) => {
      const since = Date.now() - o.since;
      const cfg = await loadNotifyConfig(o.config);
      const redis = connectRedis({ url: cfg.daemon.redis.url, sentinel: cfg.daemon.redis.sentinel, name: `${cfg.daemon.redis.prefix}:listwarden-cli` });
      try {
        const store = new NotifyStore(redis, { prefix: cfg.daemon.redis.prefix });
        const stats = ruleStats(await store.labels(since), { since, list: o.list });
        const period = `since ${new Date(since).toISOString().slice(0, 10)}${o.list ? ` on ${o.list}` : ''}`;
        process.stdout.write(o.json ? stats.map((s) => JSON.stringify(s)).join('\n') + (stats.length ? '\n' : '') : renderStatsText(stats, period));
      } finally {
        await redis.quit().catch(() => undefined);
      }
    });
}

export function digestCommand(): Command {
  return new Command('digest')
    .description('Send or show a list\'s digest now, instead of waiting for its schedule.')
    .requiredOption('-c, --config <file>', 'the daemon\'s config (Redis, smtp, moderators, notify)')
    .requiredOption('--list <id>', 'the list')
    .option('--now', 'send it from this process now (default: ask the running daemon to send it)')
    .option('--dry-run', 'show the digest; send nothing and keep its entries for the real one')
    .addOption(new Option('-f, --format <format>', 'what --dry-run shows').choices(['text', 'html']).default('text'))
    .option('-o, --out <file>', 'write what --dry-run shows here instead of stdout')
    .addHelpText(
      'after',
      `
Without --now the digest is queued for the daemon's notify worker, which retries it if the SMTP server is
down. With --now it is sent from here; its entries are cleared only once every moderator's copy went out.

Examples:
  listwarden digest --config config/tlug.yaml --list tlug --dry-run
  listwarden digest --config config/tlug.yaml --list tlug --now`,
    )
    .action(async (o: { config: string; list: string; now?: boolean; dryRun?: boolean; format: 'text' | 'html'; out?: string }, cmd: Command) => {
      const cfg = await loadNotifyConfig(o.config);
      if (!cfg.notify.lists.some((l) => l.id === o.list)) {
        cmd.error(`error: no list "${o.list}" in ${o.config}; lists: ${cfg.notify.lists.map((l) => l.id).join(', ')}`);
      }
      const { url, prefix, sentinel } = cfg.daemon.redis;
      if (!o.now && !o.dryRun) {
        const conn = connectRedis({ url, sentinel, name: `${prefix}:listwarden-cli`, maxRetriesPerRequest: null });
        const schedule = new DigestSchedule(conn, prefix);
        try {
          const id = await schedule.requestNow(o.list);
          process.stdout.write(`Digest of ${o.list} queued for the daemon (job ${id}).\n`);
        } finally {
          await schedule.close();
          await conn.quit().catch(() => undefined);
        }
        return;
      }
      const redis = connectRedis({ url, sentinel, name: `${prefix}:listwarden-cli` });
      const log = createLogger(process.env.LISTWARDEN_LOG_LEVEL ?? 'warn');
      const mailer = o.dryRun ? createMailer({ kind: 'stream' }) : cfg.notify.smtp ? createMailer({ kind: 'smtp', smtp: cfg.notify.smtp }) : undefined;
      if (!mailer) return cmd.error(`error: ${o.config} has no smtp section: nothing to send the digest with (try --dry-run)`);
      try {
        const secret = process.env[cfg.notify.notify.tokenSecretEnv] ?? '';
        const notifier = new Notifier({ config: cfg.notify, mailer, store: new NotifyStore(redis, { prefix }), secret, log });
        const r = await notifier.sendDigest(o.list, { dryRun: o.dryRun });
        if (o.dryRun) {
          const shown = o.format === 'html' ? r.rendered!.html : `Subject: ${r.rendered!.subject}\n\n${r.rendered!.text}`;
          if (o.out) writeFileSync(o.out, shown);
          else process.stdout.write(shown.endsWith('\n') ? shown : `${shown}\n`);
          return;
        }
        process.stdout.write(
          r.sent
            ? `Digest of ${o.list} sent to ${r.sentTo.join(', ')} (${r.entries} flags, ${r.unanswered} unanswered alerts).\n`
            : `No digest of ${o.list} sent: ${r.reason === 'empty' ? 'nothing since the last one (notify.digest.sendEmpty is off)' : 'nobody takes digests for this list'}.\n`,
        );
      } finally {
        mailer.close();
        await redis.quit().catch(() => undefined);
      }
    });
}
