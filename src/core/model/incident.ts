/** Incident: what intake (webhook, CLI, collector) knows about a failure before any analysis. */
import { z } from 'zod';
import { IncidentId, IsoTime, SchemaVersion } from './common.js';

export const ProfileKind = z.enum(['cpu', 'heap', 'allocs', 'goroutine', 'mutex', 'block', 'threadcreate']);
export type ProfileKind = z.infer<typeof ProfileKind>;

/**
 * A reference to one recorded artifact. `path` is relative to the incident directory
 * (CLI) or to the ledger's blob store (service); `url` is where it was fetched from.
 */
export const ArtifactRef = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('panic-log'), path: z.string(), description: z.string().optional() }),
  z.object({
    kind: z.literal('profile'),
    path: z.string(),
    profile: ProfileKind,
    /** When the profile was taken; two profiles of one kind give growth. */
    takenAt: IsoTime.optional(),
    url: z.string().optional(),
  }),
  z.object({ kind: z.literal('trace'), path: z.string(), generated: z.boolean().default(false) }),
  /** The request (or input) that triggered the failure, as a ReplayRequest JSON file. */
  z.object({ kind: z.literal('request'), path: z.string() }),
  /** Normal traffic that did not fail, as NDJSON of ReplayRequest, for differential replay. */
  z.object({ kind: z.literal('traffic'), path: z.string() }),
  /** The input that made a batch (non-HTTP) program fail, as a ReplayInput JSON file. */
  z.object({ kind: z.literal('input'), path: z.string() }),
  z.object({ kind: z.literal('alert'), path: z.string() }),
  z.object({ kind: z.literal('log'), path: z.string() }),
]);
export type ArtifactRef = z.infer<typeof ArtifactRef>;

/** One HTTP request as recorded for replay. */
export const ReplayRequest = z.object({
  method: z.string().min(1),
  path: z.string().startsWith('/'),
  headers: z.record(z.string(), z.string()).default({}),
  /** UTF-8 body; binary bodies are out of scope for replay. */
  body: z.string().default(''),
  /**
   * Sent as a burst when the failure needs concurrency (concurrent map writes, races): replay
   * sends `concurrency` copies at once, `rounds` times each. Absent: sent once.
   */
  burst: z
    .object({ concurrency: z.number().int().min(1).max(64), rounds: z.number().int().min(1).max(10_000) })
    .optional(),
  /** What the original build answered, when it answered. */
  response: z
    .object({
      status: z.number().int(),
      body: z.string(),
      headers: z.record(z.string(), z.string()).default({}),
    })
    .optional(),
});
export type ReplayRequest = z.infer<typeof ReplayRequest>;

/**
 * One run of a batch (non-HTTP) program as recorded for replay: run the service binary with
 * `service.run.args` then `args`, in a fresh working directory holding `files`, with `stdin`.
 */
export const ReplayInput = z.object({
  args: z.array(z.string()).default([]),
  stdin: z.string().default(''),
  /** Files written into the working directory before the run, by relative path (UTF-8 text). */
  files: z.record(z.string(), z.string()).default({}),
  /** What the original build did with this input, when it was recorded. */
  result: z
    .object({
      exitCode: z.number().int().nullable(),
      signal: z.string().nullable().default(null),
      stdout: z.string().default(''),
    })
    .optional(),
});
export type ReplayInput = z.infer<typeof ReplayInput>;

export const ServiceRef = z.object({
  name: z.string().min(1),
  repo: z.object({
    /** Local checkout; relative paths are resolved against the incident directory. */
    path: z.string().optional(),
    url: z.string().optional(),
    revision: z.string().optional(),
    branch: z.string().optional(),
  }),
  /** Go package to build as the service binary, relative to the repo (e.g. `./cmd/server`). */
  mainPackage: z.string().default('.'),
  /** Where the deployed binary lives on the service's host (for tracing and symbols), when intake knows it. */
  binary: z.string().optional(),
  /**
   * How the service is driven: `http` (a server taking `{addr}`; replay sends ReplayRequests) or
   * `batch` (a program run to completion on a ReplayInput). Absent means `http`.
   */
  mode: z.enum(['http', 'batch']).optional(),
  /**
   * Arguments and environment the service runs with; `{addr}` is replaced with a listen address,
   * `{workdir}` with the run's working directory (batch programs).
   */
  run: z
    .object({
      args: z.array(z.string()).default([]),
      env: z.record(z.string(), z.string()).default({}),
    })
    .default({ args: [], env: {} }),
});
export type ServiceRef = z.infer<typeof ServiceRef>;

export const AlertInfo = z.object({
  fingerprint: z.string().optional(),
  groupKey: z.string().optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  labels: z.record(z.string(), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: z.string().optional(),
});

export const Incident = z.object({
  schemaVersion: SchemaVersion,
  id: IncidentId,
  source: z.enum(['cli', 'alertmanager', 'grafana', 'api', 'collector']),
  receivedAt: IsoTime,
  title: z.string().optional(),
  service: ServiceRef,
  artifacts: z.array(ArtifactRef),
  alert: AlertInfo.optional(),
});
export type Incident = z.infer<typeof Incident>;
