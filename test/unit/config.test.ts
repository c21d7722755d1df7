// Config loading: valid files, every kind of error (with file, line, path and hint), env substitution, defaults.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  configJsonSchema,
  defaultConfig,
  findList,
  loadConfig,
  parseConfigText,
  resolveRuleSettings,
  type Config,
  type ConfigProblem,
} from '../../src/config/index.js';
import { SCHEMA_FILE, schemaText } from '../../scripts/emit-schema.js';

const root = (rel: string) => fileURLToPath(new URL(`../../${rel}`, import.meta.url));

/** The ConfigError a text raises (the test fails if it loads). */
function errorOf(text: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    parseConfigText(text, 'config/tlug.yaml', env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  assert.fail(`expected a ConfigError for:\n${text}`);
}

test('valid files load', async (t) => {
  const cases: { file: string; check: (c: Config) => void }[] = [
    {
      file: 'config/default.yaml',
      check: (c) => assert.deepEqual(c.lists.map((l) => l.id), ['default']),
    },
    {
      file: 'config/example-tlug.yaml',
      check: (c) => {
        const tlug = c.lists[0]!;
        assert.equal(tlug.listId, 'tlug.tlug.example.jp');
        assert.ok(tlug.terms.includes('日本語入力'));
        assert.deepEqual(c.custom.map((r) => r.id), ['no-crypto-shilling', 'job-post-without-tag', 'html-only-mailer']);
        // the shorthand condition came out in the one canonical form
        assert.deepEqual(c.custom[0]!.match[1], {
          field: 'ownText',
          phrases: ['guaranteed returns', 'double your money', 'presale', 'limited time', '必ず儲かる', '絶対に儲かる', '今だけ'],
        });
        assert.equal(c.custom[2]!.match[0]!.field, 'header:x-mailer');
        assert.ok(c.decide.trustedSenders.includes('owner@tlug.example.jp'), 'env fallback used');
      },
    },
    {
      file: 'test/fixtures/config/minimal.yaml',
      check: (c) => {
        const { source: _s, lists: _l, ...rest } = c;
        const { source: _d, lists: _dl, ...defaults } = defaultConfig();
        assert.deepEqual(rest, defaults);
        assert.deepEqual(c.lists[0], { id: 'tiny', name: 'tiny', description: '', terms: [], allowOT: true, rules: {}, custom: [] });
      },
    },
    {
      file: 'test/fixtures/config/two-lists.yaml',
      check: (c) => {
        assert.equal(c.lists[0]!.listId, 'dev.lists.example.org', 'List-Id is lower-cased');
        assert.equal(c.lists[1]!.name, 'users', 'name defaults to the id');
        assert.deepEqual(c.rules['off-topic-thread'], { enabled: true, options: {} }, 'built-ins not named keep defaults');
        assert.equal(c.rules['thread-heat']!.enabled, false);
        assert.deepEqual(c.custom[0]!.exemptSenders, ['admin@lists.example.org', '@trusted.example']);
        assert.equal(c.custom[0]!.weight, 0.6);
        assert.equal(c.custom[0]!.category, 'custom');
        assert.deepEqual(c.lists[1]!.custom[0]!.match, [{ field: 'subject', keywords: ['viagra', 'casino'] }]);
        assert.equal(c.threads.subjectWindowDays, 7.5);
        assert.equal(c.ruleBudgetMs, 100);
      },
    },
  ];
  for (const c of cases) {
    await t.test(c.file, async () => {
      const cfg = await loadConfig(root(c.file));
      assert.equal(cfg.source, root(c.file));
      c.check(cfg);
    });
  }
});

test('config/default.yaml loads to exactly defaultConfig()', async () => {
  const fromFile = await loadConfig(root('config/default.yaml'));
  assert.deepEqual({ ...fromFile, source: '(defaults)' }, defaultConfig());
  assert.deepEqual(await loadConfig(), defaultConfig(), 'no file means the defaults');
  assert.deepEqual(parseConfigText('', 'empty.yaml', {}), { ...defaultConfig(), source: 'empty.yaml' }, 'an empty file too');
});

test('config/default.yaml has a comment for every key', () => {
  const lines = readFileSync(root('config/default.yaml'), 'utf8').split('\n');
  const bare: string[] = [];
  lines.forEach((line, i) => {
    if (!/^\s*(- )?[A-Za-z-]+:/.test(line) || line.includes('#')) return;
    let j = i - 1;
    while (j >= 0 && lines[j]!.trim() === '') j--;
    if (j < 0 || !lines[j]!.trim().startsWith('#')) bare.push(`line ${i + 1}: ${line.trim()}`);
  });
  assert.deepEqual(bare, []);
});

interface ErrorCase {
  name: string;
  yaml: string;
  env?: NodeJS.ProcessEnv;
  want: { line: number; column?: number; path: string; message: RegExp; hint: RegExp };
}

const errorCases: ErrorCase[] = [
  {
    name: 'wrong type',
    yaml: 'lists:\n  - id: tlug\n    rules:\n      incendiary-language:\n        alertAt: high\n',
    want: {
      line: 5,
      column: 18,
      path: 'lists[0].rules.incendiary-language.alertAt',
      message: /^expected a number between 0 and 1, got "high"$/,
      hint: /^set a number like 0\.8$/,
    },
  },
  {
    name: 'out of range',
    yaml: 'decide:\n  digestAt: 1.5\n',
    want: { line: 2, column: 13, path: 'decide.digestAt', message: /^expected a number between 0 and 1, got 1\.5$/, hint: /0\.8/ },
  },
  {
    name: 'whole number expected',
    yaml: 'threads:\n  keepPosts: 12.5\n',
    want: { line: 2, path: 'threads.keepPosts', message: /^expected a whole number between 1 and 10000, got 12\.5$/, hint: /like 50/ },
  },
  {
    name: 'quoted number',
    yaml: 'ruleBudgetMs: "50"\n',
    want: { line: 1, path: 'ruleBudgetMs', message: /expected a whole number of milliseconds .* got "50"/, hint: /like 250/ },
  },
  {
    name: 'unknown key with suggestion',
    yaml: 'decide:\n  alertAt: 0.9\n  digestat: 0.5\n',
    want: { line: 3, column: 3, path: 'decide.digestat', message: /^unknown key "digestat"$/, hint: /^did you mean "digestAt"\?$/ },
  },
  {
    name: 'unknown key, nothing near',
    yaml: 'lists:\n  - id: tlug\n    colour: red\n',
    want: { line: 3, path: 'lists[0].colour', message: /^unknown key "colour"$/, hint: /^known keys here: id, name, listId, description/ },
  },
  {
    name: 'unknown rule id with suggestion',
    yaml: 'rules:\n  incendiary-langauge:\n    enabled: false\n',
    want: { line: 2, column: 3, path: 'rules.incendiary-langauge', message: /^unknown rule "incendiary-langauge"$/, hint: /^did you mean "incendiary-language"\?$/ },
  },
  {
    name: 'unknown rule id in a list override',
    yaml: 'lists:\n  - id: tlug\n    rules:\n      off-topic: { enabled: false }\n',
    want: { line: 4, path: 'lists[0].rules.off-topic', message: /^unknown rule "off-topic"$/, hint: /did you mean "off-topic-thread"/ },
  },
  {
    name: 'YAML syntax error',
    yaml: 'lists: [',
    want: { line: 1, path: '', message: /^YAML syntax error: /, hint: /indentation|bracket/ },
  },
  {
    name: 'YAML duplicate key',
    yaml: 'decide:\n  alertAt: 0.9\n  alertAt: 0.8\n',
    want: { line: 3, path: '', message: /^YAML syntax error: Map keys must be unique/, hint: /appears twice/ },
  },
  {
    name: 'tab indentation',
    yaml: 'decide:\n\talertAt: 0.9\n',
    want: { line: 2, path: '', message: /^YAML syntax error/, hint: /spaces, not tabs/ },
  },
  {
    name: 'bad regex',
    yaml: 'custom:\n  - id: r\n    description: d\n    match:\n      - field: ownText\n        regex: ["ok", "(abc"]\n',
    want: { line: 6, column: 23, path: 'custom[0].match[0].regex[1]', message: /^invalid regex: missing closing \): `\(abc`$/, hint: /RE2 syntax/ },
  },
  {
    name: 'lookahead is not RE2',
    yaml: 'custom:\n  - id: r\n    description: d\n    match:\n      - field: ownText\n        regex: ["foo(?=bar)"]\n',
    want: { line: 6, path: 'custom[0].match[0].regex[0]', message: /^invalid regex: invalid or unsupported Perl syntax/, hint: /no lookahead/ },
  },
  {
    name: 'regex over 1,000 characters',
    yaml: `custom:\n  - id: r\n    description: d\n    match:\n      - field: ownText\n        regex: ["${'a'.repeat(1001)}"]\n`,
    want: { line: 6, path: 'custom[0].match[0].regex[0]', message: /^is 1001 characters long; at most 1000 are allowed$/, hint: /shorten/ },
  },
  {
    name: 'unset env var',
    yaml: 'decide:\n  trustedSenders:\n    - ${LW_TEST_UNSET_VAR}\n',
    want: { line: 3, column: 7, path: 'decide.trustedSenders[0]', message: /^environment variable LW_TEST_UNSET_VAR is not set$/, hint: /\$\{LW_TEST_UNSET_VAR:-value\}/ },
  },
  {
    name: 'duplicate custom rule id',
    yaml: 'custom:\n  - id: no-spam\n    description: a\n    match: [{ field: body, keywords: [x] }]\n  - id: no-spam\n    description: b\n    match: [{ field: body, keywords: [y] }]\n',
    want: { line: 5, column: 9, path: 'custom[1].id', message: /^duplicate custom rule id "no-spam" \(also at custom\[0\]\)$/, hint: /its own id/ },
  },
  {
    name: 'list custom rule repeating a top-level id',
    yaml: 'lists:\n  - id: a\n    custom:\n      - id: no-spam\n        description: b\n        match: [{ subject: { keywords: [y] } }]\ncustom:\n  - id: no-spam\n    description: a\n    match: [{ field: body, keywords: [x] }]\n',
    want: { line: 4, path: 'lists[0].custom[0].id', message: /^duplicate custom rule id "no-spam"/, hint: /its own id/ },
  },
  {
    name: 'custom rule named like a built-in',
    yaml: 'custom:\n  - id: thread-heat\n    description: a\n    match: [{ field: body, keywords: [x] }]\n',
    want: { line: 2, path: 'custom[0].id', message: /is the id of a built-in rule/, hint: /choose another id/ },
  },
  {
    name: 'missing required key',
    yaml: 'custom:\n  - id: no-spam\n    match: [{ field: body, keywords: [x] }]\n',
    want: { line: 2, path: 'custom[0].description', message: /^missing required key "description"$/, hint: /^add description:/ },
  },
  {
    name: 'bad enum value with suggestion',
    yaml: 'decide:\n  alertSeverity: hihg\n',
    want: { line: 2, path: 'decide.alertSeverity', message: /^expected one of low, medium, high, got "hihg"$/, hint: /^did you mean "high"\?$/ },
  },
  {
    name: 'bad enum value, nothing near',
    yaml: 'custom:\n  - id: r\n    description: d\n    severity: extreme\n    match: [{ field: body, keywords: [x] }]\n',
    want: { line: 4, column: 15, path: 'custom[0].severity', message: /got "extreme"$/, hint: /^use low, medium or high$/ },
  },
  {
    name: 'mistyped field in the shorthand',
    yaml: 'custom:\n  - id: r\n    description: d\n    match:\n      - ownTxt: { keywords: [x] }\n',
    want: { line: 5, column: 9, path: 'custom[0].match[0].field', message: /got "ownTxt"$/, hint: /^did you mean "ownText"\?$/ },
  },
  {
    name: 'condition with nothing to look for',
    yaml: 'custom:\n  - id: r\n    description: d\n    match:\n      - field: subject\n        not: true\n',
    want: { line: 5, path: 'custom[0].match[0]', message: /^a condition needs keywords, phrases or regex$/, hint: /keywords: \[word\]/ },
  },
  {
    name: 'custom rule id not kebab-case',
    yaml: 'custom:\n  - id: No_Spam\n    description: d\n    match: [{ field: body, keywords: [x] }]\n',
    want: { line: 2, path: 'custom[0].id', message: /expected a kebab-case id like no-crypto-shilling, got "No_Spam"/, hint: /lower-case/ },
  },
  {
    name: 'no lists',
    yaml: 'lists: []\n',
    want: { line: 1, path: 'lists', message: /^needs at least 1 item$/, hint: /- / },
  },
  {
    name: 'digest threshold above alert threshold',
    yaml: 'decide:\n  alertAt: 0.5\n  digestAt: 0.6\n',
    want: { line: 3, path: 'decide.digestAt', message: /digestAt \(0\.6\) is above alertAt \(0\.5\)/, hint: /below alertAt/ },
  },
  {
    name: 'top level is not a mapping',
    yaml: '- id: tlug\n',
    want: { line: 1, path: '', message: /^expected a mapping \(key: value lines\), got a list$/, hint: /key: value/ },
  },
];

