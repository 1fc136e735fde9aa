/** Reads of the ledger for the API, the review pages and the reconciler. */
import { and, asc, desc, eq, inArray, isNull, like } from 'drizzle-orm';
import { ServiceError } from '../../core/errors.js';
import { type RecordKind, type RecordOf, recordSchemas } from '../../core/record-store.js';
import type { ReportRecords } from '../../report/index.js';
import { guard, type Ledger } from './ledger.js';
import {
  ACTIVE_ROLLOUT_STATUSES,
  ACTIVE_STATUSES,
  audit,
  deliveries,
  incidents,
  records,
  stageRuns,
} from './schema.js';

export type IncidentRow = typeof incidents.$inferSelect;
export type StageRunRow = typeof stageRuns.$inferSelect;
export type AuditRow = typeof audit.$inferSelect;

export async function listIncidents(
  ledger: Ledger,
  options: { limit: number; status?: string },
): Promise<IncidentRow[]> {
  const where = options.status === undefined ? undefined : eq(incidents.status, options.status);
  return guard(() =>
    ledger.db.select().from(incidents).where(where).orderBy(desc(incidents.createdAt)).limit(options.limit),
  );
}

export async function incidentRow(ledger: Ledger, id: string): Promise<IncidentRow> {
  const [row] = await guard(() => ledger.db.select().from(incidents).where(eq(incidents.id, id)));
  if (row === undefined)
    throw new ServiceError('MEDIC_ERR_SERVICE_NOT_FOUND', `no incident ${id} in the ledger`);
  return row;
}

export interface IncidentDetail {
  incident: IncidentRow;
  records: Partial<Record<RecordKind, { body: unknown; attempts: number; storedAt: Date }>>;
  stageRuns: StageRunRow[];
  audit: AuditRow[];
  deliveries: number;
}

export async function incidentDetail(ledger: Ledger, id: string): Promise<IncidentDetail> {
  const incident = await incidentRow(ledger, id);
  const [recordRows, runs, trail, delivered] = await guard(() =>
    Promise.all([
      ledger.db.select().from(records).where(eq(records.incidentId, id)),
      ledger.db.select().from(stageRuns).where(eq(stageRuns.incidentId, id)).orderBy(asc(stageRuns.id)),
      ledger.db.select().from(audit).where(eq(audit.incidentId, id)).orderBy(asc(audit.id)),
      ledger.db.select({ id: deliveries.id }).from(deliveries).where(eq(deliveries.incidentId, id)),
    ]),
  );
  const byKind: IncidentDetail['records'] = {};
  for (const row of recordRows) {
    if (row.kind in recordSchemas) {
      byKind[row.kind as RecordKind] = { body: row.body, attempts: row.attempts, storedAt: row.storedAt };
    }
  }
  return {
    incident,
    records: byKind,
    stageRuns: runs,
    audit: trail,
    deliveries: delivered.length + incident.duplicateDeliveries,
  };
}

/** The incident's records as the report renders them, with the outcome and stage times from the ledger. */
export async function reportRecordsOf(ledger: Ledger, id: string): Promise<ReportRecords> {
  const detail = await incidentDetail(ledger, id);
  const record = <K extends RecordKind>(kind: K): RecordOf<K> | undefined => {
    const row = detail.records[kind];
    return row === undefined ? undefined : (recordSchemas[kind].parse(row.body) as RecordOf<K>);
  };
  const incident = record('incident');
  if (incident === undefined)
    throw new ServiceError('MEDIC_ERR_SERVICE_NOT_FOUND', `incident ${id} has no record`);
  const timings: Record<string, number> = {};
  for (const run of detail.stageRuns) {
    if (run.outcome === 'done' || run.outcome === 'no-fix') timings[run.stage] = run.durationMs ?? 0;
  }
  const row = detail.incident;
  const verified = row.status === 'proposed';
  const pick = <K extends Exclude<RecordKind, 'incident'>>(kind: K): { [P in K]?: RecordOf<P> } => {
    const value = record(kind);
    return (value === undefined ? {} : { [kind]: value }) as { [P in K]?: RecordOf<P> };
  };
  return {
    incident,
    ...pick('evidence'),
    ...pick('diagnosis'),
    ...pick('patches'),
    ...pick('verifications'),
    ...pick('proposal'),
    ...pick('rollout'),
    outcome: {
      status: verified ? 'verified' : 'no-fix',
      reason:
        row.outcomeReason ?? `The pipeline is ${row.status}${row.stage ? ` (stage ${row.stage})` : ''}.`,
      ...(row.stoppedAt ? { stoppedAt: row.stoppedAt } : {}),
    },
    timings,
  };
}

/** The incident's latest audit entry whose action starts with `prefix`. */
export async function lastAudit(ledger: Ledger, id: string, prefix: string): Promise<AuditRow | undefined> {
  const [row] = await guard(() =>
    ledger.db
      .select()
      .from(audit)
      .where(and(eq(audit.incidentId, id), like(audit.action, `${prefix}%`)))
      .orderBy(desc(audit.id))
      .limit(1),
  );
  return row;
}

/** Proposed incidents whose rollout has not ended: the reconciler queues their rollout job again. */
export async function unfinishedRollouts(ledger: Ledger): Promise<IncidentRow[]> {
  return guard(() =>
    ledger.db
      .select()
      .from(incidents)
      .where(inArray(incidents.rolloutStatus, [...ACTIVE_ROLLOUT_STATUSES])),
  );
}

/** Incidents whose run has not finished: the reconciler re-queues their next stage. */
export async function unfinishedIncidents(ledger: Ledger): Promise<IncidentRow[]> {
  return guard(() =>
    ledger.db
      .select()
      .from(incidents)
      .where(and(isNull(incidents.finishedAt), inArray(incidents.status, [...ACTIVE_STATUSES]))),
  );
}
