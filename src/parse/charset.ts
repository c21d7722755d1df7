// Bytes → text for mail bodies and headers: decodes the declared charset, and detects and repairs mislabelled ones.

import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

export interface Decoded {
  text: string;
  /** The charset actually used (iconv-lite name, or 'utf-8' / 'iso-2022-jp' / 'ascii'). */
  charset: string;
  /** Set when the declared charset was wrong, unknown or missing and we had to guess. */
  warning?: string;
}

// Charsets that mail clients treat as "UTF-8 or plain ASCII": 8-bit bytes under them are either UTF-8 or mislabelled.
const UTF8_LIKE = new Set(['', 'utf-8', 'utf8', 'us-ascii', 'ascii', 'ansi_x3.4-1968', '7bit', '8bit', 'unicode-1-1-utf-8']);

// Labels whose bytes browsers and mail clients really decode with a wider table; decoding with the wider one
// keeps Windows smart quotes (0x91–0x97) readable and loses nothing.
const ALIASES: Record<string, string> = {
  'iso-8859-1': 'windows-1252',
  'iso8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'latin-1': 'windows-1252',
  'l1': 'windows-1252',
  'iso-8859-9': 'windows-1254',
  'shift_jis': 'cp932',
  'shift-jis': 'cp932',
  sjis: 'cp932',
  'x-sjis': 'cp932',
  'ms_kanji': 'cp932',
  'windows-31j': 'cp932',
  'x-euc-jp': 'euc-jp',
  'gb2312': 'gbk',
  'x-gbk': 'gbk',
  'ks_c_5601-1987': 'cp949',
  'x-mac-roman': 'macintosh',
  'x-mac-cyrillic': 'maccyrillic',
  'tis-620': 'tis620',
};

// ESC $ B, ESC $ @ (JIS X 0208), ESC ( J (JIS Roman), ESC ( I (half-width kana): the ISO-2022-JP shift sequences.
const ISO2022JP_ESCAPES = [Buffer.from('\x1b$B'), Buffer.from('\x1b$@'), Buffer.from('\x1b(J'), Buffer.from('\x1b(I')];

function hasIso2022Escape(buf: Buffer): boolean {
  if (buf.indexOf(0x1b) < 0) return false;
  return ISO2022JP_ESCAPES.some((esc) => buf.indexOf(esc) >= 0);
}

/** Lower-cases and strips quotes and RFC 2231 language suffixes from a charset label. */
export function cleanCharsetLabel(label: string | undefined): string {
  if (!label) return '';
  let s = label.trim().toLowerCase();
  if (s.startsWith('"') || s.startsWith("'")) s = s.slice(1);
  if (s.endsWith('"') || s.endsWith("'")) s = s.slice(0, -1);
  const star = s.indexOf('*');
  if (star >= 0) s = s.slice(0, star);
  return s.trim();
}

function isIso2022JpLabel(label: string): boolean {
  return label.startsWith('iso-2022-jp') || label === 'csiso2022jp' || label === 'jis' || label === 'iso2022jp';
}

/** The iconv-lite codec for a label, or undefined when iconv-lite has none (or it is a transfer encoding, not a charset). */
export function resolveCharset(label: string): string | undefined {
  const name = ALIASES[label] ?? label;
  if (!name || name === 'utf-7' || name === 'utf7' || name === 'base64' || name === 'hex' || name === 'binary') return undefined;
  return iconv.encodingExists(name) ? name : undefined;
}

/**
 * ISO-2022-JP (and the -2/-3 and CP50220 variants as far as Japanese goes): iconv-lite lacks it, so shift each
 * JIS X 0208 pair into EUC-JP (set the high bit) and let iconv-lite decode that.
 */
