// Spawning real `listwarden` processes (src/cli.ts through tsx) for scale-out tests and the soak: logs, waits, kills.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository's root (two folders up from test/helpers). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The CLI's source: run as `node --import tsx src/cli.ts`, so a test sees the code as it is, not a stale build. */
export const CLI_SOURCE = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** Node flags from the CLI's first line (the heap bounds an installed `listwarden` runs with). */
export const CLI_NODE_FLAGS: string[] = (() => {
  const first = readFileSync(CLI_SOURCE, 'utf8').split('\n', 1)[0] ?? '';
  return first.startsWith('#!') ? first.split(/\s+/).filter((f) => /^--max-[a-z-]+=\d+$/.test(f)) : [];
})();

/** One parsed pino line (only the fields the harness reads are named). */
export interface LogLine {
  level: number;
  msg: string;
  messageId?: string;
  list?: string;
  role?: string;
  err?: { message?: string };
  [key: string]: unknown;
}

export interface SpawnListwardenOptions {
  /** A name for reports ("worker-2"). */
  name?: string;
  env?: NodeJS.ProcessEnv;
  /** LISTWARDEN_LOG_LEVEL of the child (default info, so verdicts and reloads are logged). */
  logLevel?: string;
  /** Keep at most this many log lines in memory (default 20 000; the oldest are dropped). */
  keepLines?: number;
  /** Called with every log line as it arrives (e.g. to count crashes or reloads). */
  onLine?: (line: LogLine, raw: string) => void;
}

export interface ListwardenProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Parsed pino lines so far (stderr); lines that are not JSON are kept in `stray`. */
  readonly lines: LogLine[];
  /** Output that was not a pino line: a stack trace from a crash, a Node warning. */
  readonly stray: string[];
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** True once the process has exited. */
  readonly done: boolean;
  /** Resolves when a log line matching `pred` arrives (also one already logged); rejects after ms or on exit. */
  waitForLog(pred: (l: LogLine) => boolean, ms?: number, what?: string): Promise<LogLine>;
  /** Sends a signal (no-op once exited). */
  kill(sig?: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after graceMs; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | string>;
}

/** Runs `listwarden <args…>` as a separate OS process, with the CLI's own heap flags (CLI_NODE_FLAGS). */
export function spawnListwarden(args: string[], o: SpawnListwardenOptions = {}): ListwardenProcess {
  const name = o.name ?? args.join(' ');
  const child = spawn(process.execPath, [...CLI_NODE_FLAGS, '--import', 'tsx', CLI_SOURCE, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...o.env, LISTWARDEN_LOG_LEVEL: o.logLevel ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = o.keepLines ?? 20_000;
  const lines: LogLine[] = [];
  const stray: string[] = [];
  const waiters = new Set<{ pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>();
  let buf = '';
  const onData = (d: Buffer): void => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    for (const raw of parts) {
      if (!raw.trim()) continue;
      let line: LogLine | undefined;
      if (raw.startsWith('{')) {
        try {
          line = JSON.parse(raw) as LogLine;
        } catch {
          line = undefined;
        }
      }
      if (!line) {
        if (stray.length < 2000) stray.push(raw);
        continue;
      }
      lines.push(line);
      if (lines.length > keep) lines.splice(0, lines.length - keep);
      o.onLine?.(line, raw);
      for (const w of waiters) {
        if (w.pred(line)) {
          waiters.delete(w);
          w.resolve(line);
        }
      }
    }
  };
  child.stderr?.on('data', onData);
  child.stdout?.on('data', onData);
  let done = false;
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      done = true;
      resolve(code ?? signal ?? 'unknown');
    }),
  );

  const handle: ListwardenProcess = {
    name,
    child,
    pid: child.pid ?? -1,
    lines,
    stray,
    exited,
    get done() {
      return done;
    },
    waitForLog(pred, ms = 30_000, what = 'a log line') {
      const seen = lines.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise<LogLine>((resolve, reject) => {
        const w = {
          pred,
          resolve: (l: LogLine) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`${name}: no ${what} within ${ms} ms; last lines:\n${lines.slice(-5).map((l) => JSON.stringify(l)).join('\n')}\n${stray.slice(-10).join('\n')}`));
        }, ms);
        waiters.add(w);
        void exited.then((code) => {
          if (!waiters.has(w)) return;
          waiters.delete(w);
          clearTimeout(timer);
          reject(new Error(`${name} exited (${code}) before ${what}:\n${stray.slice(-20).join('\n')}`));
        });
      });
    },
    kill(sig = 'SIGTERM') {
      if (!done) child.kill(sig);
    },
    async stop(graceMs = 10_000) {
      if (done) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  return handle;
}

/** `listwarden run --config <file> --role <role>` as its own process. */
export function spawnDaemonProcess(configPath: string, role: 'poller' | 'worker' | 'all', o: SpawnListwardenOptions = {}): ListwardenProcess {
  return spawnListwarden(['run', '--config', configPath, '--role', role], { name: o.name ?? role, ...o });
}

/** Resolves once the daemon logged that it runs (its queues and pollers are set up). */
export function daemonReady(p: ListwardenProcess, ms = 30_000): Promise<LogLine> {
  return p.waitForLog((l) => l.msg === 'listwarden running', ms, '"listwarden running"');
}

/** Runs a one-shot `listwarden <args…>` to its end: stdout, stderr and the exit code. */
export async function runListwarden(args: string[], o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_SOURCE, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LISTWARDEN_LOG_LEVEL: 'warn', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
  const code = await new Promise<number | string>((resolve) => child.once('exit', (c, s) => resolve(c ?? s ?? 'unknown')));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Message-IDs a daemon process logged a verdict for. */
export function verdictIdsLogged(p: ListwardenProcess): string[] {
  return p.lines.flatMap((l) => (l.msg === 'verdict' && typeof l.messageId === 'string' ? [l.messageId] : []));
}
