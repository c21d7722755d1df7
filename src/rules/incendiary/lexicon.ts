// The incendiary lexicon: words and phrases with their kind and weight by target (thing, third person, second person).
//
// Weights are what one hit adds to a post's score (combined noisy-OR). `base` is the weight when the word is about a
// thing (code, a decision) or has no visible target; `third` when aimed at other people ("the devs are idiots");
// `second` when aimed at the reader ("you idiot", "your stupid patch"). Self-directed and negated uses weigh 0.
// Frustration and impatience ("this is ridiculous") stay low on purpose: a moderation bot cares most about attacks on
// people, and moderators stop reading a bot that alerts on every grumble.

export type HitKind =
  | 'insult'
  | 'profanity'
  | 'threat'
  | 'identity'
  | 'mocking'
  | 'silencing'
  | 'frustration'
  | 'shouting'
  | 'warning';

export const HIT_KINDS: readonly HitKind[] = [
  'insult',
  'profanity',
  'threat',
  'identity',
  'mocking',
  'silencing',
  'frustration',
  'shouting',
  'warning',
];

export interface LexEntry {
  kind: HitKind;
  base: number;
  third: number;
  second: number;
  /** A noun naming a person ("idiot"): "this idiot" is about a person, not a thing. */
  person?: boolean;
  /** The phrase always addresses someone ("shut up", "fuck off"), whatever precedes it. */
  addressed?: boolean;
  /** An imperative: it addresses someone only when it leads its clause ("get lost!", not "did this issue get lost?"). */
  imperative?: boolean;
  /** A verb whose target is its object, not its subject ("I hate you" is aimed at you, not at me). */
  object?: boolean;
  /** Negation before it does not soften it ("don't you dare", "not a threat, a promise" are rare; slurs stay slurs). */
  ignoreNegation?: boolean;
}

type W = [kind: HitKind, base: number, third: number, second: number, flags?: 'person' | 'addressed' | 'fixed' | 'imperative' | 'object'];

const e = ([kind, base, third, second, flag]: W): LexEntry => ({
  kind,
  base,
  third,
  second,
  ...(flag === 'person' ? { person: true } : {}),
  ...(flag === 'addressed' || flag === 'imperative' ? { addressed: true } : {}),
  ...(flag === 'imperative' ? { imperative: true } : {}),
  ...(flag === 'object' ? { object: true } : {}),
  ...(flag === 'fixed' ? { ignoreNegation: true } : {}),
});

const PERSON_INSULT: W = ['insult', 0.55, 0.6, 0.9, 'person'];
const MILD_PERSON: W = ['insult', 0.35, 0.45, 0.75, 'person'];
const STRONG_ADJ: W = ['insult', 0.3, 0.55, 0.85];
const CHARACTER_ADJ: W = ['insult', 0, 0.35, 0.6];

