// YAML text → validated Config, or a ConfigError listing every problem with its file, line and a hint.

import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Scalar } from 'yaml';
import { z } from 'zod';
import type { Config } from './types.js';
import { ConfigError, formatPath, type ConfigProblem } from './errors.js';
import { substituteEnv, type Substituted } from './env.js';
import { BUILTIN_RULE_IDS, MATCH_FIELDS, configFileSchema, decideSchema, friendly, type Friendly } from './schema.js';
import { nearest } from './suggest.js';

/** The shipped defaults: what an empty file (or config/default.yaml) gives. */
export function defaultConfig(): Config {
  return { source: '(defaults)', ...configFileSchema.parse({}) };
}

/** Reads and validates a config file; no file means the defaults. Throws ConfigError. */
export async function loadConfig(file?: string): Promise<Config> {
  if (file === undefined) return defaultConfig();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const [message, hint] =
      code === 'ENOENT'
        ? ['config file not found', 'check the path; without a config file listwarden runs on its defaults']
        : code === 'EISDIR'
          ? ['this is a directory, not a config file', 'name the YAML file itself']
          : code === 'EACCES'
            ? ['cannot read the config file (permission denied)', 'let the user running listwarden read it']
            : [`cannot read the config file: ${(err as Error).message}`, undefined];
    throw new ConfigError([{ file, path: '', message, ...(hint ? { hint } : {}) }]);
  }
  return parseConfigText(text, file);
}

const YAML_HINTS: Record<string, string> = {
  BAD_INDENT: 'check the indentation: keys of one mapping, and items of one list, start in the same column',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  DUPLICATE_KEY: 'a key appears twice in one mapping; keep one',
  MISSING_CHAR: 'a quote or bracket is not closed',
  MULTIPLE_DOCS: 'keep one YAML document per file (remove the extra ---)',
  BLOCK_AS_IMPLICIT_KEY: 'a key is followed by a block where a value belongs; check the colon and indentation',
  MULTILINE_IMPLICIT_KEY: 'a key runs over several lines; is a colon or quote missing above?',
};

