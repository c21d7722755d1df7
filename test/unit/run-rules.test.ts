// The rule runner: a rule that throws or overruns is reported by id and the others go on.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { RuleRunner, type RuleRun } from '../../src/rules/run-rules.js';
import type { Rule, RuleContext } from '../../src/rules/types.js';
import type { Thread } from '../../src/model/thread.js';
import { makePost } from '../helpers/make-post.js';

const silent = pino({ level: 'silent' });
const ctx = {} as RuleContext; // these rules read nothing from the context

function thread(): Thread {
  return {
    id: '<t@x>', list: 'l', subject: 's', normalizedSubject: 's', postCount: 1, participants: {}, flagged: {},
    posts: [{ messageId: '<p@x>', author: 'a', authorKey: 'a', subject: 's', signals: {} }],
  };
}

const flagging = (id: string, score = 0.9): Rule => ({
  id, description: `${id} rule`, version: '1',
  measure: () => score,
  check: () => [{ rule: id, category: 'test', severity: 'high', score, evidence: 'word', reason: `${id} fired` }],
});
const throwing: Rule = { id: 'throws', description: 'always throws', version: '1', check: () => { throw new Error('boom'); } };
const slow: Rule = {
  id: 'slow', description: 'busy-waits', version: '1',
  check: () => { const end = performance.now() + 30; while (performance.now() < end) { /* spin */ } return []; },
};

test('run-rules: a throwing rule is reported and the others still flag', () => {
  const runs: RuleRun[] = [flagging('first'), throwing, flagging('last')].map((rule) => ({ rule, ctx }));
  const t = thread();
  const { flags, failures } = new RuleRunner(1000, silent).run(makePost({}), t, runs);
  assert.deepEqual(flags.map((f) => f.rule), ['first', 'last']);
  assert.deepEqual(failures, [{ rule: 'throws', kind: 'threw', message: 'boom' }]);
  assert.deepEqual(t.posts[0]?.signals, { first: 0.9, last: 0.9 }, 'measure() lands in the current post signals');
});

test('run-rules: a rule over budget is reported, then skipped after three overruns', () => {
  const runner = new RuleRunner(5, silent);
  const runs: RuleRun[] = [slow, flagging('fast')].map((rule) => ({ rule, ctx }));
  const kinds: string[] = [];
  for (let i = 0; i < 4; i++) {
    const { flags, failures } = runner.run(makePost({}), thread(), runs);
    assert.deepEqual(flags.map((f) => f.rule), ['fast']);
    kinds.push(...failures.map((f) => `${f.rule}:${f.kind}`));
  }
  assert.deepEqual(kinds, ['slow:over-budget', 'slow:over-budget', 'slow:over-budget', 'slow:disabled']);
});

test('run-rules: scores are clamped into 0..1 and a missing reason falls back to the description', () => {
  const odd: Rule = { id: 'odd', description: 'odd rule', version: '7', check: () => [{ rule: 'odd', category: 'x', severity: 'low', score: 3, evidence: 'e', reason: '' }] };
  const { flags } = new RuleRunner(1000, silent).run(makePost({}), thread(), [{ rule: odd, ctx }]);
  assert.equal(flags[0]?.score, 1);
  assert.equal(flags[0]?.reason, 'odd rule');
  assert.equal(flags[0]?.detectorVersion, '7');
});

test('run-rules: a skipped rule is tried again after 500 posts, and skipped again if still slow', () => {
  const runner = new RuleRunner(5, silent);
  const runs: RuleRun[] = [{ rule: slow, ctx }];
  const kinds: string[] = [];
  for (let i = 0; i < 3 + 500 + 2; i++) kinds.push(...runner.run(makePost({}), thread(), runs).failures.map((f) => f.kind));
  assert.deepEqual(kinds.slice(0, 3), ['over-budget', 'over-budget', 'over-budget']);
  assert.equal(kinds.filter((k) => k === 'disabled').length, 501);
  assert.equal(kinds[503], 'over-budget', 'tried again after the pause');
  assert.equal(kinds[504], 'disabled', 'and paused again at once');
});
