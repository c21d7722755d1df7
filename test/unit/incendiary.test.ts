// incendiary-language: hard cases both ways (targeting, negation, self-deprecation, tech words, quotes, Japanese).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Flag } from '../../src/model/flag.js';
import type { Post } from '../../src/model/post.js';
import type { Thread } from '../../src/model/thread.js';
import type { RuleContext } from '../../src/rules/types.js';
import { incendiaryLanguage, scoreIncendiary } from '../../src/rules/incendiary-language.js';
import { splitBody, ownTextOf } from '../../src/parse/index.js';
import { makePost } from '../helpers/make-post.js';

type Expect = 'high' | 'alert' | 'flag' | 'flag-below-alert' | 'below-alert' | 'none';
interface HardCase {
  text: string;
  expect: Expect;
  why: string;
  /** The text is a reply with quoted lines: parse splits it, and only the own words are scored. */
  quote?: boolean;
}

const cases: HardCase[] = readFileSync(new URL('../fixtures/incendiary/hard-cases.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as HardCase);

const thread: Thread = { id: '<t@x>', list: 'test', subject: '', normalizedSubject: '', posts: [], postCount: 1, participants: {}, flagged: {} };
const ctx = (options: Record<string, unknown> = {}): RuleContext =>
  ({ settings: { enabled: true, options } }) as unknown as RuleContext;

function postOf(text: string, quote = false): Post {
  if (!quote) return makePost({ ownText: text });
  const segments = splitBody(text);
  return makePost({ segments, ownText: ownTextOf(segments), quotedText: segments.filter((s) => s.kind === 'quote').map((s) => s.text).join('\n') });
}

function run(post: Post, options: Record<string, unknown> = {}): { score: number; flags: Flag[] } {
  const score = incendiaryLanguage.measure?.(post, thread, ctx(options)) ?? 0;
  return { score, flags: incendiaryLanguage.check(post, thread, ctx(options)) };
}

test('the hard-case table has at least 60 cases, both ways', () => {
  assert.ok(cases.length >= 60, `${cases.length} cases`);
  assert.ok(cases.filter((c) => c.expect === 'none').length >= 25);
  assert.ok(cases.filter((c) => c.expect === 'high' || c.expect === 'alert').length >= 20);
});

for (const c of cases) {
  test(`${c.expect}: ${c.why} — ${JSON.stringify(c.text)}`, () => {
    const post = postOf(c.text, c.quote);
    const { score, flags } = run(post);
    const flag = flags[0];
    const said = `score ${score.toFixed(3)}, flags ${JSON.stringify(flags.map((f) => [f.severity, f.evidence]))}`;
    switch (c.expect) {
      case 'high':
        assert.equal(flag?.severity, 'high', said);
        break;
      case 'alert':
        assert.ok(flag && flag.severity !== 'low', said);
        break;
      case 'flag':
        assert.ok(flag, said);
        break;
      case 'flag-below-alert':
        assert.equal(flag?.severity, 'low', said);
        break;
      case 'below-alert':
        assert.ok(!flag || flag.severity === 'low', said);
        break;
      case 'none':
        assert.equal(flags.length, 0, said);
        break;
    }
    for (const f of flags) {
      assert.equal(f.rule, 'incendiary-language');
      assert.equal(f.category, 'incendiary');
      assert.ok(f.detectorVersion, 'flag records the detector version');
      assert.match(f.reason, /\.$/);
      assert.ok(f.spans && f.spans.length > 0);
      for (const s of f.spans ?? []) {
        const words = post.ownText.slice(s.start, s.end);
        assert.ok(words.length > 0 && f.evidence.includes(words), `evidence ${JSON.stringify(f.evidence)} holds ${JSON.stringify(words)}`);
      }
    }
  });
}

const pairs: [hotter: string, cooler: string][] = [
  ['you are an idiot', 'this code is idiotic'],
  ['your stupid patch broke it', 'this stupid patch broke it'],
  ['you idiot', 'what an idiot I am'],
  ['you are useless', 'this flag is useless'],
  ['お前はバカだ', 'このコードはバカだ'],
];
for (const [hot, cool] of pairs) {
  test(`aimed at the reader weighs more: ${JSON.stringify(hot)} > ${JSON.stringify(cool)}`, () => {
    assert.ok(scoreIncendiary(hot).score > scoreIncendiary(cool).score + 0.2);
  });
}

test('the reason names the insult, its target, and the silencing', () => {
  const { flags } = run(makePost({ ownText: 'You are an idiot, shut up.' }));
  assert.equal(flags.length, 1);
  const f = flags[0] as Flag;
  assert.equal(f.severity, 'high');
  assert.equal(f.reason, 'Calls another participant “idiot” (second-person insult) and tells them to shut up.');
  assert.equal(f.evidence, 'You are an idiot … shut up');
  assert.ok((f.parts?.insult ?? 0) > 0.8);
});

test('Japanese evidence is glossed for moderators who read no Japanese', () => {
  const { flags } = run(makePost({ ownText: 'お前はバカだ。消えろ。' }));
  assert.equal(flags.length, 1);
  assert.match(flags[0]?.reason ?? '', /stupid/);
  assert.match(flags[0]?.reason ?? '', /get lost/);
  assert.match(flags[0]?.evidence ?? '', /バカ/);
});

test('a quoted insult counts only toward its author: the reply is clean, the original is not', () => {
  const reply = postOf('Alice wrote:\n> you are a moron\n\nI do not think that is fair to Bob.', true);
  assert.ok(!reply.ownText.includes('moron'), 'parse kept the quote out of ownText');
  assert.equal(run(reply).flags.length, 0);
  assert.equal(run(makePost({ ownText: 'you are a moron' })).flags[0]?.severity, 'high');
});

test('options: extra words, and disabled kinds', () => {
  const numpty = run(makePost({ ownText: 'Listen, you numpty.' }), { extraWords: [{ text: 'numpty', kind: 'insult', base: 0.3, second: 0.85 }] });
  assert.equal(numpty.flags[0]?.severity, 'high');
  assert.equal(run(makePost({ ownText: 'Listen, you numpty.' })).flags.length, 0);
  const shout = 'WHY DO YOU KEEP BREAKING THE BUILD';
  assert.equal(run(makePost({ ownText: shout })).flags.length, 1);
  assert.equal(run(makePost({ ownText: shout }), { disabledKinds: ['shouting'] }).flags.length, 0);
  assert.equal(run(makePost({ ownText: 'This is ridiculous.' }), { flagAt: 0.01 }).flags[0]?.severity, 'low');
});

test('scoreIncendiary is pure and its spans point into the text', () => {
  const text = 'Honestly, you are a clueless moron and this is garbage.';
  const a = scoreIncendiary(text);
  const b = scoreIncendiary(text);
  assert.deepEqual(a, b);
  assert.ok(a.score > 0.8 && a.score <= 1);
  assert.match(a.version, /^lex-\d+\+/);
  for (const s of a.spans) assert.equal(text.slice(s.start, s.end), s.text);
  assert.ok(a.spans.some((s) => s.text.includes('moron')));
  assert.equal(scoreIncendiary('').score, 0);
});

test('measure() records the same score check() flags with', () => {
  const post = makePost({ ownText: 'Shut up, you clown.' });
  const { score, flags } = run(post);
  assert.equal(flags[0]?.score, score);
});
