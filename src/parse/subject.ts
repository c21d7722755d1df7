// Subject normalization: strips reply/forward prefixes and list tags, and splits "New (was: Old)" topic changes.

// Reply and forward markers in the languages list mail shows up in, with optional counters (Re[2]:, Re^2:, Re(2):)
// and either colon (ASCII or full-width). Sticky and without nested quantifiers, so each test is linear.
const PREFIX_RE =
  /(?:re|fwd?|aw|wg|sv|vs|réf|ref|rif|odp|antw|tr|rv|enc|返信|転送|回复|答复|转发|回覆)[ \t]*(?:\[\d{1,4}\]|\(\d{1,4}\)|\^\d{1,4})?[ \t]*[:：][ \t]*/iy;
// A list tag such as [tlug] or [OT]: short and without nested brackets.
const TAG_RE = /\[[^[\]]{0,80}\][ \t]*/y;

function foldSpaces(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Strips any mix of reply/forward prefixes and list tags from the front, folds whitespace, lower-cases. */
function stripFront(subject: string): string {
  const s = foldSpaces(subject);
  let at = 0;
  for (;;) {
    PREFIX_RE.lastIndex = at;
    TAG_RE.lastIndex = at;
    if (PREFIX_RE.test(s)) at = PREFIX_RE.lastIndex;
    else if (TAG_RE.test(s)) at = TAG_RE.lastIndex;
    else break;
  }
  return s.slice(at).toLowerCase();
}

/**
 * Finds a trailing "(was: Old)", "(was Old)", "[was: Old]" in a subject. Scans from the end so the old topic may
 * itself contain parentheses, and tolerates a missing closing bracket (subjects get truncated).
 */
function splitWas(s: string): { head: string; old: string } | undefined {
  const lower = s.toLowerCase();
  let at = lower.length;
  for (;;) {
    const i = Math.max(lower.lastIndexOf('(was', at - 1), lower.lastIndexOf('[was', at - 1));
    if (i < 0) return undefined;
    const after = lower.charAt(i + 4);
    if (after === ':' || after === ' ' || after === '：' || after === '\t') {
      const open = s.charAt(i);
      const close = open === '(' ? ')' : ']';
      let body = s.slice(i + 4).replace(/^[\s:：]+/, '');
      body = body.trimEnd();
      if (body.endsWith(close)) body = body.slice(0, -1);
      const head = s.slice(0, i).trim();
      if (head && body.trim()) return { head, old: body };
      return undefined;
    }
    at = i;
    if (at <= 0) return undefined;
  }
}

/**
 * The thread key of a subject: "Re: [tlug] Re[2]: Foo  Bar" → "foo bar". For "New topic (was: Old topic)" the
 * normalized new topic, and the normalized old topic as `was`.
 */
export function normalizeSubject(subject: string): { normalized: string; was?: string } {
  const stripped = stripFront(subject);
  const split = splitWas(stripped);
  if (!split) return { normalized: stripped };
  const was = stripFront(split.old);
  const normalized = stripFront(split.head);
  if (!normalized || !was) return { normalized: stripped };
  return { normalized, was };
}
