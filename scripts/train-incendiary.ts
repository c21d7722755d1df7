// Trains the incendiary model on the MIT-licensed eval sets and writes src/rules/incendiary/model.json.
// Usage: node --import tsx scripts/train-incendiary.ts [DATA_DIR]   (default ../shared/eval beside the repo)
//
// Only github-locked-issues and github-comments-strudel (MIT) are used: ToxiCR is GPL and is evaluated, never
// learned from. The shipped model is trained on all rows of both sets; held-out figures for them come from the
// grouped cross-validation in scripts/eval-incendiary.ts, never from this model.

import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LEXICON_VERSION } from '../src/rules/incendiary/scorer.js';
import { DEFAULT_TRAIN, featurize, readJsonl, toModelFile, train } from '../src/rules/incendiary/train.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = resolve(process.argv[2] ?? join(repoRoot, '../shared/eval'));
const sets = ['github-locked-issues.jsonl', 'github-comments-strudel.jsonl'];
const texts = sets.flatMap((f) => readJsonl(join(dataDir, 'incendiary', f)));
const t0 = performance.now();
const model = train(featurize(texts), DEFAULT_TRAIN);
// The version names the lexicon the features were built with and the day it was trained.
const version = `lr-${LEXICON_VERSION}-${new Date().toISOString().slice(0, 10)}`;
const file = toModelFile(model, version,  `${sets.join(' + ')} (${texts.length} comments, MIT), ${JSON.stringify(DEFAULT_TRAIN)}`);
const out = join(repoRoot, 'src/rules/incendiary/model.json');
const json = JSON.stringify(file);
writeFileSync(out, json + '\n');
console.log(`trained on ${texts.length} comments in ${Math.round(performance.now() - t0)} ms; kept ${file.idx.length} weights; ${(json.length / 1024).toFixed(0)} KiB → ${out}`);
