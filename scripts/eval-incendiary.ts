// Measures incendiary-language on the labelled eval sets: P/R/F1 per dataset, technical-vocabulary false positives,
// and posts/s. Usage: node --import tsx scripts/eval-incendiary.ts [DATA_DIR] [--folds 5] [--markdown FILE]
//
// The MIT sets (github-locked-issues, github-comments-strudel) are what the shipped model learns from, so their
// figures come from k-fold cross-validation grouped by issue: each comment is scored by a model that never saw its
// issue. ToxiCR (GPL) is never trained on; it is scored by the shipped model as is.

import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Post } from '../src/model/post.js';
import { ownTextOf, splitBody } from '../src/parse/index.js';
import type { Thread } from '../src/model/thread.js';
import type { RuleContext, Rule } from '../src/rules/types.js';
import { INCENDIARY_LEVELS, createIncendiaryRule, incendiaryLanguage } from '../src/rules/incendiary-language.js';
import { findHits } from '../src/rules/incendiary/lexical.js';
import { compileLexicon } from '../src/rules/incendiary/lexicon.js';
import { tokenize } from '../src/rules/incendiary/tokens.js';
import { attackClass, featurize, foldOf, readJsonl, train, type LabelledText } from '../src/rules/incendiary/train.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const folds = Number(flag('--folds') ?? 5);
const markdownOut = flag('--markdown');
const dataDir = resolve(args[0] ?? join(repoRoot, '../shared/eval'));
const dir = join(dataDir, 'incendiary');
if (!existsSync(dir)) {
  console.error(`no incendiary eval data under ${dataDir} (expected ${dir}/*.jsonl)`);
  process.exit(1);
}

/** A text wrapped as a post the way parse would see its body: quotes, attributions and code split off by splitBody. */
function wrap(id: string, text: string): Post {
  const segments = splitBody(text);
  const quoted = segments.filter((s) => s.kind === 'quote').map((s) => s.text);
  return {
    messageId: `<${id}@eval.invalid>`,
    messageIdSynthetic: false,
    references: [],
    from: { address: 'someone@eval.invalid' },
    author: 'someone@eval.invalid',
    subject: '',
    normalizedSubject: '',
    segments,
    ownText: ownTextOf(segments),
    quotedText: quoted.join('\n'),
    headers: {},
    size: text.length,
    htmlOnly: false,
    attachments: [],
    warnings: [],
  };
}

/** The words the rule scores: the text's own part, as wrap() hands it to the rule. */
const scoredText = (text: string): string => ownTextOf(splitBody(text));

const thread: Thread = { id: 't', list: 'eval', subject: '', normalizedSubject: '', posts: [], postCount: 0, participants: {}, flagged: {} };
const ctx = { settings: { enabled: true, options: {} } } as unknown as RuleContext;

function scoreWith(rule: Rule, rows: LabelledText[]): number[] {
  return scorePosts(rule, rows.map((r) => wrap(r.id, r.text)));
}
function scorePosts(rule: Rule, posts: Post[]): number[] {
  return posts.map((p) => rule.measure?.(p, thread, ctx) ?? 0);
}

interface Figures { p: number; r: number; f1: number; tp: number; fp: number; fn: number; }
function prf(scores: number[], gold: boolean[], t: number): Figures {
  let tp = 0, fp = 0, fn = 0;
  scores.forEach((s, i) => {
    const g = gold[i] === true;
    if (s >= t && g) tp++;
    else if (s >= t) fp++;
    else if (g) fn++;
  });
  const p = tp + fp ? tp / (tp + fp) : 0;
  const r = tp + fn ? tp / (tp + fn) : 0;
  return { p, r, f1: p + r ? (2 * p * r) / (p + r) : 0, tp, fp, fn };
}
function bestF1(scores: number[], gold: boolean[], minPrecision = 0): { t: number; f: Figures } {
  let best = { t: 0, f: prf(scores, gold, 0) };
  if (best.f.p < minPrecision) best.f = { ...best.f, f1: 0 };
  for (let t = 0.05; t < 1; t += 0.01) {
    const f = prf(scores, gold, t);
    if (f.p >= minPrecision && f.f1 > best.f.f1) best = { t, f };
  }
  return best;
}

