#!/usr/bin/env node
// The `listwarden` command: wires config, stages and output; exit codes 0 ok, 1 bad usage or config, 2 nothing readable.

import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, configJsonSchema, loadConfig } from './config/index.js';
import { createLogger } from './log.js';
import { replay, type ReplayFormat } from './replay/replay.js';

const EXIT_OK = 0;
const EXIT_USAGE = 1;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** A user error: printed as is (no stack), exit 1. */
class UsageError extends Error {}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('listwarden')
    .description('A moderation bot for mailing lists: flags off-topic threads and incendiary language, and tells moderators.')
    .version(version())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('replay')
    .description('Run the rules over a list archive and show what listwarden would flag (nothing is sent).')
    .argument('<archive...>', 'mbox, mbox.gz, Maildir folder, .eml file or folder of .eml files')
    .option('-c, --config <file>', 'list config (YAML); the shipped defaults when absent')
    .option('--train <archive>', "learn each list's topic profile from this archive first (repeatable)", collect, [])
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'html']).default('text'))
    .option('-o, --out <file>', 'write the report here instead of stdout')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .addHelpText(
      'after',
      `
Output: text groups flags by thread; html is a page to open in a browser; json is JSON Lines, one flag
per line with messageId, threadId, rule, category, severity, score, evidence, reason, from, date, subject,
list, action. A summary (posts read, parsed, skipped with reasons, flags by rule, posts/s) goes to stderr.
Exit codes: 0 ok, 1 bad usage or config, 2 nothing readable.

Examples:
  listwarden replay examples/sample-list.mbox
  listwarden replay --config config/example-tlug.yaml --format json archive/2024-*.txt.gz > flags.jsonl
  listwarden replay --train old.mbox --format html --out report.html new.mbox`,
    )
    .action(async (archives: string[], o: { config?: string; train: string[]; format: ReplayFormat; out?: string; progress: boolean }) => {
      const config = await loadConfig(o.config);
      const log = createLogger(process.env.LISTWARDEN_LOG_LEVEL ?? 'warn');
      const result = await replay({
        config,
        archives,
        train: o.train,
        format: o.format,
        out: o.out,
        progress: o.progress && process.stderr.isTTY === true,
        log,
      });
      process.stderr.write(result.summary.toText());
      if (result.exitCode === 2) process.stderr.write('Nothing could be read from the archive(s): check the paths and formats.\n');
      process.exitCode = result.exitCode;
    });

  program
    .command('check-config')
    .description('Validate a config file; exit 0 when valid, 1 with the problems (file:line: what to do) when not.')
    .argument('<file>', 'the YAML config to check')
    .addHelpText('after', '\nExample:\n  listwarden check-config config/example-tlug.yaml')
    .action(async (file: string) => {
      const config = await loadConfig(file);
      const custom = config.custom.length + config.lists.reduce((n, l) => n + l.custom.length, 0);
      process.stdout.write(`${file}: ok (${config.lists.length} list(s): ${config.lists.map((l) => l.id).join(', ')}; ${custom} custom rule(s))\n`);
    });

  program
    .command('schema')
    .description("Print the config's JSON Schema (for editors: yaml-language-server, VS Code).")
    .addHelpText('after', '\nExample:\n  listwarden schema > listwarden.schema.json')
    .action(() => {
      process.stdout.write(JSON.stringify(configJsonSchema(), null, 2) + '\n');
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof ConfigError || err instanceof UsageError || err instanceof InvalidArgumentError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`listwarden: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 70;
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
