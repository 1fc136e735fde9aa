/** `medic diagnose <incident-dir>`: ingest the incident's artifacts and print the Diagnosis. */
import type { Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import type { Diagnosis } from '../../core/model.js';
import { action, EXIT_OK, printJson } from '../action.js';
import { diagnoseIncident, ingestIncident, providerFlag, wholeNumberFlag } from '../prelude.js';

interface DiagnoseCommandFlags {
  provider?: string;
  samples: string;
  cache: boolean;
  json?: boolean;
}

export function registerDiagnose(program: Command): void {
  program
    .command('diagnose')
    .description(
      'Find the root cause of an incident: the blamed location, mechanism, evidence chain and fix strategy',
    )
    .argument('<incident-dir>', 'an incident directory (incident.json, its artifacts and the service source)')
    .option(
      '--provider <provider>',
      'rules (built in, no network) or llm (MEDIC_LLM_*); default: llm when configured, else rules',
    )
    .option(
      '--samples <n>',
      'LLM only: ask N times and vote on class and location (confidence = agreement)',
      '1',
    )
    .option(
      '--no-cache',
      'LLM only: ask again even when an answer for this signature, revision and prompt is cached',
    )
    .option('--json', 'print the Diagnosis record as JSON')
    .action(action(run));
}

async function run(dir: string, flags: DiagnoseCommandFlags): Promise<number> {
  const config = loadConfig();
  const provider = providerFlag(flags.provider, config);
  const samples = wholeNumberFlag('--samples', flags.samples, 1, 9);
  const ingested = await ingestIncident(dir);
  const diagnosis = await diagnoseIncident(ingested, config, { provider, samples, cache: flags.cache });
  if (flags.json) printJson(diagnosis);
  else process.stdout.write(render(diagnosis));
  return EXIT_OK;
}

/** The human form: what a reviewer reads top to bottom. */
export function render(d: Diagnosis): string {
  const by =
    d.provider === 'rules'
      ? `rules ${d.ruleVersion ?? ''}`.trim()
      : `${d.model ?? 'llm'}, prompt ${d.promptVersion ?? '?'}`;
  const lines = [
    `root cause   ${d.rootCauseClass} (confidence ${d.confidence.toFixed(2)}; ${by})`,
    `summary      ${d.summary}`,
    `blamed       ${d.location.file}:${d.location.line}  ${d.location.function}`,
    ...d.alternatives
      .slice(0, 3)
      .map(
        (a, i) => `${i === 0 ? 'alternatives' : '            '} ${i + 1}. ${a.file}:${a.line}  ${a.function}`,
      ),
    `mechanism    ${d.mechanism}`,
    'evidence',
    ...d.evidenceChain.map((l) => `  ${l.evidenceId.padEnd(4)} ${l.claim}`),
    `if instead   ${d.counterfactual}`,
    `fix          ${[d.fixStrategy, ...d.otherStrategies].join(' > ')}`,
  ];
  if (d.usage) {
    const u = d.usage;
    const cost = u.costUsd === undefined ? '' : `, $${u.costUsd.toFixed(4)}`;
    const kinds = Object.keys(u.redactions ?? {});
    const secrets = kinds.length > 0 ? `; secrets redacted before sending: ${kinds.join(', ')}` : '';
    lines.push(
      `usage        ${u.cached ? 'cached answer, no request' : `${u.promptTokens} prompt + ${u.completionTokens} completion tokens, ${u.requests} request(s)${cost}${secrets}`}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