const locked = readJsonl(join(dir, 'github-locked-issues.jsonl'));
const strudel = readJsonl(join(dir, 'github-comments-strudel.jsonl'));
const toxicr = existsSync(join(dir, 'toxicr-code-review.jsonl')) ? readJsonl(join(dir, 'toxicr-code-review.jsonl')) : [];

// ToxiCR with the shipped model, timed: this is also the speed figure (rule measure() on posts already parsed).
// CPU time rather than wall time: the figure should not depend on what else the machine is running.
const toxPosts = toxicr.map((r) => wrap(r.id, r.text));
const cpu0 = process.cpuUsage();
const toxScores = scorePosts(incendiaryLanguage, toxPosts);
const cpu = process.cpuUsage(cpu0);
const toxMs = (cpu.user + cpu.system) / 1000;

// The same over the longer github-locked-issues comments. Both are timed before cross-validation fills the heap.
const lockedPosts = locked.map((r) => wrap(`${r.id}-speed`, r.text));
const cpu1 = process.cpuUsage();
scorePosts(incendiaryLanguage, lockedPosts);
const cpuLocked = process.cpuUsage(cpu1);
const lockedSpeed = lockedPosts.length / ((cpuLocked.user + cpuLocked.system) / 1e6);

// Out-of-fold scores for the MIT sets: train on k-1 folds of both sets, score the held-out fold.
const mit = [...locked, ...strudel];
const mitRows = featurize(mit);
const oof = new Map<string, number>();
for (let f = 0; f < folds; f++) {
  const trainRows = mitRows.filter((_, i) => foldOf(mit[i] as LabelledText, folds) !== f);
  const model = train(trainRows);
  const rule = createIncendiaryRule({ model: { ...model, version: `cv${f}` } });
  const held = mit.filter((r) => foldOf(r, folds) === f);
  scoreWith(rule, held).forEach((s, i) => oof.set((held[i] as LabelledText).id, s));
  process.stderr.write(`fold ${f + 1}/${folds} done\n`);
}
const oofOf = (rows: LabelledText[]): number[] => rows.map((r) => oof.get(r.id) ?? 0);

const ALERT = INCENDIARY_LEVELS.medium;
const FLAG = INCENDIARY_LEVELS.flagAt;
const HIGH = INCENDIARY_LEVELS.high;
// The shipped config's decide.digestAt: flags below it are dropped by decide, whatever the rule said.
const DIGEST = 0.45;
const rows: string[][] = [];
const add = (name: string, labels: string, scores: number[], gold: boolean[], t: number, note = ''): void => {
  const f = prf(scores, gold, t);
  const b = bestF1(scores, gold);
  rows.push([name, labels, t.toFixed(2), f.p.toFixed(3), f.r.toFixed(3), f.f1.toFixed(3), `${f.tp}/${f.fp}/${f.fn}`, `${b.f.f1.toFixed(3)} @ ${b.t.toFixed(2)}`, note]);
};

