// `listwarden test-rules DIR`: .eml/.mbox fixtures that name the flags they must and must not get.
//
// Each message may carry, in its own headers:
//   X-Listwarden-Expect: incendiary-language>=high, off-topic-thread=digest, my-rule
//   X-Listwarden-Expect-Not: off-topic-thread        (or `*`: no flag at all)
// `rule` means any flag that rule decided; `>=SEVERITY` a minimum severity; `=ACTION` the action
// (alert or digest). Messages of one .mbox form one thread history; files are independent.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import { severityRank, type Action, type Severity } from '../model/flag.js';
import { createPipeline } from '../pipeline/index.js';
import { MemoryThreadStore } from '../threads/memory-store.js';
import { postsOf } from './replay.js';
import { ReplaySummary } from './summary.js';

export interface Expectation {
  rule: string;
  minSeverity?: Severity;
  action?: Action;
}

export interface CaseResult {
  file: string;
  messageId: string;
  ok: boolean;
  /** What was checked and what was found, one line each. */
  lines: string[];
}

export class FixtureSyntaxError extends Error {}

export function parseExpectations(header: string | undefined, where: string): Expectation[] {
  if (!header) return [];
  return header
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const m = /^([a-z0-9*][a-z0-9-]*|\*)\s*(?:(>=)\s*(low|medium|high)|(=)\s*(alert|digest))?$/i.exec(item);
      if (!m?.[1]) throw new FixtureSyntaxError(`${where}: cannot read expectation "${item}"; write rule, rule>=medium or rule=alert`);
      return { rule: m[1].toLowerCase(), minSeverity: m[3]?.toLowerCase() as Severity | undefined, action: m[5]?.toLowerCase() as Action | undefined };
    });
}

async function fixtureFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => /\.(eml|mbox)$/i.test(n)).sort();
  const files: string[] = [];
  for (const n of names) if ((await stat(join(dir, n))).isFile()) files.push(join(dir, n));
  return files;
}

export async function testRules(dir: string, config: Config, log: Logger): Promise<{ results: CaseResult[]; passed: number; failed: number }> {
  const results: CaseResult[] = [];
  for (const file of await fixtureFiles(dir)) {
    const pipeline = createPipeline(config, { store: new MemoryThreadStore(), log });
    const summary = new ReplaySummary();
    for await (const { post } of postsOf([file], summary)) {
      const where = `${file} ${post.messageId}`;
      const expect = parseExpectations(post.headers['x-listwarden-expect'], where);
      const expectNot = parseExpectations(post.headers['x-listwarden-expect-not'], where);
      const outcome = await pipeline.processPost(post);
      if (!expect.length && !expectNot.length) continue;
      const flags = outcome.kind === 'verdict' ? outcome.verdict.flags : [];
      const lines: string[] = [];
      let ok = true;
      for (const e of expect) {
        const hit = flags.find(
          (f) => f.rule === e.rule && (!e.minSeverity || severityRank(f.severity) >= severityRank(e.minSeverity)) && (!e.action || f.action === e.action),
        );
        const want = `${e.rule}${e.minSeverity ? `>=${e.minSeverity}` : ''}${e.action ? `=${e.action}` : ''}`;
        if (hit) lines.push(`has ${want}: ${hit.severity} ${hit.score.toFixed(2)} ${hit.action} "${hit.evidence.slice(0, 80)}"`);
        else {
          ok = false;
          const same = flags.filter((f) => f.rule === e.rule).map((f) => `${f.severity} ${f.score.toFixed(2)} ${f.action}`);
          lines.push(`expected ${want}, got ${same.length ? same.join('; ') : 'no such flag'}`);
        }
      }
      for (const e of expectNot) {
        const hits = flags.filter((f) => e.rule === '*' || f.rule === e.rule);
        if (!hits.length) lines.push(`no ${e.rule === '*' ? 'flag' : e.rule}: ok`);
        else {
          ok = false;
          for (const h of hits) lines.push(`expected no ${e.rule === '*' ? 'flag' : e.rule}, got ${h.rule} ${h.severity} ${h.score.toFixed(2)} ${h.action}: "${h.evidence.slice(0, 80)}" (${h.reason})`);
        }
      }
      results.push({ file, messageId: post.messageId, ok, lines });
    }
    if (summary.parsed === 0) results.push({ file, messageId: '-', ok: false, lines: [`nothing readable: ${[...summary.skipped.keys()].join('; ') || 'empty file'}`] });
  }
  const passed = results.filter((r) => r.ok).length;
  return { results, passed, failed: results.length - passed };
}

export function renderTestRulesText(r: { results: CaseResult[]; passed: number; failed: number }): string {
  const out: string[] = [];
  r.results.forEach((c, i) => {
    out.push(`${c.ok ? 'ok' : 'not ok'} ${i + 1} - ${c.file} ${c.messageId}`);
    for (const l of c.lines) out.push(`    ${l}`);
  });
  out.push(`${r.passed} passed, ${r.failed} failed`);
  return out.join('\n') + '\n';
}

