// Generators of hostile mail (broken MIME, bad encodings, huge or deeply nested parts, junk) for tests and the soak.

const MB = 1024 * 1024;
const CRLF = '\r\n';

/** A named hostile message; `note` says what is wrong with it, for test names and soak logs. */
export interface HostileMail {
  name: string;
  note: string;
  raw: Buffer;
}

/** Plain headers every generator starts from, so each message has an author and a findable Message-ID. */
function head(name: string, extra: string[] = [], subject = `hostile: ${name}`): string {
  return [
    'From: Hostile Sender <hostile@example.test>',
    'To: Test List <list@lists.example.test>',
    `Subject: ${subject}`,
    'Date: Mon, 13 Jul 2020 09:00:00 +0900',
    `Message-ID: <hostile-${name}@listwarden.test>`,
    'List-Id: Test List <list.lists.example.test>',
    'MIME-Version: 1.0',
    ...extra,
  ].join(CRLF);
}

/** xorshift32: deterministic bytes without the cost of crypto. Past 1 MB the bytes repeat (parsers don't care). */
export function pseudoRandomBytes(bytes: number, seed = 1): Buffer {
  const period = Math.min(bytes, MB);
  const words = new Uint32Array(Math.ceil(period / 4));
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[i] = x;
  }
  const block = Buffer.from(words.buffer, 0, period);
  return bytes === period ? block : Buffer.alloc(bytes, block);
}

/** Base64 in 76-character lines (57 input bytes each) joined by CRLF. */
function wrapLines(data: Buffer): Buffer {
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return Buffer.from(lines.join(CRLF) + CRLF, 'latin1');
}

/**
 * The same for many megabytes, quickly: the data is one block of whole lines repeated, so the block is encoded
 * once and the output is filled with copies of it.
 */
function wrappedBase64(bytes: number, seed: number): Buffer {
  const blockBytes = 57 * 16384;
  const block = pseudoRandomBytes(Math.min(bytes, blockBytes), seed);
  const full = Math.floor(bytes / blockBytes);
  const rest = wrapLines(block.subarray(0, bytes - full * blockBytes));
  if (full === 0) return rest;
  const wrapped = wrapLines(block);
  const out = Buffer.alloc(wrapped.length * full + rest.length, wrapped);
  rest.copy(out, wrapped.length * full);
  return out;
}

export type BadBoundaryVariant = 'mismatched' | 'missing-close' | 'empty' | 'no-parameter' | 'prefix-nested';

/** multipart whose boundaries do not add up. */
export function badBoundary(variant: BadBoundaryVariant = 'mismatched'): Buffer {
  const name = `bad-boundary-${variant}`;
  const text = 'Content-Type: text/plain; charset=utf-8' + CRLF + CRLF + 'The body text a reader should still see.' + CRLF;
  switch (variant) {
    case 'mismatched':
      return Buffer.from(
        head(name, ['Content-Type: multipart/mixed; boundary="declared"']) + CRLF + CRLF +
          '--actual' + CRLF + text + '--actual--' + CRLF,
      );
    case 'missing-close':
      return Buffer.from(
        head(name, ['Content-Type: multipart/mixed; boundary="b1"']) + CRLF + CRLF +
          'preamble' + CRLF + '--b1' + CRLF + text + '--b1' + CRLF +
          'Content-Type: text/plain' + CRLF + CRLF + 'second part, never closed' + CRLF,
      );
    case 'empty':
      return Buffer.from(
        head(name, ['Content-Type: multipart/alternative; boundary=""']) + CRLF + CRLF + '--' + CRLF + text + '----' + CRLF,
      );
    case 'no-parameter':
      return Buffer.from(head(name, ['Content-Type: multipart/mixed']) + CRLF + CRLF + '--' + CRLF + text);
    case 'prefix-nested':
      // The inner boundary starts with the outer one, and the outer one appears inside body text.
      return Buffer.from(
        head(name, ['Content-Type: multipart/mixed; boundary="ab"']) + CRLF + CRLF +
          '--ab' + CRLF + 'Content-Type: multipart/alternative; boundary="abc"' + CRLF + CRLF +
          '--abc' + CRLF + text + 'text mentioning' + CRLF + '--ab in the middle of a line --ab' + CRLF +
          '--abc--' + CRLF + '--ab--' + CRLF,
      );
  }
}

/** base64 bodies with characters outside the alphabet, bad padding and a cut-off final quantum. */
export function invalidBase64(): Buffer {
  const good = Buffer.from('Readable text hidden in broken base64.\n').toString('base64');
  const body = [good.slice(0, 20) + '!!!@@@***' + good.slice(20), 'QUJD=Q==', '====', 'Zm9v YmFy\tYmF6', 'QUJDRE'].join(CRLF);
  return Buffer.from(
    head('invalid-base64', [
      'Content-Type: multipart/mixed; boundary="b64"',
    ]) + CRLF + CRLF +
      '--b64' + CRLF + 'Content-Type: text/plain; charset=utf-8' + CRLF + 'Content-Transfer-Encoding: base64' + CRLF + CRLF +
      body + CRLF +
      '--b64' + CRLF + 'Content-Type: application/octet-stream; name="x.bin"' + CRLF +
      'Content-Disposition: attachment; filename="x.bin"' + CRLF + 'Content-Transfer-Encoding: base64' + CRLF + CRLF +
      '%%%%not base64 at all%%%%' + CRLF + '--b64--' + CRLF,
  );
}