let ceiling = '';
{
  // Attacks vs civil comments; frustration, impatience, entitlement and irony left out of this figure (see below).
  const sub = locked.filter((r) => attackClass(r) !== 'uncivil');
  const s = oofOf(sub);
  const g = sub.map((r) => attackClass(r) === 'attack');
  // What limits a word-based detector here: attacks whose own words hold no counted lexicon hit at all.
  const lex = compileLexicon();
  const hasHit = (r: LabelledText): boolean => {
    const text = scoredText(r.text);
    return findHits(lex, tokenize(text), text).some((h) => h.weight > 0);
  };
  const attacks = sub.filter((r) => attackClass(r) === 'attack');
  const civil = sub.filter((r) => attackClass(r) === 'civil');
  const p85 = bestF1(s, g, 0.85);
  ceiling =
    `Attack vs civil at any threshold with precision ≥ 0.85 (chosen in hindsight): best F1 ${p85.f.f1.toFixed(3)} (R ${p85.f.r.toFixed(3)} @ ${p85.t.toFixed(2)}). ` +
    `${attacks.filter((r) => !hasHit(r)).length}/${attacks.length} attack comments have no lexicon hit in their own words (mockery, sarcasm, ` +
    `insults without an insulting word, replies that need the thread to read), against ${civil.filter(hasHit).length}/${civil.length} civil comments with one.`;
  add('github-locked-issues', 'attack vs civil', s, g, ALERT, `${folds}-fold CV by issue`);
  add('github-locked-issues', 'attack vs civil', s, g, HIGH, `${folds}-fold CV by issue`);
  const all = oofOf(locked);
  add('github-locked-issues', 'attack vs rest', all, locked.map((r) => attackClass(r) === 'attack'), ALERT, `${folds}-fold CV by issue`);
  add('github-locked-issues', 'dataset label (any incivility)', all, locked.map((r) => r.label === 1), FLAG, `${folds}-fold CV by issue`);
}
{
  const s = oofOf(strudel);
  const g = strudel.map((r) => r.label === 1);
  add('github-comments-strudel', 'dataset label', s, g, ALERT, `${folds}-fold CV`);
  add('github-comments-strudel', 'dataset label', s, g, FLAG, `${folds}-fold CV`);
}
let toxNote = '';
if (toxicr.length) {
  const g = toxicr.map((r) => r.label === 1);
  // ToxiCR's label is broader than an attack: undirected profanity and grumbling ("Damn!", "this is ugly") count.
  const lex = compileLexicon();
  const below = toxicr.filter((r, i) => r.label === 1 && (toxScores[i] ?? 0) < ALERT);
  const undirected = below.filter((r) => {
    const text = scoredText(r.text);
    const counted = findHits(lex, tokenize(text), text).filter((h) => h.weight > 0);
    return counted.length > 0 && counted.every((h) => h.target !== 'second' && h.target !== 'third' && (h.kind === 'profanity' || h.kind === 'frustration' || h.kind === 'shouting'));
  }).length;
  toxNote = `ToxiCR: ${below.length}/${g.filter(Boolean).length} toxic comments stay below the alert level; ${undirected} of them have only profanity or grumbling aimed at no person (kept below alert on purpose), the other ${below.length - undirected} have no hit or only milder hits (insults about code, a word the lexicon lacks).`;
  add('toxicr-code-review', 'dataset label', toxScores, g, ALERT, 'never trained on');
  add('toxicr-code-review', 'dataset label', toxScores, g, DIGEST, 'never trained on');
  add('toxicr-code-review', 'dataset label', toxScores, g, FLAG, 'never trained on');
}

// Frustration and the rest: how often they reach an alert or any flag.
const unc = locked.filter((r) => attackClass(r) === 'uncivil');
const uncS = oofOf(unc);
const share = (s: number[], t: number): string => `${((100 * s.filter((x) => x >= t).length) / Math.max(1, s.length)).toFixed(1)}%`;

