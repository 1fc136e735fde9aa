/** The `medic` command: one subcommand per file in commands/, each a thin adapter over a stage. */
import { Command } from 'commander';
import { registerDiagnose } from './commands/diagnose.js';
import { registerEval } from './commands/eval.js';
import { registerIngest } from './commands/ingest.js';
import { registerParse } from './commands/parse.js';
import { registerPatch } from './commands/patch.js';
import { registerReplay } from './commands/replay.js';
import { registerReport } from './commands/report.js';
import { registerRollout } from './commands/rollout.js';
import { registerServe } from './commands/serve.js';
import { registerTrace } from './commands/trace.js';
import { registerVerify } from './commands/verify.js';
import { registerWorker } from './commands/worker.js';

const program = new Command('medic')
  .description('Self-healing for Go services: from a production failure to a reviewed, verified fix.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride((error) => {
    // commander's own usage errors (unknown option, missing argument) are bad input.
    process.exit(error.exitCode === 0 ? 0 : 2);
  });

for (const register of [
  registerReplay,
  registerParse,
  registerIngest,
  registerDiagnose,
  registerPatch,
  registerVerify,
  registerEval,
  registerReport,
  registerRollout,
  registerTrace,
  registerServe,
  registerWorker,
])
  register(program);

await program.parseAsync(process.argv);
