// Config sections the live daemon adds (imap per list, redis, worker, http): zod schemas and their types.

import { z } from 'zod';

/** `${NAME}` in a string is the environment variable NAME (so passwords live in the environment, not the file). */
const ENV_REF = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** How an IMAP account is logged in to, shared by a list's mailbox and the feedback mailbox (notify-schema.ts). */
export const imapLoginFields = {
  /** Implicit TLS (imaps). Default true. */
  secure: z.boolean().default(true).describe('Implicit TLS (imaps). Otherwise STARTTLS is used.'),
  /** When not `secure`: refuse a server without STARTTLS (default). Set false only on a trusted loopback. */
  requireTls: z.boolean().default(true).describe('Without `secure`: refuse a server that does not offer STARTTLS. Set false only on a trusted loopback.'),
  /** Verify the server's certificate (default true). */
  tlsVerify: z.boolean().default(true).describe('Verify the server\'s certificate.'),
  user: z.string().min(1).describe('IMAP user.'),
};

export const imapListSchema = z
  .object({
    host: z.string().min(1).describe('IMAP server of the account that receives the list\'s posts.'),
    /** Default 993 with implicit TLS, 143 otherwise. */
    port: z.number().int().min(1).max(65535).optional().describe('IMAP port (default 993 with secure, else 143).'),
    ...imapLoginFields,
    /** Name of the environment variable holding the password. */
    passEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional().describe('Environment variable holding the IMAP password (or set `pass: ${VAR}`).'),
    /** Write it as `${ENV_VAR}` (filled from the environment), never literally. */
    pass: z.string().min(1).optional().describe('The IMAP password as `${ENV_VAR}`, filled from the environment; never write it literally.'),
    mailbox: z.string().min(1).default('INBOX').describe('The mailbox the list\'s posts arrive in.'),
    /** Set \Seen on a post once it is queued. */
    markSeen: z.boolean().default(false).describe('Set \\Seen on a post once it is queued.'),
    /** Move a post to this folder once it is queued. */
    moveTo: z.string().min(1).optional().describe('Move a post to this folder once it is queued.'),
    /** Polling period when the server has no IDLE. */
    pollSeconds: z.number().positive().max(3600).default(30).describe('Polling period in seconds when the server has no IDLE.'),
    /** UIDNEXT/UIDVALIDITY check period, also while idling (IDLE can go silent). At most 60 s. */
    checkSeconds: z.number().positive().max(60).default(60).describe('UIDNEXT/UIDVALIDITY check period in seconds, also while idling (IDLE can go silent); at most 60.'),
    /** Text parts are fetched up to this many bytes each; attachments never. */
    maxPartBytes: z.number().int().min(1024).max(10_000_000).default(262_144).describe('Text parts are fetched up to this many bytes each; attachments never.'),
    /** A mailbox seen for the first time: queue what is already there (`all`) or only what arrives (`new`). */
    startAt: z.enum(['all', 'new']).default('all').describe('A mailbox seen for the first time: queue what is already there (all) or only what arrives (new).'),
  })
  .strict()
  .refine((v) => v.passEnv !== undefined || v.pass !== undefined, { message: 'set passEnv (or pass: ${ENV_VAR})' });

/** One sentinel, as host:port (`[v6]:port` for an IPv6 address). Its error wording is registered in schema.ts. */
export const sentinelNodeSchema = z
  .string()
  .regex(/^(?:\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):\d{1,5}$/)
  .describe('A sentinel as host:port, e.g. sentinel-1:26379.');