test('each error kind gives file, line, path, message and hint', async (t) => {
  for (const c of errorCases) {
    await t.test(c.name, () => {
      const err = errorOf(c.yaml, c.env);
      const p = err.problems.find((x) => x.path === c.want.path && c.want.message.test(x.message));
      assert.ok(p, `no problem at ${c.want.path} matching ${c.want.message}; got:\n${err.message}`);
      assert.equal(p.file, 'config/tlug.yaml');
      assert.equal(p.line, c.want.line, err.message);
      if (c.want.column !== undefined) assert.equal(p.column, c.want.column, err.message);
      assert.match(p.hint ?? '', c.want.hint);
      // What the moderator reads: `file:line:col: path: message — hint`, one line per problem.
      const prefix = `config/tlug.yaml:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message} — ${p.hint}`;
      assert.ok(err.message.split('\n').includes(prefix), `message lacks "${prefix}":\n${err.message}`);
    });
  }
});

test('the example from the brief reads as a moderator would want', () => {
  const yaml = [
    'lists:',
    '  - id: tlug',
    '    rules:',
    '      incendiary-language:',
    '        alertAt: high',
  ].join('\n');
  assert.equal(
    errorOf(yaml).message,
    'config/tlug.yaml:5:18: lists[0].rules.incendiary-language.alertAt: expected a number between 0 and 1, got "high" — set a number like 0.8',
  );
});

