// The rule registry and the config schema agree on the built-in rule ids (config cannot import the rules stage).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_RULE_IDS } from '../../src/config/index.js';
import { builtinRules } from '../../src/rules/index.js';

test('rule registry: config knows exactly the built-in rules, each with a kebab-case id, description and version', () => {
  assert.deepEqual([...BUILTIN_RULE_IDS].sort(), builtinRules.map((r) => r.id).sort());
  for (const r of builtinRules) {
    assert.match(r.id, /^[a-z]+(-[a-z]+)*$/);
    assert.ok(r.description.length > 20, `${r.id} has a description`);
    assert.ok(r.version.length > 0, `${r.id} has a version`);
  }
});
