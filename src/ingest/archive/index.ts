// Archive readers for `listwarden replay`: mbox (mboxo/mboxrd, LF/CRLF, gzip), Maildir, .eml and .eml folders, streamed.
//
// Choices worth knowing (details where they are made):
// - mbox separators are `From <addr> <date>` lines at the start or after a blank line (mbox-format.ts);
// - every mbox is unescaped as mboxrd, one `>` off `^>+From ` (mboxo's rare genuine ">From " loses its `>`);
// - bytes that are not mail before the first separator, a message with no header block, an empty message and
//   a message over `maxMessageBytes` become `skipped` items with a fixed reason, and reading goes on;
// - a last message cut off without a final newline is still delivered, marked `truncated`.
// Skip reasons are fixed phrases (no counts or offsets in them) so a summary can group by reason.

import { detectArchiveKind } from './detect.js';
import { readEmlDir } from './eml-dir.js';
import { readMailFile } from './mail-file.js';
import { readMaildir } from './maildir.js';
import { readMbox } from './mbox-reader.js';
import type { ArchiveItem, ArchiveKind, ArchiveOptions } from './types.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './types.js';

export type { ArchiveItem, ArchiveKind, ArchiveOptions } from './types.js';
export { DEFAULT_MAX_MESSAGE_BYTES } from './types.js';
export { ArchiveNotFoundError } from './errors.js';
export { detectArchiveKind } from './detect.js';
export { MboxSplitter } from './mbox-splitter.js';
export { escapeFromLines, fromLine, isFromLine, mboxEntry, unescapeFromLines } from './mbox-format.js';
export type { MboxEntryOptions } from './mbox-format.js';

function maxBytes(opts: ArchiveOptions | undefined): number {
  const max = opts?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isSafeInteger(max) || max <= 0) {
    throw new RangeError(`maxMessageBytes must be a positive whole number of bytes, got ${String(max)}`);
  }
  return max;
}

/**
 * Every message of one archive, in archive order, as it is read: memory stays bounded by the largest message
 * (at most `maxMessageBytes`), whatever the archive's size. Problems with single messages are `skipped`
 * items; a path that is missing or unreadable throws ArchiveNotFoundError on the first iteration.
 */
export async function* readArchive(path: string, opts?: ArchiveOptions): AsyncGenerator<ArchiveItem> {
  const max = maxBytes(opts);
  yield* readKind(path, await detectArchiveKind(path), max);
}

/**
 * Several archives one after another. All paths are checked first, so a typo in the last one fails before
 * anything is read (ArchiveNotFoundError), rather than after an hour of replay.
 */
export async function* readArchives(paths: string[], opts?: ArchiveOptions): AsyncGenerator<ArchiveItem> {
  const max = maxBytes(opts);
  const kinds: ArchiveKind[] = [];
  for (const path of paths) kinds.push(await detectArchiveKind(path));
  for (let i = 0; i < paths.length; i++) yield* readKind(paths[i] as string, kinds[i] as ArchiveKind, max);
}

function readKind(path: string, kind: ArchiveKind, max: number): AsyncGenerator<ArchiveItem> {
  switch (kind) {
    case 'mbox':
      return readMbox(path, false, max);
    case 'mbox.gz':
      return readMbox(path, true, max);
    case 'maildir':
      return readMaildir(path, max);
    case 'eml-dir':
      return readEmlDir(path, max);
    case 'eml':
      return single(path, max);
  }
}

async function* single(path: string, max: number): AsyncGenerator<ArchiveItem> {
  yield await readMailFile(path, max);
}
