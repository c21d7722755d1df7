// Runs `listwarden run` (the daemon sub-command) in a child process for the integration tests.

import { Command } from 'commander';
import { runCommand } from '../../src/daemon/commands.js';

const program = new Command('listwarden').addCommand(runCommand());
await program.parseAsync(process.argv);
