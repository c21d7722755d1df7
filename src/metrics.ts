// Prometheus metrics (prom-client) of one daemon process, on a registry of its own.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  postsSeen: Counter<'list'>;
  postsParsed: Counter<'list'>;
  flags: Counter<'list' | 'rule' | 'severity'>;
  queueJobs: Gauge<'queue' | 'state'>;
  imapReconnects: Counter<'list'>;
  verdictSeconds: Histogram<never>;
}

export interface MetricsOptions {
  /** Read when /metrics is scraped, to fill listwarden_queue_jobs. */
  queueCounts?: () => Promise<{ queue: string; state: string; count: number }[]>;
  /** Node's process metrics too (default true). */
  processMetrics?: boolean;
}

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'listwarden_' });
  const postsSeen = new Counter({
    name: 'listwarden_posts_seen_total',
    help: 'Posts the IMAP poller found and queued.',
    labelNames: ['list'] as const,
    registers: [registry],
  });
  const postsParsed = new Counter({
    name: 'listwarden_posts_parsed_total',
    help: 'Posts a worker parsed and decided.',
    labelNames: ['list'] as const,
    registers: [registry],
  });
  const flags = new Counter({
    name: 'listwarden_flags_total',
    help: 'Flags kept in verdicts, by rule and severity.',
    labelNames: ['list', 'rule', 'severity'] as const,
    registers: [registry],
  });
  const queueCounts = opts.queueCounts;
  const queueJobs = new Gauge({
    name: 'listwarden_queue_jobs',
    help: 'Jobs in each queue, by state.',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      if (!queueCounts) return;
      try {
        for (const c of await queueCounts()) this.set({ queue: c.queue, state: c.state }, c.count);
      } catch {
        // Redis down: the gauge keeps its last values; /healthz says why.
      }
    },
  });
  const imapReconnects = new Counter({
    name: 'listwarden_imap_reconnects_total',
    help: 'IMAP connections lost and made again.',
    labelNames: ['list'] as const,
    registers: [registry],
  });
  const verdictSeconds = new Histogram({
    name: 'listwarden_verdict_seconds',
    help: 'Seconds from the poller learning of a post to its verdict being recorded.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  return { registry, postsSeen, postsParsed, flags, queueJobs, imapReconnects, verdictSeconds };
}
