// The list profile: what a list is about, from its description and terms, refined from its own archive.

import type { ListConfig } from '../config/types.js';
import type { Post } from '../model/post.js';
import { BACKGROUND_P, COMMON_WORDS, EVERYDAY_WORDS, GENERAL_WORDS, TOPICS, type Topic, type TopicFamily } from './topic/lexicon.js';
import { topicTerms } from './topic/tokenize.js';

export interface ListProfile {
  list: string;
  /**
   * term → weight, as log-odds that a post using the term is about this list rather than general talk:
   * above 0 on topic, below 0 off topic. Terms are as `topicTokens` gives them; an absent term is neutral.
   * Not changed once the profile is built: readTopic memoizes a word's weight per map (build a new map instead).
   */
  terms: Map<string, number>;
  /** Posts the profile learned from (0 when it comes from config alone). */
  trainedOn: number;
  /** How a reason names what the list is for ("Linux and packaging"). */
  label?: string;
  /** Built-in topics (src/rules/topic/lexicon.ts) the list's description and terms cover. */
  topics?: string[];
  /**
   * Calibration learned from the archive: a post's mean log-odds is read as (logOdds − center) / spread, so
   * "as topical as a typical post here" means the same for every list. Absent: 0 and 1 (config profiles).
   */
  center?: number;
  spread?: number;
}

/** A weight never goes beyond this, so no single word decides a post. */
export const MAX_WEIGHT = 3;

// Config-only weights: the list's own words, the topics it covers, and topics of another family.
const W_TERM = 2.5;
const W_DESCRIPTION = 1.5;
const W_COVERED = 1.5;
const W_SAME_FAMILY = 0.5;
const W_OTHER_FAMILY = -1.5;
/** How much the config weights still count once the archive has spoken. */
const CONFIG_SHARE = 0.6;
/** Pseudo-count in the observed/expected ratio, so a word seen once or expected once says little. */
const PSEUDO = 1;

interface CompiledTopic extends Topic {
  terms: ReadonlySet<string>;
}

const COMPILED: readonly CompiledTopic[] = TOPICS.map((t) => ({ ...t, terms: new Set(topicTerms(t.words)) }));
const TOPIC_BY_ID = new Map(COMPILED.map((t) => [t.id, t]));

/** A rough per-word probability in general English talk, the yardstick for "this list uses it a lot". */
const BACKGROUND: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  for (const t of COMPILED) if (t.family === 'general') for (const w of t.terms) m.set(w, BACKGROUND_P.topic);
  for (const w of topicTerms(`${GENERAL_WORDS}\n${EVERYDAY_WORDS}`)) m.set(w, BACKGROUND_P.general);
  for (const w of topicTerms(COMMON_WORDS)) m.set(w, BACKGROUND_P.common);
  return m;
})();

export function backgroundP(term: string): number {
  return BACKGROUND.get(term) ?? BACKGROUND_P.rare;
}

/** The built-in topics a term belongs to. */
export function topicsOf(term: string): CompiledTopic[] {
  return COMPILED.filter((t) => t.terms.has(term));
}

export function topicLabel(id: string): string {
  return TOPIC_BY_ID.get(id)?.label ?? id;
}

