// Quote detection over real-world reply shapes: each .eml fixture with its own text and segment shape.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ownTextOf, parsePost, splitBody, splitHtml } from '../../src/parse/index.js';
import type { Segment } from '../../src/model/post.js';

const dir = fileURLToPath(new URL('../fixtures/parse/quotes/', import.meta.url));

/** A segment as one string: kind, then depth, then "@author" when named (e.g. "quote2@Benjamin Kowarsch"). */
function shapeOf(segments: Segment[]): string[] {
  return segments.map((s) => `${s.kind}${s.depth ?? ''}${s.quotedAuthor ? '@' + s.quotedAuthor : ''}`);
}

interface Case {
  file: string;
  /** The exact ownText. */
  own: string;
  shape: string[];
}

const cases: Case[] = [
  {
    file: '01-gmail-top-post.eml',
    own: 'Yes, the driver from the vendor works for me.',
    shape: ['own', 'attribution@Jane Doe', 'quote1@Jane Doe'],
  },
  {
    file: '02-gmail-wrapped-attribution.eml',
    own: 'Try the brlaser package.',
    shape: ['own', 'attribution@Jane Doe', 'quote1@Jane Doe'],
  },
  {
    file: '03-interleaved-writes.eml',
    own: 'Not true in worker cooperatives.\n\nAnd pricing policy == monopoly power.',
    shape: ['attribution@Benjamin Kowarsch', 'quote1@Benjamin Kowarsch', 'own', 'quote1@Benjamin Kowarsch', 'own'],
  },
  {
    file: '04-nested-depths.eml',
    own: 'I agree with both of you.',
    shape: ['own', 'attribution@Alice Example', 'quote1@Alice Example', 'attribution1@Bob Builder', 'quote2@Bob Builder', 'quote3'],
  },
  {
    file: '05-outlook-seed-shape.eml',
    own: 'Hi Stephen,\n\nAlthough I am still learning so can’t say much definitively,\n\nThis part is probably not true, based on my encounters with actual worker cooperators.',
    shape: ['own', 'quote1@Stephen J. Turnbull', 'own', 'attribution@Stephen J. Turnbull', 'attribution1@Benjamin Kowarsch', 'quote2@Benjamin Kowarsch', 'quote1@Stephen J. Turnbull', 'quote2@Benjamin Kowarsch', 'quote1@Stephen J. Turnbull'],
  },
  {
    file: '06-outlook-original-message.eml',
    own: 'The VPN is back up now.',
    shape: ['own', 'attribution', 'attribution@John Smith', 'quote1@John Smith'],
  },
  {
    file: '07-outlook-german.eml',
    own: 'Danke, das hat funktioniert.',
    shape: ['own', 'attribution@Hans Müller', 'quote1@Hans Müller'],
  },
  {
    file: '08-outlook-underscore-rule.eml',
    own: 'Thursday works for me.',
    shape: ['own', 'attribution', 'attribution@Jane Doe', 'quote1@Jane Doe'],
  },
  {
    file: '09-outlook-date-cc.eml',
    own: 'Approved.',
    shape: ['own', 'attribution@Carol Chen', 'quote1@Carol Chen'],
  },
  {
    file: '10-gmail-forward.eml',
    own: 'FYI, see below.',
    shape: ['own', 'attribution', 'attribution@Ops Team', 'quote1@Ops Team'],
  },
  {
    file: '11-apple-iphone.eml',
    own: 'Sounds good, see you there.',
    shape: ['own', 'signature', 'attribution1@Jane Doe', 'quote1@Jane Doe'],
  },
  {
    file: '12-apple-forward.eml',
    own: 'Anyone want these?',
    shape: ['own', 'attribution', 'attribution@Box Office', 'quote1@Box Office'],
  },
  {
    file: '13-french.eml',
    own: 'Merci, ça marche maintenant.',
    shape: ['own', 'attribution@Jean Dupont', 'quote1@Jean Dupont'],
  },
  {
    file: '14-german.eml',
    own: 'Das Problem ist gelöst.',
    shape: ['own', 'attribution@Max Mustermann', 'quote1@Max Mustermann'],
  },
  {
    file: '15-spanish.eml',
    own: 'Gracias, ya funciona.',
    shape: ['own', 'attribution@Juan Pérez', 'quote1@Juan Pérez'],
  },
  {
    file: '16-japanese-san.eml',
    own: 'ドライバを入れ直してください。',
    shape: ['own', 'attribution@山田', 'quote1@山田'],
  },
  {
    file: '17-japanese-gmail-date.eml',
    own: 'それは違うと思います。',
    shape: ['own', 'attribution@Stephen J. Turnbull', 'quote1@Stephen J. Turnbull'],
  },
  {
    file: '18-japanese-date-wrote.eml',
    own: 'XEmacsはもう使っていません。',
    shape: ['own', 'attribution@Stephen J. Turnbull', 'quote1@Stephen J. Turnbull'],
  },
  {
    file: '19-japanese-full-name.eml',
    own: '参加します。',
    shape: ['own', 'attribution@山田 太郎', 'quote1@山田 太郎'],
  },
  {
    file: '20-in-message-writes.eml',
    own: 'Yes, and that is exactly the point.',
    shape: ['attribution@Stephen J. Turnbull', 'quote1@Stephen J. Turnbull', 'own'],
  },
  {
    file: '21-thunderbird-plain.eml',
    own: 'I use borg for that.',
    shape: ['own', 'attribution@Jane Doe', 'quote1@Jane Doe'],
  },
  {
    file: '22-wanderlust-wrapped.eml',
    own: 'I prefer Wanderlust.',
    shape: ['attribution@Stephen J. Turnbull', 'quote1@Stephen J. Turnbull', 'own'],
  },
  {
    file: '23-signature-dash-space.eml',
    own: 'Use ssh-copy-id to install your key.',
    shape: ['own', 'signature'],
  },
  {
    file: '24-mailman-footer.eml',
    own: 'The meeting is on Saturday at the usual place.',
    shape: ['own', 'signature'],
  },
  {
    file: '25-signature-double-dash-short.eml',
    own: 'Check your resolv.conf first.',
    shape: ['own', 'signature'],
  },
  {
    file: '26-diff-git.eml',
    own: 'This fixes a typo in the README.\n\nPlease apply.',
    shape: ['own', 'code', 'own'],
  },
  {
    file: '27-fenced-code.eml',
    own: 'Here is what I run:\n\nThat should do it.',
    shape: ['own', 'code', 'own'],
  },
  {
    file: '28-indented-output.eml',
    own: 'The output of df shows the problem:\n\nYour root partition is full.',
    shape: ['own', 'code', 'own'],
  },
  {
    file: '29-html-gmail.eml',
    own: 'Yes, the vendor driver works.',
    shape: ['own', 'attribution@Jane Doe', 'quote1@Jane Doe'],
  },
  {
    file: '30-html-thunderbird.eml',
    own: 'I use borg for that & it is fast.',
    shape: ['own', 'attribution@Jane Doe', 'quote1@Jane Doe', 'signature'],
  },
  {
    file: '31-html-outlook.eml',
    own: 'Thursday works for me.',
    shape: ['own', 'attribution@Jane Doe', 'quote1@Jane Doe'],
  },
  {
    file: '32-html-apple.eml',
    own: 'Sounds good.',
    shape: ['own', 'signature', 'attribution1@Jane Doe', 'quote1@Jane Doe'],
  },
  {
    file: '33-weak-attribution-in-prose.eml',
    own: 'As the manual wrote:\nyou should always back up first. I did not, and lost everything.',
    shape: ['own'],
  },
  {
    file: '34-mobile-signature-alone.eml',
    own: 'Count me in!',
    shape: ['own', 'signature'],
  },
  {
    file: '35-outlook-german-original.eml',
    own: 'Der Server läuft wieder.',
    shape: ['own', 'attribution', 'attribution@Petra Schmidt', 'quote1@Petra Schmidt'],
  },
  {
    file: '36-quote-only-no-attribution.eml',
    own: 'Neither; use ed.',
    shape: ['quote1', 'own'],
  },
  {
    file: '37-gmail-own-below-nested.eml',
    own: 'Then it is a gcc bug; please file it upstream.',
    shape: ['attribution@Alice Example', 'attribution1@Bob Builder', 'quote2@Bob Builder', 'quote1@Alice Example', 'own'],
  },
  {
    file: '38-supercite.eml',
    own: 'That is simply wrong; it has been explained for decades.\n\nmysql> SELECT 1;',
    shape: ['attribution@Jim Whitehead', 'quote1@Jim Whitehead', 'own'],
  },
  {
    file: '39-nmh-pipe-quotes.eml',
    own: 'Probably a private sequence got set; highlighting only works for public ones.\n\nkre',
    shape: ['attribution@Marc Example', 'quote1@Marc Example', 'own'],
  },
  {
    file: '40-eudora-time-date.eml',
    own: 'Speak for yourself.',
    shape: ['attribution@Adam Example', 'quote1@Adam Example', 'own'],
  },
  {
    file: '41-outlook-on-behalf-of.eml',
    own: 'Count me out.',
    shape: ['own', 'attribution', 'attribution@CDale', 'quote1@CDale'],
  },
  {
    file: '42-hard-wrapped-name.eml',
    own: 'Try rescanning the folder.',
    shape: ['attribution@Tony Nugent', 'quote1@Tony Nugent', 'own'],
  },
];