test('all problems are reported at once, in file order', () => {
  const err = errorOf('decide:\n  alertSeverity: extreme\n  alertAt: 2\nthreads:\n  keepPost: 3\n');
  assert.deepEqual(
    err.problems.map((p: ConfigProblem) => [p.line, p.path]),
    [
      [2, 'decide.alertSeverity'],
      [3, 'decide.alertAt'],
      [5, 'threads.keepPost'],
    ],
  );
  assert.equal(err.message.split('\n').length, 3);
});

test('shape errors and cross-key errors come in one report', () => {
  const err = errorOf(
    [
      'rules:',
      '  thread-hat: { enabled: false }',
      'custom:',
      '  - id: dup',
      '    description: a',
      '    severity: extreme',
      '    match: [{ field: body, keywords: [x] }]',
      '  - id: dup',
      '    description: b',
      '    match: [{ field: body, keywords: [y] }]',
    ].join('\n'),
  );
  assert.deepEqual(
    err.problems.map((p) => `${p.line}: ${p.path}: ${p.message}`),
    ['2: rules.thread-hat: unknown rule "thread-hat"', '6: custom[0].severity: expected one of low, medium, high, got "extreme"', '8: custom[1].id: duplicate custom rule id "dup" (also at custom[0])'],
  );
});

