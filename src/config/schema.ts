// The config file's zod schema: every key's type, default and one-line description, in one place.
//
// Adding a section (imap, smtp, notify, http, …): add its interface and field to types.ts, write a
// `fooSchema = z.strictObject({...}).describe(...)` here with defaults on every key, and add it to
// `configSections` with `.prefault({})`. The compile-time check at the bottom fails until both agree;
// loading, error messages, JSON Schema and defaults then follow on their own.

import { z } from 'zod';
import type { Config, MatchField } from './types.js';
import { MAX_REGEX_CHARS, regexProblem } from './regex.js';
import { httpSchema, imapListSchema, redisSchema, sentinelNodeSchema, workerSchema } from './daemon-schema.js';
import { feedbackSchema, moderatorSchema, notifySchema, smtpSchema } from './notify-schema.js';

/** What a moderator is told a key expects, when zod's own wording would be too terse. */
export interface Friendly {
  /** Completes "expected …": `a number between 0 and 1`. */
  expect: string;
  /** How to fix it: `set a number like 0.8`. */
  hint?: string;
}

/** Friendly wording per schema node; read by the error formatter (load.ts). */
export const friendly = z.registry<Friendly>();

function said<T extends z.ZodType>(schema: T, description: string, words: Friendly): T {
  const described = schema.describe(description);
  friendly.add(described, words);
  return described;
}

friendly.add(sentinelNodeSchema, { expect: 'a sentinel as host:port', hint: 'write a sentinel as host:port, e.g. sentinel-1:26379' });

/** Built-in rule ids known to config. src/rules/index.ts lists the rules themselves; keep the two in step. */
export const BUILTIN_RULE_IDS = ['incendiary-language', 'off-topic-thread', 'thread-heat'] as const;

export const MATCH_FIELDS = ['subject', 'ownText', 'quotedText', 'author', 'body'] as const;
const HEADER_FIELD = /^header:[A-Za-z0-9][A-Za-z0-9_-]*$/;

export const isMatchField = (s: string): boolean =>
  (MATCH_FIELDS as readonly string[]).includes(s) || HEADER_FIELD.test(s);

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SENDER = /^[^@\s]*@[^@\s]+$/;

const score = (description: string) =>
  said(z.number().min(0).max(1), description, {
    expect: 'a number between 0 and 1',
    hint: 'set a number like 0.8',
  });

const severity = (description: string) =>
  said(z.enum(['low', 'medium', 'high']), description, {
    expect: 'one of low, medium, high',
    hint: 'use low, medium or high',
  });

const senderList = (description: string) =>
  z
    .array(
      said(z.string().trim().toLowerCase().regex(SENDER), 'An address (`ann@example.org`) or a whole domain (`@example.org`).', {
        expect: 'an address like ann@example.org or a domain like @example.org',
        hint: 'write a full address, or @ followed by a domain',
      }),
    )
    .default([])
    .describe(description);

const wordList = (description: string) =>
  z
    .array(
      said(z.string().trim().min(1), 'A word or phrase.', {
        expect: 'some text',
        hint: 'remove the empty entry',
      }),
    )
    .min(1)
    .optional()
    .describe(description);

const regexPattern = said(
  z
    .string()
    .min(1)
    .max(MAX_REGEX_CHARS)
    .superRefine((pattern, ctx) => {
      const problem = regexProblem(pattern);
      if (problem) {
        ctx.addIssue({
          code: 'custom',
          message: `invalid regex: ${problem}`,
          input: pattern,
          params: {
            hint: 'patterns use RE2 syntax (no lookahead or backreferences): https://github.com/google/re2/wiki/Syntax',
          },
        });
      }
    }),
  'An RE2 regular expression (linear time), case-insensitive unless it starts with (?-i).',
  {
    expect: `an RE2 regular expression of at most ${MAX_REGEX_CHARS} characters`,
    hint: 'shorten the pattern, or split it into several patterns',
  },
);

const matchField = said(
  z
    .string()
    .regex(/^(subject|ownText|quotedText|author|body|header:[A-Za-z0-9][A-Za-z0-9_-]*)$/)
    .transform((s) => (s.startsWith('header:') ? s.toLowerCase() : s) as MatchField),
  'Where to look: subject, ownText (the author\'s own words), quotedText, author, body, or header:NAME.',
  {
    expect: 'one of subject, ownText, quotedText, author, body, or header:NAME',
    hint: 'ownText is the author\'s own words without quotes; header:X-Mailer reads a header',
  },
);

