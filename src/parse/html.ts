// HTML bodies: rendered to marked plain text (blockquote → "> ", Gmail/Thunderbird/Outlook quote markup → marks) and split.

import type { Segment } from '../model/post.js';
import { ATTRIBUTION_MARK, REGION_MARK, splitMarkedText } from './quotes.js';

const VOID = new Set(['br', 'hr', 'img', 'meta', 'link', 'input', 'wbr', 'col', 'area', 'base', 'embed', 'param', 'source', 'track', 'keygen']);
// Elements whose content is never text a person reads in the mail.
const SKIP = new Set(['script', 'style', 'title', 'head', 'template', 'noscript', 'xml', 'svg', 'object']);
const PARAGRAPH = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'table', 'ul', 'ol', 'dl']);
const LINE = new Set(['div', 'li', 'tr', 'dt', 'dd', 'section', 'article', 'header', 'footer', 'address', 'center', 'form', 'fieldset', 'tbody', 'thead', 'tfoot', 'main', 'aside', 'nav', 'figure', 'figcaption', 'caption']);

/** Open elements tracked beyond this depth are ignored: hostile HTML nests without end. */
const MAX_STACK = 5000;
/** How far down the stack an end tag looks for its start tag; unmatched end tags are dropped. */
const MAX_END_SEARCH = 64;

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', ndash: '–', mdash: '—', hellip: '…',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', sbquo: '‚', bdquo: '„', bull: '•', middot: '·', copy: '©',
  reg: '®', trade: '™', euro: '€', pound: '£', yen: '¥', cent: '¢', laquo: '«', raquo: '»', times: '×',
  divide: '÷', shy: '', zwnj: '', zwj: '', lrm: '', rlm: '', ensp: ' ', emsp: ' ', thinsp: ' ', deg: '°',
  para: '¶', sect: '§', iexcl: '¡', iquest: '¿', auml: 'ä', ouml: 'ö', uuml: 'ü', Auml: 'Ä', Ouml: 'Ö',
  Uuml: 'Ü', szlig: 'ß', eacute: 'é', egrave: 'è', ecirc: 'ê', aacute: 'á', agrave: 'à', acirc: 'â',
  ccedil: 'ç', oacute: 'ó', iacute: 'í', uacute: 'ú', ntilde: 'ñ', Eacute: 'É', rarr: '→', larr: '←',
};

const ENTITY_RE = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{1,31}));?/g;

export function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(ENTITY_RE, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (dec || hex) {
      const cp = dec ? parseInt(dec, 10) : parseInt(hex!, 16);
      if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
      return String.fromCodePoint(cp);
    }
    const v = NAMED[name!];
    return v === undefined ? whole : v;
  });
}

interface Open {
  name: string;
  quote: boolean;
  /** A Gmail quote container: forwarded text sits in it without a blockquote, so it counts as quoted too. */
  gmail: boolean;
  attribution: boolean;
  signature: boolean;
}

const CLASS_RE = /\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;
const ID_RE = /\bid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;

function attr(re: RegExp, tag: string): string {
  const m = re.exec(tag);
  return m ? (m[1] ?? m[2] ?? m[3] ?? '') : '';
}

/** Where the tag starting at `<` ends (index of `>`), honouring quoted attribute values; -1 when unterminated. */
function tagEnd(html: string, from: number): number {
  let q = 0;
  const limit = Math.min(html.length, from + 8192);
  for (let i = from + 1; i < limit; i++) {
    const c = html.charCodeAt(i);
    if (q !== 0) {
      if (c === q) q = 0;
    } else if (c === 0x22 || c === 0x27) {
      // A quote only opens a value right after "=" (possibly spaced); stray quotes in broken tags are ignored.
      let k = i - 1;
      while (k > from && (html.charCodeAt(k) === 0x20 || html.charCodeAt(k) === 0x09)) k--;
      if (html.charCodeAt(k) === 0x3d) q = c;
    } else if (c === 0x3e) return i;
  }
  // An over-long or unterminated tag: end at the next ">" if there is one.
  return html.indexOf('>', from + 1);
}

/**
 * Renders HTML as text the quote detector reads: blockquote depth becomes "> " prefixes, Gmail and Thunderbird
 * attribution elements get ATTRIBUTION_MARK, Outlook's divRplyFwdMsg a REGION_MARK line, signature blocks a
 * "-- " line. Linear, non-recursive, and stops after `maxChars` characters of output.
 */
