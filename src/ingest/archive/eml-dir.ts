// Reads a folder of .eml files, recursively, in sorted order.

import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from './errors.js';
import { naturalCompare, readMailFile } from './mail-file.js';
import type { ArchiveItem } from './types.js';

const EML = /\.eml$/i;

/**
 * Depth-first, each folder's entries sorted by name (digit runs by value), so `2.eml` comes before `10.eml`
 * and a folder's files keep their place among its subfolders. Only names ending in .eml are read: other files
 * in such folders (indexes, notes) are not mail. Symlinked folders are not followed, which rules out loops.
 */
export async function* readEmlDir(dir: string, maxMessageBytes: number): AsyncGenerator<ArchiveItem> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    yield { kind: 'skipped', source: dir, reason: `unreadable folder: ${errorCode(err)}` };
    return;
  }
  entries.sort((a, b) => naturalCompare(a.name, b.name));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      yield* readEmlDir(path, maxMessageBytes);
    } else if (EML.test(e.name)) {
      if (e.isSymbolicLink()) {
        const target = await stat(path).catch(() => undefined);
        if (target?.isDirectory()) continue;
      }
      yield await readMailFile(path, maxMessageBytes);
    }
  }
}