/** The keys of a condition. */
export const conditionShape = {
  field: matchField,
  keywords: wordList('Whole words (case-insensitive; in Japanese, not inside a longer run of the same script); any one matches.'),
  phrases: wordList('Exact phrases (case-insensitive, any whitespace between words); any one matches.'),
  regex: z.array(regexPattern).min(1).optional().describe('RE2 patterns; any one matches.'),
  not: z.boolean().optional().describe('When true, the condition holds when none of the above match.'),
};

/** The canonical condition: `{ field: ownText, keywords: [...] }`. */
export const conditionBody = z
  .strictObject(conditionShape)
  .superRefine((c, ctx) => {
    if (!c.keywords && !c.phrases && !c.regex) {
      ctx.addIssue({
        code: 'custom',
        message: 'a condition needs keywords, phrases or regex',
        input: c,
        params: { hint: 'add e.g. keywords: [word] under this condition' },
      });
    }
  });

/**
 * Shorthand `{ ownText: { keywords: [...] } }` becomes the canonical `{ field: ownText, keywords: [...] }`.
 * Anything else is passed on unchanged, so its errors are the canonical form's errors.
 */
function expandShorthand(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || 'field' in value) return value;
  const entries = Object.entries(value);
  if (entries.length !== 1) return value;
  const [field, body] = entries[0]!;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return value;
  return { field, ...body };
}

export const conditionSchema = z
  .preprocess(expandShorthand, conditionBody)
  .describe('A condition: a field and what to look for in it. All conditions of a rule must hold.');

export const customRuleSchema = z
  .strictObject({
    id: said(z.string().regex(KEBAB), 'The rule\'s id, kebab-case and unique: the word moderators see in alerts.', {
      expect: 'a kebab-case id like no-crypto-shilling',
      hint: 'use lower-case letters, digits and single hyphens',
    }),
    description: z.string().trim().min(1).describe('One line a moderator understands: what the rule catches.'),
    category: z.string().trim().min(1).default('custom').describe('The flag\'s category, e.g. spam or off-topic.'),
    severity: severity('How serious a match is.').default('medium'),
    weight: score('The score a match gets (0..1); decide compares it with alertAt and digestAt.').default(0.6),
    match: z.array(conditionSchema).min(1).describe('Conditions; all must hold for the rule to flag a post.'),
    exemptSenders: senderList('Senders (addresses or @domain) this rule never flags.'),
    enabled: z.boolean().default(true).describe('Set false to keep the rule written but not run it.'),
  })
  .describe('A rule written in config, in the spirit of AutoModerator.');

export const ruleSettingsSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Whether the rule runs.'),
    alertAt: score('Score at or above which this rule\'s flag is alerted at once (overrides decide.alertAt).').optional(),
    digestAt: score('Score at or above which this rule\'s flag goes to the digest (overrides decide.digestAt).').optional(),
    options: z.record(z.string(), z.unknown()).default({}).describe('Rule-specific settings, checked by the rule itself.'),
  })
  .describe('Settings of one rule.');

export const ruleOverrideSchema = z
  .strictObject({
    enabled: z.boolean().optional().describe('Whether the rule runs on this list.'),
    alertAt: score('Alert threshold for this rule on this list.').optional(),
    digestAt: score('Digest threshold for this rule on this list.').optional(),
    options: z.record(z.string(), z.unknown()).optional().describe('Options merged over the top-level ones.'),
  })
  .describe('Per-list override of a rule\'s settings; unset keys keep the top-level value.');

const builtinDefaults = (): Record<string, z.output<typeof ruleSettingsSchema>> =>
  Object.fromEntries(BUILTIN_RULE_IDS.map((id) => [id, { enabled: true, options: {} }]));

/** With no config, listwarden assumes a technical list about free and open-source software (most lists it serves). */
export const DEFAULT_LIST_DESCRIPTION =
  "A technical mailing list about free and open-source software: Linux and other operating systems, installing, configuring and running software, programming, packaging, networking, servers and hardware, bugs and releases, and the project's or group's own meetings and events.";
export const DEFAULT_LIST_TERMS = ['linux', 'software', 'open source', 'kernel', 'package', 'install', 'server', 'network', 'code', 'bug', 'release', 'build'] as const;