test('a missing file is a clear error', async () => {
  await assert.rejects(loadConfig('/nonexistent/listwarden.yaml'), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.message, '/nonexistent/listwarden.yaml: config file not found — check the path; without a config file listwarden runs on its defaults');
    return true;
  });
});

test('environment substitution', async (t) => {
  const cases: { name: string; yaml: string; env: NodeJS.ProcessEnv; want: string[] }[] = [
    { name: 'whole value', yaml: 'decide: { trustedSenders: ["${MOD}"] }', env: { MOD: 'mod@example.org' }, want: ['mod@example.org'] },
    { name: 'inside a string', yaml: 'decide: { trustedSenders: ["${USER}@${HOST}"] }', env: { USER: 'ann', HOST: 'example.org' }, want: ['ann@example.org'] },
    { name: 'default when unset', yaml: 'decide: { trustedSenders: ["${MOD:-list@example.org}"] }', env: {}, want: ['list@example.org'] },
    { name: 'default when empty', yaml: 'decide: { trustedSenders: ["${MOD:-list@example.org}"] }', env: { MOD: '' }, want: ['list@example.org'] },
    { name: 'set beats default', yaml: 'decide: { trustedSenders: ["${MOD:-list@example.org}"] }', env: { MOD: 'x@y.org' }, want: ['x@y.org'] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.deepEqual(parseConfigText(c.yaml, 'env.yaml', c.env).decide.trustedSenders, c.want);
    });
  }
  await t.test('$${ is a literal ${', () => {
    const cfg = parseConfigText('lists: [{ id: a, description: "costs $${PRICE}" }]', 'env.yaml', {});
    assert.equal(cfg.lists[0]!.description, 'costs ${PRICE}');
  });
  await t.test('keys are never substituted', () => {
    const err = errorOf('decide:\n  ${KEY}: 1\n', { KEY: 'alertAt' });
    assert.equal(err.problems[0]!.path, 'decide["${KEY}"]');
  });
});