export function decodeIso2022Jp(buf: Buffer): string {
  const out = Buffer.allocUnsafe(buf.length * 2);
  let o = 0;
  let mode: 'ascii' | 'kanji' | 'kana' | 'jisx0212' = 'ascii';
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    if (b === 0x1b) {
      const b1 = buf[i + 1];
      const b2 = buf[i + 2];
      if (b1 === 0x24 && (b2 === 0x42 || b2 === 0x40)) {
        mode = 'kanji';
        i += 3;
        continue;
      }
      if (b1 === 0x24 && b2 === 0x28 && buf[i + 3] === 0x44) {
        mode = 'jisx0212';
        i += 4;
        continue;
      }
      if (b1 === 0x28 && (b2 === 0x42 || b2 === 0x4a)) {
        mode = 'ascii';
        i += 3;
        continue;
      }
      if (b1 === 0x28 && b2 === 0x49) {
        mode = 'kana';
        i += 3;
        continue;
      }
      i += 1; // an escape we do not know: drop the ESC, keep the rest as text
      continue;
    }
    if (b === 0x0e) {
      mode = 'kana';
      i++;
      continue;
    }
    if (b === 0x0f) {
      mode = 'ascii';
      i++;
      continue;
    }
    if (b === 0x0a || b === 0x0d) {
      // A line never continues a shift state in well-formed ISO-2022-JP; resetting keeps a broken line from eating the rest.
      mode = 'ascii';
      out[o++] = b;
      i++;
      continue;
    }
    if (mode === 'kanji' && b > 0x20 && b < 0x7f) {
      const t = buf[i + 1];
      if (t !== undefined && t > 0x20 && t < 0x7f) {
        out[o++] = b | 0x80;
        out[o++] = t | 0x80;
        i += 2;
        continue;
      }
    } else if (mode === 'jisx0212' && b > 0x20 && b < 0x7f) {
      const t = buf[i + 1];
      if (t !== undefined && t > 0x20 && t < 0x7f) {
        out[o++] = 0x8f;
        out[o++] = b | 0x80;
        out[o++] = t | 0x80;
        i += 2;
        continue;
      }
    } else if (mode === 'kana' && b > 0x20 && b < 0x60) {
      out[o++] = 0x8e;
      out[o++] = b | 0x80;
      i++;
      continue;
    }
    out[o++] = b;
    i++;
  }
  return iconv.decode(out.subarray(0, o), 'euc-jp');
}

/** Encodes text as ISO-2022-JP (for fixtures and tests; mail we send is UTF-8). */
export function encodeIso2022Jp(text: string): Buffer {
  const euc = iconv.encode(text, 'euc-jp');
  const parts: number[] = [];
  let kanji = false;
  for (let i = 0; i < euc.length; i++) {
    const b = euc[i]!;
    if (b >= 0xa1 && b <= 0xfe && i + 1 < euc.length) {
      if (!kanji) parts.push(0x1b, 0x24, 0x42);
      kanji = true;
      parts.push(b & 0x7f, euc[i + 1]! & 0x7f);
      i++;
    } else {
      if (kanji) parts.push(0x1b, 0x28, 0x42);
      kanji = false;
      parts.push(b);
    }
  }
  if (kanji) parts.push(0x1b, 0x28, 0x42);
  return Buffer.from(parts);
}

function isJapaneseChar(c: number): boolean {
  return (
    (c >= 0x3000 && c <= 0x30ff) || // punctuation, hiragana, katakana
    (c >= 0x4e00 && c <= 0x9fff) || // CJK ideographs
    (c >= 0xff01 && c <= 0xff5e) // full-width ASCII
  );
}

/** How Japanese a decoding looks: the share of non-ASCII characters that are kana, kanji or full-width forms. */
function japaneseScore(text: string): { score: number; jp: number; kana: number } {
  let nonAscii = 0;
  let jp = 0;
  let kana = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c === 0xfffd) return { score: 0, jp: 0, kana: 0 };
    nonAscii++;
    if (isJapaneseChar(c)) jp++;
    if (c >= 0x3041 && c <= 0x30fa) kana++;
  }
  return { score: nonAscii === 0 ? 0 : jp / nonAscii, jp, kana };
}

/**
 * For 8-bit bytes that are not UTF-8: Shift_JIS or EUC-JP when they read as Japanese, else windows-1252.
 * `strict` (when overriding a declared single-byte charset) also wants kana, which all Japanese prose has and
 * Central European or Cyrillic bytes misread as EUC-JP practically never produce.
 */
function guessLegacy(buf: Buffer, strict = false): { text: string; charset: string } {
  let best: { text: string; charset: string; score: number } | undefined;
  for (const cs of ['cp932', 'euc-jp']) {
    const text = iconv.decode(buf, cs);
    const { score, jp, kana } = japaneseScore(text);
    if (strict && kana * 5 < jp) continue;
    if (jp >= 2 && score >= 0.8 && (!best || score > best.score)) best = { text, charset: cs, score };
  }
  if (best) return { text: best.text, charset: best.charset };
  return { text: iconv.decode(buf, 'windows-1252'), charset: 'windows-1252' };
}