for (const c of cases) {
  test(`quotes: ${c.file}`, async () => {
    const post = await parsePost(readFileSync(dir + c.file));
    assert.equal(post.ownText, c.own);
    assert.deepEqual(shapeOf(post.segments), c.shape);
    // Every own segment is found verbatim in ownText: evidence quoted from it can be located.
    for (const s of post.segments.filter((x) => x.kind === 'own')) assert.ok(post.ownText.includes(s.text.trim()));
  });
}

test('quotes: the seed-shaped Outlook top-post keeps Stephen\'s and Benjamin\'s words out of ownText', async () => {
  const post = await parsePost(readFileSync(dir + '05-outlook-seed-shape.eml'));
  for (const quoted of ['monopoly power', 'Not true in worker cooperatives', 'issue of\nscale', 'federation of']) {
    assert.ok(!post.ownText.includes(quoted), quoted);
    assert.ok(post.quotedText.includes(quoted), quoted);
  }
  const benjamin = post.segments.filter((s) => s.kind === 'quote' && s.quotedAuthor === 'Benjamin Kowarsch');
  assert.equal(benjamin[0]?.text, 'This is not an issue of capitalism versus cooperative, but an issue of\nscale in general.');
  assert.equal(post.htmlOnly, false);
});

test('quotes: quote text loses its ">" markers, keeps its words', () => {
  const segs = splitBody('Jane wrote:\n> > deep\n> shallow\nmine');
  assert.deepEqual(
    segs.map((s) => [s.kind, s.depth, s.text]),
    [
      ['attribution', undefined, 'Jane wrote:'],
      ['quote', 2, 'deep'],
      ['quote', 1, 'shallow'],
      ['own', undefined, 'mine'],
    ],
  );
});

