// off-topic-thread: drift caught where it starts, short replies, [OT], quotes, Japanese, config vs trained profiles.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ListConfig } from '../../src/config/types.js';
import type { Flag } from '../../src/model/flag.js';
import type { Post } from '../../src/model/post.js';
import type { Thread } from '../../src/model/thread.js';
import { offTopicThread } from '../../src/rules/off-topic-thread.js';
import { profileFromConfig, trainProfile, type ListProfile } from '../../src/rules/profile.js';
import { makePost } from '../helpers/make-post.js';

const tlug: ListConfig = {
  id: 'tlug',
  name: 'tlug',
  description:
    'Tokyo Linux Users Group: a bilingual list about Linux and free software in Japan. Installing and configuring ' +
    'Linux distributions, kernels, packages, networking, hardware support and Japanese input.',
  terms: ['linux', 'debian', 'ubuntu', 'kernel', 'package', 'emacs'],
  allowOT: false,
  rules: {},
  custom: [],
};

/** Runs posts through measure() and check() as the pipeline does, recording flags the way decide would. */
function runThread(posts: Post[], list: ListConfig = tlug, profile: ListProfile = profileFromConfig(list), options: Record<string, unknown> = {}): Flag[][] {
  const first = posts[0];
  assert.ok(first);
  const thread: Thread = {
    id: first.messageId, list: list.id, subject: first.subject, normalizedSubject: first.normalizedSubject,
    posts: [], postCount: 0, participants: {}, flagged: {},
  };
  const ctx = { list, profile, settings: { enabled: true, options } };
  return posts.map((post) => {
    const tp = { messageId: post.messageId, author: post.author, authorKey: post.author, subject: post.subject, signals: {} as Record<string, number> };
    thread.posts.push(tp);
    thread.postCount += 1;
    const s = offTopicThread.measure?.(post, thread, ctx);
    if (s !== undefined) tp.signals[offTopicThread.id] = s;
    const flags = offTopicThread.check(post, thread, ctx);
    const f = flags[0];
    if (f) thread.flagged[f.rule] = { severity: f.severity, score: f.score, messageId: post.messageId };
    return flags;
  });
}

const firstFlagAt = (flags: Flag[][]): number => flags.findIndex((f) => f.length > 0);

const reply = (subject: string, ownText: string, quotedText = ''): Post => makePost({ subject: `Re: ${subject}`, ownText, quotedText });

const WIFI = 'Debian upgrade broke my wifi';
const onTopic = [
  makePost({ subject: WIFI, ownText: 'After upgrading to Debian 12 the kernel no longer loads the iwlwifi driver module. dmesg shows a firmware error at boot. Has anyone seen this on a ThinkPad?' }),
  reply(WIFI, 'The firmware package moved to the non-free-firmware component in bookworm. Add it to your apt sources, install firmware-iwlwifi and reboot; the kernel module should load then.'),
  reply(WIFI, 'Thanks, that was it. I also had to run update-initramfs so the firmware is in the initrd, otherwise the driver still failed at boot.'),
];
const drift = [
  reply(WIFI, 'Speaking of volunteers: I have been reading about worker cooperatives, where members vote and customers and society at large are excluded. Cooperatives only work at small scale; at national scale you need government regulation, or a federation ends up with monopoly power over prices.'),
  reply(WIFI, 'Cooperatives can scale. Mondragon is a federation of worker-owned firms with tens of thousands of members sharing capital, marketing and education. Capitalism is not the only model: democracy at work, profit sharing and wages set by vote compete fine in the market.'),
  reply(WIFI, 'A federation that sets pricing policy is a cartel. Without antitrust law and taxes the government cannot restrain it, and the economy pays. Look at what happened to the unions and the wealth of their members.'),
];

test('on-topic thread (three technical posts) is not flagged', () => {
  assert.deepEqual(runThread(onTopic).map((f) => f.length), [0, 0, 0]);
});

