/** `medic eval [corpus]`: measure the pipeline over fixture incidents (exit 0 even when some fail). */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import { runEval } from '../../eval/index.js';
import { action, EXIT_OK, printJson } from '../action.js';
import { providerFlag } from '../prelude.js';

interface EvalFlags {
  provider?: string;
  out?: string;
  json?: boolean;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('Run every fixture incident through the pipeline and score it against expected.json')
    .argument('[corpus]', 'directory of incident directories', 'fixtures/incidents')
    .option(
      '--provider <name>',
      'diagnosis provider: rules or llm (default: llm when configured, else rules)',
    )
    .option('--out <dir>', 'where eval.json, eval.md and each run go (default: <work-dir>/eval)')
    .option('--json', 'print the rows and totals as JSON instead of the table')
    .action(action(evaluate));
}

async function evaluate(corpus: string, flags: EvalFlags): Promise<number> {
  const config = loadConfig();
  const provider = providerFlag(flags.provider, config);
  const result = await runEval({
    corpusDir: corpus,
    outDir: resolve(flags.out ?? join(config.workDir, 'eval')),
    provider,
    config,
    onProgress: (message) => process.stderr.write(`eval: ${message}\n`),
  });
  if (flags.json) printJson({ rows: result.rows, totals: result.totals });
  else process.stdout.write(`${result.markdown}\nWritten: ${result.files.join(', ')}\n`);
  return EXIT_OK;
}