test('quotes: "X wrote:" in prose without a following quote stays the author\'s own words', () => {
  const segs = splitBody('My colleague wrote:\nthat the build is broken.\n');
  assert.deepEqual(shapeOf(segs), ['own']);
});

test('quotes: CRLF line ends and full-width ＞ quotes', () => {
  const segs = splitBody('了解です。\r\n\r\n＞ 明日は休みです。\r\n');
  assert.deepEqual(shapeOf(segs), ['own', 'quote1']);
  assert.equal(segs[1]?.text, '明日は休みです。');
});

test('quotes: private-use marks in plain text cannot turn words into attribution', () => {
  const segs = splitBody('\ue000You are all idiots\n');
  assert.deepEqual(shapeOf(segs), ['own']);
  assert.equal(segs[0]?.text, 'You are all idiots');
});

test('quotes: a Mailman 2 archive\'s "next part" note where it removed an attachment is not the author\'s words', () => {
  const text = 'Install binutils from backports.\n-------------- next part --------------\nAn HTML attachment was scrubbed...\nURL: <http://lists.example.org/pipermail/tlug/attachments/20261102/0a1b.html>\n';
  const segs = splitBody(text);
  assert.deepEqual(shapeOf(segs), ['own', 'signature']);
  assert.equal(ownTextOf(segs), 'Install binutils from backports.');
  // Words about parts in prose stay the author's.
  assert.deepEqual(shapeOf(splitBody('The next part -------- of the talk is on kernels.\n')), ['own']);
});

