/** Reads an incident's records back from a run directory (what `medic replay --out` wrote) for re-rendering. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { DirectoryStore, type RecordKind } from '../core/record-store.js';
import { readRecord } from '../core/records.js';
import type { ReportRecords, RunOutcome } from './records.js';

/** `run.json`: how the run ended and how long each stage took; written beside the records. */
export const RunSummary = z.object({
  outcome: z.object({
    status: z.enum(['verified', 'no-fix']),
    reason: z.string(),
    stoppedAt: z.string().optional(),
  }),
  timings: z.record(z.string(), z.number()).default({}),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const RUN_SUMMARY_FILE = 'run.json';

export async function loadReportRecords(dir: string): Promise<ReportRecords> {
  const store = new DirectoryStore(dir);
  const incident = await store.get('', 'incident');
  if (incident === undefined) {
    throw new InputError('MEDIC_ERR_INPUT_NOT_FOUND', `${dir} has no incident.json`);
  }
  const optional = async <K extends Exclude<RecordKind, 'incident'>>(kind: K) => {
    const record = await store.get(incident.id, kind);
    return record === undefined ? {} : { [kind]: record };
  };
  const summaryFile = join(dir, RUN_SUMMARY_FILE);
  const summary = existsSync(summaryFile) ? await readRecord(summaryFile, RunSummary) : undefined;
  const outcome: RunOutcome = summary
    ? { status: summary.outcome.status, reason: summary.outcome.reason, ...stoppedAt(summary) }
    : { status: 'no-fix', reason: 'The pipeline has not run on this incident yet.' };
  return {
    incident,
    ...(await optional('evidence')),
    ...(await optional('diagnosis')),
    ...(await optional('patches')),
    ...(await optional('verifications')),
    ...(await optional('proposal')),
    ...(await optional('rollout')),
    outcome,
    ...(summary ? { timings: summary.timings } : {}),
  };
}

function stoppedAt(summary: RunSummary): { stoppedAt?: string } {
  return summary.outcome.stoppedAt === undefined ? {} : { stoppedAt: summary.outcome.stoppedAt };
}
