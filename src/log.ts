// The pino root logger: JSON to stderr, secrets redacted, level from LISTWARDEN_LOG_LEVEL.

import { pino, type Logger } from 'pino';

export type { Logger };

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Paths redacted wherever they appear in a log line (credentials never reach a log). */
export const REDACT_PATHS = [
  'password',
  'pass',
  'auth.pass',
  '*.password',
  '*.pass',
  '*.auth.pass',
  'imap.auth',
  '*.imap.auth',
  'smtp.auth',
  '*.smtp.auth',
  'headers.authorization',
];

export function createLogger(level?: string): Logger {
  const wanted = level ?? process.env.LISTWARDEN_LOG_LEVEL ?? 'info';
  if (!LEVELS.has(wanted)) {
    throw new Error(`LISTWARDEN_LOG_LEVEL=${wanted} is not a log level; use one of ${[...LEVELS].join(', ')}`);
  }
  return pino(
    { name: 'listwarden', level: wanted, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    pino.destination({ dest: 2, sync: true }),
  );
}

let root: Logger | undefined;
/** The process-wide logger, made on first use. */
export function log(): Logger {
  root ??= createLogger();
  return root;
}
