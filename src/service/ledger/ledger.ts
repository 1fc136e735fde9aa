/**
 * The ledger: the service's durable memory. Implements the pipeline's RecordStore (records keyed
 * by incident id, so a job that dies resumes from the last stored record) and keeps each incident's
 * status, every stage attempt and the audit trail. Intake operations are in intake.ts, reads for
 * the API in queries.ts.
 */
import { and, count, eq, sql } from 'drizzle-orm';
import { ServiceError } from '../../core/errors.js';
import { type RecordKind, type RecordOf, type RecordStore, recordSchemas } from '../../core/record-store.js';
import { type LedgerDb, ledgerError } from './open.js';
import { audit, incidents, type RolloutStatus, records, stageRuns } from './schema.js';

export type IncidentStatus =
  | 'received'
  | 'queued'
  | 'running'
  | 'proposed'
  | 'no-fix'
  | 'failed'
  | 'duplicate';

export interface Finish {
  status: 'proposed' | 'no-fix' | 'failed' | 'duplicate';
  reason: string;
  stoppedAt?: string;
  errorCode?: string;
  duplicateOf?: string;
}

export class Ledger implements RecordStore {
  constructor(readonly db: LedgerDb) {}

  async get<K extends RecordKind>(incidentId: string, kind: K): Promise<RecordOf<K> | undefined> {
    const rows = await guard(() =>
      this.db
        .select({ body: records.body })
        .from(records)
        .where(and(eq(records.incidentId, incidentId), eq(records.kind, kind))),
    );
    const row = rows[0];
    return row === undefined ? undefined : (recordSchemas[kind].parse(row.body) as RecordOf<K>);
  }

  /** Stores a record (validated); `attempts` is how many times its stage has started so far. */
  async put<K extends RecordKind>(incidentId: string, kind: K, record: RecordOf<K>): Promise<void> {
    const body = storable(recordSchemas[kind].parse(record));
    const [runs] = await guard(() =>
      this.db
        .select({ n: sql<number>`count(*)::int` })
        .from(stageRuns)
        .where(and(eq(stageRuns.incidentId, incidentId), eq(stageRuns.stage, stageOfKind(kind)))),
    );
    const attempts = Math.max(1, runs?.n ?? 1);
    await guard(() =>
      this.db
        .insert(records)
        .values({ incidentId, kind, body, attempts })
        .onConflictDoUpdate({
          target: [records.incidentId, records.kind],
          set: { body, attempts, storedAt: sql`now()` },
        }),
    );
  }

  async kinds(incidentId: string): Promise<Set<string>> {
    const rows = await guard(() =>
      this.db.select({ kind: records.kind }).from(records).where(eq(records.incidentId, incidentId)),
    );
    return new Set(rows.map((r) => r.kind));
  }

  /** Records the start of a stage attempt; returns the run's id and attempt number. */
  async startStage(
    incidentId: string,
    stage: string,
    worker: string,
  ): Promise<{ runId: number; attempt: number }> {
    return guard(() =>
      this.db.transaction(async (tx) => {
        const [prior] = await tx
          .select({ n: count() })
          .from(stageRuns)
          .where(and(eq(stageRuns.incidentId, incidentId), eq(stageRuns.stage, stage)));
        const attempt = Number(prior?.n ?? 0) + 1;
        // An attempt still `running` belonged to a worker that died (its job was handed to us).
        await tx
          .update(stageRuns)
          .set({ outcome: 'lost', finishedAt: sql`now()` })
          .where(
            and(
              eq(stageRuns.incidentId, incidentId),
              eq(stageRuns.stage, stage),
              eq(stageRuns.outcome, 'running'),
            ),
          );
        const [run] = await tx
          .insert(stageRuns)
          .values({ incidentId, stage, attempt, worker })
          .returning({ id: stageRuns.id });
        await tx
          .update(incidents)
          .set({ status: 'running', stage, updatedAt: sql`now()` })
          .where(and(eq(incidents.id, incidentId), sql`${incidents.finishedAt} IS NULL`));
        if (run === undefined) throw new Error('insert returned no row');
        return { runId: run.id, attempt };
      }),
    );
  }

  async endStage(
    runId: number,
    outcome: 'done' | 'no-fix' | 'error' | 'handed-back' | 'held',
    errorCode?: string,
  ): Promise<void> {
    await guard(() =>
      this.db
        .update(stageRuns)
        .set({
          outcome,
          errorCode: errorCode ?? null,
          finishedAt: sql`now()`,
          durationMs: sql`(extract(epoch from now() - ${stageRuns.startedAt}) * 1000)::int`,
        })
        .where(eq(stageRuns.id, runId)),
    );
  }

