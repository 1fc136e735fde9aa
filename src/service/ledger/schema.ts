/**
 * The ledger's tables (drizzle, PostgreSQL; the same schema on PGlite). Migrations are generated
 * from this file into ./migrations by drizzle-kit (`npx drizzle-kit generate --config
 * src/service/ledger/drizzle.config.ts`) and applied at start-up.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

const time = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * One row per incident. `openGroup` and `openSignature` hold the dedup keys while the incident is
 * open (unique, NULL once released), so concurrent deliveries race on a constraint, not in code.
 */
export const incidents = pgTable(
  'incidents',
  {
    id: text('id').primaryKey(),
    source: text('source').notNull(),
    service: text('service').notNull(),
    title: text('title'),
    /** received → queued → running → proposed | no-fix | failed | duplicate. */
    status: text('status').notNull(),
    /** The stage that ran last (or runs now). */
    stage: text('stage'),
    failureClass: text('failure_class'),
    signature: text('signature'),
    groupKey: text('group_key'),
    openGroup: text('open_group').unique(),
    openSignature: text('open_signature').unique(),
    duplicateOf: text('duplicate_of'),
    alertStatus: text('alert_status'),
    resolvedAt: time('resolved_at'),
    outcomeReason: text('outcome_reason'),
    stoppedAt: text('stopped_at'),
    errorCode: text('error_code'),
    /**
     * The rollout after a proposal (service.rollout.enabled): queued → awaiting-approval →
     * rolling-out → promoted | rolled-back | aborted, or refused | expired | failed. NULL: none.
     */
    rolloutStatus: text('rollout_status'),
    /** Deliveries of the same group after the first, counted in batches. */
    duplicateDeliveries: integer('duplicate_deliveries').notNull().default(0),
    createdAt: time('created_at').notNull().defaultNow(),
    updatedAt: time('updated_at').notNull().defaultNow(),
    finishedAt: time('finished_at'),
  },
  (t) => [
    index('incidents_created_idx').on(t.createdAt),
    index('incidents_status_idx').on(t.status),
    index('incidents_rollout_idx').on(t.rolloutStatus),
  ],
);

/** Each stage's output record (the RecordStore), with when it was stored and after how many attempts. */
export const records = pgTable(
  'records',
  {
    incidentId: text('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    body: jsonb('body').notNull(),
    attempts: integer('attempts').notNull().default(1),
    storedAt: time('stored_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.kind] })],
);

/** Every attempt of every stage: who ran it, when, how it ended. */
export const stageRuns = pgTable(
  'stage_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    incidentId: text('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    stage: text('stage').notNull(),
    attempt: integer('attempt').notNull(),
    worker: text('worker').notNull(),
    startedAt: time('started_at').notNull().defaultNow(),
    finishedAt: time('finished_at'),
    /** running | done | no-fix | error | handed-back | held (rollout waiting for approval) | lost (its worker died). */
    outcome: text('outcome').notNull().default('running'),
    errorCode: text('error_code'),
    durationMs: integer('duration_ms'),
  },
  (t) => [index('stage_runs_incident_idx').on(t.incidentId, t.stage)],
);

/** The audit trail: who or what decided what, when and why. */
export const audit = pgTable(
  'audit',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    incidentId: text('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    at: time('at').notNull().defaultNow(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    reason: text('reason').notNull(),
    details: jsonb('details'),
  },
  (t) => [index('audit_incident_idx').on(t.incidentId, t.id)],
);

/** Every accepted delivery that created or touched an incident (duplicates are counted on the incident). */
export const deliveries = pgTable(
  'deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    incidentId: text('incident_id').references(() => incidents.id, { onDelete: 'cascade' }),
    source: text('source').notNull(),
    groupKey: text('group_key'),
    alertStatus: text('alert_status'),
    /** created | resolved | ignored. */
    outcome: text('outcome').notNull(),
    receivedAt: time('received_at').notNull().defaultNow(),
    payload: jsonb('payload'),
  },
  (t) => [index('deliveries_incident_idx').on(t.incidentId)],
);

/** Artifact contents received or fetched at intake, so a worker on any machine can rebuild the incident. */
export const artifacts = pgTable(
  'artifacts',
  {
    incidentId: text('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    path: text('path').notNull(),
    sha256: text('sha256').notNull(),
    size: integer('size').notNull(),
    content: bytea('content').notNull(),
    origin: text('origin'),
    storedAt: time('stored_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.path] })],
);

export const schema = { incidents, records, stageRuns, audit, deliveries, artifacts };

/** Statuses in which an incident may still run stages. */
export const ACTIVE_STATUSES = ['received', 'queued', 'running'] as const;

/** Rollout statuses of a rollout that has not ended: the reconciler queues their job again when it is lost. */
export const ACTIVE_ROLLOUT_STATUSES = ['queued', 'awaiting-approval', 'rolling-out'] as const;
export type RolloutStatus =
  | (typeof ACTIVE_ROLLOUT_STATUSES)[number]
  | 'promoted'
  | 'rolled-back'
  | 'aborted'
  | 'refused'
  | 'expired'
  | 'failed';
export const nowSql = sql`now()`;
