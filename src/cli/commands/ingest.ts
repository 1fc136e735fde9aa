/** `medic ingest <incident-dir>`: read the incident's artifacts and print the fused Evidence. */
import type { Command } from 'commander';
import { InputError } from '../../core/errors.js';
import { renderEvidence } from '../../ingest/index.js';
import { action, EXIT_OK, printJson } from '../action.js';
import { ingestIncident } from '../prelude.js';

interface IngestFlags {
  json?: boolean;
  suspects: string;
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description(
      'Read an incident (panic log, pprof profiles, eBPF trace) and print the fused evidence and suspects',
    )
    .argument('<incident-dir>', 'an incident directory (incident.json, its artifacts and the service source)')
    .option('--json', 'print the Evidence record as JSON')
    .option('--suspects <n>', 'suspects shown in the human summary', '5')
    .action(action(run));
}

async function run(dir: string, flags: IngestFlags): Promise<number> {
  const shown = Number(flags.suspects);
  if (!Number.isInteger(shown) || shown < 1) {
    throw new InputError(
      'MEDIC_ERR_INPUT_BAD_OPTION',
      `--suspects must be a positive whole number, not ${flags.suspects}`,
    );
  }
  const { evidence } = await ingestIncident(dir, (message) => process.stderr.write(`ingest: ${message}\n`));
  if (flags.json) printJson(evidence);
  else process.stdout.write(renderEvidence(evidence, shown));
  return EXIT_OK;
}
