// Renders a sample alert and digest to HTML and screenshots them in headless Chromium (docs/alert.png).
//
// Usage: node --import tsx scripts/render-notice-screenshot.ts [out-dir]   (default: docs; needs Debian's chromium)

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Notice } from '../src/model/notice.js';
import { archiveLink, noticeToken } from '../src/notify/links.js';
import { renderAlert } from '../src/notify/render-alert.js';
import { renderDigest } from '../src/notify/render-digest.js';
import type { AlertRecord, DigestEntry } from '../src/notify/store.js';

const outDir = resolve(process.argv[2] ?? 'docs');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));

const archive = 'https://lists.example.org/archives/list/tlug@lists.example.org/message/{hyperkittyHash}/';
const notice: Notice = {
  noticeId: 'n-3f9c2a7e1b5d4c8a9e0f1a2b3c4d5e6f7a8b9c0d',
  list: 'tlug',
  messageId: '<87h6xyz.fsf@mail.example.jp>',
  threadId: '<20240501.apt@mail.example.jp>',
  action: 'alert',
  subject: 'Re: apt keeps breaking my system on every upgrade <script>alert(1)</script>',
  threadSubject: 'apt keeps breaking my system on every upgrade',
  author: 'Kenji Example <kenji@example.jp>',
  date: '2024-05-01T09:12:00.000Z',
  flags: [
    {
      rule: 'incendiary-language',
      category: 'incendiary',
      severity: 'high',
      score: 0.93,
      action: 'alert',
      evidence: 'only a clueless moron would',
      reason: 'Calls another member a moron: a personal insult, not an argument.',
    },
    {
      rule: 'thread-heat',
      category: 'heat',
      severity: 'medium',
      score: 0.71,
      action: 'alert',
      evidence: 'Stop wasting everyone\'s time',
      reason: 'Three sharp replies in 40 minutes between the same two people.',
    },
  ],
  decidedAt: Date.parse('2024-05-01T09:12:05Z'),
  excerpt:
    "I told you twice already: only a clueless moron would run testing on a server.\n\nStop wasting everyone's time and read the <b>release notes</b> before you post again.",
  thread: { posts: 14, participants: 5, top: [], heat: [0.12, 0.2, 0.35, 0.61, 0.93], heatTrend: 'rising' },
};

const alert = renderAlert(notice, {
  listName: 'Tokyo Linux Users Group',
  archiveUrl: archiveLink(archive, 'tlug', notice.messageId),
  token: noticeToken('screenshot-secret', notice.noticeId),
  subjectMax: 60,
});

const e = (over: Partial<DigestEntry>): DigestEntry => ({
  noticeId: 'n-1', list: 'tlug', messageId: '<a@x>', threadId: '<t@x>', rule: 'off-topic-thread', category: 'off-topic', severity: 'low',
  score: 0.55, action: 'digest', evidence: 'bitcoin mining rig', reason: 'The thread has drifted from Linux to cryptocurrency prices.',
  from: 'Taro <taro@example.jp>', date: '2024-05-01T02:00:00Z', subject: 'Re: GPU drivers', threadSubject: 'GPU drivers for an old laptop',
  why: 'digest', at: 0, archiveUrl: archiveLink(archive, 'tlug', '<a@x>'), ...over,
});
const entries: DigestEntry[] = [
  e({}),
  e({ noticeId: 'n-2', messageId: '<b@x>', score: 0.62, from: 'Hana <hana@example.jp>' }),
  e({ noticeId: 'n-3', messageId: '<c@x>', threadId: '<u@x>', threadSubject: 'systemd vs. sysvinit, again', rule: 'incendiary-language', category: 'incendiary', severity: 'high', score: 0.88, evidence: 'you people are idiots', reason: 'Insults a group of members.', why: 'overflow' }),
];
const unanswered: AlertRecord[] = [
  { noticeId: notice.noticeId, list: 'tlug', threadId: notice.threadId, messageId: notice.messageId, subject: notice.subject, threadSubject: notice.threadSubject!, author: notice.author, rules: [{ rule: 'incendiary-language', severity: 'high', score: 0.93 }], at: notice.decidedAt, archiveUrl: archiveLink(archive, 'tlug', notice.messageId) },
];
const digest = renderDigest(entries, unanswered, { listName: 'Tokyo Linux Users Group', list: 'tlug', since: Date.parse('2024-04-30T08:00:00Z'), now: Date.parse('2024-05-01T08:00:00Z'), maxEntries: 100, subjectMax: 60 });

mkdirSync(outDir, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'lw-shot-'));
try {
  const pages = [
    { name: 'alert', html: alert.html, height: 860 },
    { name: 'digest', html: digest.html, height: 780 },
  ];
  for (const p of pages) {
    const file = join(work, `${p.name}.html`);
    writeFileSync(file, p.html);
    process.stdout.write(`${p.name}: ${p.name === 'alert' ? alert.subject : digest.subject}\n`);
    if (!CHROMIUM) {
      process.stderr.write('chromium not found (apt-get install -y chromium): HTML written only\n');
      writeFileSync(join(outDir, `${p.name}.html`), p.html);
      continue;
    }
    // Only alert.png is kept in docs/; set LW_KEEP_DIGEST_PNG=<file> to keep the digest's screenshot too.
    const png = p.name === 'alert' ? join(outDir, 'alert.png') : join(work, 'digest.png');
    execFileSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--hide-scrollbars',
        `--user-data-dir=${join(work, 'profile')}`,
        `--window-size=800,${p.height}`,
        `--screenshot=${png}`,
        `file://${file}`,
      ],
      { stdio: ['ignore', 'ignore', 'ignore'], timeout: 60_000 },
    );
    process.stdout.write(`  → ${png}\n`);
    if (p.name === 'digest' && process.env.LW_KEEP_DIGEST_PNG) execFileSync('cp', [png, process.env.LW_KEEP_DIGEST_PNG]);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
