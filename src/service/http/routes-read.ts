/** Read routes: the incident API (list, all records of one), health, readiness and Prometheus metrics. */
import { z } from 'zod';
import { IncidentId } from '../../core/model.js';
import { sourceSettings } from '../config.js';
import { incidentDetail, listIncidents } from '../ledger/queries.js';
import type { App, AppDeps } from './app.js';
import { checkCredentials } from './auth.js';

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  status: z.enum(['received', 'queued', 'running', 'proposed', 'no-fix', 'failed', 'duplicate']).optional(),
});

export function registerReadRoutes(app: App, deps: AppDeps): void {
  const { auth } = sourceSettings(deps.config, 'api');
  const onRequest = async (request: { headers: Record<string, string | string[] | undefined> }) => {
    if (auth !== undefined) checkCredentials(request.headers, auth);
  };

  app.get('/v1/incidents', { schema: { querystring: ListQuery }, onRequest }, async (request) => {
    const rows = await listIncidents(deps.ledger, {
      limit: request.query.limit,
      ...(request.query.status ? { status: request.query.status } : {}),
    });
    return { incidents: rows.map(summary) };
  });

  app.get(
    '/v1/incidents/:id',
    { schema: { params: z.object({ id: IncidentId }) }, onRequest },
    async (request) => {
      const detail = await incidentDetail(deps.ledger, request.params.id);
      return {
        incident: summary(detail.incident),
        records: detail.records,
        stageRuns: detail.stageRuns,
        audit: detail.audit,
        deliveries: detail.deliveries,
      };
    },
  );

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const [db, queue] = await Promise.allSettled([deps.pingDb(), deps.queue.ping()]);
    const state = {
      database: db.status === 'fulfilled' ? 'ok' : 'down',
      queue: queue.status === 'fulfilled' ? 'ok' : 'down',
    };
    return reply.status(db.status === 'fulfilled' && queue.status === 'fulfilled' ? 200 : 503).send(state);
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}

type Row = Awaited<ReturnType<typeof listIncidents>>[number];

/** The list view of an incident: status, class, service, age. */
export function summary(row: Row) {
  return {
    id: row.id,
    status: row.status,
    stage: row.stage,
    service: row.service,
    source: row.source,
    title: row.title,
    failureClass: row.failureClass,
    signature: row.signature,
    alertStatus: row.alertStatus,
    rolloutStatus: row.rolloutStatus,
    duplicateOf: row.duplicateOf,
    outcome: row.outcomeReason,
    errorCode: row.errorCode,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    ageSeconds: Math.round((Date.now() - row.createdAt.getTime()) / 1000),
  };
}