/** Single English words, by normalized form. */
const WORDS: Record<string, W> = {
  // name-calling: nouns that name a person
  idiot: PERSON_INSULT, idiots: PERSON_INSULT, moron: PERSON_INSULT, morons: PERSON_INSULT,
  imbecile: PERSON_INSULT, imbeciles: PERSON_INSULT, cretin: PERSON_INSULT, cretins: PERSON_INSULT,
  dumbass: PERSON_INSULT, dumbasses: PERSON_INSULT, jackass: PERSON_INSULT, asshole: PERSON_INSULT,
  assholes: PERSON_INSULT, arsehole: PERSON_INSULT, dickhead: PERSON_INSULT, douchebag: PERSON_INSULT,
  douche: PERSON_INSULT, prick: PERSON_INSULT, twat: PERSON_INSULT, wanker: PERSON_INSULT, bastard: PERSON_INSULT,
  bastards: PERSON_INSULT, bitch: PERSON_INSULT, scumbag: PERSON_INSULT, scum: PERSON_INSULT, halfwit: PERSON_INSULT,
  nitwit: PERSON_INSULT, dimwit: PERSON_INSULT, numbskull: PERSON_INSULT, buffoon: PERSON_INSULT, dipshit: PERSON_INSULT,
  loser: MILD_PERSON, losers: MILD_PERSON, clown: MILD_PERSON, clowns: MILD_PERSON, jerk: MILD_PERSON, jerks: MILD_PERSON,
  troll: MILD_PERSON, trolls: MILD_PERSON, noob: MILD_PERSON, noobs: MILD_PERSON, n00b: MILD_PERSON, newb: MILD_PERSON,
  fool: ['insult', 0.1, 0.45, 0.75, 'person'], fools: ['insult', 0.2, 0.45, 0.75, 'person'],
  liar: MILD_PERSON, liars: MILD_PERSON, hypocrite: MILD_PERSON, hypocrites: MILD_PERSON,
  amateur: ['insult', 0, 0.3, 0.55, 'person'], amateurs: ['insult', 0.2, 0.35, 0.6, 'person'],
  // insults that describe: weigh by what they describe
  stupid: STRONG_ADJ, dumb: ['insult', 0.25, 0.55, 0.85], idiotic: STRONG_ADJ, moronic: STRONG_ADJ, brainless: STRONG_ADJ,
  braindead: STRONG_ADJ, retarded: ['identity', 0.55, 0.7, 0.9, 'fixed'], stupidity: STRONG_ADJ, stupidest: STRONG_ADJ,
  dumbest: STRONG_ADJ, pathetic: ['insult', 0.3, 0.55, 0.8], clueless: ['insult', 0.2, 0.5, 0.75],
  incompetent: ['insult', 0.2, 0.5, 0.75], incompetence: ['insult', 0.25, 0.45, 0.7], ignorant: CHARACTER_ADJ,
  arrogant: CHARACTER_ADJ, childish: ['insult', 0.15, 0.4, 0.6], delusional: CHARACTER_ADJ, lazy: CHARACTER_ADJ,
  entitled: CHARACTER_ADJ, rude: ['insult', 0, 0.3, 0.35], toxic: ['insult', 0, 0.3, 0.35], dishonest: CHARACTER_ADJ,
  disgusting: ['insult', 0.25, 0.5, 0.75], worthless: ['insult', 0.2, 0.5, 0.8], useless: ['frustration', 0.1, 0.2, 0.3],
  silly: ['insult', 0.1, 0.3, 0.5], hopeless: ['insult', 0, 0.35, 0.6], petulant: ['insult', 0.2, 0.5, 0.7],
  inane: ['insult', 0.2, 0.4, 0.6], disingenuous: ['insult', 0.1, 0.4, 0.6], deceptive: ['insult', 0, 0.3, 0.5],
  dafuq: ['profanity', 0.4, 0.5, 0.7], bs: ['profanity', 0.3, 0.4, 0.6], stfu: ['silencing', 0.8, 0.8, 0.85, 'addressed'], crazy: ['insult', 0, 0.2, 0.45], insane: ['insult', 0, 0.2, 0.45],
  // profanity: vulgar whatever it is aimed at, more so at a person
  fuck: ['profanity', 0.55, 0.7, 0.9], fucking: ['profanity', 0.5, 0.65, 0.85], fuckin: ['profanity', 0.5, 0.65, 0.85],
  fucked: ['profanity', 0.5, 0.65, 0.85], fucks: ['profanity', 0.5, 0.65, 0.85], fucker: PERSON_INSULT,
  fuckers: PERSON_INSULT, motherfucker: PERSON_INSULT, 'f*ck': ['profanity', 0.5, 0.65, 0.85],
  'f*cking': ['profanity', 0.5, 0.65, 0.85], 'f**k': ['profanity', 0.5, 0.65, 0.85], fck: ['profanity', 0.45, 0.6, 0.85],
  fcking: ['profanity', 0.45, 0.6, 0.85], fuk: ['profanity', 0.45, 0.6, 0.85], effing: ['profanity', 0.35, 0.5, 0.75],
  shit: ['profanity', 0.45, 0.6, 0.85], shitty: ['profanity', 0.45, 0.6, 0.85], bullshit: ['profanity', 0.5, 0.6, 0.85],
  shits: ['profanity', 0.4, 0.6, 0.85], 'sh*t': ['profanity', 0.4, 0.6, 0.85], horseshit: ['profanity', 0.5, 0.6, 0.85],
  crap: ['profanity', 0.35, 0.5, 0.75], crappy: ['profanity', 0.35, 0.5, 0.75], damn: ['profanity', 0.3, 0.4, 0.6],
  damnit: ['profanity', 0.3, 0.4, 0.6], dammit: ['profanity', 0.3, 0.4, 0.6], goddamn: ['profanity', 0.4, 0.5, 0.7],
  goddamned: ['profanity', 0.4, 0.5, 0.7], darn: ['profanity', 0.3, 0.3, 0.5], wtf: ['profanity', 0.4, 0.5, 0.7],
  sucks: ['profanity', 0.3, 0.45, 0.7], suck: ['profanity', 0.3, 0.45, 0.7], sucked: ['frustration', 0.2, 0.4, 0.65],
  sucky: ['profanity', 0.3, 0.45, 0.7], pissed: ['profanity', 0.3, 0.4, 0.6], piss: ['profanity', 0.35, 0.5, 0.75],
  bollocks: ['profanity', 0.4, 0.5, 0.75], arse: ['profanity', 0.35, 0.5, 0.75], screwed: ['frustration', 0.2, 0.3, 0.5],
  // slurs: identity attacks whatever the grammar around them
  faggot: ['identity', 0.9, 0.9, 0.95, 'fixed'], faggots: ['identity', 0.9, 0.9, 0.95, 'fixed'],
  nigger: ['identity', 0.95, 0.95, 0.95, 'fixed'], niggers: ['identity', 0.95, 0.95, 0.95, 'fixed'],
  nigga: ['identity', 0.7, 0.8, 0.9, 'fixed'], tranny: ['identity', 0.8, 0.85, 0.9, 'fixed'],
  kike: ['identity', 0.9, 0.9, 0.95, 'fixed'], chink: ['identity', 0.6, 0.8, 0.9, 'fixed'],
  spic: ['identity', 0.6, 0.8, 0.9, 'fixed'], wetback: ['identity', 0.9, 0.9, 0.95, 'fixed'],
  retard: ['identity', 0.6, 0.7, 0.9, 'fixed'], retards: ['identity', 0.7, 0.75, 0.9, 'fixed'],
  // mocking
  lol: ['mocking', 0.08, 0.2, 0.3], lmao: ['mocking', 0.2, 0.3, 0.45], lmfao: ['mocking', 0.25, 0.35, 0.5],
  rofl: ['mocking', 0.2, 0.3, 0.45], roflmao: ['mocking', 0.25, 0.35, 0.5], rtfm: ['mocking', 0.45, 0.5, 0.65, 'addressed'],
  laughable: ['mocking', 0.35, 0.5, 0.65],
  crybaby: ['mocking', 0.5, 0.6, 0.8, 'person'], snowflake: ['mocking', 0.35, 0.5, 0.7, 'person'],
  snowflakes: ['mocking', 0.45, 0.5, 0.7, 'person'], butthurt: ['mocking', 0.5, 0.55, 0.7], fanboy: MILD_PERSON,
  fanboys: MILD_PERSON, shill: MILD_PERSON, shills: MILD_PERSON, whining: ['mocking', 0.3, 0.45, 0.6], whiny: ['mocking', 0.3, 0.45, 0.6],
  // frustration and contempt for things: low at most
  ridiculous: ['frustration', 0.15, 0.3, 0.45], absurd: ['frustration', 0.1, 0.25, 0.4],
  unacceptable: ['frustration', 0.1, 0.2, 0.35], disgrace: ['frustration', 0.2, 0.35, 0.55],
  disgraceful: ['frustration', 0.2, 0.35, 0.55], shameful: ['frustration', 0.2, 0.35, 0.55],
  garbage: ['frustration', 0.2, 0.4, 0.6], trash: ['frustration', 0.2, 0.4, 0.6], rubbish: ['frustration', 0.3, 0.4, 0.6],
  ugly: ['frustration', 0.3, 0.35, 0.55], yuck: ['frustration', 0.3, 0.3, 0.3], ugh: ['frustration', 0.15, 0.15, 0.15],
  awful: ['frustration', 0.2, 0.3, 0.45], horrible: ['frustration', 0.15, 0.3, 0.45], terrible: ['frustration', 0.1, 0.3, 0.45],
  nonsense: ['frustration', 0.15, 0.3, 0.45], hate: ['frustration', 0.15, 0.35, 0.6, 'object'],
  lame: ['frustration', 0.3, 0.35, 0.5], fugly: ['profanity', 0.35, 0.45, 0.7], heck: ['frustration', 0.1, 0.1, 0.2],
  // emoji that carry tone: a clown or a middle finger is aimed at someone
  '\u{1F921}': ['mocking', 0.45, 0.55, 0.7], '\u{1F595}': ['profanity', 0.6, 0.7, 0.85, 'addressed'],
  '\u{1F644}': ['mocking', 0.15, 0.2, 0.3],
};

