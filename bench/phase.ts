// One benchmark phase in its own process (so peak RSS is its own): bare mailparser, parse, or the full pipeline.

import { bareSimpleParse } from '../src/parse/mailparser-adapter.js';
import { readArchive } from '../src/ingest/archive/index.js';
import { parsePost } from '../src/parse/index.js';
import { createPipeline } from '../src/pipeline/index.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/log.js';

type Phase = 'read' | 'mailparser' | 'parse' | 'pipeline';

async function main(): Promise<void> {
  const [phase, archive, configFile] = process.argv.slice(2) as [Phase, string, string | undefined];
  const config = await loadConfig(configFile);
  const pipeline = createPipeline(config, { log: createLogger('silent') });
  let posts = 0;
  let flags = 0;
  let parseMs = 0;
  const start = performance.now();
  for await (const item of readArchive(archive)) {
    if (item.kind !== 'mail') continue;
    posts += 1;
    if (phase === 'mailparser') await bareSimpleParse(item.raw);
    else if (phase === 'parse') await parsePost(item.raw);
    else if (phase === 'pipeline') {
      const t0 = performance.now();
      const post = await parsePost(item.raw);
      parseMs += performance.now() - t0;
      const out = await pipeline.processPost(post);
      if (out.kind === 'verdict') flags += out.verdict.flags.length;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ phase, posts, seconds, postsPerSecond: posts / seconds, maxRssMB, flags, parseSeconds: parseMs / 1000 }) + '\n');
}

await main();
