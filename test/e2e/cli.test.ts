// The `listwarden` command from the outside: exit codes, JSON Lines contract, reports, explain, test-rules, compare.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

function lw(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    input,
    env: { ...process.env, LISTWARDEN_LOG_LEVEL: 'silent' },
    maxBuffer: 64 << 20,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'lw-cli-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

interface Rec { messageId: string; threadId: string; rule: string; category: string; severity: string; score: number; evidence: string; reason: string; from: string; date: string | null; subject: string; action: string }
const jsonl = (s: string): Rec[] => s.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Rec);

test('cli: replay of the bundled sample flags exactly the attack, the Japanese insult and the drift', () => {
  const r = lw(['replay', '--config', 'examples/rlug.yaml', '--format', 'json', 'examples/rlug.mbox']);
  assert.equal(r.code, 0, r.stderr);
  const flags = jsonl(r.stdout).map((f) => `${f.messageId} ${f.rule} ${f.action}`).sort();
  assert.deepEqual(flags, [
    '<init-2@rlug.example.org> incendiary-language alert',
    '<ja-2@rlug.example.org> incendiary-language alert',
    '<meet-3@rlug.example.org> off-topic-thread digest',
  ].sort());
  for (const f of jsonl(r.stdout)) {
    assert.ok(f.evidence.length > 0, 'every flag carries evidence');
    assert.ok(f.reason.length > 20, 'every flag explains itself');
  }
  const attack = jsonl(r.stdout).find((f) => f.messageId === '<init-2@rlug.example.org>');
  assert.equal(attack?.threadId, '<init-1@rlug.example.org>');
  assert.equal(attack?.category, 'incendiary');
  assert.match(attack?.evidence ?? '', /idiot|moron/);
  assert.match(r.stderr, /posts read:\s+18/);
  assert.match(r.stderr, /parsed:\s+18/);
});

test('cli: JSON Lines carry the contract fields with their types', () => {
  const r = lw(['replay', '--config', 'examples/rlug.yaml', '--format', 'json', 'examples/rlug.mbox']);
  const recs = jsonl(r.stdout);
  assert.ok(recs.length > 0);
  for (const f of recs) {
    for (const k of ['messageId', 'threadId', 'rule', 'category', 'severity', 'evidence', 'reason', 'from', 'subject'] as const) {
      assert.equal(typeof f[k], 'string', `${k} is a string`);
    }
    assert.ok(['low', 'medium', 'high'].includes(f.severity));
    assert.ok(f.score >= 0 && f.score <= 1);
    assert.ok(f.messageId.startsWith('<'));
    assert.ok(f.date === null || !Number.isNaN(Date.parse(f.date)));
  }
});

test('cli: text report groups flags by thread; html is a self-contained page', () => {
  const text = lw(['replay', '--config', 'examples/rlug.yaml', 'examples/rlug.mbox']);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /Thread: \[rlug\] Which init system/);
  assert.match(text.stdout, /\[ALERT \] incendiary-language/);
  const out = join(tmp, 'report.html');
  const html = lw(['replay', '--config', 'examples/rlug.yaml', '--format', 'html', '--out', out, 'examples/rlug.mbox']);
  assert.equal(html.code, 0);
  const page = readFileSync(out, 'utf8');
  assert.match(page, /^<!doctype html>/);
  assert.doesNotMatch(page, /<script|src="http/);
});

