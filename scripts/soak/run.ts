// The fault soak: posts through real Dovecot → listwarden (a poller and two workers as processes) → an SMTP catcher, under faults.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot, type Dovecot } from '../../test/helpers/dovecot.js';
import { daemonReady, spawnDaemonProcess, type ListwardenProcess, type LogLine } from '../../test/helpers/process.js';
import { ImapSession } from '../../src/ingest/imap/imapflow-adapter.js';
import { createLogger } from '../../src/log.js';
import { noticeJobId } from '../../src/queue/jobs.js';
import { Queues, type FailedPost } from '../../src/queue/queues.js';
import { connectRedis, type Redis } from '../../src/queue/redis.js';
import { workerSchema } from '../../src/config/daemon-schema.js';
import { NotifyStore } from '../../src/notify/store.js';
import { FaultInjector, type FaultActions, type FaultEvent, type FaultKind } from './faults.js';
import { loadCorpus, MailStream, seededRandom, WATCH_WORD, type PostKind, type SoakPost } from './mail-stream.js';
import { startOwnRedis, type OwnRedis } from './own-redis.js';
import { startSmtpCatcher, type SmtpCatcher } from './smtp-catcher.js';

const LIST = 'soak';
const PREFIX = 'soak';
const IMAP_PASS_ENV = 'LW_SOAK_IMAP_PASS';
const MODERATOR = 'mod@soak.example.org';

export interface SoakOptions {
  /** How long posts are sent and faults injected (the drain comes after). */
  minutes: number;
  /** The mailparser fixtures (spam.eml among them). */
  corpusDir: string;
  seed?: number;
  /** Default 2. */
  postsPerSecond?: number;
  /** Longest wait after the stream for every post and alert to be accounted for (default 180 s). */
  drainSeconds?: number;
  /** Full-size hostile mail: a 20 MB line, 10,000 nested parts, a 50 MB attachment (default true). */
  bigHostile?: boolean;
  /** Pause between faults, seconds (default 4–12). */
  gapSeconds?: [number, number];
  /** Only these faults (default all six). */
  faults?: readonly FaultKind[];
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface PostOutcomeRow {
  seq: number;
  kind: PostKind;
  name?: string;
  messageId?: string;
  outcome: 'verdict' | 'failed' | 'lost';
  verdicts: number;
  action?: string;
  reason?: string;
}

export interface SoakReport {
  seed: number;
  minutes: number;
  startedAt: number;
  /** Wall time of the whole soak, s. */
  seconds: number;
  posts: { sent: number; byKind: Record<string, number>; withoutMessageId: number };
  verdicts: { recorded: number; posts: number; duplicated: string[]; lost: string[]; unattributed: number };
  failedSet: {
    count: number;
    byReason: Record<string, number>;
    /** Ordinary posts (nothing hostile about them) that ended in the failed set: each one a bug. */
    ordinary: { messageId: string; kind: PostKind; reason: string }[];
  };
  alerts: {
    /** Verdicts whose action is alert. */
    verdicts: number;
    received: number;
    /** Alert verdicts that went to the digest instead (cap, repeat, undelivered…), by reason. */
    digested: Record<string, number>;
    duplicated: string[];
    lost: string[];
    /** Trigger posts (the watched word) whose verdict was not an alert: the rules in force changed. */
    triggersNotAlerted: string[];
  };
  delays: { verdictMaxMs: number; verdictP50Ms: number; verdictP99Ms: number; alertMaxMs: number; alertP50Ms: number };
  faults: FaultEvent[];
  processes: { restarts: number; crashes: { name: string; code: number | string; lines: string[] }[]; exitCodes: Record<string, number | string> };
  hostile: PostOutcomeRow[];
  /** Error lines the daemons logged, by message (what went wrong on the way, short of a crash). */
  errorLogs: Record<string, number>;
  redisMemory?: string;
  /** Zero lost and duplicated verdicts and alerts, no crash, every trigger alerted, every process exited 0. */
  ok: boolean;
}

function configText(o: { dovecot: Dovecot; redis: OwnRedis; smtp: SmtpCatcher }): string {
  return `# The soak's config (written by scripts/soak/run.ts).
lists:
  - id: ${LIST}
    name: Soak list
    listId: soak.lists.example.org
    description: "Linux kernels, Debian, boot problems and shells."
    terms: [linux, kernel, debian, initramfs, boot, shell]
    imap:
      host: 127.0.0.1
      port: ${o.dovecot.port}
      tlsVerify: false
      user: ${o.dovecot.user}
      passEnv: ${IMAP_PASS_ENV}
      checkSeconds: 5
custom:
  - id: watch-word
    description: Posts naming the watched word.
    severity: high
    weight: 0.95
    match:
      - ownText: { keywords: [${WATCH_WORD}] }
redis:
  url: ${o.redis.url}
  prefix: ${PREFIX}
worker:
  concurrency: 2
  attempts: 5
  backoffMs: 200
  lockMs: 5000
smtp:
  host: 127.0.0.1
  port: ${o.smtp.port}
  secure: false
  requireTls: false
  tlsVerify: false
  from: "listwarden soak <listwarden@soak.example.org>"
moderators:
  - address: ${MODERATOR}
    receive: alerts
notify:
  alertsPerHour: 10000
  digest: { cron: "0 0 1 1 *" }
`;
}

/** Broken configs a reload must reject: a YAML error, and one that parses but breaks the schema. */
const BROKEN = ['lists:\n  - id: soak\n    imap: [not, a, mapping\n', 'lists:\n  - id: soak\n    description: broken on purpose\ncustom:\n  - id: watch-word\n    severity: catastrophic\n'];

const norm = (id: string | undefined): string | undefined => id?.trim().replace(/^<|>$/g, '').toLowerCase();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A daemon process slot: a role whose process the soak may kill, and which is restarted when it dies unasked. */
class Slot {
  proc: ListwardenProcess | undefined;
  restarts = 0;
  readonly crashes: { name: string; code: number | string; lines: string[] }[] = [];
  private expectExit = false;
  private generation = 0;

