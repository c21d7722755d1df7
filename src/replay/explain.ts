// `listwarden explain`: every rule's verdict on one post, its score and parts, evidence spans and thresholds.

import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import { findList, resolveRuleSettings } from '../config/index.js';
import { actionFor, decide } from '../decide/decide.js';
import type { Action, Flag } from '../model/flag.js';
import type { Post } from '../model/post.js';
import { parsePost } from '../parse/index.js';
import { createPipeline } from '../pipeline/index.js';
import type { ListProfile } from '../rules/profile.js';
import { MemoryThreadStore } from '../threads/memory-store.js';
import { placePost } from '../threads/place.js';
import { postsOf } from './replay.js';
import { ReplaySummary } from './summary.js';

export interface RuleExplanation {
  rule: string;
  description: string;
  version: string;
  /** The rule's per-post figure (measure()), when it has one. */
  measured?: number;
  flags: (Flag & { action: Action })[];
  thresholds: { alertAt: number; digestAt: number; alertSeverity: string };
  error?: string;
}

export interface Explanation {
  messageId: string;
  list: string;
  threadId: string;
  threadPosts: number;
  placedBy: string;
  ownText: string;
  quoted: { author?: string; chars: number }[];
  rules: RuleExplanation[];
  /** What decide makes of all the flags (dedupe against the thread included). */
  action: Action;
}

export async function explainPost(raw: Buffer, config: Config, opts: { thread?: string[]; log: Logger; profiles?: Map<string, ListProfile> }): Promise<Explanation> {
  const post: Post = await parsePost(raw);
  const store = new MemoryThreadStore();
  const pipeline = createPipeline(config, { store, log: opts.log, profiles: opts.profiles });
  if (opts.thread?.length) {
    // Thread context: the archive's posts up to this one, as the daemon would have seen them.
    for await (const { post: earlier } of postsOf(opts.thread, new ReplaySummary())) {
      if (earlier.messageId === post.messageId) break;
      await pipeline.processPost(earlier);
    }
  }
  const list = findList(config, post.listId);
  const placed = await placePost(post, list.id, store, config.threads);
  const current = placed.thread.posts[placed.thread.posts.length - 1];
  const runs = pipeline.rulesFor(list);
  const results: RuleExplanation[] = [];
  for (const { rule, ctx } of runs) {
    const r: RuleExplanation = {
      rule: rule.id,
      description: rule.description,
      version: rule.version,
      flags: [],
      thresholds: {
        alertAt: ctx.settings.alertAt ?? config.decide.alertAt,
        digestAt: ctx.settings.digestAt ?? config.decide.digestAt,
        alertSeverity: config.decide.alertSeverity,
      },
    };
    try {
      const m = rule.measure?.(post, placed.thread, ctx);
      if (typeof m === 'number') {
        r.measured = m;
        if (current) current.signals[rule.id] = m;
      }
    } catch (err) {
      r.error = (err as Error).message;
    }
    results.push(r);
  }
  const all: Flag[] = [];
  for (const [i, { rule, ctx }] of runs.entries()) {
    const r = results[i];
    if (!r || r.error) continue;
    try {
      for (const f of rule.check(post, placed.thread, ctx)) {
        all.push(f);
        r.flags.push({ ...f, action: actionFor(f, r.thresholds.alertAt, r.thresholds.digestAt, config.decide.alertSeverity) });
      }
    } catch (err) {
      r.error = (err as Error).message;
    }
  }
  const verdict = decide({ config, list, post, thread: placed.thread, flags: all, thresholds: (id) => resolveRuleSettings(config, list, id) });
  return {
    messageId: post.messageId,
    list: list.id,
    threadId: placed.thread.id,
    threadPosts: placed.thread.postCount,
    placedBy: placed.how,
    ownText: post.ownText,
    quoted: post.segments.filter((s) => s.kind === 'quote').map((s) => ({ author: s.quotedAuthor, chars: s.text.length })),
    rules: results,
    action: verdict.action,
  };
}

function markSpans(text: string, spans: { start: number; end: number }[] | undefined): string {
  if (!spans?.length) return text;
  let out = '';
  let at = 0;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    if (s.start < at) continue;
    out += text.slice(at, s.start) + '[[' + text.slice(s.start, s.end) + ']]';
    at = s.end;
  }
  return out + text.slice(at);
}

export function renderExplanationText(e: Explanation): string {
  const out = [
    `post ${e.messageId} on list ${e.list}`,
    `thread ${e.threadId} (post ${e.threadPosts} of the thread; placed by ${e.placedBy})`,
    `quoted blocks: ${e.quoted.length ? e.quoted.map((q) => `${q.author ?? 'unknown author'} (${q.chars} chars)`).join(', ') : 'none'} — never scored against this author`,
    '',
  ];
  for (const r of e.rules) {
    const t = r.thresholds;
    out.push(`${r.rule} v${r.version} — ${r.description}`);
    if (r.measured !== undefined) out.push(`  measured: ${r.measured.toFixed(3)}`);
    if (r.error) out.push(`  ERROR: ${r.error}`);
    if (!r.flags.length && !r.error) out.push(`  no flag (digest at ≥ ${t.digestAt}, alert at ≥ ${t.alertAt} or severity ≥ ${t.alertSeverity})`);
    for (const f of r.flags) {
      out.push(`  flag: ${f.severity} score ${f.score.toFixed(3)} → ${f.action} (digest at ≥ ${t.digestAt}, alert at ≥ ${t.alertAt} or severity ≥ ${t.alertSeverity})`);
      out.push(`  reason: ${f.reason}`);
      out.push(`  evidence: "${f.evidence}"`);
      if (f.parts && Object.keys(f.parts).length) {
        out.push(`  parts: ${Object.entries(f.parts).map(([k, v]) => `${k}=${Number(v).toFixed(3)}`).join(', ')}`);
      }
      if (f.spans?.length) out.push(`  in context: ${markSpans(e.ownText, f.spans).replace(/\s+/g, ' ').slice(0, 600)}`);
    }
    out.push('');
  }
  out.push(`verdict: ${e.action}`);
  return out.join('\n') + '\n';
}