// Sentences of a description that say what is NOT wanted must not make those subjects on topic.
const NEGATIVE_SENTENCE = /\b(?:off[- ]?topic|not|no|never|don't|avoid|except)\b|禁止|お断り|ご遠慮/i;

function describedTerms(list: ListConfig): string[] {
  const sentences = list.description.split(/(?<=[.!?。！？;])\s*|\n+/);
  return topicTerms(sentences.filter((s) => !NEGATIVE_SENTENCE.test(s)).join('\n'));
}

const fromConfig = new WeakMap<ListConfig, ListProfile>();

/** The profile a list's config alone gives: its terms, its description, and the broad topics they cover. */
export function profileFromConfig(list: ListConfig): ListProfile {
  const cached = fromConfig.get(list);
  if (cached) return cached;
  const described = describedTerms(list);
  const listed = topicTerms(list.terms.join('\n'));
  const own = new Set([...described, ...listed]);

  // One shared word ("system administration" → politics) does not make a general-interest topic the list's own.
  const hits = COMPILED.map((t) => ({ t, n: [...own].filter((w) => t.terms.has(w)).length })).filter(
    (h) => h.n >= (h.t.family === 'general' ? 2 : 1),
  );
  hits.sort((a, b) => b.n - a.n);
  const covered = new Set(hits.map((h) => h.t.id));
  const families = new Set<TopicFamily>(hits.map((h) => h.t.family));

  const terms = new Map<string, number>();
  const raise = (w: string, v: number): void => {
    const old = terms.get(w);
    if (old === undefined || v > old) terms.set(w, v);
  };
  if (families.size > 0) {
    // Negative first, so a word that a covered topic also claims ends up positive.
    for (const t of COMPILED) if (!families.has(t.family)) for (const w of t.terms) terms.set(w, W_OTHER_FAMILY);
    for (const t of COMPILED) if (families.has(t.family) && !covered.has(t.id)) for (const w of t.terms) raise(w, W_SAME_FAMILY);
    for (const t of COMPILED) if (covered.has(t.id)) for (const w of t.terms) raise(w, W_COVERED);
  }
  for (const w of described) raise(w, W_DESCRIPTION);
  for (const w of listed) raise(w, W_TERM);

  const label = hits[0]?.t.label ?? list.name;
  const profile: ListProfile = { list: list.id, terms, trainedOn: 0, label, topics: [...covered] };
  fromConfig.set(list, profile);
  return profile;
}

/** The words a post contributes to its list's profile: its own text and subject, never what it quotes. */
export function postTerms(post: Pick<Post, 'ownText' | 'normalizedSubject' | 'subject'>): string[] {
  return topicTerms(`${post.normalizedSubject || post.subject}\n${post.ownText}`);
}

/**
 * Learns what a list talks about from its own archive: a word the list uses far more often than general
 * English does weighs toward the list, a common word it never uses weighs away; the config profile stays as
 * a prior (its terms, and topics it does not cover).
 */
export async function trainProfile(list: ListConfig, posts: Iterable<Post> | AsyncIterable<Post>): Promise<ListProfile> {
  const base = profileFromConfig(list);
  const counts = new Map<string, number>();
  let n = 0;
  let words = 0;
  // A bounded sample of posts (reservoir) to calibrate on, scored without themselves (leave-one-out).
  const sample: string[][] = [];
  let rng = 0x9e3779b9;
  for await (const post of posts) {
    const seen = postTerms(post);
    if (seen.length === 0) continue;
    n += 1;
    words += seen.length;
    for (const w of seen) counts.set(w, (counts.get(w) ?? 0) + 1);
    if (sample.length < CALIBRATION_SAMPLE) sample.push(seen);
    else {
      rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
      const k = rng % n;
      if (k < CALIBRATION_SAMPLE) sample[k] = seen;
    }
  }
  if (n === 0) return { ...base, terms: new Map(base.terms) };

  const terms = new Map<string, number>();
  const vocabulary = new Set<string>([...counts.keys(), ...BACKGROUND.keys(), ...base.terms.keys()]);
  for (const w of vocabulary) {
    const observed = counts.get(w) ?? 0;
    const expected = words * backgroundP(w);
    const learned = Math.log((observed + PSEUDO) / (expected + PSEUDO));
    const weight = clamp(learned + CONFIG_SHARE * (base.terms.get(w) ?? 0), -MAX_WEIGHT, MAX_WEIGHT);
    if (Math.abs(weight) >= 0.1) terms.set(w, round3(weight));
  }
  const loo = sample.filter((s) => s.length >= CALIBRATION_MIN_WORDS).map((seen) => {
    let sum = 0;
    let telling = 0;
    for (const w of seen) {
      const observed = (counts.get(w) ?? 1) - 1;
      const learned = Math.log((observed + PSEUDO) / ((words - seen.length) * backgroundP(w) + PSEUDO));
      const weight = clamp(learned + CONFIG_SHARE * (base.terms.get(w) ?? 0), -MAX_WEIGHT, MAX_WEIGHT);
      if (Math.abs(weight) < 0.25) continue;
      sum += weight;
      telling += 1;
    }
    return sum / (telling + 4);
  });
  const profile: ListProfile = { list: list.id, terms, trainedOn: n, label: base.label, topics: base.topics };
  if (loo.length >= 20) {
    loo.sort((a, b) => a - b);
    const q = (x: number): number => loo[Math.floor(x * (loo.length - 1))] ?? 0;
    if (process.env.OT_DEBUG) console.error('LOO', [0.05, 0.1, 0.25, 0.5, 0.75, 0.9].map(q).map((v) => v.toFixed(2)).join(' '));
    profile.center = round3(q(CENTER_QUANTILE) * CENTER_SHARE);
    profile.spread = round3(Math.max(0.25, q(0.5) - q(0.1)));
  }
  return profile;
}

/** Posts kept to calibrate a trained profile on. */
const CALIBRATION_SAMPLE = 2000;
const CALIBRATION_MIN_WORDS = 5;
const CENTER_QUANTILE = 0.1;
const CENTER_SHARE = 0.7;

const FORMAT = 'listwarden-profile';
const FORMAT_VERSION = 1;

interface ProfileFile {
  format: typeof FORMAT;
  version: number;
  list: string;
  trainedOn: number;
  label?: string;
  topics?: string[];
  terms: Record<string, number>;
}

/** JSON for `--profile FILE`: versioned, terms sorted so two trainings on one archive give one file. */
export function serializeProfile(p: ListProfile): string {
  const terms: Record<string, number> = {};
  for (const k of [...p.terms.keys()].sort()) terms[k] = p.terms.get(k) ?? 0;
  const file: ProfileFile = { format: FORMAT, version: FORMAT_VERSION, list: p.list, trainedOn: p.trainedOn, terms };
  if (p.label !== undefined) file.label = p.label;
  if (p.topics !== undefined) file.topics = p.topics;
  return JSON.stringify(file);
}

export class ProfileFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileFormatError';
  }
}

export function deserializeProfile(json: string): ListProfile {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw new ProfileFormatError(`not a list profile: the file is not JSON (${(err as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || (data as { format?: unknown }).format !== FORMAT) {
    throw new ProfileFormatError(`not a list profile: expected "format": "${FORMAT}"`);
  }
  const f = data as Partial<ProfileFile>;
  if (f.version !== FORMAT_VERSION) {
    throw new ProfileFormatError(`list profile version ${String(f.version)} is not supported (this listwarden reads version ${FORMAT_VERSION}); train it again`);
  }
  if (typeof f.list !== 'string' || typeof f.trainedOn !== 'number' || typeof f.terms !== 'object' || f.terms === null) {
    throw new ProfileFormatError('list profile is missing "list", "trainedOn" or "terms"');
  }
  const terms = new Map<string, number>();
  for (const [k, v] of Object.entries(f.terms)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ProfileFormatError(`list profile term "${k}" has no numeric weight`);
    terms.set(k, clamp(v, -MAX_WEIGHT, MAX_WEIGHT));
  }
  const p: ListProfile = { list: f.list, terms, trainedOn: f.trainedOn };
  if (typeof f.label === 'string') p.label = f.label;
  if (Array.isArray(f.topics)) p.topics = f.topics.filter((t): t is string => typeof t === 'string');
  return p;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
