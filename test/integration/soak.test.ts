// A short fault soak (scripts/soak/run.ts): every post one verdict or a failed-set entry, every alert mailed once, no crash.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatSoakReport, runSoak } from '../../scripts/soak/run.js';
import { FAULT_KINDS } from '../../scripts/soak/faults.js';

const CORPUS = process.env.LISTWARDEN_SOAK_CORPUS ?? fileURLToPath(new URL('../../../shared/corpus/mailparser-fixtures', import.meta.url));

test('short soak under every kind of fault: zero lost, zero duplicated, the daemon never crashes', { timeout: 420_000 }, async () => {
  assert.ok(existsSync(CORPUS), `the mailparser fixtures are at ${CORPUS} (set LISTWARDEN_SOAK_CORPUS otherwise)`);
  const report = await runSoak({
    minutes: 1.25,
    corpusDir: CORPUS,
    seed: Number(process.env.LISTWARDEN_SOAK_SEED ?? 20240501),
    postsPerSecond: 2,
    // Short gaps so that all six kinds of fault fit in the stream.
    gapSeconds: [1, 3],
    drainSeconds: 150,
    log: process.env.LISTWARDEN_SOAK_VERBOSE ? (l) => process.stderr.write(`[soak] ${l}\n`) : undefined,
  });
  const text = formatSoakReport(report);
  // The figures are part of the test's output (the runner shows them as comments), so a CI log has them.
  process.stdout.write(text);

  assert.ok(report.posts.sent >= 60, `posts sent: ${report.posts.sent}`);
  assert.deepEqual(report.verdicts.lost, [], 'no post lost');
  assert.deepEqual(report.verdicts.duplicated, [], 'no post decided twice');
  assert.deepEqual(report.failedSet.ordinary, [], 'only unreadable mail ends in the failed set');
  assert.ok(report.alerts.received > 0, 'alerts arrived');
  assert.deepEqual(report.alerts.lost, [], 'no alert lost');
  assert.deepEqual(report.alerts.duplicated, [], 'no alert mailed twice');
  assert.deepEqual(report.alerts.triggersNotAlerted, [], 'the rules stayed in force through the broken config');
  assert.deepEqual(report.processes.crashes, [], 'no daemon process died unasked');
  assert.deepEqual(Object.values(report.processes.exitCodes), [0, 0, 0], 'SIGTERM at the end: every process exits 0');
  const kinds = new Set(report.faults.map((f) => f.kind));
  assert.deepEqual([...FAULT_KINDS].filter((k) => !kinds.has(k)), [], 'every kind of fault was injected');
  assert.deepEqual(report.faults.filter((f) => f.error), [], 'every fault was undone');
  for (const name of ['nested-multiparts', 'huge-single-line', 'nul-bytes', 'header-injection', 'bad-boundary-mismatched', 'invalid-base64']) {
    const row = report.hostile.find((h) => h.name === name);
    assert.ok(row && row.outcome !== 'lost', `${name}: processed or in the failed set with a reason`);
  }
  assert.ok(report.hostile.some((h) => h.kind === 'spam'), 'spam from the shared corpus went through');
  assert.equal(report.ok, true, text);
});
