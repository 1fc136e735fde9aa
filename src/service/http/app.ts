/**
 * The HTTP server (Fastify): intake webhooks, the incident API, health, readiness, metrics and the
 * review pages. Routes are thin: they validate at the edge (zod), authenticate per source, and
 * hand over to Intake or the ledger's queries.
 */
import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from '../../core/log.js';
import type { ServiceConfig } from '../config.js';
import type { Intake } from '../intake.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Metrics } from '../metrics.js';
import type { StageQueue } from '../queue/port.js';
import { registerErrorHandling } from './errors.js';
import { registerPages } from './pages.js';
import { registerIntakeRoutes } from './routes-intake.js';
import { registerReadRoutes } from './routes-read.js';

export interface AppDeps {
  config: ServiceConfig;
  intake: Intake;
  ledger: Ledger;
  queue: StageQueue;
  metrics: Metrics;
  log: Logger;
  /** Round-trips to the database (readiness). */
  pingDb: () => Promise<void>;
}

function createFastify(deps: AppDeps) {
  return Fastify({
    loggerInstance: deps.log,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.config.bodyLimitBytes,
    // Alertmanager and Grafana retry on 5xx; a stuck request should not hold a connection forever.
    requestTimeout: 30_000,
  }).withTypeProvider<ZodTypeProvider>();
}

export type App = ReturnType<typeof createFastify>;

export async function buildApp(deps: AppDeps): Promise<App> {
  const app = createFastify(deps);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app, deps);
  await app.register(rateLimit, { global: false, hook: 'preHandler' });
  registerIntakeRoutes(app, deps);
  registerReadRoutes(app, deps);
  registerPages(app, deps);
  return app;
}
