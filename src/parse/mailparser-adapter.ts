// The only mailparser import: walks a MIME message for its text, HTML and attachment list, with our charset repair.

import { Transform, type TransformCallback } from 'node:stream';
import { isAscii } from 'node:buffer';
import { MailParser, simpleParser } from 'mailparser';
import type { AttachmentStream, IconvConstructor, MessageText } from 'mailparser';
import { decodeBytes } from './charset.js';

export interface MimeBody {
  text?: string;
  html?: string;
  attachments: { filename?: string; contentType: string; size: number }[];
  warnings: string[];
}

export interface MimeOptions {
  /** Bytes of one text part kept for decoding; the rest is dropped with a warning. */
  maxPartBytes: number;
  /** Most attachments listed; more are counted in a warning. */
  maxAttachments: number;
  /** Give up on the MIME walk after this long (it is asynchronous, so a timer can interrupt it). */
  timeoutMs: number;
}

// mailparser decodes UTF-8 and US-ASCII parts itself, never through the Iconv hook, so a part mislabelled as
// either would be decoded lossily. Renaming the label in text parts' Content-Type routes those through the hook.
const RELABEL_PREFIX = 'x-lw-';
const TEXT_CT_RE = /(\ncontent-type:[ \t]*text\/[^\n]*(?:\n[ \t][^\n]*)*)/gi;
const UTF8_LABEL_RE = /(charset\s*=\s*"?)(utf-?8|us-ascii|ascii)("?)/gi;

function relabelUtf8Parts(raw: Buffer): Buffer {
  if (isAscii(raw)) return raw;
  const s = raw.toString('latin1');
  let changed = false;
  const out = s.replace(TEXT_CT_RE, (block: string) =>
    block.replace(UTF8_LABEL_RE, (_m: string, a: string, cs: string, b: string) => {
      changed = true;
      return `${a}${RELABEL_PREFIX}${cs}${b}`;
    }),
  );
  return changed ? Buffer.from(out, 'latin1') : raw;
}

/**
 * A stand-in for node-iconv's class: mailparser hands it each text part's bytes; it keeps them (up to a cap)
 * and decodes them at the end with detection, so a wrong label is repaired and reported.
 */
function makeDecoder(opts: MimeOptions, warnings: string[]): IconvConstructor {
  return class CapturingDecoder extends Transform {
    private readonly chunks: Buffer[] = [];
    private size = 0;
    private dropped = 0;
    constructor(
      private readonly charset: string,
      _to: string,
    ) {
      super();
    }
    override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
      const room = opts.maxPartBytes - this.size;
      if (room > 0) {
        const keep = chunk.length <= room ? chunk : chunk.subarray(0, room);
        this.chunks.push(keep);
        this.size += keep.length;
      }
      if (chunk.length > room) this.dropped += chunk.length - Math.max(room, 0);
      done();
    }
    override _flush(done: TransformCallback): void {
      const label = this.charset.toLowerCase().startsWith(RELABEL_PREFIX) ? this.charset.slice(RELABEL_PREFIX.length) : this.charset;
      const d = decodeBytes(Buffer.concat(this.chunks), label);
      if (d.warning) warnings.push(d.warning);
      if (this.dropped > 0) warnings.push(`text part longer than ${opts.maxPartBytes} bytes; ${this.dropped} bytes dropped`);
      this.push(Buffer.from(d.text, 'utf8'));
      done();
    }
  };
}

/** Walks a MIME message: text and HTML bodies decoded, attachments measured and discarded. Never rejects. */
export function parseMime(raw: Buffer, opts: MimeOptions): Promise<MimeBody> {
  const warnings: string[] = [];
  const attachments: MimeBody['attachments'] = [];
  let extraAttachments = 0;
  const body: MimeBody = { attachments, warnings };
  return new Promise<MimeBody>((resolve) => {
    let settled = false;
    const parser = new MailParser({
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
      checksumAlgo: false,
      Iconv: makeDecoder(opts, warnings),
      maxChildNodes: 2000,
    });
    const finish = (why?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (why) warnings.push(why);
      if (extraAttachments > 0) warnings.push(`${extraAttachments} more attachment(s) not listed`);
      resolve(body);
    };
    const timer = setTimeout(() => {
      finish(`MIME parsing took longer than ${opts.timeoutMs} ms; stopped`);
      parser.destroy();
    }, opts.timeoutMs);
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'text') {
        if (typeof data.text === 'string') body.text = data.text;
        if (typeof data.html === 'string') body.html = data.html;
        return;
      }
      let size = 0;
      data.content.on('data', (c: Buffer) => {
        size += c.length;
      });
      data.content.on('end', () => {
        if (attachments.length < opts.maxAttachments) {
          const a: MimeBody['attachments'][number] = { contentType: data.contentType, size };
          if (data.filename) a.filename = data.filename.replace(/[\u0000-\u001f\u007f]/g, '');
          attachments.push(a);
        } else extraAttachments++;
        data.release?.();
      });
      data.content.on('error', () => data.release?.());
    });
    parser.on('error', (err: Error) => finish(`MIME structure could not be fully parsed: ${err.message}`));
    parser.on('end', () => finish());
    try {
      parser.end(relabelUtf8Parts(raw));
    } catch (err) {
      finish(`MIME structure could not be parsed: ${(err as Error).message}`);
    }
  });
}

/** mailparser's own simpleParser with its defaults: the baseline test/fixtures/parse/bench-parse.ts measures against. */
export async function bareSimpleParse(raw: Buffer): Promise<void> {
  await simpleParser(raw);
}
