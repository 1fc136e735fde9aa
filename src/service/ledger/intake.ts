/**
 * Ledger operations of intake: open an incident unless its alert group is already open (decided by
 * a unique constraint, so concurrent deliveries cannot both win), record resolved alerts against
 * their incident, count duplicate deliveries, keep artifact contents.
 */
import { createHash } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { type Incident, Incident as IncidentSchema } from '../../core/model.js';
import { guard, type Ledger, storable, storableText } from './ledger.js';
import { artifacts, audit, deliveries, incidents, records } from './schema.js';

export interface DeliveryInfo {
  source: string;
  alertStatus?: 'firing' | 'resolved';
  /** What was received, kept for the audit (alerts' labels and annotations, never credentials). */
  payload?: unknown;
}

export interface OpenRequest {
  incident: Incident;
  /** The dedup key of the group (`source:groupKey`); absent: no group dedup. */
  groupKey?: string;
  delivery: DeliveryInfo;
  actor: string;
  reason: string;
}

export type OpenResult = { created: true; id: string } | { created: false; id: string };

export async function openIncident(ledger: Ledger, request: OpenRequest): Promise<OpenResult> {
  const incident = IncidentSchema.parse(request.incident);
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await guard(() =>
      ledger.db.transaction(async (tx): Promise<OpenResult | undefined> => {
        const inserted = await tx
          .insert(incidents)
          .values({
            id: incident.id,
            source: incident.source,
            service: incident.service.name,
            title: incident.title === undefined ? null : storableText(incident.title),
            status: 'received',
            groupKey: request.groupKey ?? null,
            openGroup: request.groupKey ?? null,
            alertStatus: request.delivery.alertStatus ?? null,
          })
          .onConflictDoNothing()
          .returning({ id: incidents.id });
        if (inserted.length > 0) {
          await tx
            .insert(records)
            .values({ incidentId: incident.id, kind: 'incident', body: storable(incident) });
          await tx.insert(deliveries).values(deliveryRow(incident.id, request, 'created'));
          await tx.insert(audit).values({
            incidentId: incident.id,
            actor: request.actor,
            action: 'incident.opened',
            reason: request.reason,
          });
          return { created: true, id: incident.id };
        }
        if (request.groupKey === undefined) return undefined;
        const [open] = await tx
          .select({ id: incidents.id })
          .from(incidents)
          .where(eq(incidents.openGroup, request.groupKey));
        return open ? { created: false, id: open.id } : undefined;
      }),
    );
    // Undefined: the group was released between our insert and our read; try again.
    if (result !== undefined) return result;
  }
  throw new Error(`could not open or find an incident for group ${request.groupKey}`);
}

function deliveryRow(
  incidentId: string | null,
  request: Pick<OpenRequest, 'groupKey' | 'delivery'>,
  outcome: string,
) {
  return {
    incidentId,
    source: request.delivery.source,
    groupKey: request.groupKey ?? null,
    alertStatus: request.delivery.alertStatus ?? null,
    outcome,
    payload: request.delivery.payload === undefined ? null : storable(request.delivery.payload),
  };
}

/** The open incident of a group, if any. */
export async function openIncidentOfGroup(ledger: Ledger, groupKey: string): Promise<string | undefined> {
  const [row] = await guard(() =>
    ledger.db.select({ id: incidents.id }).from(incidents).where(eq(incidents.openGroup, groupKey)),
  );
  return row?.id;
}

/**
 * Records a `resolved` delivery against the group's open incident (releasing the group once its
 * run has finished). Without an open incident the delivery is kept as `ignored`.
 */
export async function resolveGroup(
  ledger: Ledger,
  request: { groupKey: string; delivery: DeliveryInfo; actor: string },
): Promise<string | undefined> {
  return guard(() =>
    ledger.db.transaction(async (tx) => {
      const [open] = await tx
        .update(incidents)
        .set({
          alertStatus: 'resolved',
          resolvedAt: sql`now()`,
          updatedAt: sql`now()`,
          openGroup: sql`CASE WHEN ${incidents.finishedAt} IS NULL THEN ${incidents.openGroup} ELSE NULL END`,
        })
        .where(eq(incidents.openGroup, request.groupKey))
        .returning({ id: incidents.id });
      await tx
        .insert(deliveries)
        .values(deliveryRow(open?.id ?? null, request, open ? 'resolved' : 'ignored'));
      if (open) {
        await tx.insert(audit).values({
          incidentId: open.id,
          actor: request.actor,
          action: 'alert.resolved',
          reason: `the alert group ${request.groupKey} resolved`,
        });
      }
      return open?.id;
    }),
  );
}

/** Adds batched counts of duplicate deliveries to their incidents, in one statement. */
export async function addDuplicateDeliveries(
  ledger: Ledger,
  counts: ReadonlyMap<string, number>,
): Promise<void> {
  if (counts.size === 0) return;
  const rows = sql.join(
    [...counts].map(([id, n]) => sql`(${id}::text, ${n}::int)`),
    sql`, `,
  );
  await guard(() =>
    ledger.db.execute(sql`
      UPDATE incidents SET duplicate_deliveries = incidents.duplicate_deliveries + batch.n, updated_at = now()
      FROM (VALUES ${rows}) AS batch(id, n)
      WHERE incidents.id = batch.id`),
  );
}

export interface StoredArtifact {
  path: string;
  sha256: string;
  size: number;
}

export async function storeArtifact(
  ledger: Ledger,
  incidentId: string,
  path: string,
  content: Buffer,
  origin: string,
): Promise<StoredArtifact> {
  const sha256 = createHash('sha256').update(content).digest('hex');
  await guard(() =>
    ledger.db
      .insert(artifacts)
      .values({ incidentId, path, sha256, size: content.length, content, origin })
      .onConflictDoUpdate({
        target: [artifacts.incidentId, artifacts.path],
        set: { sha256, size: content.length, content, origin },
      }),
  );
  return { path, sha256, size: content.length };
}

export async function loadArtifacts(
  ledger: Ledger,
  incidentId: string,
  paths?: readonly string[],
): Promise<{ path: string; sha256: string; content: Buffer }[]> {
  const where =
    paths === undefined
      ? eq(artifacts.incidentId, incidentId)
      : and(eq(artifacts.incidentId, incidentId), inArray(artifacts.path, [...paths]));
  return guard(() =>
    ledger.db
      .select({ path: artifacts.path, sha256: artifacts.sha256, content: artifacts.content })
      .from(artifacts)
      .where(where),
  );
}