test('quotes: an unclosed code fence does not swallow the rest of the post', () => {
  const segs = splitBody('```\nsome text\nmore text\n');
  assert.deepEqual(shapeOf(segs), ['own']);
});

test('quotes: indented prose is not code', () => {
  const segs = splitBody('Dear all,\n\n    I would like to thank everyone\n    who came to the meeting yesterday\n    and helped with the setup.\n');
  assert.deepEqual(shapeOf(segs), ['own']);
});

test('quotes: a git format-patch mail ends its diff at the "-- " signature', () => {
  const text = 'Fix it.\n\n---\n README | 2 +-\n\ndiff --git a/README b/README\n--- a/README\n+++ b/README\n@@ -1 +1 @@\n-old\n+new\n-- \n2.43.0\n';
  const segs = splitBody(text);
  assert.deepEqual(shapeOf(segs).slice(-2), ['code', 'signature']);
  assert.ok(segs.at(-1)?.text.includes('2.43.0'));
});

test('quotes: HTML blockquote nesting gives depths; entities are decoded', () => {
  const segs = splitHtml('<p>Mine &amp; yours</p><blockquote>one<blockquote>two</blockquote></blockquote><p>after</p>');
  assert.deepEqual(
    segs.map((s) => [s.kind, s.depth ?? 0, s.text]),
    [
      ['own', 0, 'Mine & yours'],
      ['quote', 1, 'one'],
      ['quote', 2, 'two'],
      ['own', 0, 'after'],
    ],
  );
});

test('quotes: HTML script, style and comments never reach the text', () => {
  const segs = splitHtml('<style>p{color:red}</style><script>alert(1)</script><!-- hidden --><p>visible</p>');
  assert.deepEqual(segs.map((s) => s.text), ['visible']);
});

test('quotes: splitting stays linear on hostile shapes', () => {
  const shapes = [
    'On '.repeat(50_000) + 'wrote:',
    '>'.repeat(200_000),
    ('On Mon, Jan 1, 2024 at 10:00 AM Someone\n').repeat(20_000),
    ('From: x\n').repeat(20_000),
    ('    indented prose line without code\n').repeat(20_000),
    ('```\n').repeat(20_000),
    'a'.repeat(2_000_000),
  ];
  for (const text of shapes) {
    const t = Date.now();
    splitBody(text);
    assert.ok(Date.now() - t < 2_000, `took ${Date.now() - t} ms on ${JSON.stringify(text.slice(0, 30))}`);
  }
  const t = Date.now();
  splitHtml('<div>'.repeat(100_000) + 'x' + '</span>'.repeat(100_000));
  assert.ok(Date.now() - t < 2_000);
});

test('quotes: an own line that copies quoted words without ">" is the quoted author\'s, wherever in the quote it starts', () => {
  const copy = splitBody(
    'Jane Doe wrote:\n> The meeting moves to the library on Thursday at seven,\n> bring your own laptop.\n\nmoves to the library on Thursday at seven, bring\n\nThat works for me.\n',
  );
  assert.deepEqual(shapeOf(copy), ['attribution@Jane Doe', 'quote1@Jane Doe', 'own']);
  assert.equal(ownTextOf(copy), 'That works for me.');
  // 24 code units, 25 once lower-cased ("İ" becomes two): long enough to count as a copy.
  const dotted = splitBody('Jane Doe wrote:\n> İzmir LUG meets at nine, 5 sharp.\n\nİzmir LUG meets at nine,\n\nSee you there.\n');
  assert.deepEqual(shapeOf(dotted), ['attribution@Jane Doe', 'quote1@Jane Doe', 'own']);
  assert.equal(ownTextOf(dotted), 'See you there.');
  // Shorter lines, and lines that only share words with the quote, stay the author's own.
  const own = splitBody('Jane Doe wrote:\n> The meeting moves to the library on Thursday at seven.\n\nThe meeting moves to the pub on Friday at eight.\nat seven\n');
  assert.equal(ownTextOf(own), 'The meeting moves to the pub on Friday at eight.\nat seven');
});
