// `npm run soak`: the fault soak (scripts/soak/run.ts) from the command line; exit 0 when nothing was lost or duplicated.

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { FAULT_KINDS, type FaultKind } from './soak/faults.js';
import { formatSoakReport, runSoak } from './soak/run.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function positive(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a positive number');
  return n;
}

function faults(v: string): FaultKind[] {
  const kinds = v.split(',').map((k) => k.trim());
  const bad = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (bad.length) throw new InvalidArgumentError(`unknown fault(s) ${bad.join(', ')}; known: ${FAULT_KINDS.join(', ')}`);
  return kinds as FaultKind[];
}

const program = new Command('soak')
  .description('Fault soak: posts through a real Dovecot → listwarden (a poller and two workers as processes) → an SMTP catcher, while faults are injected at random. Loopback only; everything it starts is its own and is removed at the end.')
  .option('--minutes <n>', 'how long posts are sent and faults injected (the drain comes after)', positive, 3)
  .option('--corpus <dir>', 'the mailparser fixtures (spam.eml among them)', resolve(ROOT, '../shared/corpus/mailparser-fixtures'))
  .option('--rate <posts/s>', 'posts sent per second', positive, 2)
  .option('--seed <n>', 'random seed, to repeat a run', (v) => Number.parseInt(v, 10))
  .option('--drain <s>', 'longest wait for every post and alert after the stream', positive, 180)
  .option('--gap <lo-hi>', 'seconds between faults', '4-12')
  .option('--faults <list>', `only these faults (comma-separated): ${FAULT_KINDS.join(', ')}`, faults)
  .option('--small-hostile', 'shrink the 20 MB line, 50 MB attachment and 10,000 nested parts')
  .option('--json <file>', 'also write the full report as JSON here')
  .addHelpText(
    'after',
    `
Prints posts sent, verdicts, alerts received, duplicates, losses, the longest delays and the faults injected.
Exit 0 when no post or alert was lost or duplicated and no daemon crashed; 1 otherwise.

Examples:
  npm run soak                                   # 3 minutes
  npm run soak -- --minutes 10 --json soak.json
  npm run soak -- --minutes 2 --faults kill-worker,restart-redis --seed 42`,
  )
  .action(async (o: { minutes: number; corpus: string; rate: number; seed?: number; drain: number; gap: string; faults?: FaultKind[]; smallHostile?: boolean; json?: string }) => {
    const m = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(o.gap);
    if (!m) throw new InvalidArgumentError('--gap is LO-HI in seconds, e.g. 4-12');
    const report = await runSoak({
      minutes: o.minutes,
      corpusDir: o.corpus,
      postsPerSecond: o.rate,
      seed: o.seed,
      drainSeconds: o.drain,
      gapSeconds: [Number(m[1]), Number(m[2])],
      faults: o.faults,
      bigHostile: !o.smallHostile,
      log: (line) => process.stderr.write(`[soak] ${line}\n`),
    });
    process.stdout.write(formatSoakReport(report));
    if (o.json) writeFileSync(o.json, JSON.stringify(report, null, 2) + '\n');
    process.exitCode = report.ok ? 0 : 1;
  });

await program.parseAsync(process.argv);
