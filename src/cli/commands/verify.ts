/**
 * `medic verify <incident-dir> [--patch FILE]`: verify a patch file, or the patch stage's candidates
 * (after ingest and diagnose), in the sandbox, and print every check.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import { InputError, isMedicError } from '../../core/errors.js';
import type { Check, Patch, Verification } from '../../core/model.js';
import { proposePatches } from '../../patch/index.js';
import { type IsolationMode, patchFromDiff, verifyCandidates } from '../../verify/index.js';
import { action, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, printJson } from '../action.js';
import {
  choiceFlag,
  diagnoseIncident,
  ingestIncident,
  providerFlag,
  stderrProgress,
  wholeNumberFlag,
} from '../prelude.js';

interface VerifyFlags {
  patch?: string;
  json?: boolean;
  provider?: string;
  workDir?: string;
  isolation: string;
  runs: string;
  keep?: boolean;
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'Verify a patch (or the patch stage’s candidates) in a sandbox: build, vet, tests, reproduction, replay',
    )
    .argument('<incident-dir>', 'an incident directory (incident.json, its artifacts and the service source)')
    .option('--patch <file>', 'a unified diff to verify instead of the patch stage’s candidates')
    .option(
      '--provider <provider>',
      'diagnosis provider when no --patch: rules or llm (default: llm when configured, else rules)',
    )
    .option('--isolation <mode>', 'auto (WASI where possible, else namespaces), netns, or native', 'auto')
    .option('--runs <n>', 'runs per side for race, deadlock and leak incidents', '20')
    .option('--work-dir <dir>', 'where the scratch workspaces go (default: <MEDIC_WORK_DIR>/verify)')
    .option('--keep', 'keep the workspaces for inspection')
    .option('--json', 'print the outcome (chosen patch and every Verification) as JSON')
    .action(action(run));
}

async function run(dir: string, flags: VerifyFlags): Promise<number> {
  const config = loadConfig();
  const isolation = choiceFlag('--isolation', flags.isolation, ['auto', 'netns', 'native']);
  const runs = wholeNumberFlag('--runs', flags.runs, 2, 500);
  const provider = providerFlag(flags.provider, config);
  const ingested = await ingestIncident(dir);
  const { source, evidence } = ingested;
  const onProgress = stderrProgress;
  let patches: Patch[];
  if (flags.patch !== undefined) {
    const patch = await readPatchFile(flags.patch, source.incident.id);
    if (patch === undefined) return EXIT_BAD_INPUT;
    patches = [patch];
  } else {
    const diagnosis = await diagnoseIncident(ingested, config, { provider });
    patches = await proposePatches(diagnosis, evidence, source.incident, {
      repoDir: source.repoDir,
      incidentDir: source.dir,
      onProgress,
    });
  }
  const outcome = await verifyCandidates(
    patches,
    {
      incident: source.incident,
      evidence,
      incidentDir: source.dir,
      repoDir: source.repoDir,
      workDir: resolve(flags.workDir ?? join(config.workDir, 'verify')),
    },
    {
      isolation: isolation satisfies IsolationMode,
      goBinary: config.goBinary,
      concurrencyRuns: runs,
      onProgress,
      onCheck: (c) =>
        onProgress(`  ${MARK[c.outcome]} ${c.name} (${seconds(c)})${c.note ? `: ${c.note}` : ''}`),
      ...(flags.keep ? { keepWorkspace: true } : {}),
    },
  );
  if (flags.json) printJson(outcome);
  else process.stdout.write(renderVerifications(patches, outcome.verifications));
  return outcome.chosen ? EXIT_OK : EXIT_FAILED;
}

/** The patch file as a Patch; undefined (after saying why) when it is not a unified diff. */
async function readPatchFile(file: string, incidentId: string): Promise<Patch | undefined> {
  let diff: string;
  try {
    diff = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError('MEDIC_ERR_INPUT_NOT_FOUND', `cannot read the patch file ${file}`, { cause: error });
  }
  try {
    return patchFromDiff(diff, incidentId, file);
  } catch (error) {
    // Not a diff is the user's input being wrong: exit 2 like any bad input, with verify's own code.
    if (isMedicError(error) && error.code === 'MEDIC_ERR_VERIFY_BAD_PATCH') {
      process.stderr.write(`medic: ${error.describe()}\n`);
      return undefined;
    }
    throw error;
  }
}

const MARK: Record<Check['outcome'], string> = { pass: '✔', fail: '✖', skipped: '−', error: '!' };

function seconds(c: Check): string {
  return `${(c.durationMs / 1000).toFixed(2)} s`;
}

/** The human form: per candidate, the verdict, the isolation, then every check with its command. */
export function renderVerifications(
  patches: readonly Patch[],
  verifications: readonly Verification[],
): string {
  const out: string[] = [];
  for (const v of verifications) {
    const patch = patches.find((p) => p.rank === v.patchRank);
    out.push(
      `── candidate ${v.patchRank}${patch ? ` (${patch.strategy}, ${patch.origin})` : ''}: ${v.verdict.toUpperCase()}`,
    );
    out.push(`   ${v.reason}`, `   isolation: ${v.isolation.kind}: ${v.isolation.reason}`);
    const width = Math.max(...v.checks.map((c) => c.name.length));
    for (const c of v.checks) {
      const cmd = c.command.length > 0 ? `  $ ${c.command.join(' ')}` : '';
      out.push(`  ${MARK[c.outcome]} ${c.name.padEnd(width)} ${seconds(c).padStart(8)}${cmd}`);
      if (c.note) out.push(`      ${c.note}`);
      if (c.outcome === 'fail' || c.outcome === 'error') {
        for (const line of c.excerpt.trimEnd().split('\n').slice(0, 15))
          if (line) out.push(`      │ ${line}`);
      }
    }
    out.push('');
  }
  const chosen = verifications.find((v) => v.verdict === 'verified');
  out.push(chosen ? `Verified: candidate ${chosen.patchRank}.` : 'No candidate was verified.', '');
  return out.join('\n');
}