/** quoted-printable with bad escapes, a dangling "=", a lone CR and an incomplete UTF-8 sequence. */
export function invalidQuotedPrintable(): Buffer {
  const body = [
    'Bad hex =ZZ and =4 and =G1 here.',
    'Incomplete UTF-8: =E3=81 then text.',
    'A soft break at the very end =',
    'bare\rCR inside a line',
    'x'.repeat(5000) + ' (a 5000-character line with no soft breaks)',
    'Ends with an equals sign=',
  ].join(CRLF);
  return Buffer.from(
    head('invalid-qp', ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable']) +
      CRLF + CRLF + body,
    'latin1',
  );
}

/** Text in a charset nobody knows, in the body and in an encoded-word subject; also bytes mislabelled as ASCII. */
export function unknownCharset(variant: 'unknown' | 'mislabelled' = 'unknown'): Buffer {
  if (variant === 'mislabelled') {
    const utf8 = Buffer.from('これは UTF-8 なのに us-ascii と書いてある。Ünïcödé.\r\n', 'utf8');
    return Buffer.concat([
      Buffer.from(head('mislabelled-charset', ['Content-Type: text/plain; charset=us-ascii', 'Content-Transfer-Encoding: 7bit']) + CRLF + CRLF),
      utf8,
    ]);
  }
  const high = Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i));
  return Buffer.concat([
    Buffer.from(
      head('unknown-charset', ['Content-Type: text/plain; charset="x-klingon-8"', 'Content-Transfer-Encoding: 8bit'],
        '=?x-klingon-8?B?' + high.subarray(0, 24).toString('base64') + '?= and =?utf-7?Q?+ZeVnLIqe-?='),
      'latin1',
    ),
    Buffer.from(CRLF + CRLF + 'Plain words, then high bytes: ', 'latin1'),
    high,
    Buffer.from(CRLF, 'latin1'),
  ]);
}

/** NUL bytes in a header value, a header name and the body. */
export function nulBytes(): Buffer {
  const s =
    head('nul-bytes', ['Content-Type: text/plain; charset=utf-8', 'X-Nul\u0000Name: value'], 'NUL\u0000in\u0000subject') +
    CRLF + CRLF + 'before\u0000after' + CRLF + '\u0000'.repeat(1000) + CRLF + 'end' + CRLF;
  return Buffer.from(s, 'latin1');
}

/** A text body that is one line of `bytes` bytes (20 MB by default), without a single newline. */
export function hugeSingleLine(bytes = 20 * MB): Buffer {
  return Buffer.concat([
    Buffer.from(head('huge-single-line', ['Content-Type: text/plain; charset=utf-8']) + CRLF + CRLF),
    Buffer.alloc(bytes, 'all work and no play makes a very long line '),
  ]);
}

/** `depth` multiparts each inside the last (10,000 by default), a text part at the bottom. */
export function nestedMultiparts(depth = 10_000): Buffer {
  const open: string[] = [];
  for (let i = 0; i < depth; i++) {
    open.push(`Content-Type: multipart/mixed; boundary="n${i}"${CRLF}${CRLF}--n${i}${CRLF}`);
  }
  const close: string[] = [];
  for (let i = depth - 1; i >= 0; i--) close.push(`--n${i}--${CRLF}`);
  // The outermost Content-Type is a header of the message itself, so drop it from the first level's text.
  const first = (open[0] ?? '').replace(/^Content-Type: [^\r]*\r\n\r\n/, '');
  return Buffer.from(
    head('nested-multiparts', [`Content-Type: multipart/mixed; boundary="n0"`]) + CRLF + CRLF +
      first + open.slice(1).join('') +
      'Content-Type: text/plain; charset=utf-8' + CRLF + CRLF + 'The innermost text.' + CRLF +
      close.join(''),
  );
}

/** Encoded words that decode to CRLF plus a header ("Bcc:"), in Subject, From's display name and a reply header. */
export function headerInjection(): Buffer {
  const evil = Buffer.from('Hello\r\nBcc: victim@example.test\r\nX-Injected: yes').toString('base64');
  const lines = [
    'From: =?UTF-8?Q?Mallory=0D=0AReply-To:_attacker@example.test?= <mallory@example.test>',
    'To: Test List <list@lists.example.test>',
    `Subject: =?UTF-8?B?${evil}?=`,
    'Date: Mon, 13 Jul 2020 09:00:00 +0900',
    'Message-ID: <hostile-header-injection@listwarden.test>',
    'In-Reply-To: =?UTF-8?Q?<a@b>=0D=0ABcc:_x@example.test?=',
    'List-Id: Test List <list.lists.example.test>',
    'X-Bare-CR: one\rtwo',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
  ];
  return Buffer.from(lines.join(CRLF) + CRLF + CRLF + 'Body after injected headers.' + CRLF);
}

