// `npm run bench`: replay throughput and peak memory on a generated archive, against a bare mailparser loop; then the
// live daemon's figures (bench/daemon-bench.ts) when Redis (and, for the live part, Dovecot) are there.
//   npm run bench -- [--posts N] [--big-mb MB] [--config FILE] [--real DIR] [--no-daemon] [--daemon-posts N]
// --real DIR: the pipeline also on real list mail, the *.mbox files of DIR (default ../shared/eval/offtopic; "" skips).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateArchive } from './generate-archive.js';
import { replayNodeFlags } from './daemon-common.js';
import { dovecotAvailable } from '../test/helpers/dovecot.js';

const { values } = parseArgs({
  options: {
    posts: { type: 'string', default: '20000' },
    'big-mb': { type: 'string', default: '0' },
    real: { type: 'string', default: '../shared/eval/offtopic' },
    config: { type: 'string' },
    // The daemon section is on by default; --no-daemon leaves it out.
    'no-daemon': { type: 'boolean', default: false },
    'daemon-posts': { type: 'string', default: '2000' },
  },
});
const posts = Number(values.posts);
const dir = '.bench';
mkdirSync(dir, { recursive: true });

interface PhaseResult {
  phase: string; posts: number; seconds: number; cpuSeconds: number; postsPerSecond: number; postsPerCpuSecond: number;
  maxRssMB: number; flags: number; parseSeconds: number; restSeconds: number; ruleSeconds?: Record<string, number>;
}

// The phases run the compiled code in dist/ under the bin's V8 flags, as `listwarden replay` does (src/ through tsx
// is markedly slower).
execFileSync('npm', ['run', 'build', '--silent']);
const replayFlags = replayNodeFlags();

function runPhase(phase: string, archive: string, passes = 1): PhaseResult {
  const args = [...replayFlags, '--import', 'tsx', 'bench/phase.ts', phase, archive, ...(values.config ? [values.config] : [])];
  const env = { ...process.env, LISTWARDEN_BENCH_CODE: 'dist', LISTWARDEN_BENCH_PASSES: String(passes) };
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20, env });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as PhaseResult;
}

const archive = join(dir, `archive-${posts}.mbox`);
if (!existsSync(archive)) await generateArchive(archive, posts, { seed: 1 });
const mb = statSync(archive).size / 1e6;
console.log(`archive: ${archive}, ${posts} posts, ${mb.toFixed(1)} MB; each phase in its own process, compiled code, node ${replayFlags.join(' ')} (the bin's flags)`);

// This host's timing moves by ±15% from one run to the next on an idle machine (a shared VM): the pipeline, whose
// figures the targets judge, runs three times and its median run (by CPU rate) is reported, the three rates beside it.
const PIPELINE_RUNS = 3;
const pipelineRuns = Array.from({ length: PIPELINE_RUNS }, () => runPhase('pipeline', archive));
const byRate = [...pipelineRuns].sort((a, b) => a.postsPerCpuSecond - b.postsPerCpuSecond);
const medianPipeline = byRate[Math.floor(byRate.length / 2)] as PhaseResult;
const results = [...['read', 'mailparser', 'parse'].map((p) => runPhase(p, archive)), medianPipeline];
const row = (r: PhaseResult) =>
  `${r.phase.padEnd(11)} ${r.posts.toString().padStart(7)} posts ${r.seconds.toFixed(2).padStart(7)} s ${r.postsPerSecond.toFixed(0).padStart(7)} posts/s ` +
  `(${r.postsPerCpuSecond.toFixed(0).padStart(6)} per CPU s)  peak RSS ${r.maxRssMB.toFixed(0)} MB`;
console.log('\nphase        posts           time    rate (wall)   (CPU)           memory');
for (const r of results) console.log(row(r));
const pipeline = results.find((r) => r.phase === 'pipeline');
if (pipeline) {
  const share = pipeline.restSeconds / pipeline.parseSeconds;
  console.log(`\npipeline: the median of ${PIPELINE_RUNS} runs (${pipelineRuns.map((r) => r.postsPerCpuSecond.toFixed(0)).join(', ')} posts per CPU second; ` +
    `threads+rules+decide ${pipelineRuns.map((r) => `${((100 * r.restSeconds) / r.parseSeconds).toFixed(0)}%`).join(', ')} of parse)`);
  console.log(`pipeline: parse ${pipeline.parseSeconds.toFixed(2)} s, threads+rules+decide ${pipeline.restSeconds.toFixed(2)} s ` +
    `(${(share * 100).toFixed(0)}% of parse; target ≤ 33%: ${share <= 1 / 3 ? 'met' : 'NOT met'}), ${pipeline.flags} flags`);
  const rules = Object.entries(pipeline.ruleSeconds ?? {}).sort((a, b) => b[1] - a[1]);
  const rulesTotal = rules.reduce((a, [, sec]) => a + sec, 0);
  if (rules.length) {
    console.log(`  of which the rules alone ${rulesTotal.toFixed(2)} s (${((100 * rulesTotal) / pipeline.parseSeconds).toFixed(0)}% of parse: ` +
      `${rules.map(([rule, sec]) => `${rule} ${((1e6 * sec) / pipeline.posts).toFixed(0)} µs/post`).join(', ')}); threads and decide the rest`);
    // The target is judged against listwarden's own parse (above), which is several times faster than mailparser;
    // against the bare mailparser loop, the floor the bench prints beside it, the same rules are a smaller share.
    const floor = results.find((r) => r.phase === 'mailparser');
    if (floor) {
      const floorUs = (1e6 * floor.seconds) / floor.posts;
      console.log(`  against the bare mailparser loop (${floorUs.toFixed(0)} µs/post wall): the rules are ` +
        `${((100 * (1e6 * rulesTotal) / pipeline.posts) / floorUs).toFixed(0)}% of it (for information; the target is judged against listwarden's parse)`);
    }
  }
  // Judged per CPU second: the wall rate has V8's GC threads working on a second core beside the main thread.
  console.log(`target ≥ 3000 posts/s for parse + rules on one core: ${pipeline.postsPerCpuSecond >= 3000 ? 'met' : 'NOT met'} ` +
    `(${pipeline.postsPerCpuSecond.toFixed(0)} per CPU second; ${pipeline.postsPerSecond.toFixed(0)} posts/s wall, GC threads on the second core)`);
}