  async setStatus(incidentId: string, status: IncidentStatus): Promise<void> {
    await guard(() =>
      this.db
        .update(incidents)
        .set({ status, updatedAt: sql`now()` })
        .where(and(eq(incidents.id, incidentId), sql`${incidents.finishedAt} IS NULL`)),
    );
  }

  /**
   * Claims the failure signature for this incident while it is open. Another open incident of the
   * same service with the same signature makes this one its duplicate (returned).
   */
  async claimSignature(
    incidentId: string,
    service: string,
    signature: string,
    failureClass: string,
  ): Promise<{ duplicateOf?: string }> {
    const key = `${service} ${signature}`;
    return guard(() =>
      this.db.transaction(async (tx) => {
        const [mine] = await tx.select().from(incidents).where(eq(incidents.id, incidentId));
        if (mine?.openSignature === key) return {};
        const claimed = await tx
          .update(incidents)
          .set({ signature, failureClass, openSignature: key, updatedAt: sql`now()` })
          .where(
            and(
              eq(incidents.id, incidentId),
              sql`NOT EXISTS (SELECT 1 FROM incidents o WHERE o.open_signature = ${key})`,
            ),
          )
          .returning({ id: incidents.id });
        if (claimed.length > 0) return {};
        const [holder] = await tx
          .select({ id: incidents.id })
          .from(incidents)
          .where(eq(incidents.openSignature, key));
        await tx.update(incidents).set({ signature, failureClass }).where(eq(incidents.id, incidentId));
        return holder ? { duplicateOf: holder.id } : {};
      }),
    );
  }

  /**
   * Ends the incident's run. The group key is released when the alert has resolved (or there is
   * none); the signature is kept while a proposal waits for review, so the same bug is not fixed twice.
   */
  async finish(incidentId: string, end: Finish): Promise<void> {
    const keepSignature = end.status === 'proposed';
    const releaseGroup = end.status === 'failed' || end.status === 'duplicate';
    await guard(() =>
      this.db
        .update(incidents)
        .set({
          status: end.status,
          outcomeReason: end.reason,
          stoppedAt: end.stoppedAt ?? null,
          errorCode: end.errorCode ?? null,
          duplicateOf: end.duplicateOf ?? null,
          finishedAt: sql`now()`,
          updatedAt: sql`now()`,
          openSignature: keepSignature ? incidents.openSignature : null,
          openGroup: releaseGroup
            ? null
            : sql`CASE WHEN ${incidents.alertStatus} = 'resolved' OR ${incidents.groupKey} IS NULL THEN NULL ELSE ${incidents.openGroup} END`,
        })
        .where(eq(incidents.id, incidentId)),
    );
  }

  /**
   * Sets the incident's rollout status. A promoted fix releases the failure signature it held
   * while waiting for review: the same failure again is a new incident (a regression).
   */
  async setRolloutStatus(incidentId: string, status: RolloutStatus): Promise<void> {
    await guard(() =>
      this.db
        .update(incidents)
        .set({
          rolloutStatus: status,
          updatedAt: sql`now()`,
          ...(status === 'promoted' ? { openSignature: null } : {}),
        })
        .where(eq(incidents.id, incidentId)),
    );
  }

  async audit(
    incidentId: string,
    actor: string,
    action: string,
    reason: string,
    details?: unknown,
  ): Promise<void> {
    await guard(() =>
      this.db.insert(audit).values({
        incidentId,
        actor,
        action,
        reason: storableText(reason.slice(0, 4000)),
        details: details === undefined ? null : storable(details),
      }),
    );
  }
}

/**
 * PostgreSQL text and jsonb cannot hold U+0000, which untrusted text (a panic message) may carry:
 * it is stored as U+FFFD, the replacement character.
 */
export function storable<T>(value: T): T {
  const json = JSON.stringify(value);
  if (!json.includes('\\u0000')) return value;
  // Only real escapes: `\u0000` after an even number of backslashes (an odd one is literal text).
  return JSON.parse(json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd')) as T;
}

export function storableText(text: string): string {
  return text.replaceAll('\u0000', '\ufffd');
}

/** The stage whose attempts a record's `attempts` counts. */
function stageOfKind(kind: RecordKind): string {
  const stages: Record<RecordKind, string> = {
    incident: 'intake',
    evidence: 'ingest',
    diagnosis: 'diagnose',
    patches: 'patch',
    verifications: 'verify',
    proposal: 'propose',
    rollout: 'rollout',
  };
  return stages[kind];
}

/** Runs a database call; connection and statement failures become MEDIC_ERR_SERVICE_LEDGER. */
export async function guard<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ServiceError) throw error;
    throw ledgerError('ledger statement failed', error);
  }
}
