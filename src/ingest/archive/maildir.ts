// Reads a Maildir: the messages in cur/ and new/ together, in delivery order (tmp/ holds unfinished deliveries).

import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from './errors.js';
import { naturalCompare, readMailFile } from './mail-file.js';
import type { ArchiveItem } from './types.js';

/**
 * Maildir file names start with the delivery time (`1594512000.M1P2.host:2,S`), so sorting cur/ and new/
 * together by name gives delivery order. Maildir++ subfolders (`.Sent/` …) are not read: pass them as their
 * own archives.
 */
export async function* readMaildir(dir: string, maxMessageBytes: number): AsyncGenerator<ArchiveItem> {
  const files: { name: string; path: string }[] = [];
  for (const sub of ['cur', 'new']) {
    let entries: Dirent[];
    try {
      entries = await readdir(join(dir, sub), { withFileTypes: true });
    } catch (err) {
      if (errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR') continue;
      yield { kind: 'skipped', source: join(dir, sub), reason: `unreadable folder: ${errorCode(err)}` };
      continue;
    }
    for (const e of entries) {
      // Dot files are not deliveries (editors, sync tools); folders inside cur/ are not messages.
      if (e.name.startsWith('.') || e.isDirectory()) continue;
      files.push({ name: e.name, path: join(dir, sub, e.name) });
    }
  }
  files.sort((a, b) => naturalCompare(a.name, b.name) || naturalCompare(a.path, b.path));
  yield* readFilesInOrder(
    files.map((f) => f.path),
    maxMessageBytes,
  );
}

/** Reads files in order, the next one already being read while the caller works on the current one. */
export async function* readFilesInOrder(paths: string[], maxMessageBytes: number): AsyncGenerator<ArchiveItem> {
  let next: Promise<ArchiveItem> | undefined = paths.length > 0 ? readMailFile(paths[0] as string, maxMessageBytes) : undefined;
  for (let i = 0; next !== undefined; i++) {
    const item: ArchiveItem = await next;
    const following = paths[i + 1];
    next = following === undefined ? undefined : readMailFile(following, maxMessageBytes);
    yield item;
  }
}
