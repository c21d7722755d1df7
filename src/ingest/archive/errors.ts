// Errors the archive readers throw: only for a path that cannot be read at all; everything else is a skipped item.

/** The archive path is missing or unreadable. The CLI turns this into exit code 2. */
export class ArchiveNotFoundError extends Error {
  override readonly name = 'ArchiveNotFoundError';
  constructor(
    readonly path: string,
    readonly code: string,
  ) {
    super(`cannot read archive ${path}: ${code}`);
  }
}

/** The errno code of a filesystem error (`ENOENT`, `EACCES`, …), or its message when it has none. */
export function errorCode(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.message : String(err);
}
