// Measures off-topic-thread through the real pipeline: thread-level P/R/F1 on a list's stream with FoRK threads mixed in.
// Usage: node --import tsx scripts/eval-offtopic.ts [DATA_DIR] [--markdown FILE]
//
// Each list's archive is split by date. "trained, first half": the profile learns from the older half and is scored
// on the newer half; "trained, 2 folds": each half is scored by a profile trained on the other, summed; "config
// only": description + terms, no archive, scored on the newer half. The FoRK posts (fork-offtopic-dev.mbox) are
// never trained on: they are interleaved by date into every test stream, routed to the list under test. Truth: a
// thread is off-topic when most of its posts come from the FoRK file. A thread counts as flagged when any of its
// posts got an off-topic-thread flag in the verdict (digest or alert), i.e. what a moderator would see.

import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config, ListConfig } from '../src/config/types.js';
import { defaultConfig } from '../src/config/index.js';
import { readArchive } from '../src/ingest/archive/index.js';
import type { Post } from '../src/model/post.js';
import { parsePost } from '../src/parse/index.js';
import { createPipeline } from '../src/pipeline/index.js';
import { DEFAULT_OFF_TOPIC_OPTIONS, offTopicThread } from '../src/rules/off-topic-thread.js';
import { trainProfile, type ListProfile } from '../src/rules/profile.js';
import { createLogger } from '../src/log.js';

const FORK = 'fork-offtopic-dev.mbox';

/** What a list admin would write in the config: from the list's own name and purpose, not from its posts. */
const LISTS: { file: string; dev: boolean; list: Omit<ListConfig, 'rules' | 'custom' | 'allowOT'> }[] = [
  {
    file: 'rpm-list.mbox', dev: true,
    list: {
      id: 'rpm-list', name: 'rpm-list', listId: 'rpm-list.eval.invalid',
      description: 'freshrpms.net RPM list: building, installing and upgrading RPM packages for Red Hat Linux, apt-get and the freshrpms.net repositories.',
      terms: ['rpm', 'apt-get', 'red hat', 'package', 'spec file'],
    },
  },
  {
    file: 'exmh-users.mbox', dev: false,
    list: {
      id: 'exmh-users', name: 'exmh-users', listId: 'exmh-users.eval.invalid',
      description: 'Discussion list for users of exmh, the Tcl/Tk mail reader for MH and nmh: setup, folders, sequences, MIME display and GPG.',
      terms: ['exmh', 'mh', 'nmh', 'tcl/tk', 'mail'],
    },
  },
  {
    file: 'spamassassin-talk.mbox', dev: false,
    list: {
      id: 'spamassassin-talk', name: 'spamassassin-talk', listId: 'spamassassin-talk.eval.invalid',
      description: 'Talk about SpamAssassin, the mail filter that identifies spam: rules, scores, configuration, Bayes and running it with procmail or an MTA.',
      terms: ['spamassassin', 'spam', 'rules', 'procmail', 'bayes'],
    },
  },
];

interface Tagged {
  post: Post;
  fork: boolean;
  at: number;
}

export interface OffTopicRow {
  list: string;
  profile: string;
  trainedOn: number;
  threads: number;
  offTopicThreads: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  /** Threads holding posts of both files (subject collisions), counted by majority. */
  mixed: number;
  postsPerSecond: number;
}

