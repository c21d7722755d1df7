// decide: flags → ignore / digest / alert, one flag per thread and rule unless a later one is worse.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../src/decide/decide.js';
import { defaultConfig } from '../../src/config/index.js';
import type { Flag, Severity } from '../../src/model/flag.js';
import type { Thread } from '../../src/model/thread.js';
import { makePost } from '../helpers/make-post.js';

const config = defaultConfig();
const list = config.lists[0]!;
const flag = (rule: string, score: number, severity: Severity): Flag => ({ rule, category: 'c', severity, score, evidence: 'e', reason: 'r' });
const emptyThread = (): Thread => ({ id: '<t@x>', list: list.id, subject: 's', normalizedSubject: 's', posts: [], postCount: 1, participants: {}, flagged: {} });
const noOverrides = () => ({});

const table: { name: string; flags: Flag[]; action: string; kept: string[] }[] = [
  { name: 'nothing flagged', flags: [], action: 'ignore', kept: [] },
  { name: 'below digest threshold', flags: [flag('r', 0.2, 'low')], action: 'ignore', kept: [] },
  { name: 'digest band', flags: [flag('r', 0.5, 'low')], action: 'digest', kept: ['r'] },
  { name: 'alert by score', flags: [flag('r', 0.85, 'medium')], action: 'alert', kept: ['r'] },
  { name: 'alert by severity', flags: [flag('r', 0.5, 'high')], action: 'alert', kept: ['r'] },
  { name: 'worst action wins', flags: [flag('a', 0.5, 'low'), flag('b', 0.9, 'high')], action: 'alert', kept: ['a', 'b'] },
  { name: 'strongest flag per rule', flags: [flag('a', 0.5, 'low'), flag('a', 0.6, 'medium')], action: 'digest', kept: ['a'] },
];

for (const c of table) {
  test(`decide: ${c.name}`, () => {
    const v = decide({ config, list, post: makePost({}), thread: emptyThread(), flags: c.flags, thresholds: noOverrides });
    assert.equal(v.action, c.action);
    assert.deepEqual(v.flags.map((f) => f.rule), c.kept);
  });
}

test('decide: one flag per thread and rule unless a later one is more severe', () => {
  const thread = emptyThread();
  const run = (f: Flag) => decide({ config, list, post: makePost({}), thread, flags: [f], thresholds: noOverrides });
  assert.equal(run(flag('r', 0.5, 'low')).action, 'digest');
  const repeat = run(flag('r', 0.55, 'low'));
  assert.equal(repeat.action, 'ignore');
  assert.equal(repeat.suppressed, 1);
  assert.equal(run(flag('r', 0.9, 'high')).action, 'alert');
});

test('decide: per-rule thresholds override the global ones', () => {
  const v = decide({ config, list, post: makePost({}), thread: emptyThread(), flags: [flag('r', 0.5, 'low')], thresholds: () => ({ alertAt: 0.4 }) });
  assert.equal(v.action, 'alert');
});

test('decide: trusted senders are never flagged', () => {
  const cfg = { ...config, decide: { ...config.decide, trustedSenders: ['@trusted.example'] } };
  const post = makePost({ from: { address: 'Boss@Trusted.Example' } });
  const v = decide({ config: cfg, list, post, thread: emptyThread(), flags: [flag('r', 0.99, 'high')], thresholds: noOverrides });
  assert.equal(v.action, 'ignore');
  assert.equal(v.flags.length, 0);
});
