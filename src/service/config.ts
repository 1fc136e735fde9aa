/**
 * The service's configuration: the `service` key of medic.config.json overlaid by MEDIC_* variables
 * (README "Configuration"). Sources and their credentials, the label → service mapping, queues,
 * forge and limits. Validated once at start-up; a bad setting is a ConfigError naming it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { ProfileKind, ServiceRef } from '../core/model.js';

const Hmac = z.object({
  secret: z.string().min(1),
  /** Header carrying the hex signature. Grafana's default. */
  header: z.string().min(1).default('X-Grafana-Alerting-Signature'),
  /** When set, the sender puts a Unix timestamp here and signs `timestamp:body`. */
  timestampHeader: z.string().min(1).optional(),
  /** Signed requests older or newer than this are refused as replays. Default 300 s. */
  toleranceSeconds: z.number().int().positive().default(300),
});

export const SourceAuth = z.object({
  bearer: z.string().min(1).optional(),
  basic: z.object({ username: z.string().min(1), password: z.string().min(1) }).optional(),
  hmac: Hmac.optional(),
});
export type SourceAuth = z.infer<typeof SourceAuth>;

const Source = z.object({
  /** Credentials of this source; absent: the default source's. */
  auth: SourceAuth.optional(),
  /** Requests per window from this source. Default 600 a minute. */
  rateLimit: z
    .object({ max: z.number().int().positive(), windowMs: z.number().int().positive() })
    .default({ max: 600, windowMs: 60_000 }),
});
export type SourceConfig = z.infer<typeof Source>;

export const SOURCES = ['alertmanager', 'grafana', 'api'] as const;
export type SourceName = (typeof SOURCES)[number];

/** Where intake gets an artifact of the service: a file on the intake host or a URL (a pprof endpoint). */
export const ArtifactSource = z
  .object({
    kind: z.enum(['panic-log', 'log', 'profile', 'trace', 'request', 'traffic', 'input']),
    profile: ProfileKind.optional(),
    file: z.string().min(1).optional(),
    url: z.string().url().optional(),
    /** Bytes kept; files keep their tail (the latest lines). Default 16 MiB. */
    maxBytes: z
      .number()
      .int()
      .positive()
      .default(16 * 1024 * 1024),
  })
  .refine((s) => (s.file === undefined) !== (s.url === undefined), 'give exactly one of file or url')
  .refine(
    (s) => (s.kind === 'profile') === (s.profile !== undefined),
    'profile sources name their `profile` kind',
  );
export type ArtifactSource = z.infer<typeof ArtifactSource>;

export const ServiceEntry = ServiceRef.extend({
  /** Alert labels that select this service; default `{ service: <name> }`. */
  match: z.record(z.string(), z.string()).optional(),
  /** Alert label carrying the git revision the service runs. */
  revisionLabel: z.string().optional(),
  artifacts: z.array(ArtifactSource).default([]),
  /** The GitHub repository pull requests go to (provider `github`). */
  github: z.object({ owner: z.string().min(1), repo: z.string().min(1) }).optional(),
  labels: z.array(z.string()).optional(),
  reviewers: z.array(z.string()).optional(),
});
export type ServiceEntry = z.infer<typeof ServiceEntry>;

export const STAGES = ['ingest', 'diagnose', 'patch', 'verify', 'propose', 'rollout'] as const;
export type QueueStage = (typeof STAGES)[number];

const Queue = z.object({
  /** Redis key prefix of the queues; several deployments may share one Redis. */
  prefix: z.string().min(1).default('medic'),
  concurrency: z
    .object({
      ingest: z.number().int().positive().default(2),
      diagnose: z.number().int().positive().default(2),
      patch: z.number().int().positive().default(2),
      verify: z.number().int().positive().default(1),
      propose: z.number().int().positive().default(1),
      rollout: z.number().int().positive().default(1),
    })
    .default({ ingest: 2, diagnose: 2, patch: 2, verify: 1, propose: 1, rollout: 1 }),
  attempts: z.number().int().positive().default(3),
  backoffMs: z.number().int().positive().default(5_000),
  /** A job whose worker stops renewing its lock for this long is handed to another worker. */
  lockDurationMs: z.number().int().positive().default(30_000),
  stalledIntervalMs: z.number().int().positive().default(30_000),
  /** How often open incidents are checked for a lost job (after a Redis restart) and re-queued. */
  reconcileIntervalMs: z.number().int().positive().default(30_000),
});

const Forge = z.object({
  provider: z.enum(['local', 'github']).default('local'),
  labels: z.array(z.string()).default(['medic']),
  reviewers: z.array(z.string()).default([]),
  teamReviewers: z.array(z.string()).default([]),
  github: z
    .object({
      apiUrl: z.string().url().default('https://api.github.com'),
      /** Where branches are pushed; `{owner}` and `{repo}` are replaced. */
      pushUrl: z.string().min(1).default('https://github.com/{owner}/{repo}.git'),
      draft: z.boolean().default(false),
    })
    .default({
      apiUrl: 'https://api.github.com',
      pushUrl: 'https://github.com/{owner}/{repo}.git',
      draft: false,
    }),
});

