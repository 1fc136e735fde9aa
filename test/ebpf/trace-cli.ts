/** `medic trace` alone, for the CLI tests: the same command as bin/medic, without the other stages' imports. */
import { Command } from 'commander';
import { registerTrace } from '../../src/cli/commands/trace.js';

const program = new Command('medic').exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
registerTrace(program);
await program.parseAsync(process.argv);
