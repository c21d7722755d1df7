// Rules written in config: keywords, phrases, regexes, negation, fields, exemptions, Japanese, and RE2's linear time.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, parseConfigText, type CustomRuleConfig, type MatchCondition } from '../../src/config/index.js';
import type { Flag } from '../../src/model/flag.js';
import type { Post } from '../../src/model/post.js';
import type { Thread } from '../../src/model/thread.js';
import type { RuleContext } from '../../src/rules/types.js';
import { profileFromConfig } from '../../src/rules/profile.js';
import { compileCustomRules } from '../../src/rules/custom/compile.js';
import { makePost } from '../helpers/make-post.js';

const list = defaultConfig().lists[0]!;
const ctx: RuleContext = { list, profile: profileFromConfig(list), settings: { enabled: true, options: {} } };

function threadOf(post: Post): Thread {
  return {
    id: post.messageId,
    list: list.id,
    subject: post.subject,
    normalizedSubject: post.normalizedSubject,
    posts: [],
    postCount: 1,
    participants: {},
    flagged: {},
  };
}

function rule(match: MatchCondition[], more: Partial<CustomRuleConfig> = {}): CustomRuleConfig {
  return {
    id: 'test-rule',
    description: 'a test rule',
    category: 'custom',
    severity: 'medium',
    weight: 0.6,
    match,
    exemptSenders: [],
    enabled: true,
    ...more,
  };
}

function run(r: CustomRuleConfig, post: Partial<Post>, context: RuleContext = ctx): Flag[] {
  const [compiled] = compileCustomRules([r]);
  const p = makePost(post);
  return compiled!.check(p, threadOf(p), context);
}

/** The evidence the rule reports, or undefined when it does not flag. */
const evidence = (r: CustomRuleConfig, post: Partial<Post>) => run(r, post)[0]?.evidence;

interface Case {
  name: string;
  match: MatchCondition[];
  post: Partial<Post>;
  /** The evidence expected, or null for "no flag". */
  want: string | null;
}

