// Subject normalization: reply/forward prefixes in many languages, list tags, "(was: …)" topic changes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeSubject } from '../../src/parse/index.js';

const cases: [input: string, normalized: string, was?: string][] = [
  ['Hello World', 'hello world'],
  ['Re: Hello', 'hello'],
  ['RE: Hello', 'hello'],
  ['re:Hello', 'hello'],
  ['Re[2]: Hello', 'hello'],
  ['Re(3): Hello', 'hello'],
  ['Re^2: Hello', 'hello'],
  ['Re : Hello', 'hello'],
  ['Fwd: Hello', 'hello'],
  ['FW: Hello', 'hello'],
  ['Fw: Re: Fwd: Hello', 'hello'],
  ['AW: WG: Hello', 'hello'],
  ['SV: VS: Hello', 'hello'],
  ['Réf : Hello', 'hello'],
  ['RIF: Hello', 'hello'],
  ['Odp: Hello', 'hello'],
  ['返信: こんにちは', 'こんにちは'],
  ['転送：こんにちは', 'こんにちは'],
  ['回复: 你好', '你好'],
  ['答复：你好', '你好'],
  ['[tlug] Hello', 'hello'],
  ['Re: [tlug] Re: [tlug] Hello', 'hello'],
  ['[tlug] Re: [OT] Hello', 'hello'],
  ['[PATCH v2 1/3] Fix the frobnicator', 'fix the frobnicator'],
  ['  Re:   lots\tof \n  space  ', 'lots of space'],
  ['Re: Introduction to (Tech) Worker Cooperatives, 09:00AM', 'introduction to (tech) worker cooperatives, 09:00am'],
  ['Regarding the release', 'regarding the release'],
  ['Fwdtest: not a prefix', 'fwdtest: not a prefix'],
  ['Hello [tlug] world', 'hello [tlug] world'],
  ['', ''],
  ['Re:', ''],
  ['New topic (was: Old topic)', 'new topic', 'old topic'],
  ['Re: [tlug] Cooking rice (was: Re: [tlug] Emacs vs vi)', 'cooking rice', 'emacs vs vi'],
  ['Politics (was Re: Kernel 6.7)', 'politics', 'kernel 6.7'],
  ['Dating advice (Was: Introduction to (Tech) Worker Cooperatives)', 'dating advice', 'introduction to (tech) worker cooperatives'],
  ['Taxes [was: Re: backups]', 'taxes', 'backups'],
  ['Truncated change (was: Something that got cut', 'truncated change', 'something that got cut'],
  ['(was: only old)', '(was: only old)'],
  ['Wasabi (washed) recipes', 'wasabi (washed) recipes'],
];

for (const [input, normalized, was] of cases) {
  test(`normalizeSubject: ${JSON.stringify(input)}`, () => {
    const r = normalizeSubject(input);
    assert.equal(r.normalized, normalized);
    assert.equal(r.was, was);
  });
}

test('normalizeSubject: a thousand stacked prefixes are stripped quickly', () => {
  const t = Date.now();
  const r = normalizeSubject('Re: '.repeat(1000) + '[x] '.repeat(1000) + 'topic');
  assert.ok(Date.now() - t < 500);
  assert.equal(r.normalized, 'topic');
});
