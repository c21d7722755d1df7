#!/usr/bin/env node
// Checks what docker-compose.yml must promise, on the file as `docker-compose config` normalized it (YAML on stdin).
//
// The parser already checked the syntax and the Compose schema; this checks our own contract: Redis with AOF
// and a health check, poller and workers as separate scalable services with the config read-only and secrets
// from an env file, and a demo profile with IMAP, a mail catcher and a one-shot feeder.
// Usage: docker-compose config | node deploy/ci/compose-checks.mjs docker-compose.yml
// The raw file is read too: `docker-compose config` (v1) inlines env files, and lists every profile's services.

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const rawFile = process.argv[2] ?? 'docker-compose.yml';
const doc = parse(readFileSync(0, 'utf8'));
const raw = parse(readFileSync(rawFile, 'utf8'), { merge: true });
const s = doc.services ?? {};
const problems = [];
const check = (ok, what) => {
  if (!ok) problems.push(what);
};
const cmd = (svc) => (Array.isArray(svc?.command) ? svc.command : String(svc?.command ?? '').split(/\s+/));
const argAfter = (svc, flag) => cmd(svc)[cmd(svc).indexOf(flag) + 1];

const redis = s.redis;
check(redis, 'a redis service');
if (redis) {
  const c = cmd(redis);
  check(argAfter(redis, '--appendonly') === 'yes', 'redis runs with --appendonly yes (AOF)');
  check(argAfter(redis, '--maxmemory-policy') === 'noeviction', 'redis runs with --maxmemory-policy noeviction (BullMQ needs it)');
  check(redis.healthcheck?.test && !redis.healthcheck.disable, 'redis has a health check');
  check((redis.volumes ?? []).some((v) => (typeof v === 'string' ? v : v.target)?.toString().includes('/data')), 'redis keeps /data on a volume');
  check(!c.includes('--save') || argAfter(redis, '--save') !== '', 'redis keeps its AOF');
}

for (const [name, role] of [['poller', 'poller'], ['worker', 'worker']]) {
  const svc = s[name];
  check(svc, `a ${name} service`);
  if (!svc) continue;
  const c = cmd(svc);
  check(c[0] === 'run' && argAfter(svc, '--role') === role, `${name} runs \`run --role ${role}\``);
  const ep = [svc.entrypoint ?? []].flat();
  check(ep[0] === 'node' && ep[1] === '/app/dist/cli.js', `${name} runs \`node /app/dist/cli.js\` (Node's default heap sizing, as the systemd unit)`);
  check(argAfter(svc, '--config')?.startsWith('/etc/listwarden/'), `${name} reads its config from /etc/listwarden/`);
  const mounts = (svc.volumes ?? []).map((v) => (typeof v === 'string' ? { target: v.split(':')[1], read_only: v.endsWith(':ro') } : v));
  check(mounts.some((m) => m.target === '/etc/listwarden' && m.read_only === true), `${name} mounts the config folder read-only`);
  const rawSvc = raw.services?.[name] ?? {};
  check(rawSvc.env_file && [rawSvc.env_file].flat().length > 0, `${name} takes its secrets from an env file`);
  check(!Object.keys(rawSvc.environment ?? {}).some((k) => /PASS|SECRET|TOKEN/.test(k)), `${name}: no secret written into the compose file`);
  check(svc.depends_on?.redis?.condition === 'service_healthy', `${name} waits for a healthy redis`);
  check(svc.read_only === true && (svc.cap_drop ?? []).includes('ALL'), `${name} runs with a read-only root and no capabilities`);
  check(!svc.profiles?.length, `${name} is in the default profile`);
  if (name === 'worker') {
    check(!svc.container_name, 'worker has no container_name (so --scale works)');
    check(!(svc.ports ?? []).some((p) => (typeof p === 'string' ? p.split(':').length > 1 : p.published)), 'worker publishes no fixed host port (so --scale works)');
  }
}

{
  for (const name of ['imap', 'mail', 'feed']) check(s[name]?.profiles?.includes('demo'), `${name} is in the demo profile only`);
  check(s.imap?.healthcheck?.test, 'the demo IMAP server has a health check');
  check((s.mail?.ports ?? []).some((p) => String(typeof p === 'string' ? p : p.target).includes('8025')), 'the mail catcher publishes its web UI (8025)');
  check(s.feed?.restart === 'no', 'the feeder is one-shot (restart: "no")');
  check(s.feed?.depends_on?.imap?.condition === 'service_healthy', 'the feeder waits for a healthy IMAP server');
  check(cmd(s.feed).some((a) => /rlug\.mbox$/.test(a)), 'the feeder appends the sample archive');
}

if (problems.length) {
  for (const p of problems) process.stderr.write(`compose-checks: missing: ${p}\n`);
  process.exit(1);
}
process.stdout.write(`compose-checks: ok (${Object.keys(s).sort().join(', ')})\n`);