/** Multi-word English phrases (normalized words separated by spaces). */
const PHRASES: Record<string, W> = {
  // silencing and dismissal, always addressed to someone
  'shut up': ['silencing', 0.65, 0.65, 0.75, 'imperative'],
  'shut your mouth': ['silencing', 0.75, 0.75, 0.8, 'imperative'],
  'shut your face': ['silencing', 0.75, 0.75, 0.8, 'imperative'],
  'get lost': ['silencing', 0.6, 0.6, 0.7, 'imperative'],
  'go away': ['silencing', 0.35, 0.35, 0.5, 'imperative'],
  'piss off': ['silencing', 0.75, 0.75, 0.8, 'imperative'],
  'bugger off': ['silencing', 0.7, 0.7, 0.8, 'imperative'],
  'fuck off': ['silencing', 0.9, 0.9, 0.9, 'addressed'],
  'get a life': ['silencing', 0.6, 0.6, 0.7, 'imperative'],
  'grow up': ['mocking', 0.5, 0.5, 0.6, 'imperative'],
  'nobody asked': ['silencing', 0.55, 0.55, 0.65, 'addressed'],
  'no one asked': ['silencing', 0.55, 0.55, 0.65, 'addressed'],
  'nobody cares': ['silencing', 0.4, 0.4, 0.55],
  'no one cares': ['silencing', 0.4, 0.4, 0.55],
  'stop whining': ['mocking', 0.6, 0.6, 0.7, 'imperative'],
  'stop crying': ['mocking', 0.5, 0.5, 0.65, 'imperative'],
  'quit whining': ['mocking', 0.6, 0.6, 0.7, 'imperative'],
  'cry more': ['mocking', 0.6, 0.6, 0.7, 'imperative'],
  'git gud': ['mocking', 0.55, 0.55, 0.65, 'imperative'],
  'ok boomer': ['mocking', 0.6, 0.6, 0.7, 'addressed'],
  'nice try': ['mocking', 0.3, 0.3, 0.45, 'addressed'],
  'good luck with that': ['mocking', 0.35, 0.35, 0.45, 'addressed'],
  'learn to read': ['mocking', 0.6, 0.6, 0.7, 'imperative'],
  'learn how to read': ['mocking', 0.6, 0.6, 0.7, 'imperative'],
  'learn to code': ['mocking', 0.55, 0.55, 0.65, 'imperative'],
  "can't you read": ['mocking', 0.6, 0.6, 0.7, 'addressed'],
  'can you not read': ['mocking', 0.6, 0.6, 0.7, 'addressed'],
  'do you even': ['mocking', 0.4, 0.4, 0.5, 'addressed'],
  'are you serious': ['mocking', 0.3, 0.3, 0.35, 'addressed'],
  'are you kidding': ['mocking', 0.3, 0.3, 0.35, 'addressed'],
  'are you blind': ['mocking', 0.6, 0.6, 0.7, 'addressed'],
  'are you high': ['mocking', 0.55, 0.55, 0.65, 'addressed'],
  'are you drunk': ['mocking', 0.55, 0.55, 0.65, 'addressed'],
  'brain cells': ['mocking', 0.45, 0.55, 0.7],
  'what a joke': ['mocking', 0.4, 0.45, 0.6],
  "you're a joke": ['mocking', 0.7, 0.7, 0.75, 'addressed'],
  'you are a joke': ['mocking', 0.7, 0.7, 0.75, 'addressed'],
  'this is a joke': ['frustration', 0.25, 0.25, 0.25],
  'shame on you': ['mocking', 0.5, 0.5, 0.55, 'addressed'],
  'piece of shit': ['profanity', 0.6, 0.8, 0.95],
  'piece of crap': ['profanity', 0.45, 0.6, 0.85],
  'pain in the ass': ['profanity', 0.3, 0.45, 0.7],
  'pain in the butt': ['frustration', 0.2, 0.35, 0.6],
  'kiss my ass': ['profanity', 0.8, 0.8, 0.85, 'imperative'],
  'smart ass': ['insult', 0.45, 0.6, 0.85, 'person'],
  'dick move': ['insult', 0.6, 0.65, 0.8],
  'a dick': ['insult', 0.55, 0.6, 0.85, 'person'],
  'you dick': ['insult', 0.85, 0.85, 0.85, 'addressed'],
  'like shit': ['profanity', 0.5, 0.6, 0.8],
  'what the fuck': ['profanity', 0.55, 0.6, 0.7],
  'shut the fuck up': ['silencing', 0.9, 0.9, 0.9, 'addressed'],
  'turn on your brain': ['mocking', 0.55, 0.55, 0.65, 'addressed'],
  'use your brain': ['mocking', 0.5, 0.5, 0.6, 'addressed'],
  'no idea what you': ['mocking', 0.3, 0.3, 0.45, 'addressed'],
  'petulant children': ['insult', 0.6, 0.7, 0.85, 'person'],
  // condescension aimed at the reader
  'you have no idea': ['mocking', 0.45, 0.45, 0.5, 'addressed'],
  'no idea what you are talking about': ['mocking', 0.6, 0.6, 0.65, 'addressed'],
  "no idea what you're talking about": ['mocking', 0.6, 0.6, 0.65, 'addressed'],
  "don't know what you're talking about": ['mocking', 0.55, 0.55, 0.6, 'addressed'],
  'do not know what you are talking about': ['mocking', 0.55, 0.55, 0.6, 'addressed'],
  'educate yourself': ['mocking', 0.5, 0.5, 0.6, 'imperative'],
  'do your homework': ['mocking', 0.45, 0.45, 0.55, 'imperative'],
  'get your facts straight': ['mocking', 0.5, 0.5, 0.6, 'imperative'],
  'what is wrong with you': ['insult', 0.65, 0.65, 0.7, 'addressed'],
  "what's wrong with you": ['insult', 0.65, 0.65, 0.7, 'addressed'],
  'how dare you': ['mocking', 0.45, 0.45, 0.5, 'addressed'],
  'did you even': ['mocking', 0.4, 0.4, 0.5, 'addressed'],
  'are you even': ['mocking', 0.35, 0.35, 0.45, 'addressed'],
  'waste of space': ['insult', 0.6, 0.65, 0.8, 'person'],
  'waste of oxygen': ['insult', 0.8, 0.8, 0.85, 'person'],
  'wasting my time': ['mocking', 0.35, 0.35, 0.45],
  "wasting everyone's time": ['mocking', 0.4, 0.4, 0.5],
  'stop trolling': ['mocking', 0.55, 0.55, 0.65, 'imperative'],
  'pull your head out': ['insult', 0.7, 0.7, 0.75, 'addressed'],
  'high horse': ['mocking', 0.45, 0.5, 0.6],
  'be ashamed': ['mocking', 0.5, 0.5, 0.6],
  'ashamed of yourself': ['mocking', 0.6, 0.6, 0.65, 'addressed'],
  'thanks for nothing': ['mocking', 0.5, 0.5, 0.55, 'addressed'],
  'grow a pair': ['mocking', 0.6, 0.6, 0.65, 'imperative'],
  'man up': ['mocking', 0.45, 0.45, 0.55, 'imperative'],
  'learn english': ['mocking', 0.55, 0.55, 0.65, 'imperative'],
  'clown show': ['mocking', 0.45, 0.5, 0.6],
  'bad faith': ['insult', 0.2, 0.35, 0.5],
  'dumb ass': ['insult', 0.55, 0.7, 0.9, 'person'],
  'what the hell': ['profanity', 0.3, 0.3, 0.45],
  'the hell': ['profanity', 0.3, 0.3, 0.45],
  'go to hell': ['profanity', 0.8, 0.8, 0.85, 'imperative'],
  'bloody hell': ['profanity', 0.3, 0.3, 0.4],
  'screw you': ['profanity', 0.85, 0.85, 0.85, 'addressed'],
  'screw this': ['frustration', 0.3, 0.3, 0.3],
  'fuck you': ['profanity', 0.95, 0.95, 0.95, 'addressed'],
  'fuck yourself': ['profanity', 0.95, 0.95, 0.95, 'addressed'],
  'son of a bitch': ['insult', 0.7, 0.8, 0.95, 'person'],
  'you people': ['identity', 0.3, 0.3, 0.35, 'addressed'],
  // threats: only with a person as the object, so "kill the process" never matches
  'kill you': ['threat', 0.9, 0.9, 0.95, 'addressed'],
  'kill yourself': ['threat', 0.95, 0.95, 0.95, 'addressed'],
  'kys': ['threat', 0.8, 0.8, 0.9, 'addressed'],
  'hurt you': ['threat', 0.85, 0.85, 0.9, 'addressed'],
  'find you': ['threat', 0.15, 0.15, 0.15],
  'i will find you': ['threat', 0.75, 0.75, 0.8, 'addressed'],
  "i'll find you": ['threat', 0.75, 0.75, 0.8, 'addressed'],
  'beat you up': ['threat', 0.85, 0.85, 0.9, 'addressed'],
  'punch you': ['threat', 0.85, 0.85, 0.9, 'addressed'],
  'shoot you': ['threat', 0.9, 0.9, 0.95, 'addressed'],
  'murder you': ['threat', 0.95, 0.95, 0.95, 'addressed'],
  'go die': ['threat', 0.85, 0.85, 0.9, 'imperative'],
  'die in a fire': ['threat', 0.25, 0.6, 0.9],
  'hope you die': ['threat', 0.95, 0.95, 0.95, 'addressed'],
  'you should die': ['threat', 0.95, 0.95, 0.95, 'addressed'],
  'deserve to die': ['threat', 0.85, 0.85, 0.9],
  'watch your back': ['threat', 0.7, 0.7, 0.75, 'imperative'],
  'i know where you live': ['threat', 0.9, 0.9, 0.9, 'addressed'],
  'kill him': ['threat', 0.7, 0.8, 0.8],
  'kill her': ['threat', 0.7, 0.8, 0.8],
  // moderator warnings ("you will be banned"): a kind of threat the datasets count, but rarely one a moderator wants
  'will be banned': ['warning', 0.2, 0.2, 0.25],
  'get banned': ['warning', 0.2, 0.2, 0.25],
  'been banned': ['warning', 0.15, 0.15, 0.2],
};