const cases: Case[] = [
  // keywords: whole words, case-insensitive
  { name: 'keyword alone', match: [{ field: 'ownText', keywords: ['buttcoin'] }], post: { ownText: 'Buy buttcoin now.' }, want: 'buttcoin' },
  { name: 'keyword, other case', match: [{ field: 'ownText', keywords: ['buttcoin'] }], post: { ownText: 'BUTTCOIN to the moon' }, want: 'BUTTCOIN' },
  { name: 'keyword not inside a longer word', match: [{ field: 'ownText', keywords: ['coin'] }], post: { ownText: 'buttcoin and coins and bitcoin' }, want: null },
  { name: 'keyword not at the start of a longer word', match: [{ field: 'ownText', keywords: ['butt'] }], post: { ownText: 'buttcoin is great' }, want: null },
  { name: 'keyword next to punctuation', match: [{ field: 'ownText', keywords: ['coin'] }], post: { ownText: 'the "coin", again' }, want: 'coin' },
  { name: 'keyword before an apostrophe', match: [{ field: 'ownText', keywords: ['buttcoin'] }], post: { ownText: "buttcoin's price" }, want: 'buttcoin' },
  { name: 'keyword in full-width letters', match: [{ field: 'ownText', keywords: ['buttcoin'] }], post: { ownText: 'ＢＵＴＴＣＯＩＮで儲けよう' }, want: 'ＢＵＴＴＣＯＩＮ' },
  { name: 'keyword with diacritics stays whole', match: [{ field: 'ownText', keywords: ['cafe'] }], post: { ownText: 'a café here' }, want: null },
  { name: 'several keywords: the earliest is evidence', match: [{ field: 'ownText', keywords: ['zeta', 'alpha'] }], post: { ownText: 'alpha then zeta' }, want: 'alpha' },
  { name: 'keyword with a special character', match: [{ field: 'ownText', keywords: ['c++'] }], post: { ownText: 'I write C++ daily' }, want: 'C++' },

  // Japanese: whole word = not inside a longer run of the same script
  { name: 'katakana keyword before hiragana', match: [{ field: 'ownText', keywords: ['ビットコイン'] }], post: { ownText: 'ビットコインで儲けよう' }, want: 'ビットコイン' },
  { name: 'katakana keyword inside a longer katakana word', match: [{ field: 'ownText', keywords: ['コイン'] }], post: { ownText: 'ビットコインで儲けよう' }, want: null },
  { name: 'katakana keyword with a long-vowel mark after it', match: [{ field: 'ownText', keywords: ['カジノ'] }], post: { ownText: 'カジノーです' }, want: null },
  { name: 'kanji keyword between kana', match: [{ field: 'ownText', keywords: ['詐欺'] }], post: { ownText: 'これは詐欺です' }, want: '詐欺' },
  { name: 'kanji keyword inside a kanji compound', match: [{ field: 'ownText', keywords: ['詐欺'] }], post: { ownText: '詐欺師に注意' }, want: null },
  { name: 'Japanese keyword next to Latin', match: [{ field: 'ownText', keywords: ['仮想通貨'] }], post: { ownText: 'Great 仮想通貨!' }, want: '仮想通貨' },
  { name: 'Latin keyword next to Japanese', match: [{ field: 'ownText', keywords: ['linux'] }], post: { ownText: 'Linuxの勉強会' }, want: 'Linux' },

  // phrases: whitespace-folded, case-insensitive; word edges in spaced scripts only
  { name: 'phrase across a line break', match: [{ field: 'ownText', phrases: ['double your money'] }], post: { ownText: 'You will Double  your\nmoney!' }, want: 'Double  your\nmoney' },
  { name: 'phrase not inside a longer word', match: [{ field: 'ownText', phrases: ['double your money'] }], post: { ownText: 'double your moneybags' }, want: null },
  { name: 'Japanese phrase inside a sentence', match: [{ field: 'ownText', phrases: ['必ず儲かる'] }], post: { ownText: 'これは必ず儲かるよ' }, want: '必ず儲かる' },

  // regex: RE2, case-insensitive unless (?-i)
  { name: 'regex', match: [{ field: 'ownText', regex: ['bit\\s*coin'] }], post: { ownText: 'get BIT COIN' }, want: 'BIT COIN' },
  { name: 'regex made case-sensitive', match: [{ field: 'ownText', regex: ['(?-i)bit\\s*coin'] }], post: { ownText: 'get BIT COIN' }, want: null },
  { name: 'regex over Japanese', match: [{ field: 'ownText', regex: ['(正社員|契約社員)を?募集'] }], post: { ownText: '😊 正社員募集中です' }, want: '正社員募集' },
  { name: 'any of several regexes', match: [{ field: 'ownText', regex: ['^nope$', 'hir(ing|e)'] }], post: { ownText: 'we are hiring' }, want: 'hiring' },

  // negation and several conditions (all must hold)
  { name: 'negation holds when nothing matches', match: [{ field: 'subject', regex: ['\\[job\\]'], not: true }, { field: 'ownText', keywords: ['hiring'] }], post: { subject: 'Great opportunity', ownText: 'We are hiring.' }, want: 'hiring' },
  { name: 'negation fails when something matches', match: [{ field: 'subject', regex: ['\\[job\\]'], not: true }, { field: 'ownText', keywords: ['hiring'] }], post: { subject: '[JOB] Great opportunity', ownText: 'We are hiring.' }, want: null },
  { name: 'one condition failing is enough', match: [{ field: 'ownText', keywords: ['hiring'] }, { field: 'subject', keywords: ['urgent'] }], post: { subject: 'hello', ownText: 'We are hiring.' }, want: null },
  { name: 'negation alone: the field is the evidence', match: [{ field: 'subject', keywords: ['linux', 'tlug'], not: true }], post: { subject: 'Cheap watches' }, want: 'Cheap watches' },

  // fields
  { name: 'subject', match: [{ field: 'subject', keywords: ['casino'] }], post: { subject: 'Re: Casino night', ownText: 'hi' }, want: 'Casino' },
  { name: 'quoted text is its own field', match: [{ field: 'ownText', keywords: ['scam'] }], post: { ownText: 'I disagree.', quotedText: 'this is a scam' }, want: null },
  { name: 'quotedText', match: [{ field: 'quotedText', keywords: ['scam'] }], post: { ownText: 'I disagree.', quotedText: 'this is a scam' }, want: 'scam' },
  { name: 'body holds own and quoted text', match: [{ field: 'body', keywords: ['scam'] }], post: { ownText: 'I disagree.', quotedText: 'this is a scam' }, want: 'scam' },
  { name: 'author', match: [{ field: 'author', regex: ['@spam\\.example$|spam\\.example>'] }], post: { from: { name: 'Promo', address: 'deals@spam.example' } }, want: 'spam.example>' },
  { name: 'header by name, any case', match: [{ field: 'header:x-mailer', keywords: ['mailchimp'] }], post: { headers: { 'x-mailer': 'MailChimp Mailer v3' } }, want: 'MailChimp' },
  { name: 'absent header does not match', match: [{ field: 'header:x-mailer', keywords: ['mailchimp'] }], post: {}, want: null },
  { name: 'absent header satisfies not', match: [{ field: 'header:x-approved', regex: ['.'], not: true }, { field: 'ownText', keywords: ['hello'] }], post: { ownText: 'hello there' }, want: 'hello' },
];

