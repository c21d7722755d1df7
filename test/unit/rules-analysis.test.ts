// The rules' shared tokenization: the fast paths give the very tokens, topic words and thread memory the plain ones do.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wordTokens } from '../../src/rules/analysis.js';
import { knownAscii, knownCapsStretch, tokenize, tokenizeReusing } from '../../src/rules/incendiary/tokens.js';
import { scanOwnTopicTokens, scanTopicTokens, topicTokens } from '../../src/rules/topic/tokenize.js';
import { WordTable } from '../../src/rules/word-table.js';
import { MemoryThreadStore } from '../../src/threads/memory-store.js';
import type { Thread } from '../../src/model/thread.js';

const TEXTS = [
  'You are an IDIOT. Shut up!!',
  "typo: *S*TM32L and f*ck it's rock'n'roll, don't9 abc' 'quoted'",
  'apt-get install foo_bar-2.1.tar.gz; see https://example.org/a.b?x=1',
  'Ｆｕｌｌ１２３ wide ＡＢ and ÀÉ×÷ Latin-1 déjà vu',
  'バカじゃないの？お前はいつもそうだ。\nパッケージを再構築しました。',
  'curly’s apostrophe, “quotes” — and 🤡 emoji 😂',
  'stuuuupid fuuuck sooooo',
  '',
];

test('tokens written into reused objects equal fresh ones, text after text', () => {
  for (const text of [...TEXTS, ...TEXTS.slice().reverse()]) {
    const plain = (ts: ReturnType<typeof tokenize>) => ts.map(({ word: _word, ...t }) => t);
    assert.deepEqual(plain(tokenizeReusing(text)), plain(tokenize(text)), text);
  }
});

test('what the tokenizer tells of a text it scanned (ASCII or not, ALL-CAPS words) is what reading it again tells', () => {
  const more = ['don’t', 'f’ck', 'naïve', 'x.。y', 'ok\ud800', 'A ’ B', 'STOP IT NOW OK', 'I A OK', 'plain ascii',
    'STOP IT, A 🤡 NOW OK no', 'STOP IT\nNOW OK', 'STOP IT.\n\nNOW OK YES', 'STOP it NOW OK', 'HAVE_FPU API H NOW'];
  for (const text of [...TEXTS, ...more]) {
    const tokens = tokenizeReusing(text);
    assert.equal(knownAscii(tokens), !/[^\x00-\x7f]/.test(text), text);
    let stretch = 0;
    let longest = 0;
    for (const t of tokens) {
      if (t.kind === 'word') stretch = /^[A-Z][A-Z']*$/.test(t.text) ? stretch + (t.text.length >= 2 ? 1 : 0) : 0;
      else if (t.kind === 'break' && t.text.includes('\n')) stretch = 0;
      longest = Math.max(longest, stretch);
    }
    assert.equal(knownCapsStretch(tokens), longest, text);
  }
  assert.equal(knownAscii(tokenize('abc')), undefined);
});

test('lexicon hits found from the tokens the tokenizer listed are those found by visiting every token', async () => {
  const { compileLexicon } = await import('../../src/rules/incendiary/lexicon.js');
  const { findHits } = await import('../../src/rules/incendiary/lexical.js');
  const lexicons = [compileLexicon(), compileLexicon({ extra: [{ text: 'rock', kind: 'insult', base: 0.3, second: 0.8 }] })];
  const more = ['shut up you idiot, shut up', 'not a stupid idea, you idiot', 'fuck you fuck off', 'get lost! did it get lost?'];
  for (let round = 0; round < 3; round++) {
    for (const lex of lexicons) {
      for (const text of [...TEXTS, ...more]) {
        assert.deepEqual(findHits(lex, tokenizeReusing(text), text), findHits(lex, tokenize(text), text), text);
      }
    }
  }
});

test('the shared tokens are the text’s tokens, and asked twice they are tokenized once', () => {
  const a = wordTokens(TEXTS[0] ?? '');
  assert.equal(wordTokens(TEXTS[0] ?? ''), a);
  assert.deepEqual(a.map((t) => t.text), ['You', 'are', 'an', 'IDIOT', '.', 'Shut', 'up', '!!']);
  assert.deepEqual(wordTokens(TEXTS[1] ?? '').slice(0, 4).map((t) => t.text), ['typo', ':', 'S*TM', '32L']);
});

test('topic words read off the shared tokens are the topic scan’s words, with their weights', () => {
  const weights = new Map([['stm32l', 2], ['tm32l', -1], ['rock', 0.5], ['packag', 1.5], ['install', 1], ['パッケージ', 2]]);
  for (const text of TEXTS) {
    const scanned: [string, number][] = [];
    scanTopicTokens(text, (term) => scanned.push([term, weights.get(term) ?? 0]));
    const shared: [string, number][] = [];
    scanOwnTopicTokens(text, weights, (term, weight) => shared.push([term, weight]));
    assert.deepEqual(shared, scanned, text);
  }
  assert.deepEqual(topicTokens(TEXTS[1] ?? '').map((t) => t.term), ['typo', 'tm32l', 'ck', 'rock', 'roll', 'abc', 'quot']);
});

test('the word table gives what its function gives for each stretch, through growth and restarts', () => {
  let computed = 0;
  const table = new WordTable((w: string) => {
    computed++;
    return w.toUpperCase();
  }, 2, 4);
  const text = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
  for (let round = 0; round < 2; round++) {
    let at = 0;
    for (const w of text.split(' ')) {
      assert.equal(table.get(text, at, at + w.length), w.toUpperCase());
      at += w.length + 1;
    }
  }
  // 40 words, a table of at most 16 slots (8 words): words come back after a restart and are computed again.
  assert.ok(computed > 40);
  assert.equal(table.get('xx w3 yy', 3, 5), 'W3');
});

test('a thread read from the memory store can be changed without changing the stored one', async () => {
  const store = new MemoryThreadStore();
  const thread: Thread = {
    id: '<a@x>', list: 'l', subject: 's', normalizedSubject: 's', postCount: 1, participants: { ann: 1 }, flagged: {},
    posts: [{ messageId: '<a@x>', author: 'Ann', authorKey: 'ann', subject: 's', signals: { 'incendiary-language': 0.1 } }],
  };
  await store.save(thread, '<a@x>', 's');
  const copy = await store.get('l', '<a@x>');
  assert.ok(copy);
  copy.posts.push({ messageId: '<b@x>', author: 'Bob', authorKey: 'bob', subject: 's', signals: {} });
  copy.postCount = 2;
  copy.participants.bob = 1;
  copy.flagged['thread-heat'] = { severity: 'low', score: 0.5, messageId: '<b@x>' };
  const again = await store.get('l', '<a@x>');
  assert.equal(again?.posts.length, 1);
  assert.equal(again?.postCount, 1);
  assert.deepEqual(again?.participants, { ann: 1 });
  assert.deepEqual(again?.flagged, {});
});