/**
 * Technical or harmless phrases that contain a lexicon word: a hit inside one of these counts for nothing.
 * (Most technical vocabulary, kill/abort/dump/die/nuke/blame/master/slave/execute/hang/bomb/crash, is not in the
 * lexicon at all; threats need a person as the object.)
 */
const HARMLESS: string[] = [
  'stupid simple', 'stupidly simple', 'dumb terminal', 'dumb terminals', 'dumb pipe', 'dumb client', 'dumb down',
  'dumbed down', 'dumbing down', 'idiot proof', 'fool proof', 'garbage collection', 'garbage collector',
  'garbage collected', 'garbage collect', 'garbage in', 'garbage out', 'trash can', 'trash bin', 'trash folder',
  'the trash', 'to trash', 'lazy loading', 'lazy load', 'lazy loaded', 'lazy evaluation', 'lazy initialization',
  'lazy init', 'lazily', 'lazy static', 'lazy val', 'be lazy', 'am lazy', 'silly mistake', 'crazy fast',
  'insanely fast', 'insane amount', 'toxic comments', 'troll comments', 'rude comments', 'hate speech',
  'entitled to', 'stupid question', 'stupid questions', 'dumb questions', 'dumb nit', 'stupid nit', 'stupid nitpick',
  'stupid query', 'stupid oversight', 'dumb mistake', 'stupid typo', 'dumb typo', 'silly typo', 'garbage value',
  'garbage values', 'garbage data', 'returns garbage', 'return garbage', 'garbage bytes', 'foolish consistency',
  'stupid question', 'dumb question', 'silly question', 'silly me', 'i hate to', 'hate to say', 'hate to be', 'pissed off', 'damn good', 'damn fine', 'crazy idea', 'dependency hell',
  'callback hell', 'dll hell', 'sucks in', 'sucked in', 'nonsense words', 'ugly hack', 'fool around',
  'april fool', 'april fools', 'lol code', 'lolcode', 'shit storm', 'shitstorm', 'holy shit',
];