export const redisSchema = z
  .object({
    url: z.string().min(1).default('redis://127.0.0.1:6379').describe('Redis URL (redis:// or rediss://; a password in it may be written as ${ENV_VAR}).'),
    /** Key prefix for every listwarden key and BullMQ queue (no ':' inside; `{listwarden}` for Redis Cluster hash tags). */
    prefix: z.string().regex(/^(?:[A-Za-z0-9_.-]+|\{[A-Za-z0-9_.-]+\})$/).default('listwarden').describe('Key prefix of every listwarden key and BullMQ queue (no \':\'; {listwarden} for Redis Cluster hash tags).'),
    /**
     * Days a post is remembered: its thread's state (after the thread's last post), its Message-ID and subject
     * index entries, its verdict and notice mark (after it was decided). Older ones are swept, so Redis holds a
     * window of each list, not its whole history; a post delivered again after that is decided again. 0: for ever.
     */
    keepDays: z.number().min(0).max(36_500).default(180).describe('Days a post is remembered (thread state, indexes, verdict); older ones are swept. 0: for ever.'),
    /**
     * Redis Sentinel: the master is asked of these sentinels, and followed when they fail over to another. The
     * master's password, user, database and TLS (rediss://) still come from `url`; its host and port are not used.
     */
    sentinel: z
      .object({
        name: z.string().min(1).describe('The master group name the sentinels monitor (the NAME of `sentinel monitor NAME host port quorum`).'),
        nodes: z
          .array(sentinelNodeSchema)
          .min(1)
          .describe('The sentinels, as host:port (e.g. sentinel-1:26379); one is enough to find the master, more keep finding it when one is down.'),
        password: z.string().optional().describe('Password of the sentinels themselves, when they have one (write it as ${ENV_VAR}).'),
      })
      .strict()
      .optional()
      .describe('Redis Sentinel: find the master through these sentinels and follow it on failover. url still gives the password, database and TLS; its host and port are not used.'),
  })
  .strict();

export const workerSchema = z
  .object({
    concurrency: z.number().int().min(1).max(256).default(4).describe('Jobs one worker process holds at a time (a batch of posts is one job).'),
    /** Tries per post before it stays in the failed set. */
    attempts: z.number().int().min(1).max(100).default(5).describe('Tries per post before it stays in the failed set (listwarden failed / retry).'),
    /** First retry delay; doubles each try. */
    backoffMs: z.number().int().min(10).default(2000).describe('First retry delay in ms; doubles each try.'),
    /** How long a worker's claim on a job lasts without renewal; a killed worker's job is re-run after it. */
    lockMs: z.number().int().min(1000).default(30_000).describe('How long a worker\'s claim on a job lasts without renewal (ms); a killed worker\'s job is re-run after it.'),
    /** Finished jobs kept (the verdict itself is kept apart). */
    keepCompleted: z.number().int().min(0).default(1000).describe('Finished jobs kept in Redis (verdicts are kept apart, for redis.keepDays).'),
    /** Failed jobs kept for an operator. */
    keepFailed: z.number().int().min(1).default(10_000).describe('Failed jobs kept for an operator.'),
  })
  .strict();

export const httpSchema = z
  .object({
    port: z.number().int().min(0).max(65535).default(9464).describe('Port of /healthz and /metrics (0: any free port).'),
    host: z.string().default('127.0.0.1').describe('Address /healthz and /metrics listen on (0.0.0.0 for a Prometheus elsewhere).'),
  })
  .strict();

export type ImapListConfig = z.output<typeof imapListSchema>;
export type RedisConfig = z.output<typeof redisSchema>;
export type WorkerConfig = z.output<typeof workerSchema>;
export type HttpConfig = z.output<typeof httpSchema>;

/** The daemon sections of a config file (lists[].imap and the top-level blocks). */

/** The IMAP password: from passEnv or `${ENV}`; throws naming the variable (never its value) when unset. */
export function imapPassword(imap: ImapListConfig, env: NodeJS.ProcessEnv = process.env): string {
  // The config loader may already have filled `${ENV}` in; a value still in that form is filled here.
  if (imap.pass !== undefined && !ENV_REF.test(imap.pass)) return imap.pass;
  const name = imap.passEnv ?? ENV_REF.exec(imap.pass ?? '')?.[1];
  if (!name) throw new Error('imap: no password variable configured (passEnv)');
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`imap: environment variable ${name} (the IMAP password) is not set`);
  return value;
}
