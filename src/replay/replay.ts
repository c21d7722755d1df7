// `listwarden replay`: the daemon's stages run in-process over archives, to see what listwarden would flag.

import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import cliProgress from 'cli-progress';
import type { Logger } from 'pino';
import type { Config, ListConfig } from '../config/types.js';
import { findList } from '../config/index.js';
import { readArchive, ArchiveNotFoundError } from '../ingest/archive/index.js';
import { parsePost, UnreadableMailError } from '../parse/index.js';
import type { Post } from '../model/post.js';
import { createPipeline } from '../pipeline/index.js';
import { trainProfile, type ListProfile } from '../rules/profile.js';
import { MemoryThreadStore } from '../threads/memory-store.js';
import { toFlagRecord, type FlagRecord } from './flag-record.js';
import { renderHtml, renderText } from './render.js';
import { ReplaySummary } from './summary.js';

export type ReplayFormat = 'text' | 'json' | 'html';

export interface ReplayOptions {
  config: Config;
  archives: string[];
  /** Archives the list profiles learn from before the replay. */
  train?: string[];
  format: ReplayFormat;
  /** Output file; stdout when absent. */
  out?: string;
  /** Show a progress bar (on a TTY). */
  progress?: boolean;
  /** Also keep every flag in the result's records (e.g. to render notices), whatever the format. */
  keepRecords?: boolean;
  log: Logger;
}

export interface ReplayResult {
  /** 0 ok; 2 nothing readable. */
  exitCode: 0 | 2;
  summary: ReplaySummary;
  records: FlagRecord[];
}

/** Everything parseable in the archives, as Posts (unreadable ones are counted in the summary). */
export async function* postsOf(paths: string[], summary: ReplaySummary): AsyncGenerator<{ post: Post; source: string }> {
  for (const path of paths) {
    try {
      for await (const item of readArchive(path)) {
        summary.read += 1;
        if (item.kind === 'skipped') {
          summary.skip(item.reason, item.source);
          continue;
        }
        let post: Post;
        try {
          post = await parsePost(item.raw);
        } catch (err) {
          const reason = err instanceof UnreadableMailError ? `unreadable mail: ${err.message}` : `parse failed: ${(err as Error).message}`;
          summary.skip(reason, item.source);
          continue;
        }
        summary.parsed += 1;
        yield { post, source: item.source };
      }
    } catch (err) {
      if (!(err instanceof ArchiveNotFoundError)) throw err;
      summary.skip(`archive not readable: ${err.message}`, path);
    }
  }
}

async function trainProfiles(config: Config, paths: string[], log: Logger): Promise<Map<string, ListProfile>> {
  const profiles = new Map<string, ListProfile>();
  const scratch = new ReplaySummary();
  for (const list of config.lists) {
    const mine = async function* (l: ListConfig): AsyncGenerator<Post> {
      for await (const { post } of postsOf(paths, scratch)) if (findList(config, post.listId).id === l.id) yield post;
    };
    const profile = await trainProfile(list, mine(list));
    profiles.set(list.id, profile);
    log.info({ list: list.id, trainedOn: profile.trainedOn }, 'list profile trained');
  }
  return profiles;
}

function outStream(out: string | undefined): NodeJS.WritableStream & { close?: () => void } {
  return out ? createWriteStream(out) : process.stdout;
}

async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/** The stages over archives, yielding each flag decided (not ignored) as a record; the tally goes into `summary`. */
export async function* replayFlags(
  config: Config,
  archives: string[],
  summary: ReplaySummary,
  opts: { log: Logger; profiles?: Map<string, ListProfile>; onPost?: () => void },
): AsyncGenerator<FlagRecord> {
  const store = new MemoryThreadStore();
  const pipeline = createPipeline(config, { store, log: opts.log, profiles: opts.profiles });
  for await (const { post, source } of postsOf(archives, summary)) {
    const outcome = await pipeline.processPost(post);
    opts.onPost?.();
    if (outcome.kind === 'duplicate') summary.duplicates += 1;
    if (outcome.kind !== 'verdict') continue;
    for (const f of outcome.ruleFailures) summary.ruleFailures.set(f.rule, (summary.ruleFailures.get(f.rule) ?? 0) + 1);
    for (const flag of outcome.verdict.flags) {
      summary.flagsByRule.set(flag.rule, (summary.flagsByRule.get(flag.rule) ?? 0) + 1);
      if (flag.action === 'alert' || flag.action === 'digest') summary.actions[flag.action] += 1;
      yield toFlagRecord(flag, outcome.post, outcome.thread, outcome.list, source);
    }
  }
  summary.threads = store.size;
  summary.ruleMs = pipeline.ruleTimes();
}

export async function loadProfiles(config: Config, train: string[] | undefined, log: Logger): Promise<Map<string, ListProfile> | undefined> {
  return train?.length ? trainProfiles(config, train, log) : undefined;
}

export async function replay(opts: ReplayOptions): Promise<ReplayResult> {
  const { config, log } = opts;
  const summary = new ReplaySummary();
  const profiles = await loadProfiles(config, opts.train, log);
  const records: FlagRecord[] = [];
  const stream = outStream(opts.out);
  const bar = opts.progress
    ? new cliProgress.SingleBar({ format: 'replay | {value} posts | {rate} posts/s | {flags} flags', stream: process.stderr }, cliProgress.Presets.shades_classic)
    : undefined;
  bar?.start(0, 0, { rate: 0, flags: 0 });
  const onPost = bar
    ? () => {
        if (summary.read % 200 !== 0) return;
        bar.setTotal(summary.read);
        bar.update(summary.read, { rate: (summary.read / summary.elapsedSeconds()).toFixed(0), flags: summary.flagTotal() });
      }
    : undefined;
  try {
    for await (const rec of replayFlags(config, opts.archives, summary, { log, profiles, onPost })) {
      if (opts.format === 'json') await write(stream, JSON.stringify(rec) + '\n');
      if (opts.format !== 'json' || opts.keepRecords) records.push(rec);
    }
  } finally {
    bar?.stop();
  }
  if (opts.format === 'text') await write(stream, renderText(records));
  if (opts.format === 'html') await write(stream, renderHtml(records, { ...summary.toJSON(), archives: opts.archives.join(', ') } as Record<string, unknown>));
  if (opts.out) {
    const fileStream = stream as WriteStream;
    fileStream.end();
    await once(fileStream, 'finish');
  }
  return { exitCode: summary.parsed === 0 ? 2 : 0, summary, records };
}