/** Japanese entries, by the exact run of Segmenter tokens they span. */
const JA: Record<string, W> = {
  バカ: STRONG_ADJ, 馬鹿: STRONG_ADJ, ばか: STRONG_ADJ, アホ: STRONG_ADJ, あほ: STRONG_ADJ, 阿呆: STRONG_ADJ,
  バカ野郎: PERSON_INSULT, 馬鹿野郎: PERSON_INSULT, ばかやろう: PERSON_INSULT, アホンダラ: PERSON_INSULT,
  間抜け: STRONG_ADJ, マヌケ: STRONG_ADJ, 無能: ['insult', 0.3, 0.55, 0.8], 低能: ['insult', 0.45, 0.6, 0.85],
  ボケ: ['insult', 0.35, 0.55, 0.8], クズ: PERSON_INSULT, 屑: PERSON_INSULT, カス: PERSON_INSULT,
  ゴミ: ['frustration', 0.25, 0.55, 0.8], キモい: ['insult', 0.45, 0.6, 0.8], きもい: ['insult', 0.45, 0.6, 0.8],
  キモ: ['insult', 0.35, 0.55, 0.75], うざい: ['insult', 0.4, 0.55, 0.75], ウザい: ['insult', 0.4, 0.55, 0.75],
  うぜえ: ['insult', 0.5, 0.6, 0.8], うぜー: ['insult', 0.5, 0.6, 0.8],
  死ね: ['threat', 0.85, 0.85, 0.9, 'addressed'], 氏ね: ['threat', 0.8, 0.8, 0.9, 'addressed'],
  しね: ['threat', 0.6, 0.6, 0.85, 'addressed'], 死んでしまえ: ['threat', 0.85, 0.85, 0.9, 'addressed'],
  ぶっ殺す: ['threat', 0.9, 0.9, 0.95, 'addressed'], ぶっころす: ['threat', 0.9, 0.9, 0.95, 'addressed'],
  殺すぞ: ['threat', 0.9, 0.9, 0.95, 'addressed'], 殺す: ['threat', 0, 0.6, 0.9],
  消えろ: ['silencing', 0.75, 0.75, 0.85, 'addressed'], 失せろ: ['silencing', 0.75, 0.75, 0.85, 'addressed'],
  黙れ: ['silencing', 0.7, 0.7, 0.8, 'addressed'], 黙ってろ: ['silencing', 0.7, 0.7, 0.8, 'addressed'],
  ふざけるな: ['silencing', 0.5, 0.55, 0.7, 'addressed'], ふざけんな: ['silencing', 0.55, 0.6, 0.75, 'addressed'],
  池沼: ['identity', 0.85, 0.85, 0.9, 'fixed'], ガイジ: ['identity', 0.85, 0.85, 0.9, 'fixed'],
  ざまあ: ['mocking', 0.5, 0.55, 0.7, 'addressed'], ざまぁ: ['mocking', 0.5, 0.55, 0.7, 'addressed'],
  草: ['mocking', 0.05, 0.1, 0.2],
};