// Real list mail (a few hundred posts a list): is the generated archive's split between parse and the rules what real
// posts show? Its lists one after another in one mbox, replayed until about as many posts as the generated archive
// have gone through, each pass with fresh thread state, in one process (so past V8's warm-up, as a long replay is).
const realDir = values.real;
const realFiles = realDir && existsSync(realDir) ? readdirSync(realDir).filter((f) => f.endsWith('.mbox')).sort() : [];
if (realFiles.length === 0) {
  console.log(`\nreal list mail: skipped (${realDir ? `no *.mbox in ${realDir}` : '--real ""'})`);
} else {
  const real = join(dir, 'real-lists.mbox');
  // One after another; a file that does not end its last line gets a newline, so the next "From " starts a line.
  const parts = realFiles.map((f) => readFileSync(join(realDir, f)));
  writeFileSync(real, Buffer.concat(parts.flatMap((b) => (b.length && b[b.length - 1] !== 0x0a ? [b, Buffer.from('\n')] : [b]))));
  const once = runPhase('pipeline', real);
  const passes = Math.max(2, Math.round(posts / Math.max(1, once.posts)));
  const r = runPhase('pipeline', real, passes);
  const rulesSec = Object.values(r.ruleSeconds ?? {}).reduce((a, b) => a + b, 0);
  console.log(`\nreal list mail (${realFiles.join(', ')} in ${realDir}: ${once.posts} posts, replayed ${passes} times in one process):`);
  console.log(`  ${r.postsPerCpuSecond.toFixed(0)} posts per CPU second (one pass alone: ${once.postsPerCpuSecond.toFixed(0)}); ` +
    `threads+rules+decide ${((100 * r.restSeconds) / r.parseSeconds).toFixed(0)}% of parse, the rules alone ${((100 * rulesSec) / r.parseSeconds).toFixed(0)}% ` +
    `(parse ${((1e6 * r.parseSeconds) / r.posts).toFixed(0)} µs/post; ` +
    `${Object.entries(r.ruleSeconds ?? {}).map(([rule, sec]) => `${rule} ${((1e6 * sec) / r.posts).toFixed(0)} µs/post`).join(', ')})`);
}

const bigMb = Number(values['big-mb']);
if (bigMb > 0) {
  // The real command, as a moderator runs it (compiled, with its own heap settings): replay's peak RSS.
  const bigPosts = Math.round((bigMb * 1e6) / (statSync(archive).size / posts));
  const big = join(dir, `archive-big-${bigPosts}.mbox`);
  if (!existsSync(big)) await generateArchive(big, bigPosts, { seed: 2 });
  const started = performance.now();
  const r = spawnSync('dist/cli.js', ['replay', '--no-progress', '--format', 'json', '--out', '/dev/null', ...(values.config ? ['--config', values.config] : []), big], { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  const rss = /peak RSS (\d+) MB/.exec(r.stderr)?.[1] ?? '?';
  const read = /posts read:\s+(\d+)/.exec(r.stderr)?.[1] ?? '?';
  console.log(`\nbig archive ${(statSync(big).size / 1e9).toFixed(2)} GB, ${read} posts via dist/cli.js replay: ${seconds.toFixed(0)} s, ` +
    `${(Number(read) / seconds).toFixed(0)} posts/s, peak RSS ${rss} MB (target < 256 MB), exit ${r.status}`);
}

/** True when a Redis answers PING at this URL's host and port within a second. */
async function redisAnswers(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = connect(Number(u.port || 6379), u.hostname);
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => done(/^\+PONG|^-NOAUTH/.test(d.toString())));
  });
}

if (values['no-daemon']) {
  console.log('\ndaemon: skipped (--no-daemon)');
} else {
  const redisUrl = process.env.LISTWARDEN_TEST_REDIS ?? 'redis://127.0.0.1:6379';
  console.log(`\ndaemon (BullMQ + Redis store at ${redisUrl}; bench/daemon-bench.ts):`);
  if (!(await redisAnswers(redisUrl))) {
    console.log(`  skipped: no Redis answers at ${redisUrl} (set LISTWARDEN_TEST_REDIS, or --no-daemon)`);
  } else {
    const live = dovecotAvailable();
    if (!live) console.log('  EXISTS/APPEND→verdict skipped: Dovecot is not installed (apt-get install dovecot-imapd); throughput only');
    const args = ['--import', 'tsx', 'bench/daemon-bench.ts', '--posts', values['daemon-posts'], '--concurrency', '8', ...(live ? [] : ['--skip-live'])];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 22, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LISTWARDEN_BENCH_BUILT: '1' } });
    if (r.status !== 0) console.log(`  failed (exit ${r.status}):\n${r.stderr}`);
    else for (const line of r.stdout.trim().split('\n')) console.log(`  ${line}`);
  }
}
