// The shapes archive readers hand to replay: one item per message found, or per thing that could not be read.

/**
 * One message read from an archive, or one thing that was passed over and why.
 * `source` says where: `file.mbox#123` (1-based message number in an mbox) or a file's path.
 */
export type ArchiveItem =
  | {
      kind: 'mail';
      /** The RFC 5322 message as stored: no mbox `From ` line, `>From ` escaping undone. */
      raw: Buffer;
      source: string;
      /** Set when the archive ended inside this message (no final newline): parse may want to warn. */
      truncated?: boolean;
    }
  | { kind: 'skipped'; source: string; reason: string };

export interface ArchiveOptions {
  /** A message larger than this is skipped with a reason and reading goes on. Default 25 MB (25 × 2^20 bytes). */
  maxMessageBytes?: number;
}

export type ArchiveKind = 'mbox' | 'mbox.gz' | 'maildir' | 'eml' | 'eml-dir';

export const DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

/** Whole megabytes print as "25 MB" so skip reasons stay the same words for every message they cover. */
export function formatBytes(n: number): string {
  const mb = 1024 * 1024;
  if (n >= mb) return Number.isInteger(n / mb) ? `${n / mb} MB` : `${(n / mb).toFixed(1)} MB`;
  if (n >= 1024) return Number.isInteger(n / 1024) ? `${n / 1024} KB` : `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

export function oversizeReason(maxMessageBytes: number): string {
  return `message larger than ${formatBytes(maxMessageBytes)}`;
}
