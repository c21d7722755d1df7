// The incendiary model's training and loading code, on a few texts written for this test, and the shipped model file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadModel, predict, shippedModel, type IncendiaryModelFile } from '../../src/rules/incendiary/model.js';
import { createScorer } from '../../src/rules/incendiary/scorer.js';
import { featurize, toModelFile, train, type LabelledText } from '../../src/rules/incendiary/train.js';

const written: LabelledText[] = [
  ['you clearly never read anything before typing', 1],
  ['typical, you never read anything', 1],
  ['you never read the thread, do you', 1],
  ['thanks for the patch, merged', 0],
  ['the patch looks good to me', 0],
  ['could you rebase on main please', 0],
  ['merged, thanks for the quick fix', 0],
  ['I read the thread and agree with the plan', 0],
].map(([text, label], i) => ({ id: `w${i}`, text: String(text), label: Number(label), kind: label ? 'mocking' : 'none', group: `g${i}` }));

test('train learns the written examples, and the shipped form predicts as the trained one', () => {
  const rows = featurize(written);
  const model = train(rows, { epochs: 30, l2: 1e-6, learningRate: 0.3, seed: 1 });
  const hostile = predict(model, rows[0]?.features ?? []);
  const civil = predict(model, rows[3]?.features ?? []);
  assert.ok(hostile > 0.7 && civil < 0.3, `hostile ${hostile}, civil ${civil}`);
  const file = toModelFile(model, 'test-1', 'written examples');
  const reloaded = loadModel(JSON.parse(JSON.stringify(file)) as IncendiaryModelFile);
  assert.equal(reloaded.version, 'test-1');
  assert.ok(Math.abs(predict(reloaded, rows[0]?.features ?? []) - hostile) < 0.02);
  // A scorer with this model lifts the unseen variant and names its words as evidence.
  const score = createScorer({ model: reloaded })('you never read anything, clearly');
  assert.ok(score.score > 0.3, `score ${score.score}`);
  assert.ok(score.spans.some((s) => s.kind === 'model' && /read|never|clearly/.test(s.text)));
});

test('the shipped model is small, versioned, and records what it was trained on (MIT sets only)', () => {
  const path = new URL('../../src/rules/incendiary/model.json', import.meta.url);
  const raw = readFileSync(path, 'utf8');
  assert.ok(raw.length < 2 * 1024 * 1024, `${raw.length} bytes`);
  const file = JSON.parse(raw) as IncendiaryModelFile;
  assert.match(file.version, /^lr-lex-\d+-\d{4}-\d{2}-\d{2}$/);
  assert.equal(file.idx.length, file.w.length);
  assert.match(file.trainedOn, /github-locked-issues/);
  assert.doesNotMatch(file.trainedOn, /toxicr/i);
  assert.equal(shippedModel().version, file.version);
});

test('featureLogit and topWordFeatures give what extractFeatures and topContributions give, text after text', async () => {
  const { extractFeatures, featureLogit, topWordFeatures } = await import('../../src/rules/incendiary/features.js');
  const { topContributions } = await import('../../src/rules/incendiary/model.js');
  const { compileLexicon } = await import('../../src/rules/incendiary/lexicon.js');
  const { findHits } = await import('../../src/rules/incendiary/lexical.js');
  const { tokenize } = await import('../../src/rules/incendiary/tokens.js');
  const model = shippedModel();
  const lex = compileLexicon();
  const texts = [
    ...written.map((w) => w.text),
    'you clearly never read anything, typical of you people!! why??',
    'I am an idiot for missing this, not a stupid idea at all',
    'read read read the the the docs docs',
    '',
    'ok',
  ];
  for (const text of texts) {
    const tokens = tokenize(text);
    const hits = findHits(lex, tokens, text);
    const features = extractFeatures(tokens, hits, model.dim);
    let z = model.bias;
    for (const f of features) z += (model.weights[f.index] ?? 0) * f.value;
    assert.equal(featureLogit(tokens, hits, model.weights, model.dim, model.bias), z, text);
    for (const n of [1, 2, 5]) assert.deepEqual(topWordFeatures(model.weights, n), topContributions(model, features, n), text);
  }
});
