// The multipart fast path must read mail exactly as mailparser does, or hand it over to mailparser.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { tryMultipart } from '../../src/parse/body.js';
import { contentTypeOf, readHeaders, headerMap } from '../../src/parse/headers.js';
import { parseMime } from '../../src/parse/mailparser-adapter.js';

const MAX = 1_800_000;

function message(contentType: string, body: string | Buffer): Buffer {
  const head = `From: a@example.org\r\nSubject: s\r\nMessage-ID: <m@x>\r\nMIME-Version: 1.0\r\nContent-Type: ${contentType}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), typeof body === 'string' ? Buffer.from(body, 'latin1') : body]);
}

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64').replace(/.{76}/g, '$&\r\n');

const shapes: { name: string; raw: Buffer }[] = [
  {
    name: 'alternative text + html',
    raw: message(
      'multipart/alternative; boundary="==b=="',
      'preamble\r\n--==b==\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHello =E2=80=9Cworld=E2=80=9D\r\nsecond line=\r\n joined\r\n\r\n--==b==\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hello</p>\r\n--==b==--\r\nepilogue\r\n',
    ),
  },
  {
    name: 'mixed text + base64 attachment',
    raw: message(
      'multipart/mixed; boundary=xyz',
      `--xyz\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nVoil\xe0 le fichier.\r\n--xyz\r\nContent-Type: application/pdf; name="r.pdf"\r\nContent-Disposition: attachment; filename="r.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(Buffer.alloc(1234, 9))}\r\n--xyz--\r\n`,
    ),
  },
  {
    name: 'signed text + pgp signature',
    raw: message(
      'multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="sig"',
      '--sig\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\nSigned words.\r\n\r\n--sig\r\nContent-Type: application/pgp-signature; name="signature.asc"\r\n\r\n-----BEGIN PGP SIGNATURE-----\r\nabc\r\n-----END PGP SIGNATURE-----\r\n\r\n--sig--\r\n',
    ),
  },
  {
    name: 'alternative with Shift_JIS text and base64 UTF-8 html',
    raw: message(
      'multipart/alternative; boundary=b',
      Buffer.concat([
        Buffer.from('--b\r\nContent-Type: text/plain; charset=Shift_JIS\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
        iconv.encode('日本語のテキストです。', 'shift_jis'),
        Buffer.from(`\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64('<p>日本語</p>')}\r\n--b--\r\n`),
      ]),
    ),
  },
  {
    name: 'mixed with two text parts',
    raw: message(
      'multipart/mixed; boundary=b',
      '--b\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n--b\r\nContent-Type: text/plain\r\n\r\nsecond part\r\n--b--\r\n',
    ),
  },
  {
    name: 'part without headers (defaults to text/plain)',
    raw: message('multipart/mixed; boundary=b', '--b\r\n\r\nbare part\r\n--b--\r\n'),
  },
  {
    name: 'flowed text part',
    raw: message(
      'multipart/alternative; boundary=b',
      '--b\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\n\r\nThis is a long \r\nflowed line.\r\n> quoted \r\n> flowed\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--b--\r\n',
    ),
  },
];

for (const s of shapes) {
  test(`fast path: ${s.name} reads like mailparser`, async () => {
    const h = readHeaders(s.raw);
    const headers = headerMap(h.fields, []);
    const ct = contentTypeOf(headers['content-type']);
    const fast = tryMultipart(s.raw.subarray(h.bodyStart), ct.type, ct.params['boundary'], MAX);
    assert.ok(fast, 'the fast path took it');
    const slow = await parseMime(s.raw, { maxPartBytes: MAX, maxAttachments: 100, timeoutMs: 5000 });
    assert.equal(fast.text?.replace(/\n+$/, ''), slow.text?.replace(/\n+$/, ''));
    assert.equal(fast.html?.trim(), slow.html?.trim());
    assert.deepEqual(
      fast.attachments.map((a) => [a.contentType, a.size, a.filename]),
      slow.attachments.map((a) => [a.contentType, a.size, a.filename]),
    );
  });
}

test('fast path: unusual shapes are left to mailparser', () => {
  const unusual: [string, string][] = [
    ['multipart/mixed; boundary=b', '--b\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\n\r\nx\r\n--c--\r\n--b--\r\n'],
    ['multipart/mixed; boundary=b', '--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nx\r\n--b--\r\n'],
    ['multipart/mixed; boundary=b', '--b\r\nContent-Type: text/plain\r\n\r\nnever closed\r\n'],
    ['multipart/mixed; boundary=b', "--b\r\nContent-Type: application/pdf; name*=utf-8''r%C3%A9.pdf\r\n\r\nx\r\n--b--\r\n"],
    ['multipart/report; boundary=b', '--b\r\n\r\nx\r\n--b--\r\n'],
    ['multipart/mixed', '--b\r\n\r\nx\r\n--b--\r\n'],
  ];
  for (const [ct, body] of unusual) {
    const c = contentTypeOf(ct);
    assert.equal(tryMultipart(Buffer.from(body), c.type, c.params['boundary'], MAX), undefined, body);
  }
});