test('a substituted secret never appears in an error', async (t) => {
  const secret = 'hunter2-s3cret-token';
  const cases = [
    { name: 'wrong type', yaml: 'ruleBudgetMs: ${LW_SECRET}\n', shows: /got "\$\{LW_SECRET\}"/ },
    { name: 'bad sender', yaml: 'decide:\n  trustedSenders: ["${LW_SECRET}"]\n', shows: /got "\$\{LW_SECRET\}"/ },
    {
      name: 'bad regex quoting the pattern',
      yaml: 'custom:\n  - id: r\n    description: d\n    match: [{ field: body, regex: ["(${LW_SECRET}"] }]\n',
      shows: /invalid regex/,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const err = errorOf(c.yaml, { LW_SECRET: secret });
      assert.match(err.message, c.shows);
      assert.ok(!err.message.includes(secret), err.message);
      assert.ok(!JSON.stringify(err.problems).includes(secret));
    });
  }
});

test('custom rule ids may be set under rules: and list overrides', () => {
  const cfg = parseConfigText(
    [
      'lists:',
      '  - id: a',
      '    rules: { no-spam: { enabled: false }, list-only: { alertAt: 0.5 } }',
      '    custom: [{ id: list-only, description: l, match: [{ field: body, keywords: [x] }] }]',
      'rules: { no-spam: { digestAt: 0.3 } }',
      'custom: [{ id: no-spam, description: s, match: [{ field: body, keywords: [y] }] }]',
    ].join('\n'),
    'ok.yaml',
    {},
  );
  assert.equal(cfg.rules['no-spam']!.digestAt, 0.3);
});

