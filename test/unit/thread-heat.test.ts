// thread-heat: a thread heating up is flagged once per rising step, even when no single post reaches an alert.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Flag } from '../../src/model/flag.js';
import type { Post } from '../../src/model/post.js';
import type { Thread, ThreadPost } from '../../src/model/thread.js';
import type { RuleContext } from '../../src/rules/types.js';
import { incendiaryLanguage } from '../../src/rules/incendiary-language.js';
import { heatOf, threadHeat } from '../../src/rules/thread-heat.js';
import { makePost } from '../helpers/make-post.js';

const ctx = (options: Record<string, unknown> = {}): RuleContext =>
  ({ settings: { enabled: true, options } }) as unknown as RuleContext;

const T0 = Date.UTC(2024, 2, 1, 9, 0, 0);
const MIN = 60_000;

function newThread(): Thread {
  return { id: '<root@x>', list: 'test', subject: 'Config format', normalizedSubject: 'config format', posts: [], postCount: 0, participants: {}, flagged: {} };
}

const PEOPLE: Record<string, { name: string; address: string }> = {
  alice: { name: 'Alice Example', address: 'alice@example.org' },
  bob: { name: 'Bob Sample', address: 'bob@example.org' },
  carol: { name: 'Carol Third', address: 'carol@example.org' },
};

/** Adds a post to the thread the way the pipeline does: measure every rule first, then check. */
function addPost(thread: Thread, who: string, text: string, at: number, options: Record<string, unknown> = {}): { post: Post; incendiary: Flag[]; heat: Flag[] } {
  const from = PEOPLE[who] ?? { name: who, address: `${who}@example.org` };
  const post = makePost({ from, ownText: text, subject: 'Re: Config format' });
  const tp: ThreadPost = { messageId: post.messageId, author: post.author, authorKey: from.address, at, subject: post.subject, signals: {} };
  thread.posts.push(tp);
  thread.postCount++;
  thread.participants[from.address] = (thread.participants[from.address] ?? 0) + 1;
  for (const rule of [incendiaryLanguage, threadHeat]) {
    const v = rule.measure?.(post, thread, ctx(options));
    if (typeof v === 'number') tp.signals[rule.id] = v;
  }
  return { post, incendiary: incendiaryLanguage.check(post, thread, ctx()), heat: threadHeat.check(post, thread, ctx(options)) };
}

/** Thread posts with given scores, for the pure heat function. */
function posts(spec: [author: string, score: number, minutes: number, aimed?: number][]): ThreadPost[] {
  return spec.map(([a, s, m, aimed], i) => ({
    messageId: `<p${i}@x>`,
    author: a,
    authorKey: a,
    at: T0 + m * MIN,
    subject: 's',
    signals: { 'incendiary-language': s, 'thread-heat': aimed ?? 0 },
  }));
}

const heatCases: { name: string; posts: ThreadPost[]; hot: boolean }[] = [
  { name: 'a calm thread', posts: posts([['a', 0, 0], ['b', 0, 10], ['a', 0, 20], ['b', 0.05, 30], ['c', 0, 40]]), hot: false },
  { name: 'one hostile post among calm ones (incendiary flags it; heat does not)', posts: posts([['a', 0, 0], ['b', 0.95, 10], ['c', 0, 20], ['d', 0, 30]]), hot: false },
  {
    name: 'two people trading fast replies with rising scores, none alert-worthy',
    posts: posts([['a', 0.05, 0], ['b', 0.15, 6], ['a', 0.25, 11], ['b', 0.35, 15], ['a', 0.45, 18]]),
    hot: true,
  },
  {
    name: 'moderate hostility piling up from several people',
    posts: posts([['a', 0.4, 0], ['b', 0.45, 60], ['c', 0.4, 120], ['d', 0.5, 180], ['e', 0.45, 240]]),
    hot: true,
  },
  {
    name: 'more and more posts aimed at the other person',
    posts: posts([['a', 0, 0], ['b', 0.1, 300], ['c', 0, 600], ['a', 0.3, 900, 0.3], ['b', 0.35, 1200, 0.35], ['c', 0.4, 1500, 0.4]]),
    hot: true,
  },
  {
    name: 'hostility that cooled off: six calm posts since',
    posts: posts([['a', 0.4, 0], ['b', 0.45, 5], ['a', 0.5, 10], ['c', 0, 100], ['d', 0, 200], ['e', 0, 300], ['f', 0, 400], ['g', 0, 500], ['h', 0, 600]]),
    hot: false,
  },
];