async function readPosts(path: string, fork: boolean): Promise<Tagged[]> {
  const out: Tagged[] = [];
  for await (const item of readArchive(path)) {
    if (item.kind !== 'mail') continue;
    try {
      const post = await parsePost(item.raw);
      out.push({ post, fork, at: post.date?.getTime() ?? 0 });
    } catch {
      // An unreadable message is not part of either stream.
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

function evalConfig(list: ListConfig): Config {
  const cfg = defaultConfig();
  // Only the rule under test: the other rules' flags are not what this measures.
  for (const id of Object.keys(cfg.rules)) {
    const r = cfg.rules[id];
    if (r) r.enabled = id === offTopicThread.id;
  }
  return { ...cfg, source: '(eval-offtopic)', lists: [list] };
}

async function score(list: ListConfig, profile: ListProfile | undefined, stream: Tagged[]) {
  const pipeline = createPipeline(evalConfig(list), {
    log: createLogger('error'),
    ...(profile ? { profiles: new Map([[list.id, profile]]) } : {}),
  });
  const threads = new Map<string, { fork: number; list: number; flagged: boolean }>();
  const started = performance.now();
  for (const { post, fork } of stream) {
    const out = await pipeline.processPost({ ...post, listId: list.listId });
    if (out.kind !== 'verdict') continue;
    const t = threads.get(out.thread.id) ?? { fork: 0, list: 0, flagged: false };
    if (fork) t.fork += 1;
    else t.list += 1;
    if (out.verdict.flags.some((f) => f.rule === offTopicThread.id)) t.flagged = true;
    threads.set(out.thread.id, t);
  }
  const seconds = (performance.now() - started) / 1000;
  let tp = 0, fp = 0, fn = 0, off = 0, mixed = 0;
  for (const t of threads.values()) {
    const truth = t.fork > t.list;
    if (truth) off += 1;
    if (t.fork > 0 && t.list > 0) mixed += 1;
    if (t.flagged && truth) tp += 1;
    else if (t.flagged) fp += 1;
    else if (truth) fn += 1;
  }
  return { threads: threads.size, off, tp, fp, fn, mixed, postsPerSecond: stream.length / seconds };
}

function row(list: string, profile: string, trainedOn: number, parts: Awaited<ReturnType<typeof score>>[]): OffTopicRow {
  const sum = (k: 'threads' | 'off' | 'tp' | 'fp' | 'fn' | 'mixed'): number => parts.reduce((a, p) => a + p[k], 0);
  const tp = sum('tp'), fp = sum('fp'), fn = sum('fn');
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  const pps = parts.reduce((a, p) => a + p.postsPerSecond, 0) / parts.length;
  return { list, profile, trainedOn, threads: sum('threads'), offTopicThreads: sum('off'), tp, fp, fn, precision, recall, f1, mixed: sum('mixed'), postsPerSecond: pps };
}

export async function evalOffTopic(dataDir: string): Promise<OffTopicRow[]> {
  const dir = join(dataDir, 'offtopic');
  const fork = await readPosts(join(dir, FORK), true);
  const rows: OffTopicRow[] = [];
  for (const { file, dev, list: partial } of LISTS) {
    const list: ListConfig = { ...partial, allowOT: true, rules: {}, custom: [] };
    const name = `${partial.name}${dev ? ' (dev)' : ''}`;
    const posts = await readPosts(join(dir, file), false);
    const half = Math.floor(posts.length / 2);
    const older = posts.slice(0, half);
    const newer = posts.slice(half);
    const mix = (part: Tagged[]): Tagged[] => [...part, ...fork].sort((a, b) => a.at - b.at);

    const p1 = await trainProfile(list, older.map((t) => t.post));
    const p2 = await trainProfile(list, newer.map((t) => t.post));
    const onNewer = await score(list, p1, mix(newer));
    const onOlder = await score(list, p2, mix(older));
    rows.push(row(name, 'trained, first half by date', p1.trainedOn, [onNewer]));
    rows.push(row(name, 'trained, 2 folds by date', p1.trainedOn + p2.trainedOn, [onNewer, onOlder]));
    rows.push(row(name, 'config only (description + terms)', 0, [await score(list, undefined, mix(newer))]));
  }
  return rows;
}

const pct = (v: number): string => v.toFixed(3);

export function formatOffTopicTable(rows: OffTopicRow[]): string {
  const o = DEFAULT_OFF_TOPIC_OPTIONS;
  const lines = [
    `off-topic-thread ${offTopicThread.version}: thread-level, FoRK threads (${FORK}) mixed into each list's test stream by date`,
    `threshold: flag when 1 − recency-weighted similarity of the last ${o.window} judged posts ≥ ${o.threshold} (decay ${o.decay}, posts under ${o.minWords} content words not judged); counted when decide keeps it (digestAt)`,
    '',
    '| list | profile | trained on (posts) | threads | off-topic | TP | FP | FN | precision | recall | F1 | posts/s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.list} | ${r.profile} | ${r.trainedOn} | ${r.threads} | ${r.offTopicThreads} | ${r.tp} | ${r.fp} | ${r.fn} | ${pct(r.precision)} | ${pct(r.recall)} | ${pct(r.f1)} | ${Math.round(r.postsPerSecond)} |`),
  ];
  const mixed = rows.reduce((a, r) => a + r.mixed, 0);
  if (mixed > 0) lines.push('', `${mixed} thread(s) held posts from both files (subject collisions); each counted by its majority.`);
  return lines.join('\n');
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const args = process.argv.slice(2);
  const mi = args.indexOf('--markdown');
  const markdownOut = mi >= 0 ? args.splice(mi, 2)[1] : undefined;
  const dataDir = resolve(args[0] ?? join(repoRoot, '../shared/eval'));
  if (!existsSync(join(dataDir, 'offtopic', FORK))) {
    console.error(`no off-topic eval data under ${dataDir} (expected ${join(dataDir, 'offtopic', FORK)})`);
    process.exit(1);
  }
  const table = formatOffTopicTable(await evalOffTopic(dataDir));
  console.log(table);
  if (markdownOut) writeFileSync(markdownOut, `${table}\n`);
}