test('resolveRuleSettings: top level, then the list override', async (t) => {
  const cfg = await loadConfig(root('test/fixtures/config/two-lists.yaml'));
  const [dev, users] = [cfg.lists[0]!, cfg.lists[1]!];
  const cases = [
    { name: 'list override on top of top-level', list: dev, rule: 'incendiary-language', want: { enabled: true, alertAt: 0.9, options: { flagAt: 0.4, disabledKinds: ['profanity'] } } },
    { name: 'top-level only', list: users, rule: 'incendiary-language', want: { enabled: true, alertAt: 0.7, options: { flagAt: 0.3, disabledKinds: ['profanity'] } } },
    { name: 'disabled at top level', list: dev, rule: 'thread-heat', want: { enabled: false, options: {} } },
    { name: 'built-in defaults (off-topic never alerts by score)', list: dev, rule: 'off-topic-thread', want: { enabled: true, alertAt: 1, options: {} } },
    { name: 'custom rule turned off on one list', list: dev, rule: 'no-links', want: { enabled: false, options: {} } },
    { name: 'custom rule elsewhere', list: users, rule: 'no-links', want: { enabled: true, options: {} } },
    { name: 'disabled custom rule enabled by its list', list: users, rule: 'no-spam-words', want: { enabled: true, options: {} } },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.deepEqual(resolveRuleSettings(cfg, c.list, c.rule), c.want));
  }
  await t.test('a custom rule written enabled: false stays off without an override', () => {
    const noOverride = { ...users, rules: {} };
    assert.equal(resolveRuleSettings(cfg, noOverride, 'no-spam-words').enabled, false);
  });
});

test('findList routes by List-Id, falling back to the first list', async (t) => {
  const cfg = await loadConfig(root('test/fixtures/config/two-lists.yaml'));
  const cases: [string | undefined, string][] = [
    ['dev.lists.example.org', 'dev'],
    ['users.lists.example.org', 'users'],
    ['Users Help <USERS.lists.example.org>', 'users'],
    ['other.example.org', 'dev'],
    [undefined, 'dev'],
    ['', 'dev'],
  ];
  for (const [header, want] of cases) {
    await t.test(String(header), () => assert.equal(findList(cfg, header).id, want));
  }
});

test('every key of the JSON Schema has a line of documentation (what an editor shows on hover)', () => {
  type Node = { properties?: Record<string, Node>; items?: Node; additionalProperties?: Node | boolean; anyOf?: Node[]; oneOf?: Node[]; allOf?: Node[]; description?: string };
  const missing: string[] = [];
  let keys = 0;
  const walk = (node: Node | boolean | undefined, path: string): void => {
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node.properties ?? {})) {
      keys++;
      if (!v.description) missing.push(`${path}.${k}`);
      walk(v, `${path}.${k}`);
    }
    walk(node.items, `${path}[]`);
    walk(node.additionalProperties, `${path}[]`);
    for (const x of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) walk(x, path);
  };
  walk(configJsonSchema() as Node, '');
  assert.ok(keys > 100, `${keys} keys walked`);
  assert.deepEqual(missing, [], 'keys without a description');
});

test('config/listwarden.schema.json is the generated schema', () => {
  assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), schemaText(), 'run: node --import tsx scripts/emit-schema.ts');
  const schema = configJsonSchema() as { properties: Record<string, { description?: string }> };
  for (const key of ['lists', 'rules', 'custom', 'decide', 'threads', 'ruleBudgetMs']) {
    assert.ok(schema.properties[key]?.description, `${key} is described`);
  }
});
