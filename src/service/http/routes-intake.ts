/**
 * Intake routes: Alertmanager (webhook v4), Grafana (unified alerting, optionally HMAC-signed)
 * and Medic's own schema. Each authenticates as its source, is rate limited per source, and
 * answers 202 with the incident it created or found.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../../core/errors.js';
import { AlertmanagerWebhook, fromAlertmanager, fromGrafana, GrafanaWebhook } from '../../ingest/index.js';
import { ApiIncident } from '../api-schema.js';
import { type SourceName, sourceSettings } from '../config.js';
import type { IntakeResult } from '../intake.js';
import type { App, AppDeps } from './app.js';
import { checkCredentials, checkSignature } from './auth.js';

/** Route options shared by every intake route of `source`: credentials, signature, rate limit, metrics. */
export function sourceGuard(deps: Pick<AppDeps, 'config' | 'metrics'>, source: SourceName) {
  const { auth, rateLimit } = sourceSettings(deps.config, source);
  const count = (outcome: string) => deps.metrics.intake.inc({ source, outcome });
  return {
    config: {
      rateLimit: {
        max: rateLimit.max,
        timeWindow: rateLimit.windowMs,
        keyGenerator: () => source,
        errorResponseBuilder: (_request: FastifyRequest, context: { after: string }) =>
          new ServiceError(
            'MEDIC_ERR_SERVICE_RATE_LIMITED',
            `source ${source} is over its rate limit; retry in ${context.after}`,
          ),
      },
    },
    onRequest: async (request: FastifyRequest) => {
      if (auth !== undefined) checkCredentials(request.headers, auth);
    },
    preValidation: async (request: FastifyRequest) => {
      if (auth?.hmac !== undefined) checkSignature(request.headers, request.rawBody ?? Buffer.alloc(0), auth);
    },
    onResponse: async (_request: FastifyRequest, reply: FastifyReply) => {
      const status = reply.statusCode;
      if (status === 202) return;
      count(
        status === 401
          ? 'unauthorized'
          : status === 429
            ? 'rate_limited'
            : status === 413
              ? 'too_large'
              : status === 422
                ? 'unmapped'
                : status >= 500
                  ? 'error'
                  : 'invalid',
      );
    },
    count,
  };
}

export function registerIntakeRoutes(app: App, deps: AppDeps): void {
  const accepted = (reply: FastifyReply, count: (o: string) => void, result: IntakeResult) => {
    count(result.status);
    return reply.status(202).send(result);
  };
  const options = ({ count: _, ...hooks }: ReturnType<typeof sourceGuard>) => hooks;

  const am = sourceGuard(deps, 'alertmanager');
  app.post(
    '/v1/alerts/alertmanager',
    { schema: { body: AlertmanagerWebhook }, ...options(am) },
    async (request, reply) =>
      accepted(reply, am.count, await deps.intake.notice(fromAlertmanager(request.body))),
  );

  const gf = sourceGuard(deps, 'grafana');
  app.post(
    '/v1/alerts/grafana',
    { schema: { body: GrafanaWebhook }, ...options(gf) },
    async (request, reply) => accepted(reply, gf.count, await deps.intake.notice(fromGrafana(request.body))),
  );

  const api = sourceGuard(deps, 'api');
  app.post('/v1/incidents', { schema: { body: ApiIncident }, ...options(api) }, async (request, reply) =>
    accepted(reply, api.count, await deps.intake.submit(request.body)),
  );
}