/** The rollout stage of the service; how a rollout is done is the top-level `rollout` section. */
const Rollout = z.object({
  /** Queue a rollout after each proposal. */
  enabled: z.boolean().default(false),
  /** How often a rollout waiting for its pull request's approval asks again. Default 5 minutes. */
  recheckMs: z.number().int().positive().default(300_000),
  /** A proposal not approved this long after it was made is no longer waited for. Default 7 days. */
  approvalTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(7 * 86_400_000),
});

export const ServiceConfig = z.object({
  port: z.number().int().min(0).max(65_535).default(8787),
  host: z.string().default('127.0.0.1'),
  /** Largest request body accepted (uploaded artifacts count). Default 8 MiB. */
  bodyLimitBytes: z
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024),
  /** PostgreSQL; absent: an embedded PGlite ledger in <workDir>/ledger (one process only). */
  databaseUrl: z.string().optional(),
  /** Redis for BullMQ; absent: stages run on an in-process queue (no other workers). */
  redisUrl: z.string().optional(),
  /** Run a worker inside `medic serve`. */
  worker: z.boolean().default(true),
  provider: z.enum(['rules', 'llm']).optional(),
  sources: z
    .object({
      default: Source.default({ rateLimit: { max: 600, windowMs: 60_000 } }),
      alertmanager: Source.optional(),
      grafana: Source.optional(),
      api: Source.optional(),
    })
    .default({ default: { rateLimit: { max: 600, windowMs: 60_000 } } }),
  services: z.array(ServiceEntry).default([]),
  queue: Queue.default(Queue.parse({})),
  forge: Forge.default(Forge.parse({})),
  /** Token of the GitHub provider (from MEDIC_GITHUB_TOKEN; never put it in the file). */
  githubToken: z.string().optional(),
  fetchTimeoutMs: z.number().int().positive().default(5_000),
  /** How long a delivery's group is remembered in memory before asking the ledger again. */
  dedupCacheMs: z.number().int().min(0).default(2_000),
  /** SIGTERM waits this long for running stages, then hands them back to the queue. */
  shutdownGraceMs: z.number().int().min(0).default(60_000),
  rollout: Rollout.default(Rollout.parse({})),
});
export type ServiceConfig = z.infer<typeof ServiceConfig>;
export type ServiceConfigInput = z.input<typeof ServiceConfig>;

/** Reads the `service` key of the config file and the MEDIC_* service variables. */
export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ServiceConfig {
  const file = env.MEDIC_CONFIG ?? resolve(cwd, 'medic.config.json');
  let fromFile: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { service?: Record<string, unknown> };
      fromFile = json.service ?? {};
    } catch (error) {
      throw new ConfigError('MEDIC_ERR_CONFIG_INVALID', `${file} is not valid JSON`, { cause: error });
    }
  }
  return parseServiceConfig(overlayEnv(fromFile, env));
}

export function parseServiceConfig(input: unknown): ServiceConfig {
  const parsed = ServiceConfig.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `service.${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError('MEDIC_ERR_CONFIG_INVALID', `invalid service configuration: ${fields}`, {
      details: parsed.error.issues,
    });
  }
  return parsed.data;
}

type Json = Record<string, unknown>;

function overlayEnv(file: Json, env: NodeJS.ProcessEnv): Json {
  const sources = { ...((file.sources as Json | undefined) ?? {}) };
  if (env.MEDIC_API_TOKEN) {
    const current = (sources.default as Json | undefined) ?? {};
    const auth = { ...((current.auth as Json | undefined) ?? {}), bearer: env.MEDIC_API_TOKEN };
    sources.default = { ...current, auth };
  }
  if (env.MEDIC_GRAFANA_HMAC_SECRET) {
    const current = (sources.grafana as Json | undefined) ?? {};
    const auth = (current.auth as Json | undefined) ?? {};
    const hmac = { ...((auth.hmac as Json | undefined) ?? {}), secret: env.MEDIC_GRAFANA_HMAC_SECRET };
    sources.grafana = { ...current, auth: { ...auth, hmac } };
  }
  const forge = { ...((file.forge as Json | undefined) ?? {}) };
  if (env.MEDIC_FORGE) forge.provider = env.MEDIC_FORGE;
  return {
    ...file,
    sources,
    forge,
    ...(env.MEDIC_PORT ? { port: Number(env.MEDIC_PORT) } : {}),
    ...(env.MEDIC_HOST ? { host: env.MEDIC_HOST } : {}),
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    ...(env.MEDIC_REDIS_URL ? { redisUrl: env.MEDIC_REDIS_URL } : {}),
    ...(env.MEDIC_GITHUB_TOKEN ? { githubToken: env.MEDIC_GITHUB_TOKEN } : {}),
    ...(env.MEDIC_QUEUE_PREFIX
      ? { queue: { ...((file.queue as Json | undefined) ?? {}), prefix: env.MEDIC_QUEUE_PREFIX } }
      : {}),
  };
}

/** The credentials and limits that apply to `source`: its own, else the default source's. */
export function sourceSettings(
  config: ServiceConfig,
  source: SourceName,
): { auth?: SourceAuth; rateLimit: SourceConfig['rateLimit'] } {
  const own = config.sources[source];
  const auth = own?.auth ?? config.sources.default.auth;
  return { ...(auth ? { auth } : {}), rateLimit: own?.rateLimit ?? config.sources.default.rateLimit };
}

/** The match labels of a service entry (default: `service=<name>`). */
export function matchOf(entry: ServiceEntry): Record<string, string> {
  return entry.match ?? { service: entry.name };
}