  constructor(
    readonly name: string,
    private readonly role: 'poller' | 'worker',
    private readonly spawnOpts: { config: string; env: NodeJS.ProcessEnv; onLine: (p: string, l: LogLine) => void; log: (s: string) => void },
  ) {}

  async start(): Promise<void> {
    this.expectExit = false;
    const gen = ++this.generation;
    const name = `${this.name}#${gen}`;
    const p = spawnDaemonProcess(this.spawnOpts.config, this.role, {
      name,
      env: this.spawnOpts.env,
      keepLines: 200,
      onLine: (l) => this.spawnOpts.onLine(name, l),
    });
    this.proc = p;
    void p.exited.then((code) => {
      if (this.expectExit || this.proc !== p) return;
      this.crashes.push({ name, code, lines: [...p.stray.slice(-30), ...p.lines.slice(-5).map((l) => JSON.stringify(l))] });
      this.spawnOpts.log(`${name} exited unasked (${code}); restarting it`);
      this.restarts++;
      void sleep(1000).then(() => this.start());
    });
    await daemonReady(p, 60_000);
  }

  async kill(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    this.expectExit = true;
    p.kill('SIGKILL');
    await p.exited;
  }

  async restart(afterMs: number): Promise<void> {
    await this.kill();
    await sleep(afterMs);
    this.restarts++;
    await this.start();
  }

  async stop(): Promise<number | string> {
    const p = this.proc;
    if (!p) return 'not running';
    this.expectExit = true;
    return p.stop(20_000);
  }
}

/** Sends posts at a steady pace, reconnecting through Dovecot restarts; a post counts as sent once APPEND succeeded. */
class Producer {
  readonly sent: (SoakPost & { sentAt: number; uid?: number })[] = [];
  private session: ImapSession | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  appendRetries = 0;

  constructor(
    private readonly dovecot: Dovecot,
    private readonly stream: MailStream,
    private readonly rate: number,
    private readonly log: (s: string) => void,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.session?.logout();
  }

