/**
 * Intake: turns an alert notice or an API submission into an incident in the ledger, exactly once
 * per open alert group. Duplicates are answered from a short in-memory cache and counted in
 * batches; the first delivery gathers the artifacts, stores them and queues the ingest stage.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ServiceError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { type Incident, SCHEMA_VERSION, type ServiceRef } from '../core/model.js';
import { type AlertNotice, incidentFromNotice, matchLabels, matchService } from '../ingest/index.js';
import type { ApiIncident } from './api-schema.js';
import { GitRef } from './api-schema.js';
import { type Gathered, gatherConfigured, gatherUploaded } from './artifacts.js';
import { matchOf, type ServiceConfig, type ServiceEntry } from './config.js';
import {
  addDuplicateDeliveries,
  openIncident,
  openIncidentOfGroup,
  resolveGroup,
  storeArtifact,
} from './ledger/intake.js';
import type { Ledger } from './ledger/ledger.js';
import type { StageQueue } from './queue/port.js';

export interface IntakeResult {
  status: 'created' | 'duplicate' | 'resolved' | 'ignored';
  incidentId?: string;
}

export interface IntakeDeps {
  ledger: Ledger;
  queue: StageQueue;
  config: ServiceConfig;
  log: Logger;
}

export class Intake {
  private readonly openGroups = new Map<string, { id: string; until: number; refreshAt: number }>();
  private readonly refreshing = new Set<string>();
  private readonly inflight = new Map<string, Promise<IntakeResult>>();
  private duplicates = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly deps: IntakeDeps) {
    this.timer = setInterval(
      () => void this.flush().catch((error) => deps.log.warn({ err: error }, 'flush failed')),
      250,
    );
    this.timer.unref();
  }

  async notice(notice: AlertNotice): Promise<IntakeResult> {
    const groupKey = `${notice.source}:${notice.groupKey}`;
    if (notice.status === 'resolved') {
      this.openGroups.delete(groupKey);
      const id = await resolveGroup(this.deps.ledger, {
        groupKey,
        delivery: { source: notice.source, alertStatus: 'resolved', payload: notice },
        actor: `intake:${notice.source}`,
      });
      return id === undefined ? { status: 'ignored' } : { status: 'resolved', incidentId: id };
    }
    const cached = this.fresh(groupKey);
    if (cached !== undefined) return this.duplicate(cached);
    // One ledger round-trip per group at a time: concurrent deliveries wait for the first one's answer.
    const inflight = this.inflight.get(groupKey);
    if (inflight !== undefined) {
      const first = await inflight;
      return first.incidentId === undefined ? first : this.duplicate(first.incidentId);
    }
    const work = this.openOrFind(notice, groupKey).finally(() => this.inflight.delete(groupKey));
    this.inflight.set(groupKey, work);
    return work;
  }

  private async openOrFind(notice: AlertNotice, groupKey: string): Promise<IntakeResult> {
    const open = await openIncidentOfGroup(this.deps.ledger, groupKey);
    if (open !== undefined) return this.confirmedDuplicate(open, groupKey);
    const entries = this.deps.config.services.map((entry) => ({ entry, match: matchOf(entry) }));
    const entry = matchService(notice, entries)?.entry;
    if (entry === undefined) {
      throw new ServiceError(
        'MEDIC_ERR_SERVICE_UNKNOWN_SERVICE',
        `no service.services entry matches the labels of alert group ${notice.groupKey}`,
      );
    }
    const id = newIncidentId(entry.name);
    const revisionLabel = entry.revisionLabel;
    const revision = revisionLabel === undefined ? undefined : matchLabels(notice)[revisionLabel];
    const incident = incidentFromNotice(notice, {
      id,
      receivedAt: new Date(),
      service: serviceRefOf(entry),
      artifacts: [],
      // A revision label that is not a plain git ref is ignored: it would reach git's argv.
      ...(revisionLabel !== undefined && GitRef.safeParse(revision).success ? { revisionLabel } : {}),
    });
    const opened = await openIncident(this.deps.ledger, {
      incident,
      groupKey,
      delivery: { source: notice.source, alertStatus: 'firing', payload: notice },
      actor: `intake:${notice.source}`,
      reason: `alert group ${notice.groupKey} fired for service ${entry.name}`,
    });
    if (!opened.created) return this.confirmedDuplicate(opened.id, groupKey);
    await this.start(
      incident,
      await this.gathered(id, await gatherConfigured(entry.artifacts, this.deps.config)),
    );
    this.remember(groupKey, id);
    return { status: 'created', incidentId: id };
  }

  async submit(body: ApiIncident): Promise<IntakeResult> {
    const entry = this.deps.config.services.find((s) => s.name === body.service);
    if (entry === undefined) {
      throw new ServiceError(
        'MEDIC_ERR_SERVICE_UNKNOWN_SERVICE',
        `service ${body.service} is not in service.services`,
      );
    }
    const base = serviceRefOf(entry);
    const id = newIncidentId(entry.name);
    const groupKey = body.dedupKey === undefined ? undefined : `api:${entry.name}:${body.dedupKey}`;
    const cached = groupKey === undefined ? undefined : this.fresh(groupKey);
    if (cached !== undefined) return this.duplicate(cached);
    const incident: Incident = {
      schemaVersion: SCHEMA_VERSION,
      id,
      source: 'api',
      receivedAt: new Date().toISOString(),
      ...(body.title ? { title: body.title } : {}),
      service: {
        ...base,
        repo: {
          ...base.repo,
          ...(body.revision ? { revision: body.revision } : {}),
          ...(body.branch ? { branch: body.branch } : {}),
        },
      },
      artifacts: [],
    };
    const opened = await openIncident(this.deps.ledger, {
      incident,
      ...(groupKey ? { groupKey } : {}),
      delivery: {
        source: 'api',
        payload: { service: body.service, title: body.title, dedupKey: body.dedupKey },
      },
      actor: 'intake:api',
      reason: `submitted through the API for service ${entry.name}`,
    });
    if (!opened.created) return this.confirmedDuplicate(opened.id, groupKey);
    await this.start(
      incident,
      await this.gathered(id, await gatherUploaded(body.artifacts, this.deps.config)),
    );
    if (groupKey) this.remember(groupKey, id);
    return { status: 'created', incidentId: id };
  }

  /** Writes the batched duplicate counts to the ledger. */
  async flush(): Promise<void> {
    if (this.duplicates.size === 0) return;
    const batch = this.duplicates;
    this.duplicates = new Map();
    try {
      await addDuplicateDeliveries(this.deps.ledger, batch);
    } catch (error) {
      // Put the counts back; the next flush tries again.
      for (const [id, n] of batch) this.duplicates.set(id, (this.duplicates.get(id) ?? 0) + n);
      throw error;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Counts a duplicate delivery (written in batches by `flush`). */
  private duplicate(id: string): IntakeResult {
    this.duplicates.set(id, (this.duplicates.get(id) ?? 0) + 1);
    return { status: 'duplicate', incidentId: id };
  }

  /** A duplicate the ledger just confirmed: the group's cache entry is renewed. */
  private confirmedDuplicate(id: string, groupKey: string | undefined): IntakeResult {
    if (groupKey !== undefined) this.remember(groupKey, id);
    return this.duplicate(id);
  }

  /**
   * The cached open incident of a group, if confirmed by the ledger within `dedupCacheMs`. Past
   * half that, the ledger is asked again in the background (one question per group), so a busy
   * group never waits on the database and a released group is noticed within `dedupCacheMs`.
   */
  private fresh(groupKey: string): string | undefined {
    const entry = this.openGroups.get(groupKey);
    const now = Date.now();
    if (entry === undefined || entry.until <= now) return undefined;
    if (now >= entry.refreshAt && !this.refreshing.has(groupKey)) {
      this.refreshing.add(groupKey);
      openIncidentOfGroup(this.deps.ledger, groupKey)
        .then((id) => (id === entry.id ? this.remember(groupKey, id) : this.openGroups.delete(groupKey)))
        .catch(() => this.openGroups.delete(groupKey))
        .finally(() => this.refreshing.delete(groupKey));
    }
    return entry.id;
  }

  private remember(groupKey: string, id: string): void {
    const ttl = this.deps.config.dedupCacheMs;
    if (ttl === 0) return;
    const now = Date.now();
    if (!this.openGroups.has(groupKey) && this.openGroups.size >= 10_000) {
      this.openGroups.delete(this.openGroups.keys().next().value ?? '');
    }
    this.openGroups.set(groupKey, { id, until: now + ttl, refreshAt: now + ttl / 2 });
  }

  /** Stores the gathered artifacts, completes the incident record and queues its ingest. */
  private async start(incident: Incident, gathered: Gathered[]): Promise<void> {
    const { ledger } = this.deps;
    try {
      for (const item of gathered) {
        await storeArtifact(ledger, incident.id, item.ref.path, item.content, item.origin);
      }
      await ledger.put(incident.id, 'incident', { ...incident, artifacts: gathered.map((g) => g.ref) });
      await ledger.setStatus(incident.id, 'queued');
    } catch (error) {
      // Release the group, so the sender's retry of this delivery opens the incident afresh.
      const code = error instanceof ServiceError ? error.code : 'unexpected';
      await ledger
        .finish(incident.id, {
          status: 'failed',
          reason: `intake: ${(error as Error).message}`,
          stoppedAt: 'intake',
          errorCode: code,
        })
        .catch(() => undefined);
      throw error;
    }
    // A queue that does not answer leaves the incident `queued` in the ledger; the reconciler queues it later.
    await Promise.race([
      this.deps.queue.enqueue('ingest', incident.id),
      new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
    ]).catch((error) => this.deps.log.warn({ err: error, incidentId: incident.id }, 'ingest not queued yet'));
  }

  /** Writes the sources that could not be read to the audit trail; the incident goes on without them. */
  private async gathered(
    id: string,
    result: { gathered: Gathered[]; failures: string[] },
  ): Promise<Gathered[]> {
    for (const failure of result.failures)
      await this.deps.ledger.audit(id, 'intake', 'artifact.unavailable', failure);
    return result.gathered;
  }
}

function serviceRefOf(entry: ServiceEntry): ServiceRef {
  return {
    name: entry.name,
    // A relative path in the configuration is relative to where the service was started.
    repo: entry.repo.path === undefined ? entry.repo : { ...entry.repo, path: resolve(entry.repo.path) },
    mainPackage: entry.mainPackage,
    run: entry.run,
    ...(entry.mode ? { mode: entry.mode } : {}),
    ...(entry.binary ? { binary: entry.binary } : {}),
  };
}

/** `<service>-<time>-<random>`, a slug as incident ids must be. */
export function newIncidentId(service: string): string {
  const slug =
    service
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'incident';
  return `${slug}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