test('cli: exit codes: bad usage 1, broken config 1, nothing readable 2', () => {
  assert.equal(lw(['replay', '--no-such-option', 'x']).code, 1);
  assert.equal(lw(['no-such-command']).code, 1);
  assert.equal(lw(['replay', '--format', 'xml', 'examples/rlug.mbox']).code, 1);
  const broken = join(tmp, 'broken.yaml');
  writeFileSync(broken, 'lists: [\n');
  const cc = lw(['check-config', broken]);
  assert.equal(cc.code, 1);
  assert.match(cc.stderr, /broken\.yaml:\d+/, 'the error names the file and line');
  assert.equal(lw(['replay', '--config', broken, 'examples/rlug.mbox']).code, 1);
  assert.equal(lw(['replay', join(tmp, 'missing.mbox')]).code, 2);
  const junk = join(tmp, 'junk.bin');
  writeFileSync(junk, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  assert.equal(lw(['replay', junk]).code, 2);
  assert.equal(lw(['check-config', 'examples/rlug.yaml']).code, 0);
  assert.equal(lw(['--help']).code, 0);
});

test('cli: bad messages are reported in the summary and replay goes on', () => {
  const good = readFileSync(join(root, 'examples/rlug.mbox'), 'latin1').split(/\n(?=From )/)[0] ?? '';
  const archive = join(tmp, 'mixed.mbox');
  const junk = 'From junk@x Mon Jan  1 00:00:00 2024\n\u0000\u0001\u0002binary\u0000\n\n';
  const truncated = 'From t@x Mon Jan  1 00:00:00 2024\nFrom: t@x\nSubject: cut';
  writeFileSync(archive, `${good}\n\n${junk}${truncated}`, 'latin1');
  const r = lw(['replay', '--format', 'json', archive]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /posts read:\s+3/);
  assert.match(r.stderr, /skipped:\s+[1-9]/);
});

test('cli: explain shows every rule, the score, the evidence and the thresholds', () => {
  const dir = join(tmp, 'explain');
  mkdirSync(dir, { recursive: true });
  const posts = readFileSync(join(root, 'examples/rlug.mbox'), 'latin1').split(/\n(?=From )/);
  const attack = posts.find((p) => p.includes('Message-ID: <init-2@')) ?? '';
  const eml = join(dir, 'attack.eml');
  writeFileSync(eml, attack.replace(/^From .*\n/, ''), 'latin1');
  const r = lw(['explain', '--config', 'examples/rlug.yaml', '--thread', 'examples/rlug.mbox', eml]);
  assert.equal(r.code, 0, r.stderr);
  for (const rule of ['incendiary-language', 'off-topic-thread', 'thread-heat', 'no-crypto-shilling']) assert.match(r.stdout, new RegExp(rule));
  assert.match(r.stdout, /alert at ≥ 0\.8/);
  assert.match(r.stdout, /evidence: ".*(idiot|moron)/);
  assert.match(r.stdout, /thread <init-1@rlug\.example\.org>/);
  assert.match(r.stdout, /verdict: alert/);
});

test('cli: test-rules passes on the shipped fixtures and fails on a broken expectation', () => {
  const ok = lw(['test-rules', 'config/fixtures']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /\d+ passed, 0 failed/);
  const dir = join(tmp, 'fixtures');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'calm.eml'), 'From: a@example.org\nSubject: kernel question\nMessage-ID: <calm@x>\nX-Listwarden-Expect: incendiary-language\n\nWhich kernel do you run on the router?\n');
  const bad = lw(['test-rules', dir]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /not ok 1 .*\n\s+expected incendiary-language, got no such flag/);
  assert.match(bad.stdout, /0 passed, 1 failed/);
});

test('cli: replay --compare shows what a config change adds and removes per rule', () => {
  const stricter = join(tmp, 'stricter.yaml');
  writeFileSync(stricter, readFileSync(join(root, 'examples/rlug.yaml'), 'utf8').replace(/keywords: \[airdrop, memecoin, presale\]/, 'keywords: [btrfs]'));
  const r = lw(['replay', '--config', 'examples/rlug.yaml', '--compare', stricter, 'examples/rlug.mbox']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /no-crypto-shilling\s+1\s+0/);
  assert.match(r.stdout, /^\+ no-crypto-shilling .*<fs-1@rlug\.example\.org>/m);
});

test('cli: replay --notices-out writes the alerts and the digest it would send', () => {
  const dir = join(tmp, 'notices');
  const r = lw(['replay', '--config', 'examples/rlug.yaml', '--format', 'json', '--out', join(tmp, 'n.jsonl'), '--notices-out', dir, 'examples/rlug.mbox']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /notices: 2 alert\(s\) and 1 digest\(s\)/);
  const alert = readFileSync(join(dir, 'alert-0001.eml'), 'utf8');
  assert.match(alert, /^Subject: .*listwarden/m);
  assert.match(alert, /^In-Reply-To: <lw-thread\./m);
  const digest = readFileSync(join(dir, 'digest-rlug.html'), 'utf8');
  assert.match(digest, /off-topic-thread/);
});