  private async append(post: SoakPost): Promise<number | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.session ??= await ImapSession.open({
          host: this.dovecot.host,
          port: this.dovecot.port,
          secure: true,
          requireTls: true,
          tlsVerify: false,
          user: this.dovecot.user,
          pass: this.dovecot.pass,
          log: createLogger('silent'),
          commandTimeoutMs: 60_000,
        });
        return await this.session.append('INBOX', post.raw);
      } catch (err) {
        // An APPEND cut off may or may not have stored the post; sending it again is what a list server does,
        // and listwarden must then decide it once.
        this.session?.close();
        this.session = undefined;
        this.appendRetries++;
        if (attempt % 10 === 0) this.log(`append of post ${post.seq} failed (${(err as Error).message}); retrying`);
        await sleep(300);
      }
    }
  }

  private async run(): Promise<void> {
    const every = 1000 / this.rate;
    while (!this.stopped) {
      const t0 = Date.now();
      const post = this.stream.next();
      const uid = await this.append(post);
      this.sent.push({ ...post, raw: Buffer.alloc(0), sentAt: Date.now(), uid });
      await sleep(Math.max(0, every - (Date.now() - t0)));
    }
  }
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const log = o.log ?? ((): void => undefined);
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = seededRandom(seed);
  const startedAt = Date.now();
  const corpus = loadCorpus(o.corpusDir);
  if (!corpus.some((c) => c.name === 'spam.eml')) throw new Error(`no spam.eml in ${o.corpusDir}`);
  const dir = mkdtempSync(join(tmpdir(), 'lw-soak-'));
  const cfgPath = join(dir, 'soak.yaml');

  let dovecot: Dovecot | undefined;
  let redis: OwnRedis | undefined;
  let smtp: SmtpCatcher | undefined;
  let reader: Redis | undefined;
  let queues: Queues | undefined;
  const slots: Slot[] = [];
  const errorLogs: Record<string, number> = {};
  const reloads = new Map<string, { rejected: number; reloaded: number }>();
  const exitCodes: Record<string, number | string> = {};
  try {
    log(`seed ${seed}; starting Dovecot, Redis (AOF) and the SMTP catcher`);
    [dovecot, redis, smtp] = await Promise.all([startDovecot(), startOwnRedis(), startSmtpCatcher()]);
    const goodConfig = configText({ dovecot, redis, smtp });
    writeFileSync(cfgPath, goodConfig);
    const env = { [IMAP_PASS_ENV]: dovecot.pass, LISTWARDEN_NOTIFY_SECRET: `soak-secret-${seed}` };

    const onLine = (proc: string, l: LogLine): void => {
      if (l.level >= 50) errorLogs[l.msg] = (errorLogs[l.msg] ?? 0) + 1;
      const r = reloads.get(proc) ?? { rejected: 0, reloaded: 0 };
      if (l.msg.startsWith('config reload rejected')) r.rejected++;
      if (l.msg === 'config reloaded') r.reloaded++;
      reloads.set(proc, r);
    };
    const slotOpts = { config: cfgPath, env, onLine, log };
    slots.push(new Slot('poller', 'poller', slotOpts), new Slot('worker-1', 'worker', slotOpts), new Slot('worker-2', 'worker', slotOpts));
    log('starting a poller and two workers (processes)');
    await Promise.all(slots.map((s) => s.start()));
    const [poller, ...workers] = slots as [Slot, Slot, Slot];

    reader = connectRedis({ url: redis.url, name: `${PREFIX}-soak-reader`, maxRetriesPerRequest: null });
    queues = new Queues({ connection: reader, prefix: PREFIX, worker: workerSchema.parse({}) });

    const span = (lo: number, hi: number): number => Math.round(lo + random() * (hi - lo));
    const live = (): ListwardenProcess[] => slots.flatMap((s) => (s.proc && !s.proc.done ? [s.proc] : []));
    const waitReload = async (what: 'rejected' | 'reloaded', before: Map<string, number>): Promise<number> => {
      const until = Date.now() + 8000;
      for (;;) {
        const procs = live();
        const done = procs.filter((p) => (reloads.get(p.name)?.[what] ?? 0) > (before.get(p.name) ?? 0)).length;
        if (done === procs.length || Date.now() > until) return done;
        await sleep(100);
      }
    };
    const counts = (what: 'rejected' | 'reloaded'): Map<string, number> => new Map(live().map((p) => [p.name, reloads.get(p.name)?.[what] ?? 0]));
    const d = dovecot;
    const rs = redis;
    const sm = smtp;
    let brokenAt = 0;
    const actions: FaultActions = {
      'restart-dovecot': async () => {
        await d.stop();
        const down = span(1000, 5000);
        await sleep(down);
        await d.start();
        return `down ${down} ms`;
      },
      'restart-redis': async () => {
        await rs.stop();
        const down = span(1000, 4000);
        await sleep(down);
        await rs.start();
        return `down ${down} ms`;
      },
      'smtp-outage': async () => {
        await sm.stop();
        const down = span(5000, o.minutes >= 3 ? 40_000 : 15_000);
        await sleep(down);
        await sm.start();
        return `down ${down} ms`;
      },
      'kill-worker': async () => {
        const w = workers[Math.floor(random() * workers.length)]!;
        const name = w.proc?.name;
        await w.restart(span(200, 2000));
        return `SIGKILL ${name}, restarted`;
      },
      'kill-poller': async () => {
        const name = poller.proc?.name;
        await poller.restart(span(200, 2000));
        return `SIGKILL ${name}, restarted`;
      },
      'broken-config': async () => {
        const before = counts('rejected');
        const broken = BROKEN[brokenAt++ % BROKEN.length]!;
        writeFileSync(cfgPath, broken);
        const rejected = await waitReload('rejected', before);
        await sleep(span(2000, 5000));
        const beforeOk = counts('reloaded');
        writeFileSync(cfgPath, goodConfig);
        const reloaded = await waitReload('reloaded', beforeOk);
        const n = live().length;
        if (rejected < n) throw new Error(`only ${rejected} of ${n} processes logged the broken config as rejected`);
        return `${brokenAt % 2 ? 'YAML error' : 'schema error'}: rejected by ${rejected}/${n}, good config back in ${reloaded}/${n}`;
      },
    };

    const stream = new MailStream({ random, corpus, bigHostile: o.bigHostile ?? true });
    const producer = new Producer(dovecot, stream, o.postsPerSecond ?? 2, log);
    const gap = o.gapSeconds ?? [4, 12];
    const injector = new FaultInjector({ actions, random, gapMs: [gap[0] * 1000, gap[1] * 1000], kinds: o.faults, startedAt, log });
    const streamMs = o.minutes * 60_000;
    log(`sending posts for ${o.minutes} min at ${o.postsPerSecond ?? 2}/s with faults`);
    producer.start();
    injector.start();
    const progress = setInterval(() => log(`${Math.round((Date.now() - startedAt) / 1000)} s: ${producer.sent.length} posts sent, ${injector.events.length} faults, ${smtp?.mails.length ?? 0} mails caught`), 15_000);
    await sleep(streamMs);
    await injector.stop();
    await producer.stop();
    clearInterval(progress);
    // Everything back up (a fault whose undo failed leaves it down).
    if (!redis.up) await redis.start();
    if (!smtp.up) await smtp.start();
    const sent = producer.sent;
    log(`stream done: ${sent.length} posts sent; draining (up to ${o.drainSeconds ?? 180} s)`);

    // Accounting: every post has one verdict or a failed-set entry; every alert verdict one mail or a digest entry.
    const store = new NotifyStore(reader, { prefix: PREFIX });
    const account = async (): Promise<{ report: Omit<SoakReport, 'seed' | 'minutes' | 'startedAt' | 'seconds' | 'faults' | 'processes' | 'errorLogs' | 'ok' | 'redisMemory'>; settled: boolean }> => {
      const entries = (await reader!.xrange(`${PREFIX}:lw:verdicts`, '-', '+')) as [string, string[]][];
      const verdicts = new Map<string, { n: number; at: number; action: string; noticeId: string }>();
      for (const [sid, fields] of entries) {
        const f = new Map<string, string>();
        for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
        const raw = f.get('messageId') ?? '';
        const id = norm(raw)!;
        // The entry names the action (newer stores) or carries the whole record as JSON (older ones).
        const action = f.get('action') ?? (JSON.parse(f.get('verdict') ?? '{}') as { action?: string }).action ?? '?';
        const have = verdicts.get(id);
        verdicts.set(id, { n: (have?.n ?? 0) + 1, at: have?.at ?? Number(sid.split('-')[0]), action, noticeId: noticeJobId(f.get('list') ?? LIST, raw) });
      }
      const failed: FailedPost[] = await queues!.failed(100_000);
      const failedById = new Map(failed.filter((f) => f.messageId).map((f) => [norm(f.messageId)!, f]));
      const failedNoId = failed.filter((f) => !f.messageId);
      const known = new Set(sent.flatMap((p) => (p.messageId ? [norm(p.messageId)!] : [])));
      const unattributed = [...verdicts.keys()].filter((id) => !known.has(id)).length;

      const rows: PostOutcomeRow[] = sent.map((p) => {
        const id = norm(p.messageId);
        const v = id ? verdicts.get(id) : undefined;
        const f = id && !v ? failedById.get(id) : undefined;
        return {
          seq: p.seq,
          kind: p.kind,
          name: p.name,
          messageId: p.messageId,
          outcome: v ? 'verdict' : f ? 'failed' : 'lost',
          verdicts: v?.n ?? 0,
          action: v?.action,
          reason: f?.reason,
        };
      });
      // Mail without a Message-ID: found in the failed set, or as a verdict on an id listwarden made up.
      const noId = rows.filter((r) => !r.messageId);
      let failedLeft = failedNoId.length;
      let verdictsLeft = unattributed;
      for (const r of noId) {
        if (failedLeft > 0) {
          r.outcome = 'failed';
          r.reason = failedNoId[--failedLeft]!.reason;
        } else if (verdictsLeft > 0) {
          r.outcome = 'verdict';
          verdictsLeft--;
        }
      }
      // Ordinary posts must get a verdict; only mail that cannot be read may end in the failed set.
      const ordinaryFailed = rows.filter((r) => r.outcome === 'failed' && (r.kind === 'plain' || r.kind === 'reply' || r.kind === 'trigger'));
      const lost = rows.filter((r) => r.outcome === 'lost').map((r) => r.messageId ?? `(no Message-ID: ${r.name})`);
      const duplicated = [...verdicts].filter(([, v]) => v.n > 1).map(([id]) => id);

      const mailsByNotice = new Map<string, number>();
      for (const m of smtp!.mails) if (m.noticeId) mailsByNotice.set(m.noticeId, (mailsByNotice.get(m.noticeId) ?? 0) + 1);
      const digest = await store.digestEntries(LIST);
      const digestedWhy = new Map<string, string>();
      for (const [key, e] of digest) digestedWhy.set(key.split('\n')[0]!, e.why);
      const alertVerdicts = [...verdicts].filter(([, v]) => v.action === 'alert');
      const digested: Record<string, number> = {};
      const lostAlerts: string[] = [];
      for (const [id, v] of alertVerdicts) {
        const nid = v.noticeId;
        if (mailsByNotice.has(nid)) continue;
        const why = digestedWhy.get(nid);
        if (why) digested[why] = (digested[why] ?? 0) + 1;
        else lostAlerts.push(id);
      }
      const triggersNotAlerted = sent.filter((p) => p.expectAlert && verdicts.has(norm(p.messageId)!) && verdicts.get(norm(p.messageId)!)!.action !== 'alert').map((p) => p.messageId!);

      const verdictDelays = sent.flatMap((p) => {
        const v = p.messageId ? verdicts.get(norm(p.messageId)!) : undefined;
        return v ? [Math.max(0, v.at - p.sentAt)] : [];
      }).sort((a, b) => a - b);
      const firstMail = new Map<string, number>();
      for (const m of smtp!.mails) if (m.noticeId && !firstMail.has(m.noticeId)) firstMail.set(m.noticeId, m.at);
      const alertDelays = sent.flatMap((p) => {
        if (!p.expectAlert || !p.messageId) return [];
        const at = firstMail.get(noticeJobId(LIST, p.messageId));
        return at ? [at - p.sentAt] : [];
      }).sort((a, b) => a - b);

      const byKind: Record<string, number> = {};
      for (const p of sent) byKind[p.kind] = (byKind[p.kind] ?? 0) + 1;
      const byReason: Record<string, number> = {};
      for (const f of failed) {
        const reason = f.reason.replace(/\d+/g, 'N').slice(0, 120);
        byReason[reason] = (byReason[reason] ?? 0) + 1;
      }
      const pendingAlerts = lostAlerts.length;
      const settled = lost.length === 0 && ordinaryFailed.length === 0 && pendingAlerts === 0 && sent.filter((p) => p.expectAlert).every((p) => verdicts.has(norm(p.messageId)!));
      return {
        settled,
        report: {
          posts: { sent: sent.length, byKind, withoutMessageId: noId.length },
          verdicts: { recorded: entries.length, posts: verdicts.size, duplicated, lost, unattributed },
          failedSet: {
            count: failed.length,
            byReason,
            ordinary: ordinaryFailed.map((r) => ({ messageId: r.messageId!, kind: r.kind, reason: r.reason ?? '' })),
          },
          alerts: {
            verdicts: alertVerdicts.length,
            received: smtp!.mails.filter((m) => m.noticeId).length,
            digested,
            duplicated: [...mailsByNotice].filter(([, n]) => n > 1).map(([nid]) => nid),
            lost: lostAlerts,
            triggersNotAlerted,
          },
          delays: {
            verdictMaxMs: verdictDelays.at(-1) ?? 0,
            verdictP50Ms: percentile(verdictDelays, 50),
            verdictP99Ms: percentile(verdictDelays, 99),
            alertMaxMs: alertDelays.at(-1) ?? 0,
            alertP50Ms: percentile(alertDelays, 50),
          },
          hostile: rows.filter((r) => r.kind === 'hostile' || r.kind === 'fixture' || r.kind === 'spam'),
        },
      };
    };

    const drainUntil = Date.now() + (o.drainSeconds ?? 180) * 1000;
    let acc = await account();
    while (!acc.settled && Date.now() < drainUntil) {
      await sleep(1000);
      acc = await account();
    }
    // Room for a late duplicate (a re-run job, a retried send) to show itself.
    await sleep(3000);
    acc = await account();
    log(`drained: ${acc.settled ? 'every post and alert accounted for' : 'NOT every post or alert accounted for'}`);

    const info = await reader.info('memory');
    const redisMemory = /used_memory_human:(\S+)/.exec(info)?.[1];
    for (const s of slots) exitCodes[s.proc?.name ?? s.name] = await s.stop();
    const crashes = slots.flatMap((s) => s.crashes);
    const r = acc.report;
    const ok =
      r.verdicts.lost.length === 0 &&
      r.verdicts.duplicated.length === 0 &&
      r.failedSet.ordinary.length === 0 &&
      r.alerts.lost.length === 0 &&
      r.alerts.duplicated.length === 0 &&
      r.alerts.triggersNotAlerted.length === 0 &&
      crashes.length === 0 &&
      Object.values(exitCodes).every((c) => c === 0);
    return {
      seed,
      minutes: o.minutes,
      startedAt,
      seconds: Math.round((Date.now() - startedAt) / 1000),
      ...r,
      faults: injector.events,
      processes: { restarts: slots.reduce((n, s) => n + s.restarts, 0), crashes, exitCodes },
      errorLogs,
      redisMemory,
      ok,
    };
  } finally {
    for (const s of slots) await s.kill().catch(() => undefined);
    await queues?.close();
    reader?.disconnect();
    await smtp?.close();
    await redis?.destroy();
    await dovecot?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report as text: the figures first, then what went wrong, if anything. */
export function formatSoakReport(r: SoakReport): string {
  const faults = new Map<string, number>();
  for (const f of r.faults) faults.set(f.kind, (faults.get(f.kind) ?? 0) + 1);
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    `listwarden soak: ${r.minutes} min of posts, ${r.seconds} s in all (seed ${r.seed})`,
    '',
    `posts sent           ${r.posts.sent}  (${Object.entries(r.posts.byKind).map(([k, n]) => `${k} ${n}`).join(', ')}; ${r.posts.withoutMessageId} without Message-ID)`,
    `verdicts             ${r.verdicts.recorded} recorded for ${r.verdicts.posts} posts`,
    `failed set           ${r.failedSet.count} post(s) with a reason (${r.failedSet.ordinary.length} of them ordinary posts)`,
    `lost posts           ${r.verdicts.lost.length}`,
    `duplicated verdicts  ${r.verdicts.duplicated.length}`,
    `alert verdicts       ${r.alerts.verdicts}`,
    `alerts received      ${r.alerts.received}${Object.keys(r.alerts.digested).length ? `  (to the digest instead: ${Object.entries(r.alerts.digested).map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`,
    `duplicated alerts    ${r.alerts.duplicated.length}`,
    `lost alerts          ${r.alerts.lost.length}`,
    `triggers not alerted ${r.alerts.triggersNotAlerted.length}`,
    `APPEND → verdict     p50 ${s(r.delays.verdictP50Ms)}, p99 ${s(r.delays.verdictP99Ms)}, longest ${s(r.delays.verdictMaxMs)}`,
    `APPEND → alert mail  p50 ${s(r.delays.alertP50Ms)}, longest ${s(r.delays.alertMaxMs)}`,
    `faults injected      ${r.faults.length}  (${[...faults].map(([k, n]) => `${k} ${n}`).join(', ')})`,
    `process restarts     ${r.processes.restarts}; crashes ${r.processes.crashes.length}; exit codes at the end ${Object.values(r.processes.exitCodes).join(' ')}`,
    `Redis memory         ${r.redisMemory ?? '?'}`,
    '',
    'Faults:',
    ...r.faults.map((f) => `  ${s(f.at).padStart(7)}  ${f.kind.padEnd(16)} ${f.detail}${f.error ? `  ERROR ${f.error}` : ''}`),
    '',
    'Hostile input, fixtures and spam:',
    ...r.hostile.map((h) => `  ${(h.name ?? h.kind).padEnd(26)} ${h.outcome}${h.action ? ` (${h.action})` : ''}${h.reason ? `: ${h.reason.slice(0, 100)}` : ''}`),
  ];
  if (Object.keys(r.failedSet.byReason).length) lines.push('', 'Failed set by reason:', ...Object.entries(r.failedSet.byReason).map(([k, n]) => `  ${n}  ${k}`));
  if (Object.keys(r.errorLogs).length) lines.push('', 'Error lines the daemons logged:', ...Object.entries(r.errorLogs).map(([k, n]) => `  ${n}  ${k}`));
  if (r.verdicts.lost.length) lines.push('', 'Lost posts:', ...r.verdicts.lost.map((id) => `  ${id}`));
  if (r.failedSet.ordinary.length) lines.push('', 'Ordinary posts in the failed set:', ...r.failedSet.ordinary.map((f) => `  ${f.kind} ${f.messageId}: ${f.reason}`));
  if (r.verdicts.duplicated.length) lines.push('', 'Posts with two verdicts:', ...r.verdicts.duplicated.map((id) => `  ${id}`));
  if (r.alerts.lost.length) lines.push('', 'Alert verdicts with no mail and no digest entry:', ...r.alerts.lost.map((id) => `  ${id}`));
  if (r.alerts.duplicated.length) lines.push('', 'Alerts mailed twice (notice ids):', ...r.alerts.duplicated.map((id) => `  ${id}`));
  if (r.alerts.triggersNotAlerted.length) lines.push('', 'Trigger posts not alerted:', ...r.alerts.triggersNotAlerted.map((id) => `  ${id}`));
  for (const c of r.processes.crashes) lines.push('', `Crash of ${c.name} (exit ${c.code}):`, ...c.lines.map((l) => `  ${l}`));
  lines.push('', r.ok ? 'OK: zero lost, zero duplicated, no crash.' : 'NOT OK: see above.', '');
  return lines.join('\n');
}
