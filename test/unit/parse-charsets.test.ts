// Charsets: bodies and RFC 2047 headers in Japanese, Windows and ISO-8859 charsets, declared right and wrong.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { parsePost } from '../../src/parse/index.js';
import { encodeIso2022Jp } from '../../src/parse/charset.js';

const JA = '山田です。プリンタの設定について、ドライバを入れ直してください。';

/** Bytes of `text` in `charset` (ISO-2022-JP by our encoder, since iconv-lite has none). */
function enc(text: string, charset: string): Buffer {
  return charset === 'iso-2022-jp' ? encodeIso2022Jp(text) : iconv.encode(text, charset);
}

/** A single-part mail whose body is `body`, sent with the given Content-Type and transfer encoding. */
function mail(body: Buffer, contentType: string, opts: { cte?: string; subject?: string; from?: string } = {}): Buffer {
  const cte = opts.cte ?? '8bit';
  let encoded = body;
  if (cte === 'base64') encoded = Buffer.from(body.toString('base64').replace(/.{76}/g, '$&\r\n'), 'latin1');
  if (cte === 'quoted-printable') encoded = qp(body);
  const head =
    `From: ${opts.from ?? 'Poster <poster@example.org>'}\r\n` +
    `Subject: ${opts.subject ?? 'test'}\r\n` +
    'Message-ID: <charset@example.org>\r\nMIME-Version: 1.0\r\n' +
    `Content-Type: ${contentType}\r\nContent-Transfer-Encoding: ${cte}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), encoded, Buffer.from('\r\n')]);
}

function qp(body: Buffer): Buffer {
  let out = '';
  let lineLen = 0;
  for (const b of body) {
    const piece = b === 0x0a ? '\n' : b >= 0x21 && b <= 0x7e && b !== 0x3d ? String.fromCharCode(b) : b === 0x20 ? ' ' : '=' + b.toString(16).toUpperCase().padStart(2, '0');
    if (piece === '\n') lineLen = 0;
    else if (lineLen + piece.length > 73) {
      out += '=\n';
      lineLen = 0;
    }
    out += piece;
    if (piece !== '\n') lineLen += piece.length;
  }
  return Buffer.from(out, 'latin1');
}

/** An RFC 2047 encoded word. */
function ew(charset: string, bytes: Buffer, mode: 'B' | 'Q' = 'B'): string {
  const data = mode === 'B' ? bytes.toString('base64') : [...bytes].map((b) => (b > 0x20 && b < 0x7f && b !== 0x3d && b !== 0x3f && b !== 0x5f ? String.fromCharCode(b) : b === 0x20 ? '_' : '=' + b.toString(16).toUpperCase().padStart(2, '0'))).join('');
  return `=?${charset}?${mode}?${data}?=`;
}

interface BodyCase {
  name: string;
  text: string;
  /** Charset the bytes are really in. */
  actual: string;
  /** What the Content-Type says (undefined: no charset parameter). */
  declared?: string;
  cte?: string;
  /** Whether parse must warn that it repaired the charset. */
  warns: boolean;
}

const bodyCases: BodyCase[] = [
  { name: 'ISO-2022-JP', text: JA, actual: 'iso-2022-jp', declared: 'ISO-2022-JP', cte: '7bit', warns: false },
  { name: 'ISO-2022-JP in base64', text: JA, actual: 'iso-2022-jp', declared: 'iso-2022-jp', cte: 'base64', warns: false },
  { name: 'Shift_JIS', text: JA, actual: 'shift_jis', declared: 'Shift_JIS', warns: false },
  { name: 'Shift_JIS quoted-printable', text: JA, actual: 'shift_jis', declared: 'shift_jis', cte: 'quoted-printable', warns: false },
  { name: 'EUC-JP', text: JA, actual: 'euc-jp', declared: 'EUC-JP', warns: false },
  { name: 'UTF-8', text: `${JA} Grüße “quotes” 😊`, actual: 'utf-8', declared: 'utf-8', warns: false },
  { name: 'UTF-8 base64', text: `${JA} 😊`, actual: 'utf-8', declared: 'UTF-8', cte: 'base64', warns: false },
  { name: 'windows-1250', text: 'Příliš žluťoučký kůň úpěl ďábelské ódy', actual: 'windows-1250', declared: 'windows-1250', warns: false },
  { name: 'windows-1251', text: 'Привет, мир! Как дела?', actual: 'windows-1251', declared: 'windows-1251', warns: false },
  { name: 'windows-1252', text: 'Café “smart” — naïve façade', actual: 'windows-1252', declared: 'windows-1252', warns: false },
  { name: 'windows-1253', text: 'Καλημέρα κόσμε', actual: 'windows-1253', declared: 'windows-1253', warns: false },
  { name: 'windows-1254', text: 'İstanbul’da güzel bir gün, ğüşçö', actual: 'windows-1254', declared: 'windows-1254', warns: false },
  { name: 'windows-1255', text: 'שלום עולם', actual: 'windows-1255', declared: 'windows-1255', warns: false },
  { name: 'windows-1256', text: 'مرحبا بالعالم', actual: 'windows-1256', declared: 'windows-1256', warns: false },
  { name: 'windows-1257', text: 'Ąčęėįšųūž Labas rytas', actual: 'windows-1257', declared: 'windows-1257', warns: false },
  { name: 'windows-1258', text: 'Đ đ ơ ư Ơ Ư ₫', actual: 'windows-1258', declared: 'windows-1258', warns: false },
  { name: 'ISO-8859-1', text: 'Grüße aus Köln, señor', actual: 'iso-8859-1', declared: 'iso-8859-1', cte: 'quoted-printable', warns: false },
  { name: 'ISO-8859-2', text: 'Zażółć gęślą jaźń', actual: 'iso-8859-2', declared: 'ISO-8859-2', warns: false },
  { name: 'ISO-8859-5', text: 'Здравствуйте, друзья', actual: 'iso-8859-5', declared: 'iso-8859-5', warns: false },
  { name: 'ISO-8859-7', text: 'Ελληνικά γράμματα', actual: 'iso-8859-7', declared: 'iso-8859-7', warns: false },
  { name: 'ISO-8859-15', text: "Prix: 10 € pour l'œuvre", actual: 'iso-8859-15', declared: 'iso-8859-15', warns: false },
  { name: 'KOI8-R', text: 'Добрый день', actual: 'koi8-r', declared: 'koi8-r', warns: false },
  // Mislabelled and unlabelled.
  { name: 'UTF-8 declared as ISO-8859-1', text: 'Grüße “quotes” — 日本語', actual: 'utf-8', declared: 'iso-8859-1', warns: true },
  { name: 'Shift_JIS declared as ISO-8859-1', text: JA, actual: 'shift_jis', declared: 'iso-8859-1', warns: true },
  { name: 'EUC-JP declared as windows-1252', text: JA, actual: 'euc-jp', declared: 'windows-1252', warns: true },
  { name: 'UTF-8 declared as us-ascii', text: 'naïve café ☕', actual: 'utf-8', declared: 'us-ascii', warns: true },
  { name: 'latin-1 declared as us-ascii', text: 'naïve café', actual: 'windows-1252', declared: 'us-ascii', warns: true },
  { name: 'Shift_JIS declared as UTF-8', text: JA, actual: 'shift_jis', declared: 'utf-8', warns: true },
  { name: 'EUC-JP declared as UTF-8', text: JA, actual: 'euc-jp', declared: 'UTF-8', warns: true },
  { name: 'UTF-8 declared as Shift_JIS', text: 'Grüße “quotes” 😊', actual: 'utf-8', declared: 'shift_jis', warns: true },
  { name: 'UTF-8 under an unknown charset', text: 'Grüße 日本語', actual: 'utf-8', declared: 'x-no-such-charset', warns: true },
  { name: 'Shift_JIS under an unknown charset', text: JA, actual: 'shift_jis', declared: 'x-sjis-unknown', warns: true },
  { name: 'Shift_JIS with no charset at all', text: JA, actual: 'shift_jis', warns: true },
  { name: 'ISO-2022-JP with no charset at all', text: JA, actual: 'iso-2022-jp', cte: '7bit', warns: true },
  { name: 'ISO-2022-JP declared as us-ascii', text: JA, actual: 'iso-2022-jp', declared: 'us-ascii', cte: '7bit', warns: true },
  { name: 'UTF-8 with no charset at all', text: 'Grüße 日本語', actual: 'utf-8', warns: false },
];

for (const c of bodyCases) {
  test(`charsets: body ${c.name}`, async () => {
    const ct = c.declared === undefined ? 'text/plain' : `text/plain; charset="${c.declared}"`;
    const post = await parsePost(mail(enc(c.text, c.actual), ct, { cte: c.cte ?? '8bit' }));
    assert.equal(post.ownText, c.text);
    const charsetWarnings = post.warnings.filter((w) => /charset/i.test(w));
    assert.equal(charsetWarnings.length > 0, c.warns, `warnings: ${JSON.stringify(post.warnings)}`);
  });
}

function multipart(parts: { contentType: string; body: Buffer; cte?: string }[], subtype = 'alternative'): Buffer {
  const chunks: Buffer[] = [
    Buffer.from(
      'From: Poster <poster@example.org>\r\nSubject: multipart\r\nMessage-ID: <mp@example.org>\r\nMIME-Version: 1.0\r\n' +
        `Content-Type: multipart/${subtype}; boundary="==b=="\r\n\r\npreamble\r\n`,
    ),
  ];
  for (const p of parts) {
    chunks.push(Buffer.from(`--==b==\r\nContent-Type: ${p.contentType}\r\nContent-Transfer-Encoding: ${p.cte ?? '8bit'}\r\n\r\n`));
    chunks.push(p.cte === 'base64' ? Buffer.from(p.body.toString('base64')) : p.body, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from('--==b==--\r\n'));
  return Buffer.concat(chunks);
}

const mimeCases: { name: string; text: string; actual: string; declared: string; warns: boolean }[] = [
  { name: 'ISO-2022-JP part', text: JA, actual: 'iso-2022-jp', declared: 'iso-2022-jp', warns: false },
  { name: 'Shift_JIS part', text: JA, actual: 'shift_jis', declared: 'shift_jis', warns: false },
  { name: 'windows-1251 part', text: 'Привет, мир!', actual: 'windows-1251', declared: 'windows-1251', warns: false },
  { name: 'Shift_JIS part declared ISO-8859-1', text: JA, actual: 'shift_jis', declared: 'iso-8859-1', warns: true },
  { name: 'windows-1252 part declared UTF-8', text: 'naïve café “quoted”', actual: 'windows-1252', declared: 'utf-8', warns: true },
  { name: 'EUC-JP part declared us-ascii', text: JA, actual: 'euc-jp', declared: 'us-ascii', warns: true },
  { name: 'UTF-8 part under an unknown charset', text: 'Grüße 日本語', actual: 'utf-8', declared: 'x-klingon', warns: true },
];

for (const c of mimeCases) {
  test(`charsets: multipart ${c.name}`, async () => {
    const raw = multipart([
      { contentType: `text/plain; charset=${c.declared}`, body: enc(c.text, c.actual) },
      { contentType: 'text/html; charset=utf-8', body: Buffer.from('<p>html alternative</p>') },
    ]);
    const post = await parsePost(raw);
    assert.equal(post.ownText, c.text);
    assert.equal(post.htmlOnly, false);
    const charsetWarnings = post.warnings.filter((w) => /charset/i.test(w));
    assert.equal(charsetWarnings.length > 0, c.warns, `warnings: ${JSON.stringify(post.warnings)}`);
  });
}

test('charsets: HTML-only Shift_JIS part inside multipart/mixed with an attachment', async () => {
  const raw = multipart(
    [
      { contentType: 'text/html; charset=Shift_JIS', body: enc(`<p>${JA}</p>`, 'shift_jis') },
      { contentType: 'application/pdf; name="report.pdf"', body: Buffer.alloc(3000, 7), cte: 'base64' },
    ],
    'mixed',
  );
  const post = await parsePost(raw);
  assert.equal(post.ownText, JA);
  assert.equal(post.htmlOnly, true);
  assert.deepEqual(post.attachments, [{ contentType: 'application/pdf', filename: 'report.pdf', size: 3000 }]);
});

interface HeaderCase {
  name: string;
  subject: string;
  expected: string;
  warns?: boolean;
}

const SUBJ = '勉強会のお知らせ';
const headerCases: HeaderCase[] = [
  { name: 'ISO-2022-JP B', subject: ew('ISO-2022-JP', encodeIso2022Jp(SUBJ)), expected: SUBJ },
  { name: 'Shift_JIS B', subject: ew('Shift_JIS', iconv.encode(SUBJ, 'shift_jis')), expected: SUBJ },
  { name: 'EUC-JP Q', subject: ew('EUC-JP', iconv.encode(SUBJ, 'euc-jp'), 'Q'), expected: SUBJ },
  { name: 'UTF-8 B', subject: `Re: ${ew('UTF-8', Buffer.from(SUBJ))}`, expected: `Re: ${SUBJ}` },
  { name: 'windows-1251 Q', subject: ew('windows-1251', iconv.encode('Привет всем', 'windows-1251'), 'Q'), expected: 'Привет всем' },
  { name: 'windows-1250 Q', subject: ew('windows-1250', iconv.encode('Dobrý den', 'windows-1250'), 'Q'), expected: 'Dobrý den' },
  { name: 'ISO-8859-1 Q with plain text around', subject: `Re: ${ew('iso-8859-1', iconv.encode('café', 'latin1'), 'Q')} time`, expected: 'Re: café time' },
  { name: 'ISO-8859-7 B', subject: ew('iso-8859-7', iconv.encode('Ελληνικά', 'iso-8859-7')), expected: 'Ελληνικά' },
  {
    // Senders split a multi-byte character across two encoded words; the bytes must be joined before decoding.
    name: 'UTF-8 split mid-character across words',
    subject: (() => {
      const b = Buffer.from('日本語テキスト');
      return `${ew('UTF-8', b.subarray(0, 4))} ${ew('UTF-8', b.subarray(4))}`;
    })(),
    expected: '日本語テキスト',
  },
  { name: 'UTF-8 bytes labelled ISO-8859-1', subject: ew('iso-8859-1', Buffer.from('Grüße 日本'), 'Q'), expected: 'Grüße 日本', warns: true },
  { name: 'unknown charset label', subject: ew('x-unknown', Buffer.from('Grüße')), expected: 'Grüße', warns: true },
  { name: 'raw ISO-2022-JP without encoded words', subject: encodeIso2022Jp(SUBJ).toString('latin1'), expected: SUBJ },
];

for (const c of headerCases) {
  test(`charsets: subject ${c.name}`, async () => {
    const post = await parsePost(mail(Buffer.from('body'), 'text/plain; charset=us-ascii', { subject: c.subject }));
    assert.equal(post.subject, c.expected);
    assert.equal(post.warnings.some((w) => /charset/i.test(w)), c.warns ?? false, JSON.stringify(post.warnings));
  });
}

test('charsets: raw 8-bit UTF-8 and Shift_JIS subjects are read', async () => {
  for (const [bytes, warns] of [
    [Buffer.from(SUBJ, 'utf8'), false],
    [iconv.encode(SUBJ, 'shift_jis'), true],
  ] as const) {
    const raw = Buffer.concat([Buffer.from('From: a@example.org\r\nSubject: '), bytes, Buffer.from('\r\nMessage-ID: <r@x>\r\n\r\nbody\r\n')]);
    const post = await parsePost(raw);
    assert.equal(post.subject, SUBJ);
    assert.equal(post.warnings.length > 0, warns);
  }
});

test('charsets: encoded-word display names in From', async () => {
  const cases: [string, string][] = [
    [`${ew('ISO-2022-JP', encodeIso2022Jp('山田 太郎'))} <yamada@example.jp>`, '山田 太郎'],
    [`"${ew('utf-8', Buffer.from('Jöns, Jacob'), 'Q')}" <jj@example.se>`, 'Jöns, Jacob'],
    [`${ew('windows-1251', iconv.encode('Иван Петров', 'windows-1251'))} <ivan@example.ru>`, 'Иван Петров'],
  ];
  for (const [from, name] of cases) {
    const post = await parsePost(mail(Buffer.from('hi'), 'text/plain', { from }));
    assert.equal(post.from.name, name);
    assert.ok(post.author.startsWith(`${name} <`));
  }
});
