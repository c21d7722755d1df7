// scripts/local-stack.sh end to end: Redis (AOF), Dovecot, an SMTP catcher, a poller and two workers as processes; the sample's alerts arrive.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { noticeJobId } from '../../src/queue/jobs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(args: string[], ms: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['scripts/local-stack.sh', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    // The script bounds itself with --timeout; this is the backstop. SIGTERM lets its trap stop what it started.
    const timer = setTimeout(() => child.kill('SIGTERM'), ms);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** The sample archive's two attack posts, as the alerts name them (by notice id, author and evidence). */
const ATTACKS = [
  { messageId: '<init-2@rlug.example.org>', author: 'Rick Lawson <rick@example.com>', words: 'idiot', thread: 'Which init system for a small home server?' },
  { messageId: '<ja-2@rlug.example.org>', author: 'Yuki Mori <yuki@example.jp>', words: 'バカ', thread: 'fcitx5 で日本語入力ができない' },
];

test('local stack: the sample archive fed to Dovecot brings one alert per attack post and a digest to the SMTP catcher', { timeout: 240_000 }, async () => {
  const { code, out } = await run(['--timeout', '180'], 220_000);
  assert.equal(code, 0, out);

  const alerts = out.split('\n').filter((l) => l.startsWith('alert: '));
  assert.equal(alerts.length, ATTACKS.length, `one alert per attack post, no duplicates:\n${out}`);
  for (const a of ATTACKS) {
    const notice = noticeJobId('rlug', a.messageId);
    const block = out.slice(out.indexOf(`notice ${notice}`) - 200, out.indexOf(`notice ${notice}`) + 400);
    assert.ok(out.includes(`notice ${notice}`), `an alert for ${a.messageId}:\n${out}`);
    assert.match(block, /incendiary language in ".*" \(high\)/);
    assert.ok(block.includes(a.thread), `alert names the thread "${a.thread}"`);
    assert.ok(block.includes(`Author:   ${a.author}`), `alert names ${a.author}`);
    assert.match(block, new RegExp(`Evidence: ".*${a.words}.*"`));
    assert.match(block, /over STARTTLS/);
  }
  assert.match(out, /^digest: \[listwarden\] rlug digest: /m);
  assert.match(out, /^local-stack: 18 message\(s\) appended to listbot\/INBOX$/m);
  assert.match(out, /listwarden_posts_seen_total\{list="rlug"\} 18/);
  // Every post is accounted for: a verdict each (no post twice), or the failed set with a reason.
  const v = /verdicts: (\d+) for (\d+) distinct post\(s\) of 18 fed, by 2 worker\(s\); (\d+) in the failed set/.exec(out);
  assert.ok(v, out);
  assert.equal(v[1], v[2], 'no post has two verdicts');
  assert.equal(Number(v[1]) + Number(v[3]), 18, 'no post is lost');
  assert.match(out, /listwarden exited 0 on SIGTERM; redis AOF [1-9]\d* bytes/);
});
