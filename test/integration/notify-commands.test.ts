// `listwarden digest` and `listwarden stats` (the command factories) against the real Redis and smtp-server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { digestCommand, statsCommand } from '../../src/notify/commands.js';
import { NotifyStore, type DigestEntry } from '../../src/notify/store.js';
import { testRedis } from '../helpers/redis.js';
import { startSmtp } from './notify-smtp.js';

async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  program.addCommand(digestCommand());
  program.addCommand(statsCommand());
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'listwarden', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

const entry = (i: number): DigestEntry => ({
  noticeId: `n-cmd${i}`, list: 'tlug', messageId: `<c${i}@x>`, threadId: '<ct@x>', rule: 'off-topic-thread', category: 'off-topic',
  severity: 'low', score: 0.5, action: 'digest', evidence: `crypto ${i}`, reason: 'Off topic.', from: 'Ann <ann@x>', date: null,
  subject: 'Re: bitcoin', threadSubject: 'bitcoin', why: 'digest', at: 0,
});

test('digest --dry-run shows without clearing; --now sends and clears; stats prints precision per rule', async () => {
  const smtp = await startSmtp();
  const r = await testRedis('lwcmd');
  const dir = mkdtempSync(join(tmpdir(), 'lw-cmd-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'lists:',
      '  - id: tlug',
      '    name: Tokyo Linux Users Group',
      'redis:',
      `  prefix: ${r.prefix}`,
      'smtp:',
      '  host: 127.0.0.1',
      `  port: ${smtp.port}`,
      '  tlsVerify: false',
      `  user: ${smtp.user}`,
      '  passEnv: LW_CMD_TEST_SMTP_PASS',
      '  from: listwarden <lw@example.org>',
      'moderators:',
      '  - address: mod@example.org',
      '',
    ].join('\n'),
  );
  process.env.LW_CMD_TEST_SMTP_PASS = smtp.pass;
  const store = new NotifyStore(r.redis, { prefix: r.prefix });
  try {
    await store.addDigestEntries('tlug', [entry(1), entry(2)]);
    const shown = await run(['digest', '-c', config, '--list', 'tlug', '--dry-run']);
    assert.match(shown, /^Subject: \[listwarden\] tlug digest: 2 flags in 1 thread\n/);
    assert.match(shown, /×2 in 2 posts/);
    assert.equal((await store.digestEntries('tlug')).size, 2, 'a dry run clears nothing');

    const sent = await run(['digest', '-c', config, '--list', 'tlug', '--now']);
    assert.equal(sent, 'Digest of tlug sent to mod@example.org (2 flags, 0 unanswered alerts).\n');
    const [m] = await smtp.waitFor(1);
    assert.equal(m!.parsed.subject, '[listwarden] tlug digest: 2 flags in 1 thread');
    assert.equal((await store.digestEntries('tlug')).size, 0);
    assert.match(await run(['digest', '-c', config, '--list', 'tlug', '--now']), /No digest of tlug sent: nothing since the last one/);

    const now = Date.now();
    await store.addLabels([
      { list: 'tlug', noticeId: 'n-a', rule: 'incendiary-language', severity: 'high', score: 0.9, label: 'confirm', moderator: 'mod@example.org', at: now },
      { list: 'tlug', noticeId: 'n-b', rule: 'incendiary-language', severity: 'high', score: 0.82, label: 'false-positive', moderator: 'mod@example.org', at: now },
      { list: 'tlug', noticeId: 'n-c', rule: 'off-topic-thread', severity: 'low', score: 0.6, label: 'confirm', moderator: 'mod@example.org', at: now - 40 * 86_400_000 },
    ]);
    const stats = await run(['stats', '-c', config, '--since', '30d']);
    assert.match(stats, /incendiary-language\s+1\s+1\s+50%\s+0\.90\s+0\.82/);
    assert.ok(!stats.includes('off-topic-thread'), 'labels older than the period are left out');
    const json = await run(['stats', '-c', config, '--since', '60d', '--json']);
    assert.deepEqual(json.trim().split('\n').map((l) => (JSON.parse(l) as { rule: string; precision: number }).precision), [0.5, 1]);
  } finally {
    delete process.env.LW_CMD_TEST_SMTP_PASS;
    rmSync(dir, { recursive: true, force: true });
    await smtp.close();
    await r.cleanup();
  }
});