export function renderHtml(html: string, maxChars = 1_000_000): string {
  const out: string[] = [];
  let outLen = 0;
  let line = '';
  let lineDepth = 0;
  let lineAttr = false;
  let lineStarted = false;
  let pre = 0;
  const stack: Open[] = [];
  let quoteDepth = 0;
  let gmailQuote = 0;
  let attrDepth = 0;
  let sigDepth = 0;
  let sigOpened = false;

  const endLine = (): void => {
    const text = pre > 0 ? line.replace(/\s+$/, '') : line.trim();
    if (sigOpened && lineStarted) {
      sigOpened = false;
      // The signature block brings its own "-- " line; ours already stands before it.
      if (text === '--' || text === '-- ') {
        line = '';
        lineStarted = false;
        return;
      }
    }
    let rendered = text;
    if (lineStarted && text !== '') {
      const prefix = lineDepth > 0 ? '> '.repeat(lineDepth) : '';
      rendered = prefix + (lineAttr ? ATTRIBUTION_MARK : '') + text;
    } else rendered = '';
    out.push(rendered);
    outLen += rendered.length + 1;
    line = '';
    lineStarted = false;
  };
  const breakLine = (): void => {
    if (lineStarted || line !== '') endLine();
  };
  const paragraph = (): void => {
    breakLine();
    if (out.length > 0 && out[out.length - 1] !== '') {
      out.push('');
      outLen++;
    }
  };
  const depthNow = (): number => Math.max(quoteDepth, gmailQuote > 0 ? 1 : 0);
  const addText = (t: string): void => {
    if (t === '') return;
    if (!lineStarted) {
      if (pre === 0) t = t.replace(/^\s+/, '');
      if (t === '') return;
      lineStarted = true;
      // Gmail's attribution sits inside its quote container but introduces the quote: it is not quoted itself.
      lineDepth = attrDepth > 0 ? quoteDepth : depthNow();
      lineAttr = attrDepth > 0;
    }
    line += t;
  };
  const addRaw = (raw: string): void => {
    if (pre > 0) {
      const parts = raw.split(/\r?\n/);
      for (let k = 0; k < parts.length; k++) {
        if (k > 0) endLine();
        addText(decodeEntities(parts[k]!));
      }
    } else {
      addText(decodeEntities(raw.replace(/[ \t\r\n\f]+/g, ' ')));
    }
  };

  let i = 0;
  const n = html.length;
  while (i < n && outLen < maxChars) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      addRaw(html.slice(i));
      break;
    }
    if (lt > i) addRaw(html.slice(i, lt));
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    const c1 = html.charCodeAt(lt + 1);
    const isEnd = c1 === 0x2f;
    const isLetter = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
    if (!(isEnd ? isLetter(html.charCodeAt(lt + 2)) : isLetter(c1) || c1 === 0x21 || c1 === 0x3f)) {
      addRaw('<');
      i = lt + 1;
      continue;
    }
    const gt = tagEnd(html, lt);
    if (gt < 0) break;
    const tag = html.slice(lt, gt + 1);
    i = gt + 1;
    if (c1 === 0x21 || c1 === 0x3f) continue; // <!DOCTYPE>, <?xml?>
    const nameMatch = /^<\/?([a-zA-Z][a-zA-Z0-9:-]*)/.exec(tag);
    if (!nameMatch) continue;
    const name = nameMatch[1]!.toLowerCase();

    if (isEnd) {
      for (let k = stack.length - 1; k >= 0 && k >= stack.length - MAX_END_SEARCH; k--) {
        if (stack[k]!.name !== name) continue;
        while (stack.length > k) {
          const o = stack.pop()!;
          if (o.quote) quoteDepth--;
          if (o.gmail) gmailQuote--;
          if (o.attribution) {
            breakLine();
            attrDepth--;
          }
          if (o.signature) sigDepth--;
          if (o.name === 'pre') pre--;
        }
        break;
      }
      if (PARAGRAPH.has(name)) paragraph();
      else if (LINE.has(name)) breakLine();
      continue;
    }

    if (SKIP.has(name) && !tag.endsWith('/>')) {
      const close = new RegExp(`</${name}\\s*>`, 'gi');
      close.lastIndex = i;
      const m = close.exec(html);
      if (m) i = m.index + m[0].length;
      // A <head> that never closes would hide the whole mail: then only its tag is skipped.
      continue;
    }
    if (name === 'br') {
      if (!lineStarted) {
        out.push('');
        outLen++;
      } else endLine();
      continue;
    }
    if (name === 'hr') {
      paragraph();
      continue;
    }
    if (PARAGRAPH.has(name)) paragraph();
    else if (LINE.has(name)) breakLine();
    if (VOID.has(name) || tag.endsWith('/>') || stack.length >= MAX_STACK) continue;

    const cls = attr(CLASS_RE, tag);
    const id = attr(ID_RE, tag);
    const o: Open = { name, quote: false, gmail: false, attribution: false, signature: false };
    if (name === 'blockquote') {
      o.quote = true;
      quoteDepth++;
    } else if (/\bgmail_quote\b/.test(cls)) {
      o.gmail = true;
      gmailQuote++;
    }
    if (/\b(?:gmail_attr|moz-cite-prefix)\b/.test(cls)) {
      breakLine();
      o.attribution = true;
      attrDepth++;
    }
    if (/^divRplyFwdMsg$/i.test(id) || /\bOutlookMessageHeader\b/.test(cls)) {
      breakLine();
      out.push(REGION_MARK);
      outLen++;
    }
    if (/\b(?:gmail_signature|moz-signature)\b/.test(cls) || /^(?:Signature|signature)$/.test(id)) {
      if (sigDepth === 0 && quoteDepth === 0 && gmailQuote === 0) {
        paragraph();
        out.push('-- ');
        outLen += 4;
        sigOpened = true;
      }
      o.signature = true;
      sigDepth++;
    }
    if (name === 'pre') pre++;
    stack.push(o);
  }
  breakLine();
  return out.join('\n');
}

/** Splits an HTML body into segments, as splitBody does for plain text. */
export function splitHtml(html: string): Segment[] {
  return splitMarkedText(renderHtml(html));
}
