// Small hand-built Post objects for unit tests: say only what the test is about, the rest is sane defaults.

import type { Address, Post, Segment } from '../../src/model/post.js';

let counter = 0;

function display(from: Address): string {
  if (from.name && from.address) return `${from.name} <${from.address}>`;
  return from.address ?? from.name ?? '';
}

function normalize(subject: string): string {
  let s = subject.replace(/\s+/g, ' ').trim();
  for (let prev = ''; prev !== s; ) {
    prev = s;
    s = s.replace(/^(re|fwd?|aw|sv|réf|返信)\s*:\s*/i, '').replace(/^\[[^\]]*\]\s*/, '');
  }
  return s.toLowerCase();
}

/**
 * A Post with defaults: from alice@example.org, subject "Test post", own text "Hello list.", no quotes.
 * Segments, ownText and quotedText agree unless the test gives segments of its own; headers carry
 * from/subject/message-id/list-id as parse would, merged under any headers given.
 */
export function makePost(partial: Partial<Post> = {}): Post {
  counter += 1;
  const from: Address = partial.from ?? { name: 'Alice Example', address: 'alice@example.org' };
  const author = partial.author ?? display(from);
  const subject = partial.subject ?? 'Test post';
  const ownText = partial.ownText ?? 'Hello list.';
  const quotedText = partial.quotedText ?? '';
  const messageId = partial.messageId ?? `<test-${counter}@example.org>`;
  const segments: Segment[] =
    partial.segments ??
    [
      ...(quotedText ? [{ kind: 'quote' as const, text: quotedText, depth: 1 }] : []),
      ...(ownText ? [{ kind: 'own' as const, text: ownText }] : []),
    ];
  const headers: Record<string, string> = {
    from: author,
    subject,
    'message-id': messageId,
    ...(partial.listId ? { 'list-id': `<${partial.listId}>` } : {}),
    ...partial.headers,
  };
  return {
    messageIdSynthetic: false,
    references: [],
    normalizedSubject: normalize(subject),
    size: ownText.length + quotedText.length + 200,
    htmlOnly: false,
    attachments: [],
    warnings: [],
    ...partial,
    messageId,
    from,
    author,
    subject,
    ownText,
    quotedText,
    segments,
    headers,
  };
}