export const SECOND_PERSON = new Set([
  'you', "you're", 'youre', 'your', 'yours', 'ur', 'u', 'ya', 'yourself', 'yourselves', 'thou', "y'all", 'yall',
  "you've", "you'd", "you'll",
  'お前', 'おまえ', 'てめえ', 'てめぇ', 'テメエ', 'テメー', 'てめー', '貴様', 'きさま', 'あんた', 'おめえ', 'オメー', 'お前ら', 'おまえら',
]);
export const SELF = new Set([
  'i', "i'm", 'im', 'my', 'myself', "i've", "i'd", "i'll", 'we', "we're", 'our', 'ourselves', 'mine',
  '私', '僕', '俺', '自分', 'わたし', 'ぼく', 'おれ', 'オレ', 'ボク',
]);
export const THIRD_PERSON = new Set([
  'he', 'she', 'they', 'them', 'him', 'her', 'his', 'their', "he's", "she's", "they're", 'people', 'guys', 'folks',
  'devs', 'dev', 'developers', 'developer', 'maintainers', 'maintainer', 'author', 'authors', 'someone', 'somebody',
  'anyone', 'anybody', 'whoever', 'everyone', 'everybody', 'users', 'contributors', 'team', 'man', 'dude', 'person',
  'あいつ', 'こいつ', 'そいつ', '奴', 'やつ', '彼', '彼女', 'あいつら', 'こいつら',
]);
export const THING = new Set([
  'this', 'that', 'it', "it's", 'its', 'these', 'those', 'code', 'patch', 'function', 'method', 'api', 'design',
  'idea', 'approach', 'change', 'implementation', 'name', 'naming', 'test', 'bug', 'feature', 'decision', 'behavior',
  'behaviour', 'docs', 'documentation', 'error', 'message', 'thing', 'solution', 'workaround', 'hack', 'library',
  'framework', 'tool', 'language', 'syntax', 'ui', 'config', 'setting', 'default', 'defaults', 'rule', 'policy',
  'question', 'mistake', 'process', 'system', 'compiler', 'build', 'script', 'interface', 'variable', 'class', 'which',
  'argument', 'point', 'comment', 'opinion', 'logic', 'reasoning', 'post', 'proposal', 'suggestion', 'answer', 'reply',
  'response', 'pr', 'commit', 'review', 'issue', 'ticket', 'request', 'explanation', 'statement', 'claim', 'thread',
  'what', 'there', 'here',
  'これ', 'それ', 'あれ', 'コード', 'この', 'その', 'パッチ', '仕様', '設計',
]);
export const NEGATION = new Set([
  'not', "isn't", "aren't", "wasn't", "weren't", "don't", "doesn't", "didn't", 'never', 'no', 'nothing', 'hardly',
  'without', "ain't", "won't", "wouldn't", "shouldn't", "can't", 'cannot', 'isnt', 'arent', 'dont', 'doesnt', 'nor',
  'neither', 'less',
]);
/** Words of reported speech: "calling people idiots is not OK" talks about an insult rather than making one. */
export const REPORTING = new Set(['call', 'called', 'calling', 'calls', 'word', 'words', 'term', 'say', 'saying', 'said']);