/** Bytes that are not mail at all. */
export function binaryJunk(bytes = 64 * 1024, seed = 7): Buffer {
  const junk = pseudoRandomBytes(bytes, seed);
  // Never let junk begin with something a reader could take for a header line or a From line.
  junk[0] = 0x00;
  return junk;
}

export type TruncatedVariant = 'mid-header' | 'mid-body' | 'mid-base64';

/** A message cut off part way, with no final newline. */
export function truncatedMessage(variant: TruncatedVariant = 'mid-body'): Buffer {
  const full =
    head(`truncated-${variant}`, ['Content-Type: multipart/mixed; boundary="t1"']) + CRLF + CRLF +
    '--t1' + CRLF + 'Content-Type: text/plain; charset=utf-8' + CRLF + CRLF + 'First part, complete enough to read.' + CRLF +
    '--t1' + CRLF + 'Content-Type: application/octet-stream' + CRLF + 'Content-Transfer-Encoding: base64' + CRLF + CRLF +
    pseudoRandomBytes(3000, 3).toString('base64') + CRLF + '--t1--' + CRLF;
  const cut =
    variant === 'mid-header' ? full.indexOf('Date:') + 8 :
    variant === 'mid-body' ? full.indexOf('complete enough') + 8 :
    full.indexOf('base64' + CRLF + CRLF) + 1000;
  return Buffer.from(full.slice(0, cut));
}

/** A text part and an attachment of `bytes` decoded bytes (50 MB by default), base64 in 76-character lines. */
export function largeAttachment(bytes = 50 * MB): Buffer {
  return Buffer.concat([
    Buffer.from(
      head('large-attachment', ['Content-Type: multipart/mixed; boundary="big"']) + CRLF + CRLF +
        '--big' + CRLF + 'Content-Type: text/plain; charset=utf-8' + CRLF + CRLF + 'See the attached dump.' + CRLF +
        '--big' + CRLF + 'Content-Type: application/octet-stream; name="dump.bin"' + CRLF +
        'Content-Disposition: attachment; filename="dump.bin"' + CRLF + 'Content-Transfer-Encoding: base64' + CRLF + CRLF,
    ),
    wrappedBase64(bytes, 11),
    Buffer.from('--big--' + CRLF),
  ]);
}

export interface HostileMailsOptions {
  /** Shrink the big ones (20 MB line → 200 KB, 50 MB attachment → 500 KB, 10,000 levels → 500) for quick unit tests. */
  small?: boolean;
}

/** Every generator once (each variant), for soak runs and table-driven tests. */
export function hostileMails(opts: HostileMailsOptions = {}): HostileMail[] {
  const small = opts.small ?? false;
  const boundaries: BadBoundaryVariant[] = ['mismatched', 'missing-close', 'empty', 'no-parameter', 'prefix-nested'];
  const truncations: TruncatedVariant[] = ['mid-header', 'mid-body', 'mid-base64'];
  return [
    ...boundaries.map((v) => ({ name: `bad-boundary-${v}`, note: `multipart boundaries: ${v}`, raw: badBoundary(v) })),
    { name: 'invalid-base64', note: 'base64 with bad characters, padding and a cut quantum', raw: invalidBase64() },
    { name: 'invalid-qp', note: 'quoted-printable with bad escapes', raw: invalidQuotedPrintable() },
    { name: 'unknown-charset', note: 'charset x-klingon-8 in body and subject', raw: unknownCharset('unknown') },
    { name: 'mislabelled-charset', note: 'UTF-8 bytes labelled us-ascii', raw: unknownCharset('mislabelled') },
    { name: 'nul-bytes', note: 'NUL bytes in headers and body', raw: nulBytes() },
    { name: 'huge-single-line', note: `one line of ${small ? '200 KB' : '20 MB'}`, raw: hugeSingleLine(small ? 200 * 1024 : 20 * MB) },
    { name: 'nested-multiparts', note: `${small ? 500 : 10_000} nested multiparts`, raw: nestedMultiparts(small ? 500 : 10_000) },
    { name: 'header-injection', note: 'CRLF inside encoded words', raw: headerInjection() },
    { name: 'binary-junk', note: 'random bytes, not mail', raw: binaryJunk(small ? 4096 : 64 * 1024) },
    ...truncations.map((v) => ({ name: `truncated-${v}`, note: `message cut ${v}`, raw: truncatedMessage(v) })),
    { name: 'large-attachment', note: `${small ? '500 KB' : '50 MB'} attachment`, raw: largeAttachment(small ? 500 * 1024 : 50 * MB) },
  ];
}
