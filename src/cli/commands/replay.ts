/** `medic replay <incident-dir>`: the whole pipeline in-process on a recorded incident, with live progress. */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Listr, ListrLogger, ProcessOutput } from 'listr2';
import { loadConfig } from '../../core/config.js';
import { InputError } from '../../core/errors.js';
import { loadIncidentDir } from '../../core/incident-dir.js';
import {
  type PipelineOptions,
  pipelineSteps,
  type RunState,
  reportRecords,
  shouldSkip,
  timed,
} from '../../pipeline.js';
import { action, EXIT_FAILED, EXIT_OK, printJson } from '../action.js';
import { providerFlag } from '../prelude.js';
import { renderSummary } from '../summary.js';

interface ReplayFlags {
  out?: string;
  json?: boolean;
  provider?: string;
  resume?: boolean;
  samples?: string;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('Replay a recorded incident through the whole pipeline and print the verified fix')
    .argument('<incident-dir>', 'directory with incident.json, its artifacts and the service source')
    .option('--out <dir>', 'where records, report and checkout go (default: <work-dir>/runs/<incident-id>)')
    .option('--json', 'print the outcome and every record as JSON on stdout')
    .option(
      '--provider <name>',
      'diagnosis provider: rules or llm (default: llm when configured, else rules)',
    )
    .option('--samples <n>', 'LLM self-consistency: answers to vote over')
    .option('--resume', 'reuse records already in --out instead of recomputing them')
    .action(action(replay));
}

async function replay(dir: string, flags: ReplayFlags): Promise<number> {
  const config = loadConfig();
  const source = await loadIncidentDir(dir);
  const provider = providerFlag(flags.provider, config);
  const samples = flags.samples === undefined ? undefined : Number.parseInt(flags.samples, 10);
  if (samples !== undefined && !(samples >= 1)) {
    throw new InputError(
      'MEDIC_ERR_INPUT_BAD_OPTION',
      `--samples must be a positive integer, not ${flags.samples}`,
    );
  }
  const outDir = resolve(flags.out ?? join(config.workDir, 'runs', source.incident.id));
  const options: PipelineOptions = {
    outDir,
    provider,
    config,
    ...(flags.resume ? { resume: true } : {}),
    ...(samples ? { samples } : {}),
  };
  const state: RunState = { source, timings: {} };
  // Progress goes to stderr so stdout holds only the result (`--json` stays parseable).
  const logger = new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) });
  const tasks = new Listr(
    pipelineSteps(options).map((step) => ({
      title: step.title,
      skip: () => shouldSkip(state, step),
      task: async (_ctx: unknown, task: { output: string }) => {
        await timed(state, step, (message) => {
          task.output = message;
        });
      },
    })),
    {
      concurrent: false,
      rendererOptions: { logger },
      fallbackRendererOptions: { logger },
    },
  );
  await tasks.run();
  if (flags.json) {
    printJson({ outDir, ...reportRecords(state) });
  } else {
    process.stdout.write(renderSummary(state, outDir));
  }
  return state.outcome?.status === 'verified' ? EXIT_OK : EXIT_FAILED;
}
