/** `medic patch <incident-dir>`: ingest, diagnose, then print the ranked candidate patches with their diffs and regression test. */
import type { Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import { InputError } from '../../core/errors.js';
import type { Patch } from '../../core/model.js';
import { proposePatchesWithReasons, type Rejection } from '../../patch/index.js';
import { action, EXIT_OK, printJson } from '../action.js';
import {
  choiceFlag,
  diagnoseIncident,
  ingestIncident,
  providerFlag,
  stderrProgress,
  wholeNumberFlag,
} from '../prelude.js';

interface PatchFlags {
  provider?: string;
  llmPatches: string;
  max: string;
  testCheck: boolean;
  json?: boolean;
}

export function registerPatch(program: Command): void {
  program
    .command('patch')
    .description(
      'Propose ranked fixes for an incident: typed syntax-tree edits, their diffs and a regression test',
    )
    .argument('<incident-dir>', 'an incident directory (incident.json, its artifacts and the service source)')
    .option(
      '--provider <provider>',
      'diagnosis provider: rules or llm (default: llm when configured, else rules)',
    )
    .option(
      '--llm-patches <when>',
      'ask the LLM for a candidate too: auto (when the diagnosis came from the LLM), always or never',
      'auto',
    )
    .option('--max <n>', 'at most this many candidates', '3')
    .option(
      '--no-test-check',
      'skip running the regression test on a scratch copy to confirm it reproduces the failure',
    )
    .option('--json', 'print the Patch records as a JSON array')
    .action(action(run));
}

async function run(dir: string, flags: PatchFlags): Promise<number> {
  const config = loadConfig();
  const provider = providerFlag(flags.provider, config);
  const max = wholeNumberFlag('--max', flags.max, 1, 20);
  const llmPatches = choiceFlag('--llm-patches', flags.llmPatches, ['auto', 'always', 'never']);
  if (llmPatches === 'always' && !config.llm) {
    throw new InputError(
      'MEDIC_ERR_INPUT_BAD_OPTION',
      '--llm-patches always needs an LLM endpoint: set MEDIC_LLM_BASE_URL and MEDIC_LLM_MODEL (or llm in medic.config.json)',
    );
  }
  const ingested = await ingestIncident(dir);
  const { source, evidence } = ingested;
  const diagnosis = await diagnoseIncident(ingested, config, { provider });
  const { patches, rejections } = await proposePatchesWithReasons(diagnosis, evidence, source.incident, {
    repoDir: source.repoDir,
    incidentDir: source.dir,
    maxCandidates: max,
    validateTest: flags.testCheck,
    onProgress: stderrProgress,
    ...(config.llm && llmPatches !== 'never'
      ? {
          llm: {
            config: config.llm,
            when: llmPatches === 'always' ? ('always' as const) : ('llm-diagnosis' as const),
          },
        }
      : {}),
  });
  if (flags.json) printJson(patches);
  else process.stdout.write(render(patches, rejections));
  return EXIT_OK;
}

/** The human form: each candidate's operations, diff, then the shared regression test. */
export function render(patches: readonly Patch[], rejections: readonly Rejection[]): string {
  const out: string[] = [];
  for (const p of patches) {
    const lastResort = p.operations.some((o) => o.lastResort)
      ? '  [LAST RESORT: contains the failure, does not fix it]'
      : '';
    out.push(
      `── candidate ${p.rank}: ${p.strategy} (${p.origin})${lastResort}`,
      `files  ${p.files.join(', ')}`,
    );
    if (p.llm !== undefined)
      out.push(
        `llm    ${p.llm.model}, prompt ${p.llm.promptVersion}, ${p.llm.usage.promptTokens}+${p.llm.usage.completionTokens} tokens in ${p.llm.usage.requests} request(s)`,
      );
    for (const o of p.operations)
      out.push(`  ${o.op}  ${o.file}${o.line === undefined ? '' : `:${o.line}`}  ${o.explanation}`);
    out.push('', p.diff);
  }
  const test = patches[0]?.regressionTest;
  if (test !== undefined) {
    out.push(
      `── regression test ${test.name} in ${test.file} (go test -run '^${test.name}$' ${test.packageDir})`,
      '',
      test.source,
    );
  } else {
    out.push(
      '── no regression test: no entry point of the failing stack could be called from a test and reproduce the failure',
      '',
    );
  }
  if (rejections.length > 0) {
    out.push('── not proposed');
    for (const r of rejections) out.push(`  ${r.strategy}: ${r.reason}`);
    out.push('');
  }
  return out.join('\n');
}
