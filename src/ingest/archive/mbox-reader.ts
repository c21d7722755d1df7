// Streams an mbox (plain or gzipped) from disk through the splitter, one chunk at a time.

import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ArchiveNotFoundError, errorCode } from './errors.js';
import { MboxSplitter } from './mbox-splitter.js';
import type { ArchiveItem } from './types.js';

/** 1 MB reads: few enough iterations that the per-chunk cost vanishes, small enough to keep RSS flat. */
const CHUNK_BYTES = 1024 * 1024;

export async function* readMbox(path: string, gzip: boolean, maxMessageBytes: number): AsyncGenerator<ArchiveItem> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new ArchiveNotFoundError(path, errorCode(err));
  }
  const file = handle.createReadStream({ highWaterMark: CHUNK_BYTES });
  let stream: Readable = file;
  if (gzip) {
    const gunzip = createGunzip({ chunkSize: 256 * 1024 });
    file.on('error', (err) => gunzip.destroy(err));
    stream = file.pipe(gunzip);
  }
  const splitter = new MboxSplitter(path, maxMessageBytes);
  let failure: unknown;
  try {
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        yield* splitter.push(chunk);
      }
    } catch (err) {
      failure = err;
    }
    // Whatever was read before a failure is still delivered; the failure itself becomes a skipped item.
    yield* splitter.end();
    if (failure !== undefined) {
      const reason = gzip
        ? `gzip data corrupt or cut short (${errorCode(failure)})`
        : `read error (${errorCode(failure)})`;
      yield { kind: 'skipped', source: path, reason };
    }
  } finally {
    stream.destroy();
    file.destroy();
  }
}
