// Rules written in config (`custom:`) compiled once into Rule objects: all conditions must hold to flag.

import type { CustomRuleConfig, MatchField } from '../../config/types.js';
import type { Flag } from '../../model/flag.js';
import type { Post } from '../../model/post.js';
import type { Rule } from '../types.js';
import { makeMatcher, type Matcher, type TextMatch } from './match.js';

export const CUSTOM_DETECTOR_VERSION = 'custom-1';

interface Condition {
  field: MatchField;
  not: boolean;
  matcher: Matcher;
}

/** Compiles every rule (disabled ones too: a list may enable them; the runner skips what settings disable). */
export function compileCustomRules(rules: CustomRuleConfig[]): Rule[] {
  return rules.map(compileRule);
}

function compileRule(cfg: CustomRuleConfig): Rule {
  const conditions: Condition[] = cfg.match.map((c) => ({
    field: c.field,
    not: c.not === true,
    matcher: makeMatcher(c),
  }));
  const exempt = cfg.exemptSenders.map((s) => s.toLowerCase());

  return {
    id: cfg.id,
    description: cfg.description,
    version: CUSTOM_DETECTOR_VERSION,
    check(post, _thread, ctx): Flag[] {
      if (ctx?.settings?.enabled === false) return [];
      if (isExempt(post, exempt)) return [];

      const held: { cond: Condition; text: string; match?: TextMatch }[] = [];
      for (const cond of conditions) {
        const text = fieldText(post, cond.field);
        const match = cond.matcher.find(text);
        if (cond.not ? match !== undefined : match === undefined) return [];
        held.push(match && !cond.not ? { cond, text, match } : { cond, text });
      }

      // The evidence a moderator sees: a match in the author's own words if there is one, else the first match.
      const shown =
        held.find((h) => h.match && h.cond.field === 'ownText') ?? held.find((h) => h.match) ?? held[0]!;
      const others = held.length - 1;
      const more = others > 0 ? ` and ${others} other condition${others === 1 ? '' : 's'} held` : '';
      const tail = ` (rule ${cfg.id}: ${cfg.description})`;

      let evidence: string;
      let what: string;
      if (shown.match) {
        evidence = shown.match.text;
        const m = shown.match;
        what =
          m.kind === 'regex'
            ? `matched pattern /${m.term}/ ("${clip(m.text)}") in ${fieldName(shown.cond.field)}`
            : `matched ${m.kind} "${m.term}" in ${fieldName(shown.cond.field)}`;
      } else {
        evidence = clip(shown.text.trim(), 200);
        const looked = shown.cond.matcher.terms.slice(0, 3).map((t) => `"${t}"`).join(', ');
        const etc = shown.cond.matcher.terms.length > 3 ? ', …' : '';
        what = `${fieldName(shown.cond.field)} contains none of ${looked}${etc}`;
      }

      const flag: Flag = {
        rule: cfg.id,
        category: cfg.category,
        severity: cfg.severity,
        score: cfg.weight,
        evidence,
        reason: what + more + tail,
        detectorVersion: CUSTOM_DETECTOR_VERSION,
      };
      if (shown.match && shown.cond.field === 'ownText') flag.spans = [{ start: shown.match.start, end: shown.match.end }];
      return [flag];
    },
  };
}

function clip(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The text a condition reads. A missing header reads as empty, so `not:` conditions on it hold. */
export function fieldText(post: Post, field: MatchField): string {
  switch (field) {
    case 'subject':
      return post.subject;
    case 'ownText':
      return post.ownText;
    case 'quotedText':
      return post.quotedText;
    case 'author':
      return post.author;
    case 'body':
      return post.segments.length > 0
        ? post.segments.map((s) => s.text).join('\n\n')
        : [post.ownText, post.quotedText].filter(Boolean).join('\n\n');
    default:
      return post.headers[field.slice('header:'.length).toLowerCase()] ?? '';
  }
}

function fieldName(field: MatchField): string {
  switch (field) {
    case 'subject':
      return 'the subject';
    case 'ownText':
      return "the author's own text";
    case 'quotedText':
      return 'the quoted text';
    case 'author':
      return 'the sender';
    case 'body':
      return 'the message body';
    default:
      return `the ${field.slice('header:'.length)} header`;
  }
}

/** The sender's address, lower-cased: from the parsed From, else from the author's `<address>`. */
function senderAddress(post: Post): string | undefined {
  const direct = post.from.address?.trim().toLowerCase();
  if (direct) return direct;
  const bracketed = /<([^<>\s]+@[^<>\s]+)>/.exec(post.author);
  if (bracketed) return bracketed[1]!.toLowerCase();
  const bare = /^\s*([^<>\s]+@[^<>\s]+)\s*$/.exec(post.author);
  return bare ? bare[1]!.toLowerCase() : undefined;
}

/** Exact address, or `@domain` for every address at that domain. */
export function isExempt(post: Post, exempt: readonly string[]): boolean {
  if (exempt.length === 0) return false;
  const addr = senderAddress(post);
  if (!addr) return false;
  return exempt.some((e) => (e.startsWith('@') ? addr.endsWith(e) : addr === e));
}
