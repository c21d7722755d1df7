// The list profile: tokens (EN stems, Japanese words), config profiles, training, and the saved-file format.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ListConfig } from '../../src/config/types.js';
import { deserializeProfile, profileFromConfig, ProfileFormatError, serializeProfile, trainProfile } from '../../src/rules/profile.js';
import { stem, topicTokens } from '../../src/rules/topic/tokenize.js';
import { makePost } from '../helpers/make-post.js';

const list: ListConfig = {
  id: 'pkg', name: 'pkg-users', description: 'Building and installing RPM packages on Linux. No politics, please.',
  terms: ['rpm', 'spec file'], allowOT: false, rules: {}, custom: [],
};

test('light stemming brings word forms together', () => {
  const cases: [string, string][] = [
    ['packages', 'packag'], ['packaging', 'packag'], ['package', 'packag'], ['installed', 'install'],
    ['installing', 'install'], ['libraries', 'library'], ['Cooperatives', 'cooperativ'], ['rpm', 'rpm'],
  ];
  for (const [word, expected] of cases) assert.equal(stem(word), expected, word);
});

test('topic tokens: stopwords dropped, Japanese segmented, offsets point at the surface word', () => {
  const text = 'The kernel パッケージをインストールしました and it works';
  const tokens = topicTokens(text);
  assert.deepEqual(tokens.map((t) => t.term), ['kernel', 'パッケージ', 'インストール', 'work']);
  for (const t of tokens) assert.ok(text.slice(t.start, t.end).length > 0);
  assert.equal(text.slice(tokens[1]?.start, tokens[1]?.end), 'パッケージ');
});

test('config profile: terms and described topics weigh on, other topics off; "no politics" does not cover politics', () => {
  const p = profileFromConfig(list);
  assert.equal(p.trainedOn, 0);
  assert.ok((p.terms.get('rpm') ?? 0) > 2);
  assert.ok((p.terms.get('kernel') ?? 0) > 0, 'Linux topic covered by the description');
  assert.ok((p.terms.get('government') ?? 0) < 0);
  assert.ok(!(p.topics ?? []).includes('politics'));
  assert.equal(p.label, 'Linux and packaging');
  assert.equal(profileFromConfig(list), p, 'built once per list config');
});

test('trainProfile reads sync and async iterables and records how many posts it learned from', async () => {
  const posts = ['The rpmbuild spec file needs BuildRequires for gcc.', 'Use mock to rebuild the srpm in a clean chroot.']
    .map((ownText) => makePost({ ownText }));
  async function* gen() {
    yield* posts;
  }
  for (const source of [posts, gen()]) {
    const p = await trainProfile(list, source);
    assert.equal(p.trainedOn, 2);
    assert.ok((p.terms.get('rpmbuild') ?? 0) > 0, 'a word the list uses becomes on-topic');
  }
});

test('serialize → deserialize gives the same profile; bad files say what is wrong', async () => {
  const p = await trainProfile(list, [makePost({ ownText: 'rpmbuild -ba foo.spec fails: missing dependency on glibc-devel' })]);
  const back = deserializeProfile(serializeProfile(p));
  assert.deepEqual(back, p);
  const bad: [string, RegExp][] = [
    ['not json', /not JSON/],
    ['{"format":"other"}', /expected "format": "listwarden-profile"/],
    ['{"format":"listwarden-profile","version":99,"list":"x","trainedOn":0,"terms":{}}', /version 99 is not supported/],
    ['{"format":"listwarden-profile","version":1,"list":"x","trainedOn":0,"terms":{"a":"b"}}', /term "a" has no numeric weight/],
  ];
  for (const [json, message] of bad) assert.throws(() => deserializeProfile(json), (e: unknown) => e instanceof ProfileFormatError && message.test(e.message));
});
