/** `medic parse <file|->`: every Go failure in a log or output, with its class, crash site and goroutine buckets. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { IngestError, InputError } from '../../core/errors.js';
import {
  type BucketLevel,
  parseFailures,
  readModulePath,
  renderFailures,
} from '../../ingest/traceback/index.js';
import { action, EXIT_OK, printJson } from '../action.js';

interface ParseFlags {
  json?: boolean;
  module?: string;
  repo?: string;
  repoRoot?: string;
  buckets: string;
  frames: string;
}

const LEVELS: Record<string, BucketLevel[]> = {
  exact: ['exact'],
  'any-pointer': ['any-pointer'],
  'any-value': ['any-value'],
  all: ['exact', 'any-pointer', 'any-value'],
};

export function registerParse(program: Command): void {
  program
    .command('parse')
    .description('Find every Go panic, fatal error, race report and goroutine dump in a log or output')
    .argument('<file>', 'the log or output to read; `-` reads standard input')
    .option('--json', 'print the Failure records as JSON')
    .option('--module <path>', "the target's module path (frames in it are application code)")
    .option('--repo <dir>', "the service's checkout: its go.mod gives the module path")
    .option('--repo-root <dir>', 'the directory the binary was built in, as absolute frames print it')
    .option('--buckets <level>', 'goroutine grouping: exact, any-pointer, any-value or all', 'any-pointer')
    .option('--frames <n>', 'frames shown per stack in the human output', '5')
    .action(action(run));
}

async function readInput(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError('MEDIC_ERR_INPUT_NOT_FOUND', `cannot read ${file}`, { cause: error });
  }
}

async function run(file: string, flags: ParseFlags): Promise<number> {
  const levels = LEVELS[flags.buckets];
  if (levels === undefined) {
    throw new InputError(
      'MEDIC_ERR_INPUT_BAD_OPTION',
      `--buckets must be exact, any-pointer, any-value or all, not ${flags.buckets}`,
    );
  }
  const frames = Number(flags.frames);
  if (!Number.isInteger(frames) || frames < 1) {
    throw new InputError(
      'MEDIC_ERR_INPUT_BAD_OPTION',
      `--frames must be a positive whole number, not ${flags.frames}`,
    );
  }
  const modulePath =
    flags.module ?? (flags.repo === undefined ? undefined : await readModulePath(flags.repo));
  const repoRoot = flags.repoRoot ?? (flags.repo === undefined ? undefined : resolve(flags.repo));
  const text = await readInput(file);
  const artifact = file === '-' ? 'stdin' : file;
  const failures = parseFailures(text, {
    artifact,
    bucketLevels: levels,
    ...(modulePath === undefined ? {} : { modulePath }),
    ...(repoRoot === undefined ? {} : { repoRoot }),
  });
  if (failures.length === 0) {
    throw new IngestError('MEDIC_ERR_INGEST_NO_FAILURE', `no Go failure found in ${artifact}`);
  }
  if (flags.json) printJson(failures);
  else process.stdout.write(renderFailures(failures, artifact, { frames }));
  return EXIT_OK;
}
