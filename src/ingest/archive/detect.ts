// Tells what kind of archive a path is, from its content and structure (the name only breaks ties).

import { open, readdir, stat } from 'node:fs/promises';
import { ArchiveNotFoundError, errorCode } from './errors.js';
import { isFromLineAt, startsWithHeader } from './mbox-format.js';
import type { ArchiveKind } from './types.js';

const HEAD_BYTES = 64 * 1024;

/**
 * - a folder with cur/ or new/ is a Maildir; any other folder is a folder of .eml files;
 * - a file starting with gzip's magic bytes is a gzipped mbox (whatever its name);
 * - a file whose first line is a `From <addr> <date>` separator is an mbox;
 * - a file starting with a header block is one message (.eml), unless it is not named .eml and has a
 *   separator after a blank line further on (an mbox that lost its first From line);
 * - anything else (junk) is an mbox if a separator appears further on or its name says mbox, else an .eml.
 * Throws ArchiveNotFoundError when the path is missing or unreadable.
 */
export async function detectArchiveKind(path: string): Promise<ArchiveKind> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    throw new ArchiveNotFoundError(path, errorCode(err));
  }
  if (st.isDirectory()) {
    let names;
    try {
      names = await readdir(path, { withFileTypes: true });
    } catch (err) {
      throw new ArchiveNotFoundError(path, errorCode(err));
    }
    const maildir = names.some((d) => (d.name === 'cur' || d.name === 'new') && (d.isDirectory() || d.isSymbolicLink()));
    return maildir ? 'maildir' : 'eml-dir';
  }
  if (!st.isFile()) throw new ArchiveNotFoundError(path, 'not a file or folder');
  return kindFromHead(await readHead(path), path);
}

async function readHead(path: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new ArchiveNotFoundError(path, errorCode(err));
  }
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } catch (err) {
    throw new ArchiveNotFoundError(path, errorCode(err));
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** The decision on the first bytes of a file; exported for tests. */
export function kindFromHead(head: Buffer, name: string): 'mbox' | 'mbox.gz' | 'eml' {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'mbox.gz';
  const nl = head.indexOf(0x0a);
  if (isFromLineAt(head, 0, nl === -1 ? head.length : nl)) return 'mbox';
  const namedEml = /\.eml$/i.test(name);
  const namedMbox = /\.(mbox|mbx|mbox\.txt)$/i.test(name);
  if (startsWithHeader(head)) return !namedEml && hasSeparator(head, true) ? 'mbox' : 'eml';
  if (head.length === 0) return namedEml ? 'eml' : 'mbox';
  return namedMbox || hasSeparator(head, false) ? 'mbox' : 'eml';
}

/** Is there a complete separator line in `head` (after a blank line, when `afterBlank`)? */
function hasSeparator(head: Buffer, afterBlank: boolean): boolean {
  for (let i = head.indexOf('\nFrom '); i !== -1; i = head.indexOf('\nFrom ', i + 1)) {
    const end = head.indexOf(0x0a, i + 1);
    if (end === -1) return false;
    const blank = i === 0 || head[i - 1] === 0x0a || (head[i - 1] === 0x0d && (i < 2 || head[i - 2] === 0x0a));
    if ((!afterBlank || blank) && isFromLineAt(head, i + 1, end)) return true;
  }
  return false;
}
