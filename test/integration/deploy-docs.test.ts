// docs/rule-tuning.md shows real output: each console block whose files are in the repo is run and must print what the guide shows.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const guide = readFileSync(new URL('../../docs/rule-tuning.md', import.meta.url), 'utf8');

/** `$ command` + its output, from each ```console block holding one command. */
const blocks = [...guide.matchAll(/```console\n\$ (.+)\n([\s\S]*?)```/g)]
  .map((m) => ({ command: m[1]!, shown: m[2]! }))
  .filter((b) => !b.shown.startsWith('$ ') && !b.shown.includes('\n$ '));

const runnable = blocks.filter((b) => b.command.startsWith('npx listwarden ') && b.command.split(' ').filter((a) => /\.(ya?ml|mbox|eml)$/.test(a) || a.endsWith('/fixtures')).every((a) => existsSync(`${ROOT}/${a}`)));

test('the rule-tuning guide has runnable commands', () => {
  assert.ok(runnable.length >= 5, `found ${runnable.length} runnable blocks`);
});

for (const b of runnable) {
  test(`docs/rule-tuning.md: ${b.command}`, { timeout: 60_000 }, () => {
    const args = b.command.replace(/^npx listwarden /, '').replace(/ 2>\/dev\/null$/, '').split(' ');
    let out: string;
    try {
      out = execFileSync(process.execPath, ['dist/cli.js', ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch (err) {
      out = (err as { stdout?: string }).stdout ?? '';
    }
    // A retrained model changes its version tag, not what the guide teaches: versions are compared as "v…".
    const norm = (t: string): string => t.trimEnd().replace(/^(\S+) v\S+ — /gm, '$1 v… — ');
    assert.equal(norm(out), norm(b.shown));
  });
}
