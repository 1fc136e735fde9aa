/**
 * Wiring of the service's processes: `medic serve` (HTTP API and, unless told otherwise, an
 * in-process worker) and `medic worker` (stage workers only). Both open the ledger, connect the
 * queue and, where stages run, the reconciler. `close()` is the graceful SIGTERM path: stop
 * taking requests, flush intake, finish or hand back running stages, then disconnect.
 */
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import type { MedicConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { configuredSettings } from '../rollout/index.js';
import type { ServiceConfig } from './config.js';
import { SOURCES, sourceSettings } from './config.js';
import { type App, buildApp } from './http/app.js';
import { hasCredentials } from './http/auth.js';
import { Intake } from './intake.js';
import { Ledger } from './ledger/ledger.js';
import { type OpenedDb, openDb } from './ledger/open.js';
import { Metrics } from './metrics.js';
import { BullStageQueue, redisConnection, startBullWorkers } from './queue/bullmq.js';
import { InlineQueue } from './queue/inline.js';
import type { StageQueue, StageWorkers } from './queue/port.js';
import { stageProcessor } from './queue/process.js';
import { startReconciler } from './queue/reconcile.js';
import { type RolloutRunner, serviceRollout } from './rollout.js';

export interface RuntimeOptions {
  config: ServiceConfig;
  medic: MedicConfig;
  log: Logger;
  /** Runs the rollout stage; default: the local rollout when `service.rollout.enabled`. */
  rollout?: RolloutRunner;
  /** Names this process's worker in the ledger; default host:pid. */
  workerName?: string;
}

export interface Running {
  ledger: Ledger;
  queue: StageQueue;
  metrics: Metrics;
  /** The HTTP server (`medic serve` only). */
  app?: App;
  /** `http://host:port` once listening (`medic serve` only). */
  url?: string;
  close(): Promise<void>;
}

interface Core {
  db: OpenedDb;
  ledger: Ledger;
  queue: StageQueue;
  redis?: Redis;
  metrics: Metrics;
}

async function openCore(options: RuntimeOptions, poolSize: number): Promise<Core> {
  const { config, medic } = options;
  const db = await openDb({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    pgliteDir: join(resolve(medic.workDir), 'ledger'),
    poolSize,
  });
  const ledger = new Ledger(db.db);
  if (config.redisUrl === undefined) {
    const queue = new InlineQueue(config.queue);
    return { db, ledger, queue, metrics: new Metrics(() => queue.counts()) };
  }
  const redis = redisConnection(config.redisUrl);
  const queue = new BullStageQueue(redis, config.queue);
  return { db, ledger, queue, redis, metrics: new Metrics(() => queue.counts()) };
}

/** Starts the stage workers and the reconciler on an open core; returns their stop function. */
function startStages(core: Core, options: RuntimeOptions): (graceMs: number) => Promise<void> {
  const { config, medic, log } = options;
  const workerName = options.workerName ?? `${hostname()}:${process.pid}`;
  const rollout =
    options.rollout ??
    (config.rollout.enabled
      ? serviceRollout({ ledger: core.ledger, config, medic, log, workerName })
      : undefined);
  const processor = stageProcessor({
    ledger: core.ledger,
    queue: core.queue,
    config,
    medic,
    metrics: core.metrics,
    log,
    workerName,
    ...(rollout ? { rollout } : {}),
  });
  let workers: StageWorkers;
  if (core.queue instanceof InlineQueue) {
    workers = core.queue.start(processor);
  } else {
    if (core.redis === undefined) throw new Error('a BullMQ queue needs its Redis connection');
    workers = startBullWorkers(core.redis, config.queue, processor, {
      name: workerName,
      onError: (error) => log.warn({ err: error }, 'worker connection error'),
    });
  }
  const stopReconciler = startReconciler(core.ledger, core.queue, {
    intervalMs: config.queue.reconcileIntervalMs,
    intakeGraceMs: config.fetchTimeoutMs * 2 + 10_000,
    rollouts: rollout !== undefined,
    log,
  });
  return async (graceMs) => {
    stopReconciler();
    await workers.close(graceMs);
  };
}

async function closeCore(core: Core): Promise<void> {
  await core.queue.close();
  await core.redis?.quit().catch(() => undefined);
  await core.db.close();
}

/** `medic serve`: the HTTP API, plus an in-process worker unless `config.worker` is false. */
export async function startServe(options: RuntimeOptions): Promise<Running> {
  const { config, log } = options;
  checkRolloutSettings(options);
  for (const source of SOURCES) {
    if (!hasCredentials(sourceSettings(config, source).auth)) {
      throw new ConfigError(
        'MEDIC_ERR_CONFIG_INVALID',
        `source ${source} has no credentials: set MEDIC_API_TOKEN (or service.sources.${source}.auth)`,
      );
    }
  }
  if (config.redisUrl === undefined && !config.worker) {
    throw new ConfigError(
      'MEDIC_ERR_CONFIG_INVALID',
      'without MEDIC_REDIS_URL the stages run in-process: the worker cannot be turned off',
    );
  }
  const core = await openCore(options, 20);
  const intake = new Intake({ ledger: core.ledger, queue: core.queue, config, log });
  const app = await buildApp({
    config,
    intake,
    ledger: core.ledger,
    queue: core.queue,
    metrics: core.metrics,
    log,
    pingDb: () => core.db.ping(),
  });
  const stopStages = config.worker ? startStages(core, options) : undefined;
  const url = await app.listen({ port: config.port, host: config.host });
  let closing: Promise<void> | undefined;
  return {
    ledger: core.ledger,
    queue: core.queue,
    metrics: core.metrics,
    app,
    url,
    close: () => {
      closing ??= (async () => {
        await app.close();
        await intake.close();
        await stopStages?.(config.shutdownGraceMs);
        await closeCore(core);
      })();
      return closing;
    },
  };
}

/** `medic worker`: stage workers only, sharing Redis and PostgreSQL with every other process. */
export async function startWorker(options: RuntimeOptions): Promise<Running> {
  const { config } = options;
  checkRolloutSettings(options);
  if (config.redisUrl === undefined || config.databaseUrl === undefined) {
    throw new ConfigError(
      'MEDIC_ERR_CONFIG_INVALID',
      'a separate worker shares the queue and the ledger: set MEDIC_REDIS_URL and DATABASE_URL',
    );
  }
  const core = await openCore(options, 5);
  const stopStages = startStages(core, options);
  let closing: Promise<void> | undefined;
  return {
    ledger: core.ledger,
    queue: core.queue,
    metrics: core.metrics,
    close: () => {
      closing ??= (async () => {
        await stopStages(config.shutdownGraceMs);
        await closeCore(core);
      })();
      return closing;
    },
  };
}

/** A bad rollout plan in the config stops start-up (ConfigError) rather than every rollout. */
function checkRolloutSettings(options: RuntimeOptions): void {
  if (options.config.rollout.enabled && options.rollout === undefined)
    configuredSettings(options.medic.rollout);
}