test('conditions: what matches and what the evidence is', async (t) => {
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.equal(evidence(rule(c.match), c.post) ?? null, c.want);
    });
  }
});

test('a flag carries what the moderator reads', () => {
  const r = rule([{ field: 'ownText', keywords: ['buttcoin', 'airdrop'] }], {
    id: 'no-crypto-shilling',
    description: 'Crypto promotion',
    category: 'spam',
    severity: 'high',
    weight: 0.9,
  });
  const ownText = 'Friends,\n\nthe new buttcoin airdrop is live.';
  const [flag, ...rest] = run(r, { ownText });
  assert.equal(rest.length, 0);
  assert.deepEqual(flag, {
    rule: 'no-crypto-shilling',
    category: 'spam',
    severity: 'high',
    score: 0.9,
    evidence: 'buttcoin',
    reason: 'matched keyword "buttcoin" in the author\'s own text (rule no-crypto-shilling: Crypto promotion)',
    detectorVersion: 'custom-1',
    spans: [{ start: 18, end: 26 }],
  });
  assert.equal(ownText.slice(18, 26), flag!.evidence);
});

test('reasons name the kind of match, the field and the other conditions', async (t) => {
  const cases: { name: string; match: MatchCondition[]; post: Partial<Post>; reason: string; spans: boolean }[] = [
    {
      name: 'phrase in the subject (no spans: not from ownText)',
      match: [{ field: 'subject', phrases: ['free money'] }],
      post: { subject: 'FREE  money inside' },
      reason: 'matched phrase "free money" in the subject (rule test-rule: a test rule)',
      spans: false,
    },
    {
      name: 'regex, with the matched text',
      match: [{ field: 'ownText', regex: ['hir(ing|e)'] }],
      post: { ownText: 'We are hiring' },
      reason: 'matched pattern /hir(ing|e)/ ("hiring") in the author\'s own text (rule test-rule: a test rule)',
      spans: true,
    },
    {
      name: 'ownText preferred as evidence, other conditions counted',
      match: [{ field: 'header:x-mailer', keywords: ['sendgrid'] }, { field: 'ownText', keywords: ['offer'] }],
      post: { ownText: 'A special offer', headers: { 'x-mailer': 'SendGrid' } },
      reason: 'matched keyword "offer" in the author\'s own text and 1 other condition held (rule test-rule: a test rule)',
      spans: true,
    },
    {
      name: 'negation only',
      match: [{ field: 'subject', keywords: ['linux'], not: true }],
      post: { subject: 'Cheap watches' },
      reason: 'the subject contains none of "linux" (rule test-rule: a test rule)',
      spans: false,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const [flag] = run(rule(c.match), c.post);
      assert.ok(flag);
      assert.equal(flag.reason, c.reason);
      assert.equal(flag.spans !== undefined, c.spans);
    });
  }
});