/** Labels of one-byte-per-character charsets, where any byte sequence decodes and so a wrong label goes unnoticed. */
function isSingleByte(codec: string): boolean {
  return /^(windows-125\d|iso-8859-\d+|koi8-[ru]|macintosh|maccyrillic|cp125\d|cp437|cp850|tis620)$/.test(codec);
}

/**
 * Decodes bytes that claim to be in `declaredLabel`. Where the claim is wrong (8-bit bytes under us-ascii,
 * UTF-8 under a single-byte label, Shift_JIS under ISO-8859-1, an unknown name) it detects the real charset
 * and says so in `warning`.
 */
export function decodeBytes(buf: Buffer, declaredLabel: string | undefined): Decoded {
  const declared = cleanCharsetLabel(declaredLabel);
  const shown = declared || 'none';
  if (isAscii(buf)) {
    if (hasIso2022Escape(buf)) {
      const text = decodeIso2022Jp(buf);
      if (isIso2022JpLabel(declared)) return { text, charset: 'iso-2022-jp' };
      return { text, charset: 'iso-2022-jp', warning: `charset ${shown} declared, but the text is ISO-2022-JP` };
    }
    if (declared.startsWith('utf-16') || declared.startsWith('utf-32')) {
      const codec = resolveCharset(declared);
      if (codec) return { text: iconv.decode(buf, codec), charset: codec };
    }
    return { text: buf.toString('latin1'), charset: 'ascii' };
  }
  if (UTF8_LIKE.has(declared)) {
    if (isUtf8(buf)) {
      const text = buf.toString('utf8');
      // An explicit ASCII label on 8-bit text is a wrong label even when the guess (UTF-8) is easy.
      if (declared.includes('ascii') || declared === 'ansi_x3.4-1968') return { text, charset: 'utf-8', warning: `charset ${shown} declared, but the text is UTF-8` };
      return { text, charset: 'utf-8' };
    }
    const g = guessLegacy(buf);
    return { ...g, warning: `charset ${shown} declared, but the bytes are not UTF-8; decoded as ${g.charset}` };
  }
  if (isIso2022JpLabel(declared)) {
    // 8-bit bytes cannot be ISO-2022-JP; senders that say so usually mean UTF-8 or Shift_JIS.
    if (isUtf8(buf)) return { text: buf.toString('utf8'), charset: 'utf-8', warning: `charset ${shown} declared, but the text is UTF-8` };
    const g = guessLegacy(buf);
    if (g.charset !== 'windows-1252') return { ...g, warning: `charset ${shown} declared, but the text is ${g.charset}` };
    return { text: decodeIso2022Jp(buf), charset: 'iso-2022-jp', warning: `charset ${shown} declared, but 8-bit bytes were found` };
  }
  const codec = resolveCharset(declared);
  if (!codec) {
    if (isUtf8(buf)) return { text: buf.toString('utf8'), charset: 'utf-8', warning: `unknown charset ${shown}; the text is UTF-8` };
    const g = guessLegacy(buf);
    return { ...g, warning: `unknown charset ${shown}; decoded as ${g.charset}` };
  }
  if (isSingleByte(codec)) {
    // Real single-byte text is practically never valid multi-byte UTF-8, so valid UTF-8 means a wrong label.
    if (isUtf8(buf)) return { text: buf.toString('utf8'), charset: 'utf-8', warning: `charset ${shown} declared, but the text is UTF-8` };
    const g = guessLegacy(buf, true);
    if (g.charset !== 'windows-1252') return { ...g, warning: `charset ${shown} declared, but the text is ${g.charset}` };
    return { text: iconv.decode(buf, codec), charset: codec };
  }
  const text = iconv.decode(buf, codec);
  if (text.includes('\ufffd')) {
    if (isUtf8(buf)) return { text: buf.toString('utf8'), charset: 'utf-8', warning: `charset ${shown} declared, but the text is UTF-8` };
    const g = guessLegacy(buf);
    if (g.charset !== 'windows-1252' && g.charset !== codec) return { ...g, warning: `charset ${shown} declared, but the text is ${g.charset}` };
    return { text, charset: codec, warning: `charset ${shown}: some bytes could not be decoded` };
  }
  return { text, charset: codec };
}