test('a thread drifting into cooperatives and politics is flagged at the drift post, not before, and once', () => {
  const flags = runThread([...onTopic, ...drift]);
  assert.equal(firstFlagAt(flags), onTopic.length, 'first flag on the first post that drifted');
  assert.equal(flags.flat().length, 1, 'not re-flagged on every later post');
  const f = flags[onTopic.length]?.[0];
  assert.ok(f);
  assert.equal(f.rule, 'off-topic-thread');
  assert.equal(f.category, 'off-topic');
  assert.ok(f.score >= 0.55 && f.score <= 1);
  assert.match(f.reason, /^Thread has moved from Linux and packaging to .*(politics|economics)/);
  assert.match(f.reason, /few words with what tlug is for: '/);
  const post = drift[0];
  assert.ok(post);
  assert.ok(post.ownText.includes(f.evidence), 'evidence is the author\'s own words');
  for (const s of f.spans ?? []) assert.match(post.ownText.slice(s.start, s.end), /^[\p{L}]+$/u);
  assert.ok((f.spans ?? []).length >= 2);
  assert.ok(f.detectorVersion?.startsWith(offTopicThread.version));
});

test('a post that bridges the two topics is flagged there or at the next post, never before', () => {
  const bridge = reply(WIFI, "That is the trouble with Debian's governance: volunteers vote on policy and users have no say, like a worker cooperative where members decide and customers are excluded.");
  const flags = runThread([...onTopic, bridge, ...drift.slice(1)]);
  const at = firstFlagAt(flags);
  assert.ok(at === onTopic.length || at === onTopic.length + 1, `flagged at post ${at + 1}`);
});

test('a single short reply does not make a thread off-topic', () => {
  const cases: [string, Post][] = [
    ['+1', reply(WIFI, '+1')],
    ['thanks', reply(WIFI, 'thanks!')],
    ['short aside', reply(WIFI, 'Ha, politics again.')],
  ];
  for (const [name, short] of cases) {
    const flags = runThread([...onTopic, short]);
    assert.equal(flags.flat().length, 0, name);
  }
});

test('[OT] threads are allowed when the list allows them, and judged otherwise', () => {
  const ot = [
    makePost({ subject: '[OT] Worker cooperatives in Japan', ownText: drift[0]?.ownText ?? '' }),
    reply('[OT] Worker cooperatives in Japan', drift[1]?.ownText ?? ''),
  ];
  const cases: [string, boolean, number][] = [
    ['allowOT: true', true, -1],
    ['allowOT: false', false, 0],
  ];
  for (const [name, allowOT, expected] of cases) {
    const list = { ...tlug, allowOT };
    assert.equal(firstFlagAt(runThread(ot, list)), expected, name);
  }
});

test('quoted on-topic text does not mask the author\'s off-topic own text', () => {
  const quote = onTopic[1]?.ownText ?? '';
  const cases: [string, Post, number][] = [
    ['political own text under a technical quote', reply(WIFI, drift[0]?.ownText ?? '', quote), 1],
    ['technical own text under a political quote', reply(WIFI, onTopic[2]?.ownText ?? '', drift[0]?.ownText ?? ''), 0],
  ];
  for (const [name, post, expected] of cases) {
    const flags = runThread([onTopic[0] as Post, post]);
    assert.equal(flags.flat().length, expected, name);
  }
});

const IME = 'Ubuntu で日本語入力';
const japanese = [
  makePost({ subject: IME, ownText: 'Ubuntu 24.04 をインストールしましたが、日本語入力ができません。fcitx5 と mozc のパッケージは入っています。設定で何か足りないのでしょうか？' }),
  reply(IME, 'im-config で fcitx5 を選んでから再起動してください。環境変数 GTK_IM_MODULE の設定も確認するといいです。パッケージ fcitx5-mozc が必要です。'),
];
const japaneseDrift = reply(IME, '話は変わりますが、今度の選挙で与党の経済政策が問われていますね。増税と物価の上昇で労働者の賃金は下がる一方です。政府は社会主義的な政策をもっと取るべきだと思います。野党にも期待できません。');
const mixed = reply(IME, 'I had the same problem on Debian. After installing fcitx5-mozc, run im-config and reboot; 設定 → 入力メソッド で Mozc を追加すれば動きます。The kernel is not involved.');

test('Japanese and mixed-language posts: on-topic stays quiet, political drift is flagged at the drift post', () => {
  assert.deepEqual(runThread([...japanese, mixed]).map((f) => f.length), [0, 0, 0]);
  const flags = runThread([...japanese, japaneseDrift]);
  assert.equal(firstFlagAt(flags), 2);
  const f = flags[2]?.[0];
  assert.ok(f);
  assert.ok(japaneseDrift.ownText.includes(f.evidence));
  assert.match(f.reason, /politics|economics/);
});

test('a profile from the description alone (no terms, no archive) tells the two threads apart', () => {
  const bare: ListConfig = { ...tlug, terms: [], description: 'Linux users: installing, configuring and running Linux and free software.' };
  assert.equal(runThread(onTopic, bare).flat().length, 0);
  assert.ok(firstFlagAt(runThread([...onTopic, ...drift], bare)) >= onTopic.length);
  assert.ok(runThread([...onTopic, ...drift], bare).flat().length > 0);
});

test("a profile trained on the list's archive knows the list's own vocabulary, which config alone does not", async () => {
  const archive = [
    'How do I pin a package version with apt so an upgrade does not replace it? apt-mark hold works for dpkg but I want a preference file.',
    'Write a file in /etc/apt/preferences.d with Package, Pin and Pin-Priority lines. apt policy shows which version wins.',
    'My NVIDIA driver stopped working after the kernel update; the dkms module failed to build against the new headers.',
    'Install the linux-headers package for the running kernel and run dkms autoinstall, then check dmesg for errors.',
    'Is anyone running Wayland with fcitx5 and mozc? Japanese input works in GTK apps but not in Emacs.',
    'For Emacs under Wayland use the pgtk build, or set XMODIFIERS and run Emacs through XWayland; mozc.el is another option.',
    'Our next meeting is at the usual place in Shibuya; talks on systemd-networkd, btrfs snapshots and a ThinkPad firmware update.',
    'btrfs snapshots with snapper saved me after a bad upgrade; rollback from the grub menu and the system boots again.',
    'systemd-networkd and resolved are fine for servers; NetworkManager is easier on laptops with wifi and VPNs.',
    'The Debian installer did not see my NVMe disk until I switched the BIOS from RAID to AHCI mode.',
  ].map((ownText, i) => makePost({ subject: `archive post ${i}`, ownText }));
  const trained = await trainProfile(tlug, archive);
  assert.equal(trained.trainedOn, archive.length);
  const config = profileFromConfig(tlug);
  // The list's own jargon (snapper, dkms, btrfs, Wayland, pgtk) is nowhere in its config.
  const on = reply('snapshots', 'Snapper took btrfs snapshots before the upgrade and dkms rebuilt the NVIDIA module; Wayland with the pgtk Emacs build and mozc works.');
  const off = drift[1] as Post;
  const sim = (p: ListProfile, post: Post): number => runThreadSim(post, p);
  assert.ok(sim(trained, on) > sim(config, on), `trained ${sim(trained, on).toFixed(3)} > config ${sim(config, on).toFixed(3)} on the list's jargon`);
  assert.ok(sim(trained, off) < 0.5 && sim(config, off) < 0.5, 'both read the cooperatives post as off topic');
});

function runThreadSim(post: Post, profile: ListProfile): number {
  const thread: Thread = { id: post.messageId, list: 'tlug', subject: post.subject, normalizedSubject: post.normalizedSubject, posts: [], postCount: 0, participants: {}, flagged: {} };
  const s = offTopicThread.measure?.(post, thread, { list: tlug, profile, settings: { enabled: true, options: {} } });
  assert.ok(s !== undefined);
  return s;
}

test('options from config change the threshold and the window', () => {
  const strict = runThread([...onTopic, ...drift], tlug, profileFromConfig(tlug), { threshold: 0.99 });
  assert.equal(strict.flat().length, 0);
  const ignoreShort = runThread([...onTopic, reply(WIFI, 'Cooperatives and government regulation again.')], tlug, profileFromConfig(tlug), { minWords: 2, threshold: 0.3 });
  assert.equal(firstFlagAt(ignoreShort), 3);
});