// Technical vocabulary: sentences written for this check, and real civil comments that use those words.
const TECH_SENTENCES = [
  'kill -9 the worker and restart it', 'Kill the process if it hangs for more than 30 seconds.', 'abort() is called when the assertion fails',
  'We dump core on SIGSEGV; run gdb on the dump.', 'The daemon will die if the socket closes, then systemd restarts it.',
  'nuke the build directory and run cmake again', 'git blame shows the line came from the 2019 refactor', 'the master branch is protected; push to a feature branch',
  'Replication runs master/slave with one slave per rack.', 'garbage collection pauses are too long with the default heap', 'Remove the dead code in utils.c.',
  'execute the migration before deploying', 'the UI hangs when the list has 10k items', 'a fork bomb took the box down', 'the app crashes on startup with a null pointer',
  'This is a stupid simple fix: swap the two lines.', 'Make it idiot-proof: validate the input first.', 'The terminal is a dumb terminal, no colours.',
  'The child process was killed by the OOM killer.', 'Set the kill switch to off before the rollout.', 'This test kills the server and checks it comes back.',
  'Zombie processes pile up if the parent never reaps them.', 'We should terminate idle connections after five minutes.', 'The thread is starved and eventually dies.',
  'Use lazy loading for the images.', 'The parser chokes on nested quotes.', 'Please purge the cache and try again.', 'The cron job slaughters the CPU at midnight.',
  'Blame the cache: it returned a stale entry.', 'That hack is ugly but it works for now.', 'Drop the table and recreate it from the dump.',
  'the job was aborted after the timeout', 'This will kill performance on large inputs.', 'Shoot me an email when the release is out.',
  'It is a hit-or-miss heuristic; we should attack the root cause.', 'Let us execute the plan: freeze, branch, tag.', 'The watchdog kills hung tasks.',
  'Callback hell in the old code made this hard.', 'Dependency hell again: two versions of openssl.', 'The trash folder is emptied every 30 days.',
  'プロセスを殺すと再起動します', 'バグでサーバーが死んだ', 'バカンスから戻りました', 'ゴミ箱を空にしてください',
];
const techScores = TECH_SENTENCES.map((t, i) => incendiaryLanguage.measure?.(wrap(`tech-${i}`, t), thread, ctx) ?? 0);
const techFlagged = TECH_SENTENCES.filter((_, i) => (techScores[i] ?? 0) >= FLAG);
const techAlerted = TECH_SENTENCES.filter((_, i) => (techScores[i] ?? 0) >= ALERT);
const TECH_RE = /\b(kill(ed|s|ing)?|abort(ed|s)?|dump(ed|s)?|die[sd]?|nuke[sd]?|blame|master|slave|garbage|dead code|execut(e|ed|es|ing)|hang(s|ing)?|bomb|crash(es|ed)?)\b/i;
const civilTech: { text: string; score: number }[] = [];
for (const [rowsOf, scores] of [[locked, oofOf(locked)], [strudel, oofOf(strudel)], [toxicr, toxScores]] as const) {
  rowsOf.forEach((r, i) => {
    if (r.label === 0 && TECH_RE.test(r.text)) civilTech.push({ text: r.text, score: scores[i] ?? 0 });
  });
}
const ctAlert = civilTech.filter((x) => x.score >= ALERT).length;
const ctFlag = civilTech.filter((x) => x.score >= FLAG).length;

const postsPerSec = toxicr.length ? toxicr.length / (toxMs / 1000) : 0;
const header = ['dataset', 'labels', 'threshold', 'P', 'R', 'F1', 'TP/FP/FN', 'best F1 (hindsight)', 'held out'];
const table = [
  `| ${header.join(' | ')} |`,
  `| ${header.map(() => '---').join(' | ')} |`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
const notes = [
  '',
  `Thresholds: ${FLAG} is the rule's lowest flag (low severity); ${ALERT} is medium severity, the level this eval calls "alert" (an attack on a person); ${HIGH} is high severity (the shipped config's decide.alertAt, and alertSeverity: high); ${DIGEST} is the shipped decide.digestAt.`,
  ceiling,
  toxNote,
  `Frustration, impatience, entitlement and irony in github-locked-issues (${unc.length} comments): ${share(uncS, ALERT)} reach the alert level, ${share(uncS, FLAG)} get any flag.`,
  `Technical vocabulary: ${techAlerted.length}/${TECH_SENTENCES.length} written technical sentences reach the alert level, ${techFlagged.length}/${TECH_SENTENCES.length} get any flag` +
    (techFlagged.length ? ` (${techFlagged.map((t) => JSON.stringify(t)).join(', ')})` : '') +
    `; real civil comments using kill/abort/dump/die/nuke/blame/master/slave/garbage/execute/hang/bomb/crash: ${ctAlert}/${civilTech.length} at alert, ${ctFlag}/${civilTech.length} at any flag.`,
  `Speed: ${Math.round(postsPerSec)} posts/s (rule measure() over ${toxicr.length} ToxiCR comments as posts, CPU time on one core, shipped model, first use included); ${Math.round(lockedSpeed)} posts/s over github-locked-issues' longer comments.`,
  `Detector version: ${incendiaryLanguage.version}.`,
].join('\n');
console.log(table + '\n' + notes);
if (markdownOut) writeFileSync(markdownOut, `${table}\n${notes}\n`);
