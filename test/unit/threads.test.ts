// Threading: by reply headers, by subject when headers are missing, "(was: …)" starting a new thread.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readArchive } from '../../src/ingest/archive/index.js';
import { parsePost } from '../../src/parse/index.js';
import { MemoryThreadStore } from '../../src/threads/memory-store.js';
import { placePost } from '../../src/threads/place.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/threads/${name}.mbox`, import.meta.url));
const cfg = { keepPosts: 50, subjectWindowDays: 30 };

/** Places every post of a fixture archive; returns messageId → threadId. */
async function threadIds(name: string): Promise<Map<string, string>> {
  const store = new MemoryThreadStore();
  const ids = new Map<string, string>();
  for await (const item of readArchive(fixture(name))) {
    assert.equal(item.kind, 'mail');
    if (item.kind !== 'mail') continue;
    const post = await parsePost(item.raw);
    const placed = await placePost(post, 'tlug', store, cfg);
    await store.save(placed.thread, post.messageId, placed.subjectKey, placed.expectedPostCount);
    ids.set(post.messageId, placed.thread.id);
  }
  return ids;
}

const cases: { name: string; why: string; threads: Record<string, string[]> }[] = [
  {
    name: 'with-headers',
    why: 'References join replies to the root, whatever their subject',
    threads: { '<h1@x>': ['<h1@x>', '<h2@x>', '<h3@x>', '<h4@x>'] },
  },
  {
    name: 'outlook-no-headers',
    why: 'no reply headers: RE:/AW:/返信:/SV: Re[2]: and [list tags] fall back to the normalized subject',
    threads: { '<o1@x>': ['<o1@x>', '<o2@x>', '<o3@x>', '<o4@x>', '<o5@x>'] },
  },
  {
    name: 'was-subject',
    why: '"(was: …)" starts a new thread; its replies follow it; the old thread goes on',
    threads: { '<w1@x>': ['<w1@x>', '<w2@x>', '<w5@x>'], '<w3@x>': ['<w3@x>', '<w4@x>'] },
  },
  {
    name: 'mid-thread-archive',
    why: 'an archive that starts mid-thread names the thread after the root it never saw',
    threads: { '<m1@x>': ['<m2@x>', '<m3@x>', '<m4@x>'] },
  },
  {
    name: 'same-subject-new-topics',
    why: 'the same subject without a reply marker, or a generic one, starts a new thread',
    threads: { '<s1@x>': ['<s1@x>'], '<s2@x>': ['<s2@x>'], '<s3@x>': ['<s3@x>'], '<s4@x>': ['<s4@x>'] },
  },
  {
    name: 'stale-subject',
    why: 'a subject match months later does not join the old thread',
    threads: { '<t1@x>': ['<t1@x>', '<t2@x>'], '<t3@x>': ['<t3@x>'] },
  },
];

for (const c of cases) {
  test(`threads: ${c.name}: ${c.why}`, async () => {
    const got = await threadIds(c.name);
    const want = new Map<string, string>();
    for (const [threadId, members] of Object.entries(c.threads)) for (const m of members) want.set(m, threadId);
    assert.deepEqual(Object.fromEntries(got), Object.fromEntries(want));
  });
}

test('threads: state holds posts, participants and times', async () => {
  const store = new MemoryThreadStore();
  let last;
  for await (const item of readArchive(fixture('with-headers'))) {
    if (item.kind !== 'mail') continue;
    const post = await parsePost(item.raw);
    last = await placePost(post, 'tlug', store, { keepPosts: 2, subjectWindowDays: 30 });
    await store.save(last.thread, post.messageId, last.subjectKey, last.expectedPostCount);
  }
  assert.ok(last);
  assert.equal(last.thread.postCount, 4);
  assert.equal(last.thread.posts.length, 2, 'only keepPosts recent posts are kept');
  assert.deepEqual(last.thread.posts.map((p) => p.messageId), ['<h3@x>', '<h4@x>']);
  assert.deepEqual(last.thread.participants, { 'a@example.org': 4 });
  assert.equal(last.thread.firstAt, Date.parse('2024-01-01T10:00:00Z'));
  assert.equal(last.thread.lastAt, Date.parse('2024-01-01T13:00:00Z'));
});

test('threads: a root that arrives after its replies joins the thread they named after it', async () => {
  const store = new MemoryThreadStore();
  const raw = (id: string, refs: string, subject: string): Buffer =>
    Buffer.from(`From: a@example.org\nSubject: ${subject}\nMessage-ID: <${id}>\n${refs ? `In-Reply-To: <${refs}>\nReferences: <${refs}>\n` : ''}Date: Mon, 01 Jan 2024 10:00:00 +0000\n\nbody\n`);
  for (const [id, refs, subject] of [['r2@x', 'r1@x', 'Re: late root'], ['r1@x', '', 'late root']] as const) {
    const post = await parsePost(raw(id, refs, subject));
    const placed = await placePost(post, 'tlug', store, cfg);
    assert.equal(placed.thread.id, '<r1@x>');
    await store.save(placed.thread, post.messageId, placed.subjectKey, placed.expectedPostCount);
  }
  const thread = await store.get('tlug', '<r1@x>');
  assert.equal(thread?.postCount, 2);
});
