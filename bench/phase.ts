// One benchmark phase in its own process (so peak RSS is its own): bare mailparser, parse, or the full pipeline.
//   node --import tsx bench/phase.ts PHASE ARCHIVE [CONFIG]
// LISTWARDEN_BENCH_PASSES=N (pipeline only) replays the archive N times in the one process, each pass with a fresh
// pipeline (empty thread state) and the JIT as the previous passes left it: how a small archive (real list mail)
// is measured past V8's warm-up.
// LISTWARDEN_BENCH_CODE=dist (what bench/run.ts sets, after `npm run build`) runs the compiled modules in dist/, the
// code `listwarden` itself runs; anything else runs src/ through tsx (slower: tsx wraps every inner function).

import { benchModule } from './daemon-common.js';

type Phase = 'read' | 'mailparser' | 'parse' | 'pipeline';

const { bareSimpleParse } = await benchModule<typeof import('../src/parse/mailparser-adapter.js')>('parse/mailparser-adapter.js');
const { readArchive } = await benchModule<typeof import('../src/ingest/archive/index.js')>('ingest/archive/index.js');
const { parsePost } = await benchModule<typeof import('../src/parse/index.js')>('parse/index.js');
const { createPipeline } = await benchModule<typeof import('../src/pipeline/index.js')>('pipeline/index.js');
const { loadConfig } = await benchModule<typeof import('../src/config/index.js')>('config/index.js');
const { createLogger } = await benchModule<typeof import('../src/log.js')>('log.js');

/** CPU time of this process, ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function main(): Promise<void> {
  const [phase, archive, configFile] = process.argv.slice(2) as [Phase, string, string | undefined];
  const config = await loadConfig(configFile);
  const passes = phase === 'pipeline' ? Math.max(1, Number(process.env.LISTWARDEN_BENCH_PASSES) || 1) : 1;
  const ruleMs = new Map<string, number>();
  let posts = 0;
  let flags = 0;
  let parseMs = 0;
  let restMs = 0;
  const start = performance.now();
  const cpuStart = cpuMs();
  for (let pass = 0; pass < passes; pass++) {
    const pipeline = createPipeline(config, { log: createLogger('silent') });
    for await (const item of readArchive(archive)) {
      if (item.kind !== 'mail') continue;
      posts += 1;
      if (phase === 'mailparser') await bareSimpleParse(item.raw);
      else if (phase === 'parse') await parsePost(item.raw);
      else if (phase === 'pipeline') {
        // The split by the clock (a CPU-time reading costs ~10 µs here, as much as a rule); the totals are CPU time.
        const t0 = performance.now();
        const post = await parsePost(item.raw);
        const t1 = performance.now();
        const out = await pipeline.processPost(post);
        restMs += performance.now() - t1;
        parseMs += t1 - t0;
        if (out.kind === 'verdict') flags += out.verdict.flags.length;
      }
    }
    for (const [rule, ms] of pipeline.ruleTimes()) ruleMs.set(rule, (ruleMs.get(rule) ?? 0) + ms);
  }
  const seconds = (performance.now() - start) / 1000;
  const cpuSeconds = (cpuMs() - cpuStart) / 1000;
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    JSON.stringify({
      phase, code: process.env.LISTWARDEN_BENCH_CODE === 'dist' ? 'dist' : 'src', posts, seconds, cpuSeconds, postsPerSecond: posts / seconds, postsPerCpuSecond: posts / cpuSeconds,
      maxRssMB, flags, parseSeconds: parseMs / 1000, restSeconds: restMs / 1000,
      // The rules alone (the RuleRunner's own clock, inside restSeconds), rule by rule.
      ruleSeconds: Object.fromEntries([...ruleMs].map(([rule, ms]) => [rule, ms / 1000])),
      passes,
    }) + '\n',
  );
}

await main();