for (const c of heatCases) {
  test(`heat: ${c.name}`, () => {
    const st = heatOf(c.posts);
    if (c.hot) assert.ok(st.score >= 0.5, `score ${st.score.toFixed(3)} ${JSON.stringify(st.parts)}`);
    else assert.ok(st.score < 0.5, `score ${st.score.toFixed(3)} ${JSON.stringify(st.parts)}`);
  });
}

test('the exchange part names the pair, the pace and the rise', () => {
  const st = heatOf(posts([['a', 0.05, 0], ['b', 0.15, 6], ['a', 0.25, 11], ['b', 0.35, 15], ['a', 0.45, 18]]));
  assert.deepEqual(st.pair, ['a', 'b']);
  assert.ok(st.parts.exchange > 0);
  assert.deepEqual(st.rise, [0.05, 0.45]);
  assert.ok(st.paceMs !== undefined && st.paceMs <= 6 * MIN);
});

test('real posts: Alice and Bob escalate without any single alert; heat flags once per rising step', () => {
  const thread = newThread();
  // Grumbling only (no insult): the detector keeps each of these below an alert, whatever the model reads.
  const script: [string, string][] = [
    ['alice', 'I think the new config format is a mistake; the old one was simpler.'],
    ['bob', 'It is not a mistake. Did you read the design doc?'],
    ['alice', 'I did. The design doc is nonsense, honestly.'],
    ['bob', 'Ugh. This is absurd.'],
    ['alice', 'Still broken. This is ridiculous and unacceptable.'],
    ['bob', 'This is a joke. Absurd, ridiculous nonsense.'],
    ['alice', 'Ugh, this is awful. Honestly ridiculous.'],
  ];
  const heatFlags: { i: number; flag: Flag; post: Post }[] = [];
  script.forEach(([who, text], i) => {
    const r = addPost(thread, who, text, T0 + i * 7 * MIN);
    for (const f of r.incendiary) assert.equal(f.severity, 'low', `post ${i} alone stays below an alert: ${f.evidence} ${f.score}`);
    for (const f of r.heat) heatFlags.push({ i, flag: f, post: r.post });
  });
  assert.ok(heatFlags.length >= 1, 'the thread is flagged as heating up');
  assert.ok(heatFlags.length <= 3, 'at most one flag per level');
  const severities = heatFlags.map((h) => h.flag.severity);
  assert.equal(new Set(severities).size, severities.length, `one flag per rising step: ${severities.join(', ')}`);
  for (const { flag, post } of heatFlags) {
    assert.equal(flag.rule, 'thread-heat');
    assert.equal(flag.category, 'heat');
    assert.match(flag.reason, /Alice Example/);
    assert.match(flag.reason, /Bob Sample/);
    assert.match(flag.reason, /7 minutes/);
    for (const s of flag.spans ?? []) assert.ok(flag.evidence.includes(post.ownText.slice(s.start, s.end)));
    assert.ok(flag.evidence.length > 0, 'evidence: the hottest words of the post that raised the heat');
  }
});

test('a long calm technical thread, tech vocabulary and all, never heats up', () => {
  const thread = newThread();
  const lines = [
    'kill -9 the worker and restart it',
    'The daemon will die if the socket closes; systemd restarts it.',
    'git blame says the line came from the 2019 refactor.',
    'Garbage collection pauses are too long with the default heap.',
    'Just nuke the build directory and run cmake again.',
    'Thanks, that fixed it. The master branch builds again.',
    'abort() is called when the assertion fails and we dump core.',
    'Merged, thanks all.',
  ];
  lines.forEach((text, i) => {
    const r = addPost(thread, i % 2 ? 'bob' : 'alice', text, T0 + i * 3 * MIN);
    assert.deepEqual(r.heat, []);
    assert.deepEqual(r.incendiary, []);
  });
});

test('levels come from options: a lower first level flags earlier', () => {
  // Slow replies (three hours apart), so only a little heat: below the default first level.
  const hot = posts([['a', 0, 0], ['b', 0.1, 180], ['a', 0.15, 360], ['b', 0.25, 540]]);
  const st = heatOf(hot);
  assert.ok(st.score > 0.2 && st.score < 0.5, `score ${st.score}`);
  const thread = newThread();
  thread.posts = hot.slice(0, 3);
  const post = makePost({ ownText: 'Whatever, this is ridiculous.' });
  thread.posts.push({ ...hot[3]!, messageId: post.messageId });
  assert.equal(threadHeat.check(post, thread, ctx()).length, 0);
  assert.equal(threadHeat.check(post, thread, ctx({ levels: [0.2, 0.6, 0.85] })).length, 1);
});
