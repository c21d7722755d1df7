// The pipeline's routing: a post belongs to the list whose mailbox delivered it, else to the list its List-Id names.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { parseConfigText } from '../../src/config/index.js';
import { createPipeline } from '../../src/pipeline/index.js';

const config = parseConfigText(
  'lists:\n  - id: alpha\n    listId: alpha.example.org\n  - id: beta\n    listId: beta.example.org\n',
  'two.yaml',
);
const raw = (listId: string | undefined, id: string): Buffer =>
  Buffer.from(`From: a@example.org\nSubject: kernel question\nMessage-ID: <${id}@x>\n${listId ? `List-Id: <${listId}>\n` : ''}\nWhich kernel do you run?\n`);

const cases: { name: string; listId?: string; mailbox?: string; want: string }[] = [
  { name: 'List-Id routes when no mailbox is named', listId: 'beta.example.org', want: 'beta' },
  { name: 'no List-Id and no mailbox: the first list', want: 'alpha' },
  { name: 'the mailbox wins over a missing List-Id', mailbox: 'beta', want: 'beta' },
  { name: "the mailbox wins over another list's List-Id", listId: 'alpha.example.org', mailbox: 'beta', want: 'beta' },
  { name: 'an unknown mailbox list falls back to the List-Id', listId: 'beta.example.org', mailbox: 'gone', want: 'beta' },
];

for (const [i, c] of cases.entries()) {
  test(`pipeline: ${c.name}`, async () => {
    const pipeline = createPipeline(config, { log: pino({ level: 'silent' }) });
    const out = await pipeline.processRaw(raw(c.listId, `m${i}`), c.mailbox ? { list: c.mailbox } : undefined);
    assert.equal(out.kind, 'verdict');
    if (out.kind === 'verdict') assert.equal(out.list, c.want);
  });
}