test('exempt senders are never flagged', async (t) => {
  const r = rule([{ field: 'ownText', keywords: ['buttcoin'] }], { exemptSenders: ['boss@example.org', '@trusted.example'] });
  const cases: { name: string; post: Partial<Post>; flagged: boolean }[] = [
    { name: 'exact address, other case', post: { from: { address: 'Boss@Example.ORG' } }, flagged: false },
    { name: 'whole domain', post: { from: { name: 'X', address: 'anyone@trusted.example' } }, flagged: false },
    { name: 'a subdomain is another domain', post: { from: { address: 'anyone@sub.trusted.example' } }, flagged: true },
    { name: 'a lookalike domain', post: { from: { address: 'x@untrusted.example' } }, flagged: true },
    { name: 'address only in the author line', post: { from: { name: 'Boss' }, author: 'Boss <boss@example.org>' }, flagged: false },
    { name: 'someone else', post: { from: { address: 'carol@example.org' } }, flagged: true },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.equal(run(r, { ...c.post, ownText: 'buy buttcoin' }).length, c.flagged ? 1 : 0);
    });
  }
});

test('a rule disabled by its settings does not flag', () => {
  const r = rule([{ field: 'ownText', keywords: ['buttcoin'] }]);
  assert.equal(run(r, { ownText: 'buttcoin' }, { ...ctx, settings: { enabled: false, options: {} } }).length, 0);
});

test('rules from a config file compile and run (shorthand included)', () => {
  const cfg = parseConfigText(
    [
      'custom:',
      '  - id: no-crypto-shilling',
      '    description: Crypto promotion',
      '    match:',
      '      - ownText: { keywords: [ビットコイン, buttcoin] }',
      '      - quotedText: { keywords: [ビットコイン, buttcoin], not: true }',
    ].join('\n'),
    'rules.yaml',
    {},
  );
  const [compiled] = compileCustomRules(cfg.custom);
  assert.equal(compiled!.id, 'no-crypto-shilling');
  assert.equal(compiled!.version, 'custom-1');
  const fresh = makePost({ ownText: '今ならビットコインがもらえる！' });
  const reply = makePost({ ownText: 'それは詐欺でしょう。', quotedText: '今ならビットコインがもらえる！' });
  const arguing = makePost({ ownText: 'ビットコインは詐欺だ', quotedText: 'ビットコインがもらえる' });
  assert.equal(compiled!.check(fresh, threadOf(fresh), ctx)[0]?.evidence, 'ビットコイン');
  assert.deepEqual(compiled!.check(reply, threadOf(reply), ctx), []);
  assert.deepEqual(compiled!.check(arguing, threadOf(arguing), ctx), []);
});

test('a catastrophic-backtracking pattern returns quickly on a 100k-character post (RE2)', () => {
  const r = rule([{ field: 'ownText', regex: ['(a+)+$'] }]);
  const ownText = `${'a'.repeat(100_000)}!`;
  const started = performance.now();
  const flags = run(r, { ownText });
  const ms = performance.now() - started;
  assert.deepEqual(flags, []);
  // A backtracking engine would not finish in any lifetime; RE2 takes tens of milliseconds.
  assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
});

test('keywords and phrases stay linear on long hostile text', () => {
  const r = rule([{ field: 'ownText', keywords: ['a a a a b'], phrases: ['a a a a a a a a c'] }]);
  const ownText = 'a '.repeat(50_000);
  const started = performance.now();
  assert.deepEqual(run(r, { ownText }), []);
  const ms = performance.now() - started;
  assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
});