export const listSchema = z
  .strictObject({
    id: said(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/), 'Short id of the list in logs, alerts and metrics.', {
      expect: 'a short lower-case id like tlug',
      hint: 'use lower-case letters, digits, dots, hyphens',
    }),
    name: z.string().trim().min(1).optional().describe('Display name for moderators (defaults to the id).'),
    listId: z
      .string()
      .trim()
      .toLowerCase()
      .min(1)
      .optional()
      .describe('List-Id header id part that routes posts here, e.g. tlug.tlug.example.jp.'),
    description: z.string().default('').describe('What the list is for: the off-topic profile\'s starting point.'),
    terms: z.array(z.string().trim().min(1)).default([]).describe('Words and phrases that are on topic here.'),
    allowOT: z.boolean().default(true).describe('Threads whose subject carries [OT] are not flagged off-topic.'),
    rules: z.record(z.string(), ruleOverrideSchema).default({}).describe('Per-list overrides of rule settings, by rule id.'),
    custom: z.array(customRuleSchema).default([]).describe('Custom rules for this list only, added to the top-level ones.'),
    imap: imapListSchema.optional().describe('The mailbox `listwarden run` watches for this list (daemon-schema.ts).'),
  })
  .transform(({ name, ...rest }) => ({ ...rest, name: name ?? rest.id }))
  .describe('One mailing list.');

export const decideSchema = z
  .strictObject({
    alertAt: score('Score at or above which a flag is alerted at once.').default(0.8),
    digestAt: score('Score at or above which a flag goes to the digest.').default(0.45),
    alertSeverity: severity('Flags at or above this severity are alerted whatever their score.').default('high'),
    trustedSenders: senderList('Senders (addresses or @domain) whose posts are never flagged.'),
  })
  .describe('How flags become a verdict: ignore, digest or alert.');

export const threadsSchema = z
  .strictObject({
    keepPosts: said(z.number().int().min(1).max(10_000), 'Posts kept per thread in thread state (the most recent).', {
      expect: 'a whole number between 1 and 10000',
      hint: 'set a whole number like 50',
    }).default(50),
    subjectWindowDays: said(z.number().min(0).max(3650), 'A subject-only match joins a thread only if it was active this many days ago at most.', {
      expect: 'a number of days between 0 and 3650',
      hint: 'set a number like 30',
    }).default(30),
  })
  .describe('Thread state.');

/** Every top-level section; the file schema is exactly these keys. */
export const configSections = {
  lists: z
    .array(listSchema)
    .min(1)
    .prefault([{ id: 'default', description: DEFAULT_LIST_DESCRIPTION, terms: [...DEFAULT_LIST_TERMS] }])
    .describe('The mailing lists watched; a post is routed by its List-Id, else to the first list.'),
  rules: z
    .record(z.string(), ruleSettingsSchema)
    .default({})
    .transform((given) => ({ ...builtinDefaults(), ...given }))
    .describe('Built-in (and custom) rule settings by rule id; built-in rules not named here run with defaults.'),
  custom: z.array(customRuleSchema).default([]).describe('Rules written in config, for every list.'),
  decide: decideSchema.prefault({}),
  threads: threadsSchema.prefault({}),
  ruleBudgetMs: said(
    z.number().int().min(1).max(60_000),
    'A rule taking longer than this (ms) on one post is logged; after 3 such runs in a row it is skipped for 500 posts.',
    { expect: 'a whole number of milliseconds between 1 and 60000', hint: 'set a whole number like 250' },
  ).default(250),
  redis: redisSchema.optional().describe('Redis for the daemon: queues, thread state, checkpoints (daemon-schema.ts).'),
  worker: workerSchema.optional().describe('The daemon\'s rule workers (daemon-schema.ts).'),
  http: httpSchema.optional().describe('The daemon\'s /healthz and /metrics endpoint (daemon-schema.ts).'),
  smtp: smtpSchema.optional().describe('How alerts and digests are sent (notify-schema.ts).'),
  moderators: z.array(moderatorSchema).optional().describe('Who hears about flags, and may answer alerts by reply (notify-schema.ts).'),
  notify: notifySchema.optional().describe('Alerts and digests: caps, quiet hours, digest schedule, archive links (notify-schema.ts).'),
  feedback: feedbackSchema.optional().describe('The IMAP mailbox where moderators\' replies to alerts arrive (notify-schema.ts).'),
};

export const configFileSchema = z.strictObject(configSections).describe('listwarden configuration');

// The parsed file must be exactly Config (less `source`, which the loader adds): this fails to compile otherwise.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Parsed = z.output<typeof configFileSchema>;
type Expected = Omit<Config, 'source'>;
const _sameShape: Equal<Parsed, Expected> = true;
void _sameShape;
