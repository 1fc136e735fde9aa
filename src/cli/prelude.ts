/** What the stage commands share: flag checks and the "load incident dir → ingest → diagnose" prelude. */
import { join } from 'node:path';
import type { MedicConfig } from '../core/config.js';
import { InputError } from '../core/errors.js';
import { type IncidentDir, loadIncidentDir } from '../core/incident-dir.js';
import type { Diagnosis, Evidence } from '../core/model.js';
import type { Progress } from '../core/progress.js';
import { diagnose } from '../diagnose/index.js';
import { ingest } from '../ingest/index.js';

export type Provider = 'rules' | 'llm';

/** `--provider`: rules or llm; default llm when an LLM endpoint is configured, else rules. */
export function providerFlag(value: string | undefined, config: MedicConfig): Provider {
  const provider = value ?? (config.llm ? 'llm' : 'rules');
  if (provider !== 'rules' && provider !== 'llm') {
    throw new InputError('MEDIC_ERR_INPUT_BAD_OPTION', `--provider must be rules or llm, not ${provider}`);
  }
  return provider;
}

/** A whole-number flag within [min, max]; `flag` is its name as typed (`--max`). */
export function wholeNumberFlag(flag: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InputError(
      'MEDIC_ERR_INPUT_BAD_OPTION',
      `${flag} must be a whole number from ${min} to ${max}, not ${value}`,
    );
  }
  return n;
}

/** A flag that takes one of a few words. */
export function choiceFlag<const C extends string>(
  flag: string,
  value: string | undefined,
  choices: readonly C[],
): C {
  const found = choices.find((c) => c === value);
  if (found === undefined) {
    const words = `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
    throw new InputError('MEDIC_ERR_INPUT_BAD_OPTION', `${flag} must be ${words}, not ${value}`);
  }
  return found;
}

/** Progress lines go to stderr so stdout holds only the result (`--json` stays parseable). */
export const stderrProgress: Progress = (message) => process.stderr.write(`${message}\n`);

export interface Ingested {
  source: IncidentDir;
  evidence: Evidence;
}

/** Loads the incident directory and runs the ingest stage on it. */
export async function ingestIncident(dir: string, onProgress: Progress = stderrProgress): Promise<Ingested> {
  const source = await loadIncidentDir(dir);
  const evidence = await ingest(source.incident, {
    incidentDir: source.dir,
    repoDir: source.repoDir,
    onProgress,
  });
  return { source, evidence };
}

export interface DiagnoseFlags {
  provider: Provider;
  samples?: number;
  /** Use the answer cache under the work dir (default true). */
  cache?: boolean;
}

/** Runs the diagnose stage with the configured LLM (if any) and the CLI's answer cache. */
export function diagnoseIncident(
  { source, evidence }: Ingested,
  config: MedicConfig,
  flags: DiagnoseFlags,
  onProgress: Progress = stderrProgress,
): Promise<Diagnosis> {
  return diagnose(evidence, source.incident, {
    repoDir: source.repoDir,
    provider: flags.provider,
    ...(config.llm ? { llm: config.llm } : {}),
    ...(flags.samples === undefined ? {} : { samples: flags.samples }),
    ...(flags.cache === false ? {} : { cacheDir: join(config.workDir, 'cache', 'diagnose') }),
    onProgress,
  });
}