export interface CompiledLexicon {
  words: Map<string, LexEntry>;
  /** Keyed by the first word; each phrase as its normalized words. */
  phrases: Map<string, { words: string[]; entry: LexEntry; text: string }[]>;
  harmless: Map<string, string[][]>;
  ja: Map<string, LexEntry>;
  jaMaxLen: number;
  /** Kinds switched off by config; also drops shouting and reclassified hits. */
  disabled: ReadonlySet<HitKind>;
}

/** Squeezes every doubled letter, so "stuuupid" and "fuuuck" find "stupid" and "fuck". */
export const squeeze = (s: string): string => s.replace(/(\p{L})\1+/gu, '$1');

export interface LexiconOptions {
  /** Extra words or phrases, each with its kind and weight toward a person (`second`) or a thing (`base`). */
  extra?: { text: string; kind: HitKind; base: number; second: number }[];
  /** Kinds to ignore altogether (e.g. `frustration`, `shouting`, `warning`). */
  disabled?: HitKind[];
}

export function compileLexicon(opts: LexiconOptions = {}): CompiledLexicon {
  const disabled = new Set(opts.disabled ?? []);
  const words = new Map<string, LexEntry>();
  const phrases = new Map<string, { words: string[]; entry: LexEntry; text: string }[]>();
  const addPhrase = (text: string, entry: LexEntry): void => {
    const ws = text.split(' ');
    const first = ws[0] ?? '';
    const list = phrases.get(first) ?? [];
    list.push({ words: ws, entry, text });
    // Longest first, so "fuck you" wins over "fuck".
    list.sort((a, b) => b.words.length - a.words.length);
    phrases.set(first, list);
  };
  for (const [w, spec] of Object.entries(WORDS)) {
    const entry = e(spec);
    if (disabled.has(entry.kind)) continue;
    words.set(w, entry);
    if (!words.has(squeeze(w))) words.set(squeeze(w), entry);
  }
  for (const [p, spec] of Object.entries(PHRASES)) {
    const entry = e(spec);
    if (!disabled.has(entry.kind)) addPhrase(p, entry);
  }
  for (const x of opts.extra ?? []) {
    if (disabled.has(x.kind)) continue;
    const entry: LexEntry = { kind: x.kind, base: x.base, third: (x.base + x.second) / 2, second: x.second };
    const norm = x.text.toLowerCase().trim().replace(/\s+/g, ' ');
    if (norm.includes(' ')) addPhrase(norm, entry);
    else words.set(norm, entry);
  }
  const harmless = new Map<string, string[][]>();
  for (const h of HARMLESS) {
    const ws = h.split(' ');
    for (const w of ws) {
      const list = harmless.get(w) ?? [];
      list.push(ws);
      harmless.set(w, list);
    }
  }
  const ja = new Map<string, LexEntry>();
  let jaMaxLen = 0;
  for (const [w, spec] of Object.entries(JA)) {
    const entry = e(spec);
    if (disabled.has(entry.kind)) continue;
    ja.set(w, entry);
    jaMaxLen = Math.max(jaMaxLen, w.length);
  }
  return { words, phrases, harmless, ja, jaMaxLen, disabled };
}