/** Parses config text (as from `file`, named in errors); `${VAR}` comes from `env`. Throws ConfigError. */
export function parseConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  const at = (offset: number | undefined): Pick<ConfigProblem, 'line' | 'column'> => {
    if (offset === undefined) return {};
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        file,
        ...at(e.pos[0]),
        path: '',
        message: `YAML syntax error: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
        hint: YAML_HINTS[e.code] ?? 'check the YAML syntax on this line and the one above',
      })),
    );
  }

  const sub = substituteEnv(doc, env);
  const problems: ConfigProblem[] = sub.problems.map((p) => ({
    file,
    ...at(p.node.range?.[0]),
    path: formatPath(p.path),
    message: p.message,
    hint: p.hint,
  }));

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    throw new ConfigError([{ file, path: '', message: `cannot read the YAML: ${(err as Error).message}` }]);
  }

  const result = configFileSchema.safeParse(data, { reportInput: true });
  const locate = locator(doc, sub, at);
  const seen = new Set(problems.map((p) => p.path));
  if (!result.success) {
    for (const issue of result.error.issues) {
      for (const p of describeIssue(issue, locate)) {
        if (!seen.has(p.path)) problems.push({ file, ...p });
      }
    }
  }
  // Run on the raw data even when the shape is wrong, so one pass reports every problem it can.
  for (const c of crossChecks(data)) {
    const path = formatPath(c.path);
    if (seen.has(path) || problems.some((p) => p.path === path)) continue;
    const place = locate(c.path);
    problems.push({ file, ...(c.atKey ? place.keyAt : place.valueAt), path, message: c.message, hint: c.hint });
  }

  if (problems.length > 0) throw new ConfigError(redact(sortProblems(problems), sub.secrets));
  return { source: file, ...result.data! };
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.line ?? 0) - (b.p.line ?? 0) || (a.p.column ?? 0) - (b.p.column ?? 0) || a.i - b.i)
    .map(({ p }) => p);
}

/** Environment values never appear in a message, even when a pattern or a zod message would echo them. */
function redact(problems: ConfigProblem[], secrets: Set<string>): ConfigProblem[] {
  const hidden = [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  if (hidden.length === 0) return problems;
  const scrub = (s: string) => hidden.reduce((acc, secret) => acc.split(secret).join('***'), s);
  return problems.map((p) => ({ ...p, message: scrub(p.message), ...(p.hint ? { hint: scrub(p.hint) } : {}) }));
}

// ---- where a path stands in the file ----

interface Place {
  /** The value's position, or the nearest enclosing node's when the path is not in the file. */
  valueAt: Pick<ConfigProblem, 'line' | 'column'>;
  /** The key's position (for unknown keys), else as valueAt. */
  keyAt: Pick<ConfigProblem, 'line' | 'column'>;
  /** The value node, only when the path itself is in the file. */
  node?: Node;
  /** What the file says there (before `${VAR}` substitution). */
  fileValue?: unknown;
}

type Locate = (path: readonly PropertyKey[]) => Place;

function locator(doc: Document, sub: Substituted, at: (offset: number | undefined) => Pick<ConfigProblem, 'line' | 'column'>): Locate {
  return (path) => {
    let node = doc.contents as Node | null;
    let keyNode: Node | undefined;
    let exact = true;
    for (let i = 0; i < path.length && node; i++) {
      const seg = path[i]!;
      if (isSeq(node) && typeof seg === 'number') {
        const next = node.items[seg] as Node | undefined;
        if (!next) {
          exact = false;
          break;
        }
        node = next;
        keyNode = undefined;
      } else if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (pair) {
          keyNode = pair.key as Node;
          node = (pair.value as Node | null) ?? (pair.key as Node);
          continue;
        }
        // Shorthand conditions (`ownText: {keywords: …}`): the field is the single key, the rest is under it.
        if (node.items.length === 1 && isScalar(node.items[0]!.key)) {
          const only = node.items[0]!;
          if (seg === 'field') {
            keyNode = only.key as Node;
            node = only.key as Node;
            continue;
          }
          if (isMap(only.value)) {
            node = only.value as Node;
            i--;
            continue;
          }
        }
        exact = false;
        break;
      } else {
        exact = false;
        break;
      }
    }
    const valueAt = at(node?.range?.[0]);
    const place: Place = { valueAt, keyAt: keyNode && exact ? at(keyNode.range?.[0]) : valueAt };
    if (exact && node) {
      place.node = node;
      if (isScalar(node)) place.fileValue = sub.originals.has(node as Scalar) ? sub.originals.get(node as Scalar) : node.value;
      else place.fileValue = isSeq(node) ? [] : isMap(node) ? {} : undefined;
    }
    return place;
  };
}

// ---- what the schema expects at a path ----

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  entries?: Record<string, string>;
}

const defOf = (s: z.ZodType): Def => s._zod.def as unknown as Def;

/** The schema under its wrappers (defaults, optional, transforms), with the first friendly wording met. */
function unwrap(schema: z.ZodType): { schema: z.ZodType; words?: Friendly } {
  let s = schema;
  let words: Friendly | undefined;
  for (;;) {
    words ??= friendly.get(s);
    const def = defOf(s);
    if (['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional'].includes(def.type) && def.innerType) {
      s = def.innerType;
    } else if (def.type === 'pipe' && def.in) {
      s = defOf(def.in).type === 'transform' && def.out ? def.out : def.in;
    } else {
      return words ? { schema: s, words } : { schema: s };
    }
  }
}

function schemaAt(path: readonly PropertyKey[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = configFileSchema;
  for (const seg of path) {
    if (!s) return undefined;
    const def = defOf(unwrap(s).schema);
    if (def.type === 'object') s = def.shape?.[String(seg)];
    else if (def.type === 'array') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else return undefined;
  }
  return s;
}

function knownKeys(path: readonly PropertyKey[]): string[] {
  const s = schemaAt(path);
  if (!s) return [];
  const def = defOf(unwrap(s).schema);
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function expectation(path: readonly PropertyKey[]): Friendly {
  const s = schemaAt(path);
  if (!s) return { expect: 'a different value' };
  const { schema, words } = unwrap(s);
  if (words) return words;
  const def = defOf(schema);
  switch (def.type) {
    case 'number': {
      const n = schema as z.ZodNumber;
      const kind = n.isInt ? 'a whole number' : 'a number';
      const lo = Number.isFinite(n.minValue ?? NaN) && Math.abs(n.minValue!) < Number.MAX_SAFE_INTEGER ? n.minValue : undefined;
      const hi = Number.isFinite(n.maxValue ?? NaN) && Math.abs(n.maxValue!) < Number.MAX_SAFE_INTEGER ? n.maxValue : undefined;
      const range = lo !== undefined && hi !== undefined ? ` between ${lo} and ${hi}` : lo !== undefined ? ` of at least ${lo}` : hi !== undefined ? ` of at most ${hi}` : '';
      return { expect: kind + range, hint: 'write the number without quotes' };
    }
    case 'string':
      return { expect: 'text', hint: 'write text here (quote it if it looks like a number or yes/no)' };
    case 'boolean':
      return { expect: 'true or false', hint: 'write true or false' };
    case 'enum': {
      const options = Object.values(def.entries ?? {});
      return { expect: `one of ${options.join(', ')}`, hint: `use one of ${options.join(', ')}` };
    }
    case 'array':
      return { expect: 'a list', hint: 'write one item per "- " line, or [a, b]' };
    case 'object':
    case 'record':
      return { expect: 'a mapping (key: value lines)', hint: 'put indented key: value lines under this key' };
    default:
      return { expect: 'a different value' };
  }
}

/** How the file's value reads in a message: `"high"`, `5`, `a list`, `nothing`. */
function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

type Located = Omit<ConfigProblem, 'file'>;

function describeIssue(issue: z.core.$ZodIssue, locate: Locate): Located[] {
  const path = issue.path;
  const place = locate(path);
  const got = place.node !== undefined ? describeValue(place.fileValue) : describeValue(issue.input);
  const words = expectation(path);
  const here = (message: string, hint?: string, where = place.valueAt): Located => ({
    ...where,
    path: formatPath(path),
    message,
    ...(hint ? { hint } : {}),
  });
  const expectedGot = (hint = words.hint) => here(`expected ${words.expect}, got ${got}`, hint);

  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(path);
      return issue.keys.map((key) => {
        const keyPath = [...path, key];
        const suggestion = nearest(key, known);
        return {
          ...locate(keyPath).keyAt,
          path: formatPath(keyPath),
          message: `unknown key "${key}"`,
          hint: suggestion ? `did you mean "${suggestion}"?` : `known keys here: ${known.join(', ')}`,
        };
      });
    }
    case 'invalid_type': {
      const last = path[path.length - 1];
      if (issue.input === undefined && typeof last === 'string') {
        return [here(`missing required key "${last}"`, `add ${last}: followed by ${words.expect}`)];
      }
      return [expectedGot()];
    }
    case 'too_small':
      if (issue.origin === 'array') {
        const n = Number(issue.minimum);
        return [here(`needs at least ${n} item${n === 1 ? '' : 's'}`, words.hint ?? 'add an item')];
      }
      if (issue.origin === 'string') return [here('must not be empty', words.hint)];
      return [expectedGot()];
    case 'too_big':
      if (issue.origin === 'string') {
        const len = typeof issue.input === 'string' ? issue.input.length : undefined;
        return [here(`is ${len ?? 'too many'} characters long; at most ${Number(issue.maximum)} are allowed`, words.hint)];
      }
      if (issue.origin === 'array') return [here(`has more than ${Number(issue.maximum)} items`, words.hint)];
      return [expectedGot()];
    case 'invalid_format':
    case 'invalid_value': {
      const options = issue.code === 'invalid_value' ? issue.values.map(String) : path[path.length - 1] === 'field' ? [...MATCH_FIELDS] : [];
      const suggestion = typeof issue.input === 'string' ? nearest(issue.input, options) : undefined;
      return [expectedGot(suggestion ? `did you mean "${suggestion}"?` : words.hint)];
    }
    case 'custom': {
      const hint = (issue.params as { hint?: string } | undefined)?.hint;
      return [here(issue.message, hint)];
    }
    default:
      return [here(issue.message, words.hint)];
  }
}

// ---- checks across keys, once the shape is right ----

interface CrossProblem {
  path: PropertyKey[];
  message: string;
  hint: string;
  /** Point at the key rather than its value. */
  atKey?: boolean;
}

/** Reads raw data defensively: only what has the right type is checked (the schema reports the rest). */
const asRecord = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function crossChecks(raw: unknown): CrossProblem[] {
  const cfg = asRecord(raw);
  const out: CrossProblem[] = [];
  const builtin: readonly string[] = BUILTIN_RULE_IDS;

  const checkCustom = (rules: unknown, base: PropertyKey[], taken: Map<string, string>): void => {
    asArray(rules).forEach((rule, i) => {
      const id = asRecord(rule).id;
      if (typeof id !== 'string') return;
      const path = [...base, i, 'id'];
      if (builtin.includes(id)) {
        out.push({ path, message: `custom rule id "${id}" is the id of a built-in rule`, hint: 'choose another id; set the built-in rule under rules:' });
      } else if (taken.has(id)) {
        out.push({ path, message: `duplicate custom rule id "${id}" (also at ${taken.get(id)})`, hint: 'give each custom rule its own id' });
      } else {
        taken.set(id, formatPath([...base, i]));
      }
    });
  };

  const checkRuleIds = (rules: unknown, base: PropertyKey[], known: string[]): void => {
    for (const id of Object.keys(asRecord(rules))) {
      if (known.includes(id)) continue;
      const suggestion = nearest(id, known);
      out.push({
        path: [...base, id],
        atKey: true,
        message: `unknown rule "${id}"`,
        hint: suggestion ? `did you mean "${suggestion}"?` : `rules are: ${known.join(', ')}`,
      });
    }
  };

  const topIds = new Map<string, string>();
  checkCustom(cfg.custom, ['custom'], topIds);
  checkRuleIds(cfg.rules, ['rules'], [...builtin, ...topIds.keys()]);

  const listIds = new Map<string, number>();
  const routes = new Map<string, number>();
  asArray(cfg.lists).forEach((raw, li) => {
    const list = asRecord(raw);
    if (typeof list.id === 'string') {
      if (listIds.has(list.id)) {
        out.push({ path: ['lists', li, 'id'], message: `duplicate list id "${list.id}" (also lists[${listIds.get(list.id)}])`, hint: 'give each list its own id' });
      } else listIds.set(list.id, li);
    }
    if (typeof list.listId === 'string') {
      const route = list.listId.trim().toLowerCase();
      if (routes.has(route)) {
        out.push({
          path: ['lists', li, 'listId'],
          message: `List-Id "${route}" already routes to lists[${routes.get(route)}]`,
          hint: 'each List-Id can route to one list only',
        });
      } else routes.set(route, li);
    }
    const ids = new Map(topIds);
    checkCustom(list.custom, ['lists', li, 'custom'], ids);
    checkRuleIds(list.rules, ['lists', li, 'rules'], [...builtin, ...ids.keys()]);
  });

  const decide = asRecord(cfg.decide);
  const defaults = decideSchema.parse({});
  const alertAt = typeof decide.alertAt === 'number' ? decide.alertAt : defaults.alertAt;
  const digestAt = typeof decide.digestAt === 'number' ? decide.digestAt : defaults.digestAt;
  if (digestAt > alertAt && alertAt >= 0 && digestAt <= 1) {
    out.push({
      path: ['decide', 'digestAt'],
      message: `digestAt (${digestAt}) is above alertAt (${alertAt}), so nothing would go to the digest`,
      hint: 'set digestAt below alertAt',
    });
  }
  return out;
}
