// `npm run eval [-- DATA_DIR]`: both detectors through the real pipeline on labelled data; writes docs/quality.md.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const dataDir = resolve(process.argv[2] ?? join(root, '../shared/eval'));
const tmp = mkdtempSync(join(tmpdir(), 'lw-eval-'));

function run(script: string, out: string): string {
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', script), dataDir, '--markdown', out], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
  });
  process.stdout.write(stdout);
  return readFileSync(out, 'utf8');
}

try {
  console.log(`== incendiary-language on ${join(dataDir, 'incendiary')}`);
  const incendiary = run('eval-incendiary.ts', join(tmp, 'incendiary.md'));
  console.log(`\n== off-topic-thread on ${join(dataDir, 'offtopic')}`);
  const offtopic = run('eval-offtopic.ts', join(tmp, 'offtopic.md'));
  const doc = `# Detector quality

Measured by \`npm run eval\` (scripts/eval.ts) on the development data in \`../shared/eval\` (see its README), through
the real pipeline: each text is wrapped as a post and goes through parse (quote splitting) and the rules; each list
archive is read, parsed, threaded and judged as \`listwarden replay\` would.

## incendiary-language

Held out: the learned part of the detector is trained only on the MIT-licensed sets (github-locked-issues,
github-comments-strudel) and data written for the project (scripts/train-incendiary.ts). Their figures below are
5-fold cross-validation grouped by issue (a comment is never scored by a model that saw its thread). ToxiCR
(GPL-3.0) is never trained on: it is evaluated only.

${incendiary.trim()}

Published figures for comparison (from the data's README): on ToxiCR, ToxiCR (BERT) P 0.908 R 0.874 F1 0.890;
STRUDEL retrained F1 0.858; Perspective API (TOXICITY ≥ 0.5) F1 ≈ 0.55. On github-comments-strudel: STRUDEL
retrained F1 0.40; Perspective F1 ≈ 0.42.

## off-topic-thread

Held out by date: each list's profile is learned from the older half of its archive and scored on the newer half
with the FoRK threads (off-topic for any of these lists) mixed in by date; "2 folds" also swaps the halves and adds
both results; "config only" uses the list's description and terms alone, no archive. A thread counts as off-topic
when most of its posts come from the FoRK file, and as flagged when any of its posts gets an off-topic flag that
decide keeps.

${offtopic.trim()}
`;
  writeFileSync(join(root, 'docs/quality.md'), doc);
  console.log('\nwrote docs/quality.md');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
