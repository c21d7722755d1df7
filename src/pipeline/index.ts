// parse → threads → rules → decide for one post: the stages replay and the daemon's workers share.

import type { Logger } from 'pino';
import type { Config, ListConfig, RuleSettings } from '../config/types.js';
import { findList, resolveRuleSettings } from '../config/index.js';
import type { Post } from '../model/post.js';
import { parsePost, UnreadableMailError } from '../parse/index.js';
import { MemoryThreadStore } from '../threads/memory-store.js';
import { placePost } from '../threads/place.js';
import { ThreadConflictError, type ThreadStore } from '../threads/store.js';
import { builtinRules } from '../rules/index.js';
import { compileCustomRules } from '../rules/custom/compile.js';
import { profileFromConfig, type ListProfile } from '../rules/profile.js';
import { RuleRunner, type RuleRun } from '../rules/run-rules.js';
import type { Rule } from '../rules/types.js';
import { decide } from '../decide/decide.js';
import { log as rootLog } from '../log.js';
import type { PostOutcome } from './types.js';

export type { PostOutcome, RuleFailure } from './types.js';

export interface PipelineOptions {
  /** Thread state; replay uses memory (the default), the daemon Redis. */
  store?: ThreadStore;
  log?: Logger;
  /** list id → profile (e.g. trained with --train); lists without one use their config description and terms. */
  profiles?: Map<string, ListProfile>;
  /** Passed to parse: text beyond this many characters is cut (with a warning). */
  maxBodyChars?: number;
}

export interface ProcessOptions {
  /** The id of the list whose mailbox delivered the post: it wins over the post's List-Id header. */
  list?: string;
}

export interface Pipeline {
  readonly config: Config;
  processRaw(raw: Buffer, opts?: ProcessOptions): Promise<PostOutcome>;
  processPost(post: Post, opts?: ProcessOptions): Promise<PostOutcome>;
  /** The list a post belongs to: the one named by `opts.list` (its mailbox's list), else by its List-Id. */
  listFor(post: Pick<Post, 'listId'>, opts?: ProcessOptions): ListConfig;
  /** The rules each list runs, with their context (for explain and the rule list in reports). */
  rulesFor(list: ListConfig): RuleRun[];
  /** Time spent in each rule so far, ms by rule id (measure and check together). */
  ruleTimes(): ReadonlyMap<string, number>;
}

/** How often a post is re-placed when another worker changed its thread meanwhile. */
const PLACE_ATTEMPTS = 8;

export function createPipeline(config: Config, opts: PipelineOptions = {}): Pipeline {
  const store = opts.store ?? new MemoryThreadStore();
  const log = opts.log ?? rootLog();
  const runner = new RuleRunner(config.ruleBudgetMs, log);
  const topCustom = compileCustomRules(config.custom);
  const runsByList = new Map<string, RuleRun[]>();
  // Per list: each rule's resolved thresholds, read by decide for every flag (the config does not change under a pipeline).
  const thresholdsByList = new Map<string, (rule: string) => RuleSettings>();
  // The list of the last List-Id header seen: posts come in runs from one list, and findList parses the header.
  let lastListId: string | undefined;
  let lastList: ListConfig | undefined;

  function rulesFor(list: ListConfig): RuleRun[] {
    let runs = runsByList.get(list.id);
    if (runs) return runs;
    const profile = opts.profiles?.get(list.id) ?? profileFromConfig(list);
    const rules: Rule[] = [...builtinRules, ...topCustom, ...compileCustomRules(list.custom)];
    runs = [];
    for (const rule of rules) {
      const settings = resolveRuleSettings(config, list, rule.id);
      if (settings.enabled) runs.push({ rule, ctx: { list, profile, settings } });
    }
    runsByList.set(list.id, runs);
    return runs;
  }

  function thresholdsFor(list: ListConfig): (rule: string) => RuleSettings {
    let fn = thresholdsByList.get(list.id);
    if (!fn) {
      const resolved = new Map<string, RuleSettings>();
      fn = (rule) => {
        let settings = resolved.get(rule);
        if (!settings) {
          settings = resolveRuleSettings(config, list, rule);
          resolved.set(rule, settings);
        }
        return settings;
      };
      thresholdsByList.set(list.id, fn);
    }
    return fn;
  }

  function listFor(post: Pick<Post, 'listId'>, o?: ProcessOptions): ListConfig {
    if (o?.list !== undefined) {
      const named = config.lists.find((l) => l.id === o.list);
      if (named) return named;
    }
    if (lastList === undefined || post.listId !== lastListId) {
      lastList = findList(config, post.listId);
      lastListId = post.listId;
    }
    return lastList;
  }

  async function processPost(post: Post, o?: ProcessOptions): Promise<PostOutcome> {
    const list = listFor(post, o);
    if (await store.hasMessage(list.id, post.messageId)) {
      const threadId = (await store.threadOfMessage(list.id, post.messageId)) ?? post.messageId;
      return { kind: 'duplicate', list: list.id, post, threadId };
    }
    const runs = rulesFor(list);
    for (let attempt = 1; ; attempt++) {
      const placed = await placePost(post, list.id, store, config.threads);
      const { flags, failures } = runner.run(post, placed.thread, runs);
      const verdict = decide({
        config,
        list,
        post,
        thread: placed.thread,
        flags,
        thresholds: thresholdsFor(list),
      });
      try {
        await store.save(placed.thread, post.messageId, placed.subjectKey, placed.expectedPostCount);
      } catch (err) {
        if (err instanceof ThreadConflictError && attempt < PLACE_ATTEMPTS) continue;
        throw err;
      }
      return { kind: 'verdict', list: list.id, post, thread: placed.thread, verdict, ruleFailures: failures };
    }
  }

  async function processRaw(raw: Buffer, o?: ProcessOptions): Promise<PostOutcome> {
    let post: Post;
    try {
      post = await parsePost(raw, { maxBodyChars: opts.maxBodyChars });
    } catch (err) {
      if (err instanceof UnreadableMailError) return { kind: 'unreadable', reason: err.message };
      throw err;
    }
    return processPost(post, o);
  }

  return { config, processRaw, processPost, rulesFor, listFor, ruleTimes: () => runner.spentMs };
}
