// scripts/validate-compose.sh: the compose file, Dockerfiles, runtime deps, demo IMAP image and systemd unit pass real parsers; broken ones fail.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function validate(args: string[], ms = 240_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['scripts/validate-compose.sh', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), ms);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

test('the shipped compose file, Dockerfiles, demo image and systemd unit pass every check', { timeout: 300_000 }, async () => {
  const { code, out } = await validate([]);
  assert.equal(code, 0, out);
  for (const line of [
    /^ok: docker-compose [\d.]+ parsed docker-compose\.yml/m,
    /^ok: services: feed imap mail poller redis worker$/m,
    /^ok: compose contract: /m,
    /^ok: LISTWARDEN_CONFIG_DIR, LISTWARDEN_CONFIG_FILE and LISTWARDEN_ENV_FILE take effect$/m,
    /^ok: deploy\/config\/listwarden\.yaml loads/m,
    /^ok: dockerfile-utils version [\d.]+ lint Dockerfile: no problems$/m,
    /^ok: dockerfile-utils version [\d.]+ lint deploy\/demo\/dovecot\.Dockerfile: no problems$/m,
    /^dockerfile-checks: Dockerfile: ok \(3 stage\(s\): build → deps → runtime; runs as node\)$/m,
    /^ok: runtime stage: .* replay \(2 alerts on the sample\)/m,
    /^ok: demo IMAP entrypoint runs Dovecot [\d.]+; health check passes; the feeder appends 18 posts/m,
    /^ok: systemd-analyze verify deploy\/listwarden@\.service: clean; security exposure [\d.]+ \(threshold 2\.5\)$/m,
    /^ok: shellcheck/m,
    /^validate-compose: all checks passed$/m,
  ]) {
    assert.match(out, line);
  }
});

/** Each broken variant must be refused, with the tool's own words. */
const BROKEN: { name: string; kind: 'compose' | 'dockerfile'; edit: (text: string) => string; says: RegExp }[] = [
  {
    name: 'an unknown service key (schema)',
    kind: 'compose',
    edit: (t) => t.replace('  poller:\n', '  poller:\n    restrat: always\n'),
    says: /restrat/,
  },
  {
    name: 'a depends_on condition compose does not know',
    kind: 'compose',
    edit: (t) => t.replace('condition: service_healthy', 'condition: service_ready'),
    says: /service_ready|condition/,
  },
  {
    name: 'Redis without AOF',
    kind: 'compose',
    edit: (t) => t.replace('"--appendonly", "yes"', '"--appendonly", "no"'),
    says: /missing: redis runs with --appendonly yes \(AOF\)/,
  },
  {
    name: 'a worker with a fixed container name (cannot --scale)',
    kind: 'compose',
    edit: (t) => t.replace('  worker:\n    <<: *listwarden\n', '  worker:\n    <<: *listwarden\n    container_name: lw-worker\n'),
    says: /missing: worker has no container_name/,
  },
  {
    name: 'the config mounted writable',
    kind: 'compose',
    edit: (t) => t.replace(':/etc/listwarden:ro', ':/etc/listwarden'),
    says: /missing: poller mounts the config folder read-only/,
  },
  {
    name: 'a misspelt HEALTHCHECK flag',
    kind: 'dockerfile',
    edit: (t) => t.replace('HEALTHCHECK --interval=30s', 'HEALTHCHECK --intervl=30s'),
    says: /Unknown flag: intervl/,
  },
  {
    name: 'a runtime stage running as root',
    kind: 'dockerfile',
    edit: (t) => t.replace('USER node', 'USER root'),
    says: /missing: the final stage runs as a non-root USER/,
  },
  {
    name: 'COPY --from a stage that does not exist',
    kind: 'dockerfile',
    edit: (t) => t.replace('--from=deps', '--from=dep'),
    says: /missing: COPY --from=dep names a stage defined above/,
  },
];

for (const b of BROKEN) {
  test(`validate-compose refuses ${b.name}`, { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-broken-'));
    try {
      const src = b.kind === 'compose' ? 'docker-compose.yml' : 'Dockerfile';
      const broken = join(dir, src);
      const original = readFileSync(join(ROOT, src), 'utf8');
      const edited = b.edit(original);
      assert.notEqual(edited, original, 'the edit applies to the shipped file');
      writeFileSync(broken, edited);
      const { code, out } = await validate(['--only', b.kind, b.kind === 'compose' ? '--compose' : '--dockerfile', broken]);
      assert.equal(code, 1, out);
      assert.match(out, /FAILED: /);
      assert.match(out, b.says);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
